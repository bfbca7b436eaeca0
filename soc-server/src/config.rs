//! Server configuration: defaults, then a TOML file, then environment and flags (clap
//! handles the last two and passes what was given as [`Overrides`]).

use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Configuration errors.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config file {0}: {1}")]
    Read(String, std::io::Error),
    /// The file is not valid TOML for this schema.
    #[error("config file {0}: {1}")]
    Parse(String, toml::de::Error),
}

/// Effective configuration of the server.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Data directory (SQLite database lives here).
    pub data: PathBuf,
    /// Listen address.
    pub listen: String,
    /// Largest request body accepted on the wire (bytes).
    pub max_body_bytes: usize,
    /// Largest ingest body after decompression (bytes).
    pub max_decompressed_bytes: usize,
    /// Ingest batches processed at once; more get 429.
    pub ingest_concurrency: usize,
    /// Seconds a client is told to wait after a 429.
    pub retry_after_secs: u64,
    /// Ingest batches accepted per second across all sensors (0: unlimited); more get 429.
    pub ingest_batches_per_sec: f64,
    /// Session lifetime (seconds).
    pub session_ttl_secs: i64,
    /// Mark the session cookie `Secure` (leave on; browsers accept it on localhost).
    pub cookie_secure: bool,
    /// Failed logins allowed per user and per address in `login_window_secs`.
    pub login_max_failures: usize,
    /// Login rate-limit window (seconds).
    pub login_window_secs: u64,
    /// Serve HTTPS with this certificate chain (PEM); needs `tls_key` too.
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Where `/metrics` is served without authentication (e.g. `127.0.0.1:9464`); empty:
    /// only on the main listener, with a user's API token.
    pub metrics_listen: String,
    /// Retention of events (`[retention]`).
    pub retention: RetentionConfig,
}

/// `[retention]`: whole time partitions (one per UTC day of ingest) are dropped when too
/// old or, oldest first, when the store is too large. Zero disables a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Drop partitions whose day ended more than this many days ago.
    pub max_age_days: u32,
    /// Drop the oldest partitions while the data in use exceeds this (MiB).
    pub max_size_mb: u64,
    /// Seconds between retention runs (it also runs at start-up).
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            max_age_days: 0,
            max_size_mb: 0,
            interval_secs: 3600,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            max_body_bytes: 32 << 20,
            max_decompressed_bytes: 256 << 20,
            ingest_concurrency: 4,
            retry_after_secs: 1,
            ingest_batches_per_sec: 0.0,
            session_ttl_secs: 12 * 3600,
            cookie_secure: true,
            login_max_failures: 5,
            login_window_secs: 300,
            tls_cert: None,
            tls_key: None,
            metrics_listen: String::new(),
            retention: RetentionConfig::default(),
        }
    }
}

/// Values given on the command line or in the environment (they win over the file).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--data` / `SOC_DATA`.
    pub data: Option<PathBuf>,
    /// `--listen` / `SOC_LISTEN`.
    pub listen: Option<String>,
}

impl Config {
    /// Loads `file` (or `DATA/soc-server.toml` if present) and applies the overrides.
    pub fn load(file: Option<&Path>, over: &Overrides) -> Result<Config, ConfigError> {
        let implicit = over
            .data
            .as_ref()
            .map(|d| d.join("soc-server.toml"))
            .filter(|p| p.exists());
        let mut cfg = match file.map(Path::to_path_buf).or(implicit) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::Read(path.display().to_string(), e))?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::Parse(path.display().to_string(), e))?
            }
            None => Config::default(),
        };
        if let Some(d) = &over.data {
            cfg.data = d.clone();
        }
        if let Some(l) = &over.listen {
            cfg.listen = l.clone();
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_apply_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "listen = \"0.0.0.0:9\"\ningest_concurrency = 8\n").unwrap();
        let c = Config::load(Some(&f), &Overrides::default()).unwrap();
        assert_eq!((c.listen.as_str(), c.ingest_concurrency), ("0.0.0.0:9", 8));
        let over = Overrides {
            listen: Some("127.0.0.1:1".into()),
            data: None,
        };
        assert_eq!(Config::load(Some(&f), &over).unwrap().listen, "127.0.0.1:1");
    }

    #[test]
    fn example_file_documents_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("soc-server.example.toml");
        let c = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn deploy_example_parses_with_every_option_set() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/soc-server.toml");
        let c = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c.retention.max_age_days, 90);
        assert_eq!(c.metrics_listen, "127.0.0.1:9464");
        // Every key of the configuration appears in the file (it documents them all).
        let text = std::fs::read_to_string(&path).unwrap();
        for key in [
            "data",
            "listen",
            "max_body_bytes",
            "max_decompressed_bytes",
            "ingest_concurrency",
            "retry_after_secs",
            "session_ttl_secs",
            "cookie_secure",
            "login_max_failures",
            "login_window_secs",
            "metrics_listen",
            "[retention]",
            "max_age_days",
            "max_size_mb",
            "interval_secs",
        ] {
            assert!(
                text.contains(&format!("\n{key}")),
                "{key} not in deploy/soc-server.toml"
            );
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "lisen = 1\n").unwrap();
        assert!(Config::load(Some(&f), &Overrides::default()).is_err());
    }
}
