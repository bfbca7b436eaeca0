//! Stream engine counters.

use serde::Serialize;

/// Counters of the stream engine (Suricata `tcp.*` stats equivalents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StreamCounters {
    /// TCP sessions started (handshake or pickup).
    pub sessions: u64,
    /// Sessions not created because of the session memcap.
    pub ssn_memcap_drop: u64,
    /// Sessions picked up midstream.
    pub midstream_pickups: u64,
    /// Gaps in reassembly.
    pub reassembly_gap: u64,
    /// Overlapping segments.
    pub overlap: u64,
    /// Overlapping segments with different data.
    pub overlap_diff_data: u64,
    /// Segments dropped or forced into gaps because of the per-direction limits.
    pub segment_memcap_drop: u64,
    /// Directions that reached the reassembly depth.
    pub depth_reached: u64,
}

impl StreamCounters {
    /// Adds another set of counters into this one.
    pub fn add(&mut self, o: &StreamCounters) {
        self.sessions += o.sessions;
        self.ssn_memcap_drop += o.ssn_memcap_drop;
        self.midstream_pickups += o.midstream_pickups;
        self.reassembly_gap += o.reassembly_gap;
        self.overlap += o.overlap;
        self.overlap_diff_data += o.overlap_diff_data;
        self.segment_memcap_drop += o.segment_memcap_drop;
        self.depth_reached += o.depth_reached;
    }
}
