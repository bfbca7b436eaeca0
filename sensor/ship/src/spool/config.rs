//! Spool settings.

use std::time::Duration;

/// When appended events are forced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// `fdatasync` after every appended batch: an acknowledged append survives power loss.
    #[default]
    EveryBatch,
    /// At most one `fdatasync` per interval; events are still synced before they are sent,
    /// so a sequence number the server has seen is never handed out again.
    Interval(Duration),
    /// Leave it to the OS. A power loss can lose the unsynced tail and, if it was already
    /// sent, make the server discard the re-used numbers as duplicates.
    Never,
}

/// Size limits and durability of a spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolConfig {
    /// Cap on the bytes of all segments; past it the oldest non-alerts are dropped, then
    /// the oldest alerts.
    pub max_bytes: u64,
    /// A segment is sealed and a new one started past this size (clamped to a quarter of
    /// `max_bytes` so that compaction has room to work).
    pub segment_bytes: u64,
    /// Durability of appends.
    pub fsync: FsyncPolicy,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        SpoolConfig {
            max_bytes: 1 << 30,
            segment_bytes: 16 << 20,
            fsync: FsyncPolicy::EveryBatch,
        }
    }
}

impl SpoolConfig {
    /// The segment size actually used.
    pub fn effective_segment_bytes(&self) -> u64 {
        self.segment_bytes.min(self.max_bytes / 4).max(4096)
    }
}
