//! Flow tracking and TCP stream reassembly for the sensor.
//!
//! * [`flow`]: the flow table (5-tuple + VLAN keyed), per-flow counters, timeouts,
//!   eviction, Suricata-like `flow_id` and Community ID v1.
//! * [`stream`]: TCP session tracking (three-way handshake, FIN/RST) and in-order
//!   reassembly with Suricata overlap policies, gaps, depth and stream events.
//!
//! The crate has its own small input types ([`PacketMeta`], [`TcpMeta`]) so that it
//! does not depend on the packet decoder.

pub mod community_id;
pub mod error;
pub mod flow;
pub mod hash;
pub mod packet;
pub mod stream;

pub use community_id::community_id_v1;
pub use error::FlowError;
pub use flow::{
    Flow, FlowConfig, FlowCounters, FlowHandle, FlowKey, FlowLookup, FlowReason, FlowState,
    FlowTable, ProtoTimeouts,
};
pub use packet::{tcp_flags, Direction, PacketMeta, TcpMeta};
pub use stream::{
    OverlapPolicy, StreamConfig, StreamCounters, StreamEvent, StreamItem, StreamOutput, TcpSession,
    TcpState,
};
