//! Typed errors of this crate.

use thiserror::Error;

/// Errors returned by the standalone message parsers.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AppError {
    /// The input ended before the structure was complete.
    #[error("truncated input")]
    Truncated,
    /// The input is structurally invalid.
    #[error("malformed {0}")]
    Malformed(&'static str),
}
