//! Enrollment: trade a single-use enrollment token (created by an admin with
//! `soc-server sensor enroll NAME`) for the sensor's own ingest token.

use super::config::TlsOptions;
use super::token::SensorToken;
use super::transport::{endpoint, INGEST_PATH};
use crate::error::ShipError;
use serde::Deserialize;
use std::io::Read;
use std::time::Duration;

/// Path of the enrollment endpoint on the SOC server.
pub const ENROLL_PATH: &str = "/api/v1/enroll";

/// What the server gives an enrolled sensor.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// The sensor's name, chosen by the admin.
    pub sensor: String,
    /// The sensor's ingest token.
    pub token: SensorToken,
}

#[derive(Deserialize)]
struct Answer {
    sensor: String,
    token: String,
}

/// Redeems `enroll_token` at `server`. The enrollment token is sent once and never logged.
pub fn enroll(
    server: &str,
    enroll_token: &SensorToken,
    tls: &TlsOptions,
    allow_plain_http: bool,
) -> Result<Enrollment, ShipError> {
    let ingest = endpoint(server, allow_plain_http)?;
    let url = format!("{}{ENROLL_PATH}", ingest.trim_end_matches(INGEST_PATH));
    let mut builder = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("sensor-ship/", env!("CARGO_PKG_VERSION")));
    if let Some(cfg) = super::tls::client_config(tls)? {
        builder = builder.tls_config(cfg);
    }
    let resp = builder
        .build()
        .post(&url)
        .set("Authorization", &enroll_token.bearer())
        .send_bytes(b"");
    match resp {
        Ok(r) => {
            let mut text = String::new();
            r.into_reader()
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(|e| ShipError::Config(format!("reading the enrollment answer: {e}")))?;
            let a: Answer = serde_json::from_str(&text).map_err(|e| {
                ShipError::Config(format!("unexpected enrollment answer from {url}: {e}"))
            })?;
            Ok(Enrollment {
                sensor: a.sensor,
                token: SensorToken::new(a.token),
            })
        }
        Err(ureq::Error::Status(code @ (401 | 403), _)) => {
            Err(ShipError::Unauthorized { status: code })
        }
        Err(ureq::Error::Status(code, r)) => Err(ShipError::Refused {
            status: code,
            message: r
                .into_string()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect(),
        }),
        Err(e) => Err(ShipError::Config(format!("cannot reach {url}: {e}"))),
    }
}
