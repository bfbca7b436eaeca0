//! Sensor configuration: built-in defaults, then the TOML file (`-c sensor.toml`), then
//! environment variables, then command-line flags (`--set name=value` last).
//!
//! `--set` takes Suricata-style dotted names (`stream.midstream=true`,
//! `vars.address-groups.HOME_NET=[10.0.0.0/8]`); the value is read as a TOML literal when
//! it is one (numbers, booleans) and as a string otherwise.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// Errors while reading the configuration.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("--set {arg}: expected name=value")]
    SetSyntax { arg: String },
    #[error("--set {name}: {message}")]
    SetPath { name: String, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The whole sensor configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub vars: VarsConfig,
    pub rules: RulesConfig,
    pub stream: StreamConfig,
    pub flow: FlowConfig,
    pub app: AppConfig,
    pub detect: DetectConfig,
    pub output: OutputConfig,
    pub health: HealthConfig,
}

/// Address and port groups (`$HOME_NET` …); unset names keep Suricata's stock values.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VarsConfig {
    #[serde(rename = "address-groups")]
    pub address_groups: std::collections::BTreeMap<String, String>,
    #[serde(rename = "port-groups")]
    pub port_groups: std::collections::BTreeMap<String, String>,
}

/// Rule files and their companion config files.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Live capture with a SOC server: seconds between polls for the server's published
    /// ruleset (0: never poll; the sensor runs its own rule files).
    pub poll_interval: u64,
    /// Rule files loaded when no `-S` is given (relative to the config file's folder).
    pub files: Vec<PathBuf>,
    /// `classification.config`; the bundled one is used when unset.
    pub classification: Option<PathBuf>,
    /// `threshold.config` (suppress / threshold / rate_filter).
    pub threshold: Option<PathBuf>,
    /// YARA rule files.
    pub yara: Vec<PathBuf>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            poll_interval: 60,
            files: Vec::new(),
            classification: None,
            threshold: None,
            yara: Vec::new(),
        }
    }
}

/// Health reporting to the SOC server (live capture with `--server`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Seconds between heartbeats (0: none). The console flags a sensor silent after
    /// three intervals without contact.
    pub heartbeat_interval: u64,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            heartbeat_interval: 30,
        }
    }
}

/// TCP stream engine settings (names as in Suricata's `stream:` section).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StreamConfig {
    /// Pick up TCP sessions without a seen three-way handshake.
    pub midstream: bool,
    #[serde(rename = "async-oneside")]
    pub async_oneside: bool,
    /// Reassembly depth per direction, in bytes.
    pub depth: u64,
    /// Total memory for out-of-order segments, in bytes.
    pub memcap: u64,
    /// Overlap policy: windows (Suricata's stock default), first, last, bsd, linux.
    #[serde(rename = "overlap-policy")]
    pub overlap_policy: String,
    /// Accepted for compatibility with Suricata's `--set stream.inline=…`; ignored.
    pub inline: bool,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            midstream: false,
            async_oneside: false,
            depth: 1 << 20,
            memcap: 64 << 20,
            overlap_policy: "windows".into(),
            inline: false,
        }
    }
}

/// Flow table settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowConfig {
    #[serde(rename = "max-flows")]
    pub max_flows: usize,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig { max_flows: 262_144 }
    }
}

/// Application-layer parser limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    #[serde(rename = "request-body-limit")]
    pub request_body_limit: usize,
    #[serde(rename = "response-body-limit")]
    pub response_body_limit: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            request_body_limit: 100 * 1024,
            response_body_limit: 100 * 1024,
        }
    }
}

/// Detection engine settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectConfig {
    /// Multi-pattern matcher: auto, hs (Hyperscan), ac (Aho-Corasick).
    #[serde(rename = "mpm-algo")]
    pub mpm_algo: String,
    /// Accepted for compatibility; single-pattern search is always memchr-based.
    #[serde(rename = "spm-algo")]
    pub spm_algo: String,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            mpm_algo: "auto".into(),
            spm_algo: "auto".into(),
        }
    }
}

/// EVE output settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    /// File name inside the log directory.
    pub filename: String,
    /// Event types written: alert, flow, http, dns, tls, anomaly, stats (a list, or one
    /// comma-separated string as `--set output.types=alert,stats` gives).
    #[serde(deserialize_with = "list_or_csv")]
    pub types: Vec<String>,
}

fn list_or_csv<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        Csv(String),
    }
    Ok(match Either::deserialize(d)? {
        Either::List(v) => v,
        Either::Csv(s) => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    })
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            filename: "eve.json".into(),
            types: ["alert", "anomaly", "http", "dns", "tls", "flow", "stats"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// Keys Suricata users pass with `--set` that have no meaning here; accepted and ignored
/// so that command lines written for Suricata keep working.
const IGNORED_SET_PREFIXES: &[&str] = &["stats.", "runmode", "threading.", "logging.", "outputs."];

impl Config {
    /// Loads the configuration: the file (if any), then `--set` overrides, in order.
    pub fn load(file: Option<&Path>, sets: &[String]) -> Result<Config, ConfigError> {
        let mut tree = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Parse {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    })?
            }
            None => toml::Table::new(),
        };
        for arg in sets {
            let (name, value) = arg
                .split_once('=')
                .ok_or_else(|| ConfigError::SetSyntax { arg: arg.clone() })?;
            let name = name.trim();
            if IGNORED_SET_PREFIXES.iter().any(|p| name.starts_with(p)) {
                continue;
            }
            set_path(&mut tree, name, parse_value(value.trim()))?;
        }
        let mut config: Config =
            toml::Value::Table(tree)
                .try_into()
                .map_err(|e: toml::de::Error| match file {
                    Some(path) => ConfigError::Parse {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    },
                    None => ConfigError::Invalid(e.to_string()),
                })?;
        if let Some(dir) = file.and_then(Path::parent) {
            for f in config
                .rules
                .files
                .iter_mut()
                .chain(config.rules.yara.iter_mut())
            {
                if f.is_relative() {
                    *f = dir.join(&*f);
                }
            }
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        match self.stream.overlap_policy.as_str() {
            "windows" | "first" | "last" | "bsd" | "linux" | "old-linux" | "solaris" | "vista" => {}
            other => {
                return Err(ConfigError::Invalid(format!(
                    "stream.overlap-policy: unknown policy {other:?} (expected windows, first, last, bsd, linux)"
                )))
            }
        }
        match self.detect.mpm_algo.as_str() {
            "auto" | "hs" | "ac" | "ac-ks" | "ac-bs" => Ok(()),
            other => Err(ConfigError::Invalid(format!(
                "detect.mpm-algo: unknown matcher {other:?} (expected auto, hs, ac)"
            ))),
        }
    }
}

/// `mpm-algo` is a top-level key in Suricata; accept it there too.
fn normalize_name(name: &str) -> String {
    match name {
        "mpm-algo" | "spm-algo" => format!("detect.{name}"),
        _ => name.to_string(),
    }
}

fn parse_value(text: &str) -> toml::Value {
    if let Ok(b) = text.parse::<bool>() {
        return toml::Value::Boolean(b);
    }
    if let Ok(i) = text.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Some(n) = parse_size(text) {
        return toml::Value::Integer(n);
    }
    if text == "yes" {
        return toml::Value::Boolean(true);
    }
    if text == "no" {
        return toml::Value::Boolean(false);
    }
    toml::Value::String(text.to_string())
}

/// Sizes as Suricata writes them: `1mb`, `64kb`, `2gb`.
fn parse_size(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let (num, mult) = [("gb", 1i64 << 30), ("mb", 1 << 20), ("kb", 1 << 10)]
        .iter()
        .find_map(|(suf, m)| lower.strip_suffix(suf).map(|n| (n.trim().to_string(), *m)))?;
    num.parse::<i64>().ok().and_then(|n| n.checked_mul(mult))
}

fn set_path(tree: &mut toml::Table, name: &str, value: toml::Value) -> Result<(), ConfigError> {
    let full = normalize_name(name);
    let parts: Vec<&str> = full.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return Err(ConfigError::SetSyntax { arg: name.into() });
    };
    let mut node = tree;
    for p in parents {
        let entry = node
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        node = match entry {
            toml::Value::Table(t) => t,
            _ => {
                return Err(ConfigError::SetPath {
                    name: name.into(),
                    message: format!("{p} is not a section"),
                })
            }
        };
    }
    // Numbers given for string settings stay valid: the typed pass decides.
    node.insert(last.to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_suricata_stock() {
        let c = Config::load(None, &[]).expect("defaults");
        assert!(!c.stream.midstream);
        assert_eq!(c.stream.depth, 1 << 20);
        assert_eq!(c.app.request_body_limit, 100 * 1024);
    }

    #[test]
    fn set_overrides_and_suricata_keys() {
        let sets = [
            "stream.midstream=true".to_string(),
            "stream.depth=2mb".to_string(),
            "mpm-algo=ac".to_string(),
            "stats.decoder-events=true".to_string(),
            "vars.address-groups.HOME_NET=[10.0.0.0/8]".to_string(),
        ];
        let c = Config::load(None, &sets).expect("load");
        assert!(c.stream.midstream);
        assert_eq!(c.stream.depth, 2 << 20);
        assert_eq!(c.detect.mpm_algo, "ac");
        assert_eq!(c.vars.address_groups["HOME_NET"], "[10.0.0.0/8]");
    }

    #[test]
    fn the_example_config_in_deploy_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/sensor.toml");
        let c = Config::load(Some(&path), &[]).expect("deploy/sensor.toml");
        assert!(c.rules.files[0].ends_with("rules/sensor.rules"));
        assert!(c.rules.files[0].is_file(), "{}", c.rules.files[0].display());
        let d = Config::default();
        assert_eq!(c.stream.depth, d.stream.depth);
        assert_eq!(c.output.types, d.output.types);
        assert_eq!(c.rules.poll_interval, d.rules.poll_interval);
        assert_eq!(c.health.heartbeat_interval, d.health.heartbeat_interval);
    }

    #[test]
    fn unknown_keys_are_errors_with_names() {
        let err = Config::load(None, &["stream.midstrem=true".to_string()]).unwrap_err();
        assert!(err.to_string().contains("midstrem"), "{err}");
        let err = Config::load(None, &["nonsense".to_string()]).unwrap_err();
        assert!(err.to_string().contains("name=value"), "{err}");
    }
}
