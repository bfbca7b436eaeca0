//! Lossless shipping of EVE events from a sensor to the SOC server.
//!
//! Every event is first appended to an on-disk [`Spool`] with a per-sensor sequence
//! number; a [`Shipper`] sends compressed batches to `POST /api/v1/ingest` with
//! `X-Sensor-Seq` and advances the spool's cursor only to what the server acknowledged.
//! A crash or restart of either side resumes from the cursor; the server deduplicates.

pub mod client;
pub mod error;
pub mod spool;

pub use client::control::{ControlClient, Heartbeat, RulesetPoll};
pub use client::enroll::{enroll, Enrollment};
pub use client::{
    SensorToken, ShipReport, ShipStatus, Shipper, ShipperConfig, ShipperHandle, TlsOptions,
};
pub use error::{ShipError, SpoolError};
pub use spool::{Batch, EventClass, FsyncPolicy, SeqRange, Spool, SpoolConfig, SpoolStats};
