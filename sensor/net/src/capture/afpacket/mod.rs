//! Live capture on Linux with `AF_PACKET` and a memory-mapped `TPACKET_V3` receive ring
//! (no libpcap).
//!
//! One [`LiveCapture`] is one socket, meant to be driven by one worker thread. Several captures
//! opened with the same [`FanoutConfig`] group share the interface's traffic: the kernel picks
//! the socket by flow hash (symmetric, so both directions of a flow reach the same worker).
//!
//! Both directions are captured (a sensor on a tap or span port sees both). On loopback
//! interfaces the kernel shows every packet twice (once leaving, once arriving); there the
//! outgoing copy (`PACKET_OUTGOING`) is skipped so each packet is delivered once.

mod capture;
mod config;
mod error;
pub mod filter;
mod ring;
mod stats;
mod sys;

pub use capture::LiveCapture;
pub use config::{FanoutConfig, FanoutMode, LiveConfig};
pub use error::LiveError;
pub use stats::LiveStats;
