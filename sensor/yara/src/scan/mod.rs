//! Scanning stage: buffers to [`crate::YaraMatch`]es.

mod scanner;

pub use scanner::{YaraScanner, DEFAULT_SCAN_TIMEOUT_SECS};
