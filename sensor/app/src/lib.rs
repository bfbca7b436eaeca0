//! Application-layer parsers (HTTP/1.x, DNS, TLS, Modbus/TCP, SMB, Kerberos 5, QUIC) for
//! the sensor pipeline.
//!
//! The pipeline feeds reassembled TCP stream bytes (or UDP datagrams for
//! DNS, Kerberos and QUIC) into an [`AppState`]; each call appends [`AppEvent`]s describing
//! which transactions changed so the detection engine can inspect their
//! buffers. Parsers never panic on malformed input, bound their memory via
//! [`AppConfig`], and accept input split at any byte boundary.

pub mod config;
pub mod detect;
pub mod dns;
pub mod error;
pub mod event;
pub mod http;
pub mod krb5;
pub mod modbus;
pub mod probe;
pub mod proto;
pub mod quic;
pub mod rfb;
pub mod smb;
pub mod smtp;
pub mod state;
pub mod tls;

pub use config::AppConfig;
pub use error::AppError;
pub use event::{AppEvent, ANOMALY_NAMES};
pub use probe::{probe_tcp, probe_udp, Probe};
pub use proto::{AppProto, Direction};
pub use state::AppState;
