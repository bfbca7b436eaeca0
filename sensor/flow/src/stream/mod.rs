//! TCP session tracking and stream reassembly (Suricata semantics).

pub mod config;
pub mod counters;
pub mod events;
pub mod half;
pub mod output;
pub mod seq;
pub mod session;
pub mod state;
pub mod timestamp;

pub use config::{OverlapPolicy, StreamConfig};
pub use counters::StreamCounters;
pub use events::StreamEvent;
pub use half::HalfStream;
pub use output::{StreamItem, StreamOutput};
pub use session::TcpSession;
pub use state::TcpState;
