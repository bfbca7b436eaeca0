//! Stream engine configuration.

use crate::error::FlowError;

/// How overlapping segments with different data are resolved (Suricata `host-os-policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlapPolicy {
    /// Keep the data seen first.
    First,
    /// Keep the data seen last.
    Last,
    /// Windows: old data wins unless the new segment starts before the old one.
    #[default]
    Windows,
    /// Windows Vista: old data always wins.
    Vista,
    /// BSD: old data wins unless the new segment starts before the old one.
    Bsd,
    /// Linux: new data wins if it starts before, or starts at the same place and ends after.
    Linux,
    /// Old Linux: like Linux, but also when it starts and ends at the same place.
    OldLinux,
    /// Solaris / HP-UX 11: new data wins if it ends at or after the old one.
    Solaris,
}

impl OverlapPolicy {
    /// Parses a Suricata host-os-policy name.
    pub fn from_name(name: &str) -> Option<OverlapPolicy> {
        Some(match name {
            "first" => OverlapPolicy::First,
            "last" => OverlapPolicy::Last,
            "windows" | "windows2k3" => OverlapPolicy::Windows,
            "vista" => OverlapPolicy::Vista,
            "bsd" | "bsd-right" | "hpux10" | "irix" | "macos" => OverlapPolicy::Bsd,
            "linux" => OverlapPolicy::Linux,
            "old-linux" => OverlapPolicy::OldLinux,
            "solaris" | "hpux11" | "old-solaris" => OverlapPolicy::Solaris,
            _ => return None,
        })
    }

    /// Whether the new segment's data replaces the old one's in their overlap.
    /// Offsets are absolute stream offsets, `[start, end)`.
    pub fn new_wins(self, old: (u64, u64), new: (u64, u64)) -> bool {
        match self {
            OverlapPolicy::First | OverlapPolicy::Vista => false,
            OverlapPolicy::Last => true,
            OverlapPolicy::Windows | OverlapPolicy::Bsd => new.0 < old.0,
            OverlapPolicy::Linux => new.0 < old.0 || (new.0 == old.0 && new.1 > old.1),
            OverlapPolicy::OldLinux => new.0 < old.0 || (new.0 == old.0 && new.1 >= old.1),
            OverlapPolicy::Solaris => new.1 >= old.1,
        }
    }
}

/// TCP stream tracking configuration (Suricata `stream:` section equivalents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConfig {
    /// Pick up sessions without a three-way handshake (`stream.midstream`).
    pub midstream: bool,
    /// Accept sessions where only one direction is seen (`stream.async-oneside`).
    pub async_oneside: bool,
    /// Reassembly depth per direction in bytes (0 = unlimited).
    pub depth: u64,
    /// Max bytes of held (out-of-order) data per direction before gaps are forced.
    pub memcap_per_direction: usize,
    /// Max held out-of-order segments per direction before gaps are forced.
    pub max_segments: usize,
    /// Overlap policy.
    pub overlap_policy: OverlapPolicy,
    /// Delivered-but-unacknowledged bytes kept per direction to detect retransmissions
    /// with different data (up to twice this is held; 0 disables the check).
    pub retain_unacked: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            midstream: false,
            async_oneside: false,
            depth: 1024 * 1024,
            memcap_per_direction: 4 * 1024 * 1024,
            max_segments: 65535,
            overlap_policy: OverlapPolicy::Windows,
            retain_unacked: 16 * 1024,
        }
    }
}

impl StreamConfig {
    /// Checks the values for consistency.
    pub fn validate(&self) -> Result<(), FlowError> {
        if self.max_segments == 0 {
            return Err(FlowError::InvalidConfig("stream max_segments must be > 0"));
        }
        Ok(())
    }
}
