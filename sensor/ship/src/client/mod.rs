//! The HTTP(S) sender: batches from the spool to `POST /api/v1/ingest`.

mod backoff;
mod config;
pub mod control;
pub mod enroll;
mod shipper;
pub mod tls;
mod token;
pub mod transport;

pub use config::{ShipperConfig, TlsOptions};
pub use shipper::{ShipReport, ShipStatus, Shipper, ShipperHandle};
pub use token::SensorToken;
