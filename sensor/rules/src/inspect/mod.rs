//! Per-buffer inspection with Suricata's DetectEngineContentInspection semantics.

mod base64;
mod engine;
mod extract;

pub use engine::{find_content, inspect_buffer, match_content_only, InspectCtx, RECURSION_LIMIT};
