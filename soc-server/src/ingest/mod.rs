//! Ingest: decompress a sensor's body, split it into numbered EVE lines, parse them, and
//! hand the valid ones to the store as one batch (dedupe by sequence number there).

mod body;
pub mod import;
mod lines;

pub use body::{decode_body, BodyError};
pub use lines::{parse_batch, ParsedBatch, Rejected};
