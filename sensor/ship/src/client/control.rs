//! The sensor's control channel to the SOC server, beside ingest: fetching the published
//! ruleset (`GET /api/v1/sensor/ruleset` with `If-None-Match`) and sending heartbeats
//! (`POST /api/v1/sensor/heartbeat`). Same URL rules, TLS checks and token as shipping.

use super::config::ShipperConfig;
use super::transport::{endpoint, INGEST_PATH};
use crate::error::ShipError;
use serde::Serialize;
use std::io::Read;

/// Path of the ruleset endpoint.
pub const RULESET_PATH: &str = "/api/v1/sensor/ruleset";
/// Path of the heartbeat endpoint.
pub const HEARTBEAT_PATH: &str = "/api/v1/sensor/heartbeat";
/// Largest ruleset accepted from the server (bytes).
pub const MAX_RULESET_BYTES: u64 = 64 << 20;

/// What the server answered to a ruleset poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesetPoll {
    /// The sensor already runs the published version (304).
    Unchanged,
    /// No ruleset is published on the server (404): the sensor keeps its own rules.
    NonePublished,
    /// A version other than the sensor's.
    New {
        /// The version (the server's `ETag`, without quotes).
        version: String,
        /// The rule file's text.
        text: String,
    },
}

/// A sensor's health report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Heartbeat {
    /// The sensor program's version.
    pub version: String,
    /// The ruleset version running (`local` when the sensor runs its own files).
    pub ruleset_version: String,
    /// The last ruleset error (a version that failed to load), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruleset_error: Option<String>,
    /// Seconds since the sensor started.
    pub uptime_secs: u64,
    /// The capture interface (or the capture file).
    pub interface: String,
    /// Packets processed.
    pub packets: u64,
    /// Packets the kernel dropped (ring full).
    pub kernel_drops: u64,
    /// Events dropped inside the sensor (spool size cap).
    pub internal_drops: u64,
    /// Bytes in the spool.
    pub spool_bytes: u64,
    /// Events in the spool not yet acknowledged.
    pub spool_events: u64,
    /// The last sequence number the server acknowledged (-1: none).
    pub last_ack_seq: i64,
    /// Events written since the start.
    pub events: u64,
    /// Seconds between heartbeats (the server flags a sensor silent after 3 intervals).
    pub interval_secs: u64,
}

/// HTTP client for the control endpoints.
pub struct ControlClient {
    agent: ureq::Agent,
    base: String,
    bearer: String,
}

impl std::fmt::Debug for ControlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlClient")
            .field("base", &self.base)
            .field("bearer", &"<redacted>")
            .finish()
    }
}

impl ControlClient {
    /// A client for the server, token and TLS options of `cfg`.
    pub fn new(cfg: &ShipperConfig) -> Result<Self, ShipError> {
        let ingest = endpoint(&cfg.server, cfg.allow_plain_http)?;
        if cfg.token.is_empty() {
            return Err(ShipError::Config("the sensor token is empty".into()));
        }
        let base = ingest
            .strip_suffix(INGEST_PATH)
            .unwrap_or(&ingest)
            .to_string();
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .max_idle_connections_per_host(1)
            .user_agent(concat!("sensor-ship/", env!("CARGO_PKG_VERSION")));
        if let Some(tls) = super::tls::client_config(&cfg.tls)? {
            builder = builder.tls_config(tls);
        }
        Ok(ControlClient {
            agent: builder.build(),
            base,
            bearer: cfg.token.bearer(),
        })
    }

    /// Asks for the published ruleset; `current` is the version the sensor runs.
    pub fn poll_ruleset(&self, current: Option<&str>) -> Result<RulesetPoll, ShipError> {
        let url = format!("{}{RULESET_PATH}", self.base);
        let mut req = self.agent.get(&url).set("Authorization", &self.bearer);
        if let Some(v) = current {
            req = req.set("If-None-Match", &format!("\"{v}\""));
        }
        match req.call() {
            Ok(resp) if resp.status() == 304 => Ok(RulesetPoll::Unchanged),
            Ok(resp) => {
                let version = resp
                    .header("etag")
                    .map(|v| {
                        v.trim()
                            .trim_start_matches("W/")
                            .trim_matches('"')
                            .to_string()
                    })
                    .filter(|v| valid_version(v))
                    .ok_or_else(|| {
                        ShipError::Config(format!("{url}: answer without a valid ETag version"))
                    })?;
                let mut text = String::new();
                resp.into_reader()
                    .take(MAX_RULESET_BYTES + 1)
                    .read_to_string(&mut text)
                    .map_err(|e| ShipError::Config(format!("{url}: reading the ruleset: {e}")))?;
                if text.len() as u64 > MAX_RULESET_BYTES {
                    return Err(ShipError::Config(format!(
                        "{url}: ruleset larger than {MAX_RULESET_BYTES} bytes"
                    )));
                }
                Ok(RulesetPoll::New { version, text })
            }
            Err(ureq::Error::Status(304, _)) => Ok(RulesetPoll::Unchanged),
            Err(ureq::Error::Status(404, _)) => Ok(RulesetPoll::NonePublished),
            Err(e) => Err(status_error(&url, e)),
        }
    }

    /// Sends one heartbeat.
    pub fn heartbeat(&self, hb: &Heartbeat) -> Result<(), ShipError> {
        let url = format!("{}{HEARTBEAT_PATH}", self.base);
        let body = serde_json::to_vec(hb)
            .map_err(|e| ShipError::Config(format!("heartbeat encoding: {e}")))?;
        self.agent
            .post(&url)
            .set("Authorization", &self.bearer)
            .set("Content-Type", "application/json")
            .send_bytes(&body)
            .map(|_| ())
            .map_err(|e| status_error(&url, e))
    }
}

/// A version label as the server hands them out: 1-64 of letters, digits, `.`, `-`, `_`
/// (it becomes part of a file name on the sensor).
pub fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn status_error(url: &str, e: ureq::Error) -> ShipError {
    match e {
        ureq::Error::Status(code @ (401 | 403), _) => ShipError::Unauthorized { status: code },
        ureq::Error::Status(code, r) => ShipError::Refused {
            status: code,
            message: r
                .into_string()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect(),
        },
        other => ShipError::Config(format!("cannot reach {url}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SensorToken;

    #[test]
    fn urls_are_derived_from_the_server_and_versions_are_checked() {
        let cfg = ShipperConfig::new("http://127.0.0.1:9", SensorToken::new("t"));
        let c = ControlClient::new(&cfg).expect("client");
        assert_eq!(c.base, "http://127.0.0.1:9");
        assert!(!format!("{c:?}").contains("Bearer t"));
        assert!(valid_version("7"));
        assert!(valid_version("v1.2-rc_3"));
        assert!(!valid_version("../x"));
        assert!(!valid_version(""));
    }
}
