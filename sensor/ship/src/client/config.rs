//! Shipper settings.

use super::token::SensorToken;
use std::path::PathBuf;
use std::time::Duration;

/// How the server's certificate is checked on `https://` URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Accept exactly the server certificate with this SHA-256 fingerprint (of its DER),
    /// whatever signed it: hex, colons allowed (`openssl x509 -fingerprint -sha256`).
    pub pin_sha256: Option<String>,
    /// Trust the CA certificates in this PEM file instead of the public web roots.
    pub ca_file: Option<PathBuf>,
}

/// Where and how to ship.
#[derive(Debug, Clone)]
pub struct ShipperConfig {
    /// The SOC server: `https://soc:8443` (the ingest path is added) or a full URL
    /// ending in `/api/v1/ingest`. Plain `http://` only for loopback hosts unless
    /// `allow_plain_http` is set.
    pub server: String,
    /// The sensor's bearer token.
    pub token: SensorToken,
    /// Allow `http://` to non-loopback hosts (the token then travels in clear text).
    pub allow_plain_http: bool,
    /// Certificate checks.
    pub tls: TlsOptions,
    /// Events per request, at most.
    pub batch_max_events: usize,
    /// Uncompressed JSON bytes per request, about (one event always fits).
    pub batch_max_bytes: usize,
    /// gzip level 0-9.
    pub gzip_level: u32,
    /// First retry delay after a connection error or 5xx; doubles up to `backoff_max`.
    pub backoff_initial: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Longest `Retry-After` obeyed (longer values are clamped).
    pub retry_after_max: Duration,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// In background mode, how long to wait after the server refused the token before
    /// trying again (the token may be fixed meanwhile).
    pub unauthorized_retry: Duration,
}

impl ShipperConfig {
    /// Defaults for `server` and `token`.
    pub fn new(server: impl Into<String>, token: SensorToken) -> Self {
        ShipperConfig {
            server: server.into(),
            token,
            allow_plain_http: false,
            tls: TlsOptions::default(),
            batch_max_events: 2000,
            batch_max_bytes: 2 << 20,
            gzip_level: 1,
            backoff_initial: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            retry_after_max: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            unauthorized_retry: Duration::from_secs(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_redacts_the_token() {
        let c = ShipperConfig::new("https://soc:8443", SensorToken::new("tok-123456"));
        let d = format!("{c:?}");
        assert!(!d.contains("tok-123456"), "{d}");
        assert!(d.contains("<redacted>"));
    }
}
