//! Flow table configuration.

use crate::error::FlowError;

/// Timeouts (seconds) of one protocol, per flow state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoTimeouts {
    /// Flow in state `new`.
    pub new: u32,
    /// Flow in state `established`.
    pub established: u32,
    /// Flow in state `closed`.
    pub closed: u32,
}

/// Flow table configuration (defaults as Suricata's stock `flow-timeouts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowConfig {
    /// Maximum simultaneous flows; the least recently seen flow is evicted beyond it.
    pub max_flows: usize,
    /// Initial capacity of the hash table.
    pub hash_size: usize,
    /// TCP timeouts (stock: 60 / 600 / 60).
    pub tcp: ProtoTimeouts,
    /// UDP timeouts (stock: 30 / 300).
    pub udp: ProtoTimeouts,
    /// ICMP / ICMPv6 timeouts (stock: 30 / 300).
    pub icmp: ProtoTimeouts,
    /// Timeouts of other protocols (stock: 30 / 300 / 0).
    pub default: ProtoTimeouts,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            max_flows: 65536 * 4,
            hash_size: 65536,
            tcp: ProtoTimeouts {
                new: 60,
                established: 600,
                closed: 60,
            },
            udp: ProtoTimeouts {
                new: 30,
                established: 300,
                closed: 0,
            },
            icmp: ProtoTimeouts {
                new: 30,
                established: 300,
                closed: 0,
            },
            default: ProtoTimeouts {
                new: 30,
                established: 300,
                closed: 0,
            },
        }
    }
}

impl FlowConfig {
    /// Checks the values for consistency.
    pub fn validate(&self) -> Result<(), FlowError> {
        if self.max_flows == 0 {
            return Err(FlowError::InvalidConfig("flow max_flows must be > 0"));
        }
        if self.max_flows > u32::MAX as usize / 2 {
            return Err(FlowError::InvalidConfig("flow max_flows too large"));
        }
        Ok(())
    }

    /// Timeouts for an IP protocol.
    pub fn timeouts(&self, proto: u8) -> &ProtoTimeouts {
        match proto {
            6 => &self.tcp,
            17 => &self.udp,
            1 | 58 => &self.icmp,
            _ => &self.default,
        }
    }
}
