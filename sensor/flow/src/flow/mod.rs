//! Flow table: keys, configuration, counters, flows and the table itself.

pub mod config;
pub mod counters;
pub mod entry;
pub mod key;
pub mod table;

pub use config::{FlowConfig, ProtoTimeouts};
pub use counters::FlowCounters;
pub use entry::{Flow, FlowReason, FlowState};
pub use key::FlowKey;
pub use table::{FlowHandle, FlowLookup, FlowTable};
