//! The detection engine: Suricata-format rules evaluated against packets, reassembled
//! streams and application-layer transactions.
//!
//! Data flow per packet (see [`Engine::inspect`]):
//!
//! 1. **Prefilter.** Rules are grouped by transport (TCP, UDP, ICMP, other). Each group
//!    has one multi-pattern matcher per buffer kind (packet/stream payload, each HTTP,
//!    DNS and TLS buffer), fed with every rule's fast pattern. Scanning the packet's
//!    buffers yields the candidate rules; rules without a usable fast pattern are always
//!    candidates. IP-only rules (addresses, no content, no ports) are looked up in an
//!    address index once per flow and direction, as Suricata does.
//! 2. **Evaluation.** Candidates are evaluated in engine order (pass rules first, flowbit
//!    setters before readers, then by priority): header, packet keywords, flowbits, then
//!    every buffer with [`sensor_rules::inspect_buffer`].
//! 3. **Alerting.** Flowbit actions apply, thresholds and suppressions are checked, and
//!    an [`AlertHit`] is produced unless the rule is `noalert`.

mod alert;
mod build;
mod eval;
mod flowbits;
mod input;
mod iponly;
mod prefilter;
mod threshold;

pub use alert::AlertHit;
pub use build::{Engine, EngineConfig, EngineStats, RuleInfo};
pub use eval::ThreadCtx;
pub use flowbits::FlowBits;
pub use input::{FlowInput, IcmpInput, PacketInput, TcpInput, TxView};
pub use sensor_rules::rule::EventKind;
pub use sensor_rules::Skipped;

/// Per-flow detection state, owned by the pipeline with the flow.
#[derive(Debug, Clone, Default)]
pub struct FlowDetectState {
    /// Flowbits of the flow.
    pub bits: FlowBits,
    /// `flowint` variables of the flow, by interned name (`None`: never set).
    pub ints: Vec<Option<u64>>,
    /// IP-only rules already evaluated for [to_server, to_client].
    pub iponly_done: [bool; 2],
}
