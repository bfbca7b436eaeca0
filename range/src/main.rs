//! `range`: scenario validation, game state inspection, and (later) Docker orchestration.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use range::game::{self, Game, GameConfig};
use range::orchestrate::server::{self, StateDir};
use range::orchestrate::{exercise, images, Engine, Plan};
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
        /// TCP submission listen address (default 0.0.0.0:<submission.tcp_port>).
        #[arg(long)]
        listen: Option<String>,
        /// HTTP submission listen address (default 0.0.0.0:<submission.http_port>).
        #[arg(long)]
        http_listen: Option<String>,
        /// Scoreboard and control API listen address (loopback only), e.g. 127.0.0.1:0.
        #[arg(long)]
        control: Option<std::net::SocketAddr>,
        /// Directory holding `control.token`; the game server writes `control.addr` (where
        /// it listens) and `container-events.jsonl` (Docker events of `--watch`) there.
        #[arg(long)]
        control_dir: Option<PathBuf>,
        /// Watch the Docker events (health, deaths) of this exercise's containers.
        #[arg(long)]
        watch: Option<String>,
        /// Checker runs at once.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
        /// Send exercise events to this SOC server (`http://HOST:PORT`): tick starts,
        /// service statuses, captures, control actions.
        #[arg(long, requires = "soc_token_env")]
        soc_url: Option<String>,
        /// Environment variable holding the SOC sensor token (`soc-server sensor add`).
        #[arg(long, requires = "soc_url")]
        soc_token_env: Option<String>,
    },
    /// Print each team's HTTP submission token (from the scenario, or derived from the game key).
    Tokens {
        /// The scenario file.
        file: PathBuf,
        /// The game state file.
        #[arg(long)]
        state: PathBuf,
    },
    /// Service images: `range images build DIR` (no registry needed).
    Images {
        #[command(subcommand)]
        cmd: ImagesCmd,
    },
    /// Bring an exercise up: network, volumes, containers, game server (idempotent).
    Up {
        /// The scenario file (or its folder).
        file: PathBuf,
        /// Loopback address of the game server's scoreboard and control API (port 0: any
        /// free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        control: std::net::SocketAddr,
        /// Send exercise events (ticks, statuses, captures, control actions, container
        /// health) to this SOC server (`http://HOST:PORT`).
        #[arg(long, requires = "soc_token_env")]
        soc_url: Option<String>,
        /// Environment variable holding the SOC sensor token (passed on to the game server
        /// through its environment, never on a command line).
        #[arg(long, requires = "soc_url")]
        soc_token_env: Option<String>,
    },
    /// Remove every container, network and volume of an exercise and stop its game server.
    Down {
        /// Exercise name.
        name: String,
    },
    /// Teams, services, container state and health, current tick.
    Status {
        /// Exercise name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Pause an exercise: ticks and flag submission freeze.
    Pause {
        /// Exercise name.
        name: String,
    },
    /// Resume a paused exercise.
    Resume {
        /// Exercise name.
        name: String,
    },
    /// Stop an exercise's game server (containers stay until `down`; `up` resumes the game).
    Stop {
        /// Exercise name.
        name: String,
    },
    /// Restart one team's service container.
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

#[derive(Subcommand)]
enum ImagesCmd {
    /// Build the base image and every `build:` service image of a scenario whose inputs
    /// changed (content-hash tags); classic builder, no registry.
    Build {
        /// The scenario folder (holding scenario.yaml) or file.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("range: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `range pause|resume NAME`.
fn control_call(name: &str, what: &str) -> anyhow::Result<ExitCode> {
    let body = server::control(
        &StateDir::of(name)?,
        "POST",
        &format!("/api/control/{what}"),
    )?;
    say!("{name}: {what}d, phase {}", body["phase"]);
    Ok(ExitCode::SUCCESS)
}

/// `range status NAME`: containers from Docker, tick and scores from the game server's
/// scoreboard (trainer view), latest container events from the state directory.
fn status(name: &str, json: bool) -> anyhow::Result<ExitCode> {
    let engine = Engine::connect()?;
    let containers = exercise::status(&engine, name)?;
    let state = StateDir::of(name)?;
    let game = server::control(&state, "GET", "/api/scoreboard");
    let events = state.container_events(20);
    if json {
        let v = serde_json::json!({
            "exercise": name,
            "containers": containers,
            "game_server": match &game {
                Ok(v) => v.clone(),
                Err(e) => serde_json::json!({"error": e.to_string()}),
            },
            "events": events,
        });
        say!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if containers.is_empty() {
        say!("{name}: no containers (not up?)");
    }
    match &game {
        Ok(v) => say!(
            "{name}: game {} (tick {} of {}), scoreboard and control on http://{}/",
            v["phase"]["phase"].as_str().unwrap_or("?"),
            v["tick"],
            v["ticks"],
            state
                .control_addr()
                .map_or_else(|| "?".to_string(), |a| a.to_string())
        ),
        Err(e) => say!("{name}: {e}"),
    }
    say!(
        "{:<10} {:<10} {:<14} {:<9} {:<10} {:<12} {:>8}",
        "TEAM",
        "SERVICE",
        "ADDRESS",
        "STATE",
        "HEALTH",
        "SLA",
        "POINTS"
    );
    for c in &containers {
        let (mut sla, mut pts) = ("-".to_string(), "-".to_string());
        if let Ok(v) = &game {
            let si = v["services"]
                .as_array()
                .and_then(|t| t.iter().position(|x| x == c.service.as_str()));
            let team = v["teams"]
                .as_array()
                .and_then(|t| t.iter().find(|x| x["team"] == c.team.as_str()));
            if let (Some(si), Some(team)) = (si, team) {
                let cell = &team["services"][si];
                sla = cell["status"].as_str().unwrap_or("-").to_string();
                pts = format!("{:.2}", cell["points"].as_f64().unwrap_or(0.0));
            }
        }
        say!(
            "{:<10} {:<10} {:<14} {:<9} {:<10} {:<12} {:>8}",
            c.team,
            c.service,
            c.ip,
            c.state,
            c.health,
            sla,
            pts
        );
    }
    for e in &events {
        say!(
            "event {} {}/{} {} {}",
            e["time"],
            e["team"].as_str().unwrap_or(""),
            e["service"].as_str().unwrap_or(""),
            e["action"].as_str().unwrap_or(""),
            e["detail"].as_str().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `range game-server`.
struct GameServerArgs {
    file: PathBuf,
    state: PathBuf,
    listen: Option<String>,
    http_listen: Option<String>,
    control: Option<std::net::SocketAddr>,
    control_dir: Option<PathBuf>,
    watch: Option<String>,
    parallel: usize,
    soc_url: Option<String>,
    soc_token_env: Option<String>,
}

/// The game server: submission (TCP, HTTP), the control API, Docker events, and a checker
/// round every tick until the game is over or the control API says stop.
fn game_server(a: GameServerArgs) -> anyhow::Result<()> {
    use range::submit::{serve, serve_http, BySubnet, RateLimiter, Shared, Tokens};
    use range::web::{self, WebContext, WebOptions};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let s = scenario::load(&a.file)?;
    let g = if a.state.exists() {
        Game::open(&a.state)?
    } else {
        let key = game::config::random_key().context("reading /dev/urandom")?;
        Game::create(
            &a.state,
            GameConfig::from_scenario(&s, game::now_ms(), &key),
        )?
    };
    let addr = a
        .listen
        .unwrap_or_else(|| format!("0.0.0.0:{}", s.submission.tcp_port));
    let listener = std::net::TcpListener::bind(&addr).with_context(|| format!("binding {addr}"))?;
    let tokens = Arc::new(Tokens(team_tokens(&s, &g)?));
    let resolver = BySubnet(s.teams.iter().map(|t| t.subnet).collect());
    let game = Arc::new(Mutex::new(g));
    let shared = Arc::new(Shared::new(
        Arc::clone(&game),
        Box::new(resolver),
        RateLimiter::new(s.submission.rate_limit, s.teams.len()),
    ));
    if let Some(port) = s.submission.http_port {
        let haddr = a.http_listen.unwrap_or_else(|| format!("0.0.0.0:{port}"));
        let http = std::net::TcpListener::bind(&haddr)
            .with_context(|| format!("binding HTTP submission {haddr}"))?;
        let sh = Arc::clone(&shared);
        std::thread::spawn(move || serve_http(http, sh, tokens));
        tracing::info!(addr = %haddr, "HTTP flag submission listening");
    }
    let sh = Arc::clone(&shared);
    std::thread::spawn(move || serve(listener, sh));
    tracing::info!(%addr, "flag submission listening");
    let stop = Arc::new(AtomicBool::new(false));
    let soc = match (&a.soc_url, &a.soc_token_env) {
        (Some(url), Some(env)) => {
            let token = std::env::var(env)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .with_context(|| format!("--soc-token-env {env}: the variable is not set"))?;
            let target = range::soc::SocTarget {
                url: url.clone(),
                token: token.trim().to_string(),
            };
            let sender = range::soc::start(Arc::clone(&game), &a.state, target, Arc::clone(&stop))
                .context("starting the SOC event sender")?;
            tracing::info!(%url, "sending exercise events to the SOC server");
            Some(sender)
        }
        _ => None,
    };
    match (a.control, &a.control_dir) {
        (Some(caddr), Some(dir)) => {
            if !caddr.ip().is_loopback() {
                anyhow::bail!("--control {caddr}: the control API listens on loopback only");
            }
            let token_file = dir.join("control.token");
            let token = std::fs::read_to_string(&token_file)
                .with_context(|| format!("reading {}", token_file.display()))?
                .trim()
                .to_string();
            let password = std::env::var(&s.access.trainer_password_env)
                .ok()
                .filter(|p| !p.is_empty());
            if password.is_none() {
                tracing::warn!(
                    env = %s.access.trainer_password_env,
                    "no trainer password in the environment: trainer login disabled"
                );
            }
            let ctx = WebContext::new(
                Arc::clone(&game),
                WebOptions {
                    trainer_password: password,
                    trainer_password_env: s.access.trainer_password_env.clone(),
                    control_token: Some(token),
                    state: Some(a.state.clone()),
                    stop: Arc::clone(&stop),
                },
            )?;
            let l = std::net::TcpListener::bind(caddr)
                .with_context(|| format!("binding the control API on {caddr}"))?;
            let bound = l.local_addr()?;
            let ctx = match &soc {
                Some(sender) => {
                    let (sender, name) = (Arc::clone(sender), s.name.clone());
                    ctx.with_hook(Box::new(move |action, actor| {
                        range::soc::watch::control(&sender, &name, action.as_str(), actor)
                    }))
                }
                None => ctx,
            };
            let ctx = Arc::new(ctx);
            std::thread::spawn(move || web::serve(l, ctx));
            let tmp = dir.join("control.addr.tmp");
            std::fs::write(&tmp, bound.to_string())?;
            std::fs::rename(&tmp, dir.join("control.addr"))?;
            tracing::info!(addr = %bound, "scoreboard and control API listening");
            if let Some(exercise) = a.watch {
                let stop = Arc::clone(&stop);
                let events = dir.join("container-events.jsonl");
                let soc = soc.clone();
                std::thread::spawn(move || watch_events(&exercise, &events, soc, &stop));
            }
        }
        (None, None) => {}
        _ => anyhow::bail!("--control and --control-dir go together"),
    }
    let dir = Some(images::scenario_dir(&a.file));
    let ended = tick_loop(&s, dir, &game, a.parallel, &stop);
    if let Some(sender) = &soc {
        // The last events (game over, stop) get a moment to reach the SOC server.
        std::thread::sleep(range::soc::watch::POLL * 2);
        sender.flush(std::time::Duration::from_secs(5));
    }
    stop.store(true, Ordering::Relaxed);
    shared.stop.store(true, Ordering::Relaxed);
    ended
}

/// Logs the exercise's container events and appends them to `file` (JSON Lines, for
/// `range status` and the SOC event sender); reconnects when the event stream breaks.
fn watch_events(
    exercise: &str,
    file: &std::path::Path,
    soc: Option<std::sync::Arc<range::soc::SocSender>>,
    stop: &std::sync::atomic::AtomicBool,
) {
    use std::io::Write;
    use std::sync::atomic::Ordering;
    while !stop.load(Ordering::Relaxed) {
        let r = Engine::connect().and_then(|engine| {
            range::orchestrate::events::watch(&engine, exercise, |ev| {
                let bad = (ev.action == "health_status" && ev.detail != "healthy")
                    || ev.action == "die"
                    || ev.action == "oom";
                if bad {
                    tracing::warn!(team = %ev.team, service = %ev.service, container = %ev.container, action = %ev.action, detail = %ev.detail, "container event");
                } else {
                    tracing::info!(team = %ev.team, service = %ev.service, container = %ev.container, action = %ev.action, detail = %ev.detail, "container event");
                }
                let line = serde_json::to_string(&ev).unwrap_or_default();
                let appended = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(file)
                    .and_then(|mut f| writeln!(f, "{line}"));
                if let Err(e) = appended {
                    tracing::warn!(error = %e, file = %file.display(), "cannot record a container event");
                }
                if let Some(sender) = &soc {
                    let mut re = range::soc::event::RangeEvent::new("container");
                    re.team = Some(ev.team.clone());
                    re.service = Some(ev.service.clone());
                    re.status = Some(ev.action.clone());
                    re.extra.insert("container".into(), serde_json::json!(ev.container));
                    re.extra.insert("detail".into(), serde_json::json!(ev.detail));
                    sender.push(range::soc::sender::Pending {
                        line: re.to_eve(exercise, game::now_ms()).to_string(),
                        journal_offset: None,
                        tick_started: None,
                    });
                }
                !stop.load(Ordering::Relaxed)
            })
        });
        if let Err(e) = r {
            tracing::warn!(error = %e, "Docker events unavailable; retrying in 5 s");
        }
        for _ in 0..50 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// Runs a checker round at the start of every tick until the game is over.
fn tick_loop(
    s: &scenario::Scenario,
    dir: Option<PathBuf>,
    game: &std::sync::Mutex<Game>,
    parallel: usize,
    stop: &std::sync::atomic::AtomicBool,
) -> anyhow::Result<()> {
    use range::game::Phase;
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::info!("stopped by the control API");
            return Ok(());
        }
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
            http_listen,
            control,
            control_dir,
            watch,
            parallel,
            soc_url,
            soc_token_env,
        } => {
            game_server(GameServerArgs {
                file,
                state,
                listen,
                http_listen,
                control,
                control_dir,
                watch,
                parallel,
                soc_url,
                soc_token_env,
            })?;
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
        Cmd::Images {
            cmd: ImagesCmd::Build { dir },
        } => {
            let file = images::scenario_file(&dir);
            let s = scenario::load(&file)?;
            let engine = Engine::connect()?;
            let built = images::build(&engine, &s, &images::scenario_dir(&file), &mut |l| {
                say!("{l}")
            })?;
            let n = built.iter().filter(|b| b.built).count();
            say!("{} image(s) built, {} up to date", n, built.len() - n);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Up {
            file,
            control,
            soc_url,
            soc_token_env,
        } => {
            let file = images::scenario_file(&file);
            let s = scenario::load(&file)?;
            let plan = Plan::of(&s);
            let engine = Engine::connect()?;
            let refs = images::resolve(&engine, &s, &images::scenario_dir(&file))?;
            let report = exercise::up(&engine, &s, &plan, &refs, &mut |l| say!("{l}"))?;
            let state = StateDir::of(&s.name)?;
            if let Some(env) = &soc_token_env {
                if std::env::var(env).map_or(true, |t| t.trim().is_empty()) {
                    anyhow::bail!("--soc-token-env {env}: the variable is not set");
                }
            }
            let mut listen = server::Listen::of(&s, control);
            listen.soc = soc_url.zip(soc_token_env);
            let (pid, started) = match server::start(&state, &file, &s.name, &listen) {
                Ok(x) => x,
                Err(e) => {
                    if !report.created.is_empty() {
                        say!("game server failed: removing what this call created");
                        let _ = exercise::down(&engine, &s.name);
                    }
                    return Err(e.into());
                }
            };
            say!(
                "{}: {} created, {} kept; game server pid {pid} ({}), submission {}, control {}",
                s.name,
                report.created.len(),
                report.kept.len(),
                if started {
                    "started"
                } else {
                    "already running"
                },
                listen.submission,
                state
                    .control_addr()
                    .map_or_else(|| "?".to_string(), |a| a.to_string()),
            );
            say!("state: {}", state.0.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Down { name } => {
            let state = StateDir::of(&name)?;
            let stopped = server::stop(&state)?;
            let engine = Engine::connect()?;
            let r = exercise::down(&engine, &name)?;
            if let Some(kept) = server::archive(&state)? {
                say!("{name}: game journal kept as {}", kept.display());
            }
            say!(
                "{name}: removed {} container(s), {} network(s), {} volume(s){}",
                r.containers.len(),
                r.networks.len(),
                r.volumes.len(),
                if stopped { ", game server stopped" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Status { name, json } => status(&name, json),
        Cmd::Pause { name } => control_call(&name, "pause"),
        Cmd::Resume { name } => control_call(&name, "resume"),
        Cmd::Stop { name } => {
            let stopped = server::stop(&StateDir::of(&name)?)?;
            say!(
                "{name}: {}",
                if stopped {
                    "game server stopped"
                } else {
                    "no game server was running"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Restart {
            name,
            team,
            service,
        } => {
            let engine = Engine::connect()?;
            let c = exercise::restart(&engine, &name, &team, &service)?;
            say!("{c}: restarted");
            Ok(ExitCode::SUCCESS)
        }
    }
}
