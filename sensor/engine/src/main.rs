//! `sensor`: the thin binary. Everything lives in the library (`sensor::…`).

use std::process::ExitCode;

use clap::Parser;
use sensor::cli::{Cli, Command, RulesCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&cli.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Run(args) => sensor::commands::run::run(&args),
        Command::Enroll {
            server,
            token,
            credentials,
            pin_sha256,
            ca_file,
        } => sensor::commands::enroll::enroll(&server, &token, &credentials, pin_sha256, ca_file),
        Command::Status { log_dir, max_age } => {
            sensor::commands::status::status(&log_dir, "eve.json", max_age)
        }
        Command::Rules {
            command: RulesCommand::Check(args),
        } => sensor::commands::rules_check::check(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sensor: error: {err:#}");
            ExitCode::from(1)
        }
    }
}
