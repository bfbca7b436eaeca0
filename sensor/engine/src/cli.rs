//! Command-line interface, modelled on Suricata's flags so that its users feel at home.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Network sensor: reads packets, detects attacks with Suricata-format rules, writes EVE JSON.
#[derive(Debug, Parser)]
#[command(name = "sensor", version, about, long_about = None)]
pub struct Cli {
    /// Log level filter (error, warn, info, debug, trace or a tracing directive).
    #[arg(long, global = true, env = "SENSOR_LOG", default_value = "warn")]
    pub log_level: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Process a capture file and write EVE JSON events to LOGDIR/eve.json.
    Run(Box<RunArgs>),
    /// Trade an enrollment token (from `soc-server sensor enroll NAME`) for this sensor's
    /// credentials, written with mode 0600.
    Enroll {
        /// The SOC server (`https://soc:8443`; plain http only to loopback).
        #[arg(long = "server", value_name = "URL")]
        server: String,
        /// The enrollment token.
        #[arg(
            long = "token",
            value_name = "TOKEN",
            env = "SENSOR_ENROLL_TOKEN",
            hide_env_values = true
        )]
        token: String,
        /// Where to write the credentials.
        #[arg(
            long = "credentials",
            value_name = "FILE",
            default_value = "/etc/sensor/credentials.json"
        )]
        credentials: PathBuf,
        /// Pin the server's certificate (SHA-256 of its DER encoding, hex).
        #[arg(long = "pin-sha256", value_name = "HEX")]
        pin_sha256: Option<String>,
        /// Trust this CA file (PEM) for the server's certificate.
        #[arg(long = "ca-file", value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// What the sensor last reported (from LOGDIR/eve.json): capture, drops, alerts, rules,
    /// shipping backlog. Exit 0 when the report is recent, 1 when stale or missing.
    Status {
        /// The sensor's log directory.
        #[arg(
            short = 'l',
            value_name = "LOGDIR",
            env = "SENSOR_LOG_DIR",
            default_value = "."
        )]
        log_dir: PathBuf,
        /// A report older than this many seconds counts as stale.
        #[arg(long = "max-age", value_name = "SECONDS", default_value_t = 60)]
        max_age: u64,
    },
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Parse rule files and report what loads and what is skipped (no traffic).
    Check(RuleArgs),
}

/// Rule and configuration options shared by `run` and `rules check`.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Exclusive rule file: only the rules given with -S are loaded (repeatable).
    #[arg(
        short = 'S',
        value_name = "FILE",
        env = "SENSOR_RULES",
        value_delimiter = ','
    )]
    pub exclusive_rules: Vec<PathBuf>,
    /// Extra rule file, loaded in addition to the configured ones (repeatable).
    #[arg(short = 's', value_name = "FILE")]
    pub extra_rules: Vec<PathBuf>,
    /// Configuration file (TOML); see deploy/sensor.toml for every option.
    #[arg(
        short = 'c',
        long = "config",
        value_name = "FILE",
        env = "SENSOR_CONFIG"
    )]
    pub config: Option<PathBuf>,
    /// Override a configuration value, Suricata style: --set stream.midstream=true (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub sets: Vec<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["pcap", "interface"])))]
pub struct RunArgs {
    /// Capture file to read (pcap or pcapng, gzip-compressed too).
    #[arg(short = 'r', value_name = "PCAP")]
    pub pcap: Option<PathBuf>,
    /// Capture live from this interface (AF_PACKET, TPACKET_V3 ring, promiscuous) until
    /// SIGINT or SIGTERM; SIGHUP reloads the config file and rules without stopping.
    #[arg(short = 'i', value_name = "IFACE", env = "SENSOR_INTERFACE")]
    pub interface: Option<String>,
    /// Live capture filter (pcap-filter subset: host, net, port, portrange, tcp, udp, icmp,
    /// ip, ip6, vlan, and/or/not, parentheses).
    #[arg(long = "bpf", value_name = "EXPR")]
    pub bpf: Option<String>,
    /// Live capture: worker threads, each with its own socket in one PACKET_FANOUT_HASH
    /// group so that a flow always lands on the same worker.
    #[arg(long = "workers", value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Live capture: seconds between `stats` records.
    #[arg(long = "stats-interval", value_name = "SECONDS", default_value_t = 10)]
    pub stats_interval: u64,
    /// Log directory; eve.json is written there (created if missing).
    #[arg(
        short = 'l',
        value_name = "LOGDIR",
        env = "SENSOR_LOG_DIR",
        default_value = "."
    )]
    pub log_dir: PathBuf,
    /// Checksum validation: `none` (default; checksums are never enforced) or `all`
    /// (accepted; checksums are still not enforced).
    #[arg(short = 'k', value_name = "MODE", default_value = "none")]
    pub checksum: String,
    /// YARA rule file applied to HTTP bodies and reassembled streams (repeatable).
    #[arg(long = "yara", value_name = "FILE")]
    pub yara: Vec<PathBuf>,
    /// SOC server to ship events to (`https://soc:8443`; plain http only to loopback).
    /// Every event is appended to the spool first and sent in compressed batches.
    #[arg(
        long = "server",
        value_name = "URL",
        env = "SENSOR_SERVER",
        requires = "token"
    )]
    pub server: Option<String>,
    /// Server, token and pinning from a file written by `sensor enroll` (used when --server
    /// and --token are not given).
    #[arg(long = "credentials", value_name = "FILE", env = "SENSOR_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
    /// The sensor's token (`soc-server sensor add`); never logged.
    #[arg(
        long = "token",
        value_name = "TOKEN",
        env = "SENSOR_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// State directory: rulesets received from the SOC server (DATA/rulesets); default
    /// LOGDIR.
    #[arg(long = "data-dir", value_name = "DIR", env = "SENSOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Spool directory (events waiting for the server's acknowledgement); default LOGDIR/spool.
    #[arg(long = "spool", value_name = "DIR", env = "SENSOR_SPOOL")]
    pub spool: Option<PathBuf>,
    /// Spool size cap in MiB: beyond it the oldest non-alert events are dropped first.
    #[arg(long = "spool-max-mb", value_name = "MIB", default_value_t = 1024)]
    pub spool_max_mb: u64,
    /// With -r: seconds to wait for the server to acknowledge everything before giving up
    /// (the events stay in the spool; the exit status is 4).
    #[arg(long = "ship-timeout", value_name = "SECONDS", default_value_t = 60)]
    pub ship_timeout: u64,
    /// Pin the server's certificate by the SHA-256 fingerprint of its DER encoding (hex).
    #[arg(long = "pin-sha256", value_name = "HEX")]
    pub pin_sha256: Option<String>,
    /// Trust this CA file (PEM) for the server's certificate instead of the public roots.
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Accepted for Suricata compatibility; the pcap pipeline runs on one thread.
    #[arg(long = "runmode", value_name = "MODE")]
    pub runmode: Option<String>,
    #[command(flatten)]
    pub rules: RuleArgs,
}
