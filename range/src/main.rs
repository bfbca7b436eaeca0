//! `range`: scenario validation, game state inspection, and (later) Docker orchestration.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use range::game::{self, Game, GameConfig};
use range::orchestrate::{NotImplemented, Orchestrator, Plan};
use range::scenario;

/// Prints a line on stdout; a closed pipe (`range score | head`) is not an error.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Attack/defense exercises from scenario files.
#[derive(Parser)]
#[command(name = "range", version)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check a scenario file; prints every error as file:line:column and exits 1.
    Validate {
        /// The scenario file.
        file: PathBuf,
        /// Also print the network and container plan as JSON.
        #[arg(long)]
        plan: bool,
    },
    /// Create a new game state file for a scenario (fails if it exists).
    NewGame {
        /// The scenario file.
        file: PathBuf,
        /// Where to keep the game (JSON Lines journal).
        #[arg(long)]
        state: PathBuf,
    },
    /// Print the scoreboard of a game as JSON.
    Score {
        /// The game state file.
        #[arg(long)]
        state: PathBuf,
        /// The public view (frozen after the freeze tick).
        #[arg(long)]
        public: bool,
    },
    /// Run the game server: checker rounds every tick, TCP and HTTP flag submission. Creates
    /// the game when the state file does not exist, otherwise resumes it.
    GameServer {
        /// The scenario file.
        file: PathBuf,
        /// The game state file.
        #[arg(long)]
        state: PathBuf,
        /// Listen address (default 0.0.0.0:<submission.tcp_port>).
        #[arg(long)]
        listen: Option<String>,
        /// Checker runs at once.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
    },
    /// Print each team's HTTP submission token (from the scenario, or derived from the game key).
    Tokens {
        /// The scenario file.
        file: PathBuf,
        /// The game state file.
        #[arg(long)]
        state: PathBuf,
    },
    /// Build service images (needs Docker: not implemented yet).
    Images {
        /// Scenario folder.
        dir: PathBuf,
    },
    /// Bring an exercise up (needs Docker: not implemented yet).
    Up {
        /// The scenario file.
        file: PathBuf,
    },
    /// Remove everything of an exercise (needs Docker: not implemented yet).
    Down {
        /// Exercise name.
        name: String,
    },
    /// Teams, services, tick, health (needs Docker: not implemented yet).
    Status {
        /// Exercise name.
        name: String,
    },
    /// Pause an exercise (not implemented yet).
    Pause {
        /// Exercise name.
        name: String,
    },
    /// Resume an exercise (not implemented yet).
    Resume {
        /// Exercise name.
        name: String,
    },
    /// Stop an exercise (not implemented yet).
    Stop {
        /// Exercise name.
        name: String,
    },
    /// Restart a team's service (needs Docker: not implemented yet).
    Restart {
        /// Exercise name.
        name: String,
        /// Team.
        #[arg(long)]
        team: String,
        /// Service.
        #[arg(long)]
        service: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("range: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn not_implemented(
    r: Result<(), range::orchestrate::OrchestrateError>,
) -> anyhow::Result<ExitCode> {
    r?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a checker round at the start of every tick until the game is over.
fn tick_loop(
    s: &scenario::Scenario,
    dir: Option<PathBuf>,
    game: &std::sync::Mutex<Game>,
    parallel: usize,
) -> anyhow::Result<()> {
    use range::game::Phase;
    loop {
        let (phase, done) = {
            let g = game.lock().unwrap_or_else(|p| p.into_inner());
            (g.phase(game::now_ms()), g.last_round())
        };
        match phase {
            Phase::Over => {
                tracing::info!("game over");
                return Ok(());
            }
            Phase::Running(t) if !matches!(done, Some(d) if t <= d) => {
                let results = range::round::run_tick(s, dir.clone(), game, t, parallel)?;
                for r in results {
                    tracing::info!(tick = t, team = r.team, service = r.service, status = ?r.status, "round");
                    for run in r.runs.iter().filter(|x| !x.private.trim().is_empty()) {
                        tracing::warn!(tick = t, team = r.team, service = r.service, private = %run.private.trim(), "checker stderr");
                    }
                }
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    }
}

/// Each team's token: the scenario's, or one derived from the game key.
fn team_tokens(s: &scenario::Scenario, g: &Game) -> anyhow::Result<Vec<String>> {
    let key = g.config().key().context("the game's key is malformed")?;
    Ok(s.teams
        .iter()
        .map(|t| t.token.clone().unwrap_or_else(|| key.team_token(&t.name)))
        .collect())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let docker = NotImplemented;
    match cli.cmd {
        Cmd::Validate { file, plan } => match scenario::load(&file) {
            Ok(s) => {
                if plan {
                    say!("{}", serde_json::to_string_pretty(&Plan::of(&s))?);
                } else {
                    say!(
                        "{}: valid: {} teams, {} services",
                        file.display(),
                        s.teams.len(),
                        s.services.len()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!("{}: {} error(s)", file.display(), e.problems.len());
                Ok(ExitCode::FAILURE)
            }
        },
        Cmd::NewGame { file, state } => {
            let s = scenario::load(&file)?;
            let key = game::config::random_key().context("reading /dev/urandom")?;
            let cfg = GameConfig::from_scenario(&s, game::now_ms(), &key);
            Game::create(&state, cfg)?;
            say!("{}: new game {}", state.display(), s.name);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Score { state, public } => {
            let g = Game::open(&state)?;
            let now = game::now_ms();
            let st = if public {
                g.public_standings(now)
            } else {
                g.standings(now)
            };
            say!("{}", serde_json::to_string_pretty(&st)?);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::GameServer {
            file,
            state,
            listen,
            parallel,
        } => {
            use range::submit::{serve, serve_http, BySubnet, RateLimiter, Shared, Tokens};
            use std::sync::{Arc, Mutex};
            let s = scenario::load(&file)?;
            let g = if state.exists() {
                Game::open(&state)?
            } else {
                let key = game::config::random_key().context("reading /dev/urandom")?;
                Game::create(&state, GameConfig::from_scenario(&s, game::now_ms(), &key))?
            };
            let addr = listen.unwrap_or_else(|| format!("0.0.0.0:{}", s.submission.tcp_port));
            let listener =
                std::net::TcpListener::bind(&addr).with_context(|| format!("binding {addr}"))?;
            let tokens = Arc::new(Tokens(team_tokens(&s, &g)?));
            let resolver = BySubnet(s.teams.iter().map(|t| t.subnet).collect());
            let game = Arc::new(Mutex::new(g));
            let shared = Arc::new(Shared::new(
                Arc::clone(&game),
                Box::new(resolver),
                RateLimiter::new(s.submission.rate_limit, s.teams.len()),
            ));
            if let Some(port) = s.submission.http_port {
                let http = std::net::TcpListener::bind(("0.0.0.0", port))
                    .with_context(|| format!("binding HTTP port {port}"))?;
                let sh = Arc::clone(&shared);
                std::thread::spawn(move || serve_http(http, sh, tokens));
                tracing::info!(port, "HTTP flag submission listening");
            }
            let sh = Arc::clone(&shared);
            std::thread::spawn(move || serve(listener, sh));
            tracing::info!(%addr, "flag submission listening");
            let dir = match file.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let dir = Some(dir.canonicalize().unwrap_or(dir));
            tick_loop(&s, dir, &game, parallel)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Tokens { file, state } => {
            let s = scenario::load(&file)?;
            let g = Game::open(&state)?;
            for (team, token) in s.teams.iter().zip(team_tokens(&s, &g)?) {
                say!("{}\t{token}", team.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Up { file } => {
            let s = scenario::load(&file)?;
            not_implemented(docker.up(&s, &Plan::of(&s)))
        }
        Cmd::Down { name } | Cmd::Pause { name } | Cmd::Resume { name } | Cmd::Stop { name } => {
            not_implemented(docker.down(&name))
        }
        Cmd::Status { name } => not_implemented(docker.status(&name).map(|_| ())),
        Cmd::Restart {
            name,
            team,
            service,
        } => not_implemented(docker.restart(&name, &team, &service)),
        Cmd::Images { .. } => {
            not_implemented(Err(range::orchestrate::OrchestrateError::NotImplemented))
        }
    }
}
