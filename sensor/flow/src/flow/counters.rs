//! Flow table counters.

use serde::Serialize;

/// Counters of the flow table (Suricata `flow.*` stats equivalents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FlowCounters {
    /// TCP flows created.
    pub tcp: u64,
    /// UDP flows created.
    pub udp: u64,
    /// ICMPv4 flows created.
    pub icmpv4: u64,
    /// ICMPv6 flows created.
    pub icmpv6: u64,
    /// Flows of other protocols created.
    pub other: u64,
    /// All flows created.
    pub total: u64,
    /// Flows currently in the table.
    pub active: u64,
    /// Flows removed by timeout.
    pub timeouts: u64,
    /// Flows evicted because the table was full.
    pub evicted: u64,
    /// TCP flows ended early because a new SYN reused their 5-tuple.
    pub tcp_reuse: u64,
    /// Approximate memory used by the table (bytes).
    pub memuse: u64,
}
