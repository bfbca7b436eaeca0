//! Counters a spool reports (status command, `stats` events).

use serde::Serialize;

/// A snapshot of the spool's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SpoolStats {
    /// Sequence numbers handed out over the spool's lifetime (= the next sequence number).
    pub appended: u64,
    /// Sequence numbers the server acknowledged (acked_seq + 1, dropped events included).
    pub acked: u64,
    /// The last acknowledged sequence number.
    pub acked_seq: Option<u64>,
    /// Events in the spool after the cursor (upper bound).
    pub pending: u64,
    /// Non-alert events dropped by the size cap before they were acknowledged (lifetime).
    pub dropped_non_alert: u64,
    /// Alerts dropped by the size cap before they were acknowledged (lifetime).
    pub dropped_alert: u64,
    /// Torn or corrupt lines found and removed at recovery (lifetime).
    pub corrupt_lines: u64,
    /// Bytes in segment files.
    pub bytes: u64,
    /// Segment files.
    pub segments: u64,
}
