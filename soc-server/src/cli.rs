//! Command line: `serve`, `user add`, `sensor add`, `token add`, `import`, `quickstart`.
//!
//! Commands that print a secret print it alone on the last line of stdout. They open the
//! same SQLite file as a running server (WAL mode lets them run side by side).

use crate::auth::{generate_password, hash_password, hash_token, new_token, TokenKind};
use crate::config::{Config, Overrides};
use crate::store::sqlite::SqliteStore;
use crate::store::{Role, Store};
use anyhow::{anyhow, bail, Context};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// SOC server: EVE ingest, store and analyst console.
#[derive(Debug, Parser)]
#[command(name = "soc-server", version, about)]
pub struct Cli {
    /// Configuration file (TOML); default DATA/soc-server.toml when present.
    #[arg(long, global = true, env = "SOC_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataArg {
    /// Data directory.
    #[arg(long, env = "SOC_DATA")]
    pub data: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve {
        #[command(flatten)]
        data: DataArg,
        /// Listen address (`127.0.0.1:8080`; port 0 picks one).
        #[arg(long, env = "SOC_LISTEN")]
        listen: Option<String>,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long = "tls-cert", env = "SOC_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long = "tls-key", env = "SOC_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Manage sensors.
    Sensor {
        #[command(subcommand)]
        cmd: SensorCmd,
    },
    /// Manage rulesets (versions that sensors poll; validated with the sensor's parser).
    Ruleset {
        #[command(subcommand)]
        cmd: RulesetCmd,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Import EVE JSON files (plain or .gz) as if a sensor had sent them.
    Import {
        #[command(flatten)]
        data: DataArg,
        /// Sensor name (created when missing).
        #[arg(long)]
        sensor: String,
        /// Sequence number of the first line (default: after the sensor's last).
        #[arg(long)]
        seq: Option<i64>,
        /// EVE files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Online backup of the database (SQLite backup API) while the server runs. Restore:
    /// stop the server, put FILE in place as DATA/soc.db, delete DATA/soc.db-wal and
    /// DATA/soc.db-shm, start the server.
    Backup {
        #[command(flatten)]
        data: DataArg,
        /// Where to write the copy (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Start the server, create an admin and a local sensor, feed generated attack traffic
    /// through the real sensor and ingest path, print the console URL.
    Quickstart {
        #[command(flatten)]
        data: DataArg,
        /// Listen address.
        #[arg(long, env = "SOC_LISTEN")]
        listen: Option<String>,
        /// Rules for the sensor (default: rules/sensor.rules of the project).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// The `sensor` binary (default: next to soc-server, then PATH).
        #[arg(long, env = "SOC_SENSOR_BIN")]
        sensor_bin: Option<PathBuf>,
        /// Exit after feeding the traffic instead of serving on.
        #[arg(long)]
        no_serve: bool,
    },
}

/// `user …`.
#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create a user; prints a one-time password on the last line.
    Add {
        /// Login name.
        name: String,
        /// admin, analyst, trainer or viewer.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        data: DataArg,
    },
}

/// `sensor …`.
#[derive(Debug, Subcommand)]
pub enum SensorCmd {
    /// Register a sensor; prints its token on the last line.
    Add {
        /// Sensor name.
        name: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Create a single-use enrollment token for a sensor to be named NAME; prints it on
    /// the last line. On the sensor host: `sensor enroll --server URL --token TOKEN`.
    Enroll {
        /// Name the sensor gets when it enrolls.
        name: String,
        /// Hours the token stays valid.
        #[arg(long = "valid-hours", default_value_t = 24)]
        valid_hours: u32,
        #[command(flatten)]
        data: DataArg,
    },
}

/// `ruleset …`.
#[derive(Debug, Subcommand)]
pub enum RulesetCmd {
    /// Validate and store a rule file as the next version; prints the version on the last
    /// line. Refused (exit 1, with file:line, sid and keyword) when a rule is malformed.
    Upload {
        /// The rule file (Suricata 7 format).
        file: PathBuf,
        /// Publish it right away (sensors pick it up at their next poll).
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        data: DataArg,
    },
    /// Make VERSION the ruleset sensors run.
    Publish {
        /// The version number.
        version: i64,
        #[command(flatten)]
        data: DataArg,
    },
    /// List the versions.
    List {
        #[command(flatten)]
        data: DataArg,
    },
}

/// `token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create an API token for a user; prints it on the last line.
    Add {
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        #[command(flatten)]
        data: DataArg,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config(
    cli_config: &Option<PathBuf>,
    data: &DataArg,
    listen: Option<String>,
) -> anyhow::Result<Config> {
    Ok(Config::load(
        cli_config.as_deref(),
        &Overrides {
            data: data.data.clone(),
            listen,
        },
    )?)
}

fn open(cfg: &Config) -> anyhow::Result<SqliteStore> {
    SqliteStore::open(&cfg.data)
        .with_context(|| format!("opening the store in {}", cfg.data.display()))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            data,
            listen,
            tls_cert,
            tls_key,
        } => {
            let mut cfg = config(&cli.config, &data, listen)?;
            if tls_cert.is_some() {
                cfg.tls_cert = tls_cert;
                cfg.tls_key = tls_key;
            }
            runtime()?.block_on(async {
                let bound = crate::server::bind(cfg).await?;
                println!("listening on {}://{}", bound.scheme(), bound.addr);
                bound.serve(crate::server::shutdown_signal()).await
            })
        }
        Command::User {
            cmd: UserCmd::Add { name, role, data },
        } => {
            let cfg = config(&cli.config, &data, None)?;
            let role: Role = role.parse().map_err(|e: String| anyhow!(e))?;
            crate::api::valid_name_cli(&name)?;
            let store = open(&cfg)?;
            let password = generate_password();
            let hash = hash_password(&password)?;
            let user = store.create_user("cli", &name, role, &hash)?;
            println!(
                "user {} created with role {}; one-time password:",
                user.name, user.role
            );
            println!("{password}");
            Ok(())
        }
        Command::Sensor {
            cmd: SensorCmd::Add { name, data },
        } => {
            let cfg = config(&cli.config, &data, None)?;
            crate::api::valid_name_cli(&name)?;
            let store = open(&cfg)?;
            let token = new_token(TokenKind::Sensor);
            let sensor = store.create_sensor("cli", &name, &hash_token(&token))?;
            println!(
                "sensor {} registered; its ingest token (shown once):",
                sensor.name
            );
            println!("{token}");
            Ok(())
        }
        Command::Sensor {
            cmd:
                SensorCmd::Enroll {
                    name,
                    valid_hours,
                    data,
                },
        } => {
            let cfg = config(&cli.config, &data, None)?;
            crate::api::valid_name_cli(&name)?;
            let store = open(&cfg)?;
            if store.sensor_by_name(&name)?.is_some() {
                bail!("a sensor named '{name}' exists already");
            }
            let token = new_token(TokenKind::Enroll);
            let expires = crate::evetime::now_micros() + i64::from(valid_hours) * 3_600_000_000;
            store.create_enrollment("cli", &name, &hash_token(&token), expires)?;
            println!(
                "enrollment token for sensor {name}, single use, valid {valid_hours} h (shown once):"
            );
            println!("{token}");
            Ok(())
        }
        Command::Ruleset { cmd } => ruleset(&cli.config, cmd),
        Command::Token {
            cmd: TokenCmd::Add { user, data },
        } => {
            let cfg = config(&cli.config, &data, None)?;
            let store = open(&cfg)?;
            let Some((u, _)) = store.user_credentials(&user)? else {
                bail!("no user named '{user}'");
            };
            let token = new_token(TokenKind::Api);
            store.create_api_token("cli", u.id, &hash_token(&token))?;
            println!("API token for {} (role {}), shown once:", u.name, u.role);
            println!("{token}");
            Ok(())
        }
        Command::Import {
            data,
            sensor,
            seq,
            files,
        } => {
            let cfg = config(&cli.config, &data, None)?;
            let store = open(&cfg)?;
            let report = crate::ingest::import::import_files(&store, &sensor, seq, &files)?;
            for r in report.rejected.iter().take(20) {
                eprintln!("{}:{}: {}", r.0, r.1.line, r.1.error);
            }
            println!(
                "imported {} lines: {} stored, {} duplicates, {} rejected; acked_seq {}",
                report.lines,
                report.stored,
                report.duplicates,
                report.rejected.len(),
                report.acked_seq
            );
            Ok(())
        }
        Command::Backup { data, out } => {
            let cfg = config(&cli.config, &data, None)?;
            let db = cfg.data.join("soc.db");
            let bytes = crate::store::sqlite::backup::backup(&db, &out)
                .with_context(|| format!("backing up {} to {}", db.display(), out.display()))?;
            println!(
                "backup of {} written to {} ({} bytes, quick_check ok)",
                db.display(),
                out.display(),
                bytes
            );
            Ok(())
        }
        Command::Quickstart {
            data,
            listen,
            rules,
            sensor_bin,
            no_serve,
        } => {
            let cfg = config(&cli.config, &data, listen)?;
            let opts = crate::quickstart::Options {
                rules,
                sensor_bin,
                serve: !no_serve,
            };
            runtime()?.block_on(crate::quickstart::run(cfg, opts))
        }
    }
}

fn ruleset(cli_config: &Option<PathBuf>, cmd: RulesetCmd) -> anyhow::Result<()> {
    match cmd {
        RulesetCmd::Upload {
            file,
            publish,
            data,
        } => {
            let cfg = config(cli_config, &data, None)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|e| anyhow!("{}: not UTF-8: {e}", file.display()))?;
            let name = crate::rulecheck::clean_name(&file.to_string_lossy());
            let (new, report) = match crate::rulecheck::prepare(&name, &text) {
                Ok(v) => v,
                Err(report) => bail!("ruleset refused:\n{}", report.refusal()),
            };
            for s in &report.skipped {
                eprintln!("skipped: {s}");
            }
            let store = open(&cfg)?;
            let mut info = store.create_ruleset("cli", &new)?;
            if publish {
                info = store.publish_ruleset("cli", info.version)?;
            }
            println!(
                "ruleset version {} stored: {} rules, {} skipped{}",
                info.version,
                info.rules_loaded,
                info.rules_skipped,
                if publish { ", published" } else { "" }
            );
            println!("{}", info.version);
            Ok(())
        }
        RulesetCmd::Publish { version, data } => {
            let cfg = config(cli_config, &data, None)?;
            let info = open(&cfg)?.publish_ruleset("cli", version)?;
            println!("ruleset version {} published", info.version);
            Ok(())
        }
        RulesetCmd::List { data } => {
            let cfg = config(cli_config, &data, None)?;
            for r in open(&cfg)?.list_rulesets()? {
                println!(
                    "{:>5} {} {:<24} {:>6} rules {:>5} skipped  by {}{}",
                    r.version,
                    crate::evetime::format_timestamp(r.uploaded),
                    r.name,
                    r.rules_loaded,
                    r.rules_skipped,
                    r.uploaded_by,
                    if r.active { "  ACTIVE" } else { "" }
                );
            }
            Ok(())
        }
    }
}
