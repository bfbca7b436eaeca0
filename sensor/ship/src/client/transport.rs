//! One ingest request: endpoint validation, gzip body, headers, and the classification
//! of the server's answer into acked / retry / fatal.

use super::config::ShipperConfig;
use crate::error::ShipError;
use crate::spool::Batch;
use flate2::write::GzEncoder;
use serde::Deserialize;
use std::io::{Read, Write};
use std::time::Duration;

/// The ingest path added to a bare server URL.
pub const INGEST_PATH: &str = "/api/v1/ingest";

/// The server's answer to a stored batch.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IngestAnswer {
    /// Every line up to this sequence number is durable on the server.
    pub acked_seq: i64,
    /// Newly stored events.
    #[serde(default)]
    pub stored: u64,
    /// Events the server already had.
    #[serde(default)]
    pub duplicates: u64,
    /// Lines refused (malformed); they are acknowledged too.
    #[serde(default)]
    pub rejected: Vec<serde_json::Value>,
}

/// What to do after one attempt.
#[derive(Debug)]
pub enum Outcome {
    /// The server answered 200.
    Acked(IngestAnswer),
    /// Try again later: after the server's `Retry-After` if it gave one.
    Retry {
        /// The server's `Retry-After`.
        after: Option<Duration>,
        /// What went wrong (for logs and the timeout error).
        reason: String,
    },
    /// 413: the batch must be smaller.
    TooLarge,
    /// Retrying cannot help.
    Fatal(ShipError),
}

/// The HTTP client of one shipper.
pub struct Transport {
    agent: ureq::Agent,
    endpoint: String,
    bearer: String,
    gzip_level: u32,
    request_timeout: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.endpoint)
            .field("bearer", &"<redacted>")
            .finish()
    }
}

impl Transport {
    /// Validates the server URL and builds the HTTP agent.
    pub fn new(cfg: &ShipperConfig) -> Result<Self, ShipError> {
        let endpoint = endpoint(&cfg.server, cfg.allow_plain_http)?;
        if cfg.token.is_empty() {
            return Err(ShipError::Config("the sensor token is empty".into()));
        }
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .max_idle_connections_per_host(2)
            .user_agent(concat!("sensor-ship/", env!("CARGO_PKG_VERSION")));
        if let Some(tls) = super::tls::client_config(&cfg.tls)? {
            builder = builder.tls_config(tls);
        }
        Ok(Transport {
            agent: builder.build(),
            endpoint,
            bearer: cfg.token.bearer(),
            gzip_level: cfg.gzip_level.min(9),
            request_timeout: cfg.request_timeout,
        })
    }

    /// The ingest URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The compressed request body of a batch.
    pub fn body(&self, batch: &Batch) -> Vec<u8> {
        let mut gz = GzEncoder::new(
            Vec::with_capacity(batch.lines.len() / 4 + 64),
            flate2::Compression::new(self.gzip_level),
        );
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&batch.lines);
        gz.finish().unwrap_or_default()
    }

    /// Sends one batch; `timeout` caps the request (the shipper's remaining time).
    /// `lost_before`: how many numbers just before the batch the spool dropped (sent as
    /// `X-Sensor-Lost` so the server accepts the gap and counts the loss).
    pub fn send(
        &self,
        batch: &Batch,
        body: &[u8],
        timeout: Option<Duration>,
        lost_before: u64,
    ) -> Outcome {
        let t = timeout.map_or(self.request_timeout, |t| {
            t.min(self.request_timeout).max(Duration::from_millis(100))
        });
        let mut req = self
            .agent
            .post(&self.endpoint)
            .timeout(t)
            .set("Authorization", &self.bearer)
            .set("Content-Type", "application/x-ndjson")
            .set("Content-Encoding", "gzip")
            .set("X-Sensor-Seq", &batch.first_seq.to_string());
        if lost_before > 0 {
            req = req.set("X-Sensor-Lost", &lost_before.to_string());
        }
        let result = req.send_bytes(body);
        match result {
            Ok(resp) => {
                let mut text = String::new();
                if let Err(e) = resp.into_reader().take(16 << 20).read_to_string(&mut text) {
                    return Outcome::Retry {
                        after: None,
                        reason: format!("reading the answer: {e}"),
                    };
                }
                match serde_json::from_str::<IngestAnswer>(&text) {
                    Ok(a) => Outcome::Acked(a),
                    Err(e) => Outcome::Retry {
                        after: None,
                        reason: format!("unexpected answer ({e}): {}", snippet(&text)),
                    },
                }
            }
            Err(ureq::Error::Status(status, resp)) => {
                let retry_after = resp.header("retry-after").and_then(parse_retry_after);
                let message = snippet(&resp.into_string().unwrap_or_default());
                classify_status(status, retry_after, message)
            }
            Err(ureq::Error::Transport(t)) => Outcome::Retry {
                after: None,
                reason: t.to_string(),
            },
        }
    }
}

/// The outcome of a non-2xx status.
fn classify_status(status: u16, retry_after: Option<Duration>, message: String) -> Outcome {
    match status {
        401 | 403 => Outcome::Fatal(ShipError::Unauthorized { status }),
        413 => Outcome::TooLarge,
        408 | 429 | 500..=599 => Outcome::Retry {
            after: retry_after,
            reason: format!("HTTP {status}: {message}"),
        },
        _ => Outcome::Fatal(ShipError::Refused { status, message }),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is treated as one second).
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    match v.parse::<u64>() {
        Ok(s) => Some(Duration::from_secs(s)),
        Err(_) if !v.is_empty() => Some(Duration::from_secs(1)),
        Err(_) => None,
    }
}

/// The first 200 characters of a server message.
fn snippet(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The ingest URL for `server`; refuses plain http to other hosts than loopback.
pub fn endpoint(server: &str, allow_plain_http: bool) -> Result<String, ShipError> {
    let server = server.trim().trim_end_matches('/');
    let (scheme, rest) = server
        .split_once("://")
        .ok_or_else(|| ShipError::Config(format!("server URL {server:?}: missing http(s)://")))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(ShipError::Config(format!(
            "server URL {server:?}: expected scheme://host[:port]"
        )));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" => {
            let host = if let Some(v6) = authority.strip_prefix('[') {
                v6.split(']').next().unwrap_or_default()
            } else {
                authority.rsplit_once(':').map_or(authority, |(h, _)| h)
            };
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback && !allow_plain_http {
                return Err(ShipError::Config(format!(
                    "server URL {server:?}: plain http is only allowed to localhost (the token would travel in clear text); use https"
                )));
            }
        }
        other => {
            return Err(ShipError::Config(format!(
                "server URL {server:?}: unsupported scheme {other:?}"
            )))
        }
    }
    if rest.contains('/') {
        Ok(server.to_string())
    } else {
        Ok(format!("{server}{INGEST_PATH}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_adds_the_ingest_path_and_refuses_remote_plain_http() {
        assert_eq!(
            endpoint("https://soc:8443", false).ok().as_deref(),
            Some("https://soc:8443/api/v1/ingest")
        );
        assert_eq!(
            endpoint("https://soc:8443/", false).ok().as_deref(),
            Some("https://soc:8443/api/v1/ingest")
        );
        assert_eq!(
            endpoint("http://127.0.0.1:9/x/ingest", false)
                .ok()
                .as_deref(),
            Some("http://127.0.0.1:9/x/ingest")
        );
        assert!(endpoint("http://localhost:8080", false).is_ok());
        assert!(endpoint("http://[::1]:8080", false).is_ok());
        assert!(endpoint("http://soc.example:8080", false).is_err());
        assert!(endpoint("http://soc.example:8080", true).is_ok());
        assert!(endpoint("ftp://soc", false).is_err());
        assert!(endpoint("soc:8443", false).is_err());
    }

    #[test]
    fn statuses_are_classified() {
        assert!(matches!(
            classify_status(401, None, String::new()),
            Outcome::Fatal(ShipError::Unauthorized { .. })
        ));
        assert!(matches!(
            classify_status(403, None, String::new()),
            Outcome::Fatal(ShipError::Unauthorized { .. })
        ));
        assert!(matches!(
            classify_status(429, Some(Duration::from_secs(2)), String::new()),
            Outcome::Retry { after: Some(_), .. }
        ));
        assert!(matches!(
            classify_status(503, None, String::new()),
            Outcome::Retry { after: None, .. }
        ));
        assert!(matches!(
            classify_status(413, None, String::new()),
            Outcome::TooLarge
        ));
        assert!(matches!(
            classify_status(400, None, String::new()),
            Outcome::Fatal(ShipError::Refused { .. })
        ));
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(1))
        );
    }
}
