//! One flow: identity, counters, state and user data.

use super::key::FlowKey;
use crate::stream::TcpSession;

/// Flow state as Suricata reports it in EVE `flow.state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowState {
    /// Only one direction seen / handshake not completed.
    #[default]
    New,
    /// Both directions seen / TCP session established.
    Established,
    /// TCP session closed.
    Closed,
}

impl FlowState {
    /// EVE name.
    pub fn name(self) -> &'static str {
        match self {
            FlowState::New => "new",
            FlowState::Established => "established",
            FlowState::Closed => "closed",
        }
    }
}

/// Why a flow left the table (EVE `flow.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowReason {
    /// Still active.
    #[default]
    Active,
    /// Timed out.
    Timeout,
    /// Evicted because the table was full.
    Forced,
    /// End of input.
    Shutdown,
}

impl FlowReason {
    /// EVE name.
    pub fn name(self) -> &'static str {
        match self {
            FlowReason::Active => "active",
            FlowReason::Timeout => "timeout",
            FlowReason::Forced => "forced",
            FlowReason::Shutdown => "shutdown",
        }
    }
}

/// A flow and its per-flow user state `T`.
#[derive(Debug, Clone)]
pub struct Flow<T> {
    /// Non-zero id, stable for the flow (hash of the key and start time, 51 bits).
    pub flow_id: u64,
    /// Identity, client first.
    pub key: FlowKey,
    /// Community ID v1 (seed 0).
    pub community_id: String,
    /// First packet timestamp (µs).
    pub start_ts: i64,
    /// Last packet timestamp (µs).
    pub last_ts: i64,
    /// Packets client to server.
    pub to_server_pkts: u64,
    /// Bytes (wire) client to server.
    pub to_server_bytes: u64,
    /// Packets server to client.
    pub to_client_pkts: u64,
    /// Bytes (wire) server to client.
    pub to_client_bytes: u64,
    /// State.
    pub state: FlowState,
    /// Why it left the table.
    pub reason: FlowReason,
    /// An alert was raised on this flow (set by the detection engine).
    pub alerted: bool,
    /// ICMP type and code of the first packet (ICMP flows).
    pub icmp: Option<(u8, u8)>,
    /// TCP session (TCP flows once a packet was tracked).
    pub tcp: Option<TcpSession>,
    /// User state (app-layer, detection).
    pub user: T,
}

impl<T> Flow<T> {
    /// EVE state name.
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// Flow age in whole seconds, as EVE `flow.age`.
    pub fn age_secs(&self) -> i64 {
        self.last_ts.div_euclid(1_000_000) - self.start_ts.div_euclid(1_000_000)
    }
}
