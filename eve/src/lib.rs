//! Suricata EVE JSON event types, shared by the sensor (which writes them) and the
//! SOC server (which ingests them, from our sensor or from a real Suricata).
//!
//! An [`Event`] keeps the fields every consumer needs as typed members and the rest of
//! the record (the `http`, `dns`, `tls`, `flow`, `stats` … objects) as raw JSON, so that
//! any event type round-trips without loss.

mod event;
mod time;

pub use event::{Alert, Event};
pub use time::format_timestamp;
