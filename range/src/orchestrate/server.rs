//! The game server process of an exercise and its state directory.
//!
//! State directory: `$RANGE_STATE_DIR/<exercise>` (default `RANGE_STATE_DIR=/var/lib/range`),
//! mode 0700, holding
//! - `game.jsonl`: the game journal (configuration with the flag key, then every event);
//!   a restarted game server resumes from it;
//! - `scenario`: the absolute path of the scenario file `up` was given;
//! - `game-server.log`: the game server's log (stdout and stderr);
//! - `game-server.pid`: its process id;
//! - `control.token` (0600): the bearer token of the control API;
//! - `control.addr`: the loopback address the scoreboard and control API listen on
//!   (written by the game server once it listens);
//! - `container-events.jsonl`: Docker events of the exercise's containers (health changes,
//!   deaths, starts, OOM kills), one JSON object a line.
//!
//! `down` moves `game.jsonl` aside to `game-<unix seconds>.jsonl` (the record of the
//! finished game), so the next `up` starts a new game; `stop` keeps it, so `up` resumes.
//!
//! `up` starts `range game-server` detached (its own session via `setsid`, stdin from
//! `/dev/null`, output to the log), unless the one recorded in the pid file still runs.

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::OrchestrateError;
use crate::scenario::Scenario;

/// Environment variable naming the state root.
pub const STATE_ENV: &str = "RANGE_STATE_DIR";
/// Default state root.
pub const STATE_DEFAULT: &str = "/var/lib/range";

/// An exercise's state directory.
#[derive(Debug, Clone)]
pub struct StateDir(pub PathBuf);

impl StateDir {
    /// The state directory of `exercise` under `$RANGE_STATE_DIR` (or the default); the
    /// name must be an exercise name (no path tricks).
    pub fn of(exercise: &str) -> Result<StateDir, OrchestrateError> {
        if !crate::scenario::validate::is_name(exercise) {
            return Err(OrchestrateError::NotFound(format!(
                "`{exercise}`: expected an exercise name (1 to 32 characters [a-z0-9-] starting with a letter)"
            )));
        }
        let root = std::env::var_os(STATE_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(STATE_DEFAULT));
        Ok(StateDir(root.join(exercise)))
    }

    /// The game journal.
    pub fn journal(&self) -> PathBuf {
        self.0.join("game.jsonl")
    }
    /// The game server's log.
    pub fn log(&self) -> PathBuf {
        self.0.join("game-server.log")
    }
    /// The game server's pid file.
    pub fn pid_file(&self) -> PathBuf {
        self.0.join("game-server.pid")
    }
    /// The control token file.
    pub fn token_file(&self) -> PathBuf {
        self.0.join("control.token")
    }
    /// The control address file.
    pub fn addr_file(&self) -> PathBuf {
        self.0.join("control.addr")
    }
    /// The container events the game server recorded.
    pub fn events_file(&self) -> PathBuf {
        self.0.join("container-events.jsonl")
    }

    /// The last `n` container events.
    pub fn container_events(&self, n: usize) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.events_file()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The scenario path file.
    pub fn scenario_file(&self) -> PathBuf {
        self.0.join("scenario")
    }

    /// Creates the directory (0700) and the control token (0600) when missing.
    pub fn prepare(&self) -> Result<(), OrchestrateError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.0)
            .map_err(OrchestrateError::io(format!(
                "creating the state directory {} (set {STATE_ENV} to use another place)",
                self.0.display()
            )))?;
        let tf = self.token_file();
        if !tf.exists() {
            let mut raw = [0u8; 24];
            std::fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut raw))
                .map_err(OrchestrateError::io("reading /dev/urandom"))?;
            let token: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tf)
                .map_err(OrchestrateError::io(format!("creating {}", tf.display())))?;
            f.write_all(token.as_bytes())
                .map_err(OrchestrateError::io(format!("writing {}", tf.display())))?;
        }
        Ok(())
    }

    /// The control token.
    pub fn token(&self) -> Result<String, OrchestrateError> {
        std::fs::read_to_string(self.token_file())
            .map(|t| t.trim().to_string())
            .map_err(OrchestrateError::io(format!(
                "reading {} (was the exercise brought up with this {STATE_ENV}?)",
                self.token_file().display()
            )))
    }

    /// The control address, if the game server wrote one.
    pub fn control_addr(&self) -> Option<SocketAddr> {
        std::fs::read_to_string(self.addr_file())
            .ok()
            .and_then(|a| a.trim().parse().ok())
    }

    /// The scenario file `up` was given.
    pub fn scenario(&self) -> Option<PathBuf> {
        std::fs::read_to_string(self.scenario_file())
            .ok()
            .map(|p| PathBuf::from(p.trim()))
    }

    /// The pid of the running game server of this state directory, if any (checked
    /// against `/proc/<pid>/cmdline`, so a reused pid is not mistaken for it).
    pub fn running_pid(&self) -> Option<i32> {
        let pid: i32 = std::fs::read_to_string(self.pid_file())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let journal = self.journal().display().to_string();
        let ours = args.iter().any(|a| a == "game-server") && args.contains(&journal);
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, r)| r.starts_with('Z')))
            .unwrap_or(false);
        (ours && !zombie).then_some(pid)
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

/// Where the game server listens: submission on the game network's gateway (so teams reach
/// it and are told apart by source subnet), control on loopback only.
#[derive(Debug, Clone)]
pub struct Listen {
    /// TCP flag submission.
    pub submission: SocketAddr,
    /// HTTP flag submission, if the scenario has it.
    pub http: Option<SocketAddr>,
    /// Control API (a loopback address; port 0 = any free port).
    pub control: SocketAddr,
    /// SOC server URL and the name of the environment variable holding its sensor token
    /// (the game server inherits the environment).
    pub soc: Option<(String, String)>,
}

impl Listen {
    /// The addresses for `s`: `gateway:tcp_port`, `gateway:http_port`, and `control`.
    pub fn of(s: &Scenario, control: SocketAddr) -> Listen {
        let gw = std::net::IpAddr::V4(s.network.game_server());
        Listen {
            submission: SocketAddr::new(gw, s.submission.tcp_port),
            http: s.submission.http_port.map(|p| SocketAddr::new(gw, p)),
            control,
            soc: None,
        }
    }
}

/// Starts the game server of `state` for `scenario` unless it runs; returns its pid and
/// whether it was started now. Waits until its control API answers.
pub fn start(
    state: &StateDir,
    scenario: &Path,
    exercise: &str,
    listen: &Listen,
) -> Result<(i32, bool), OrchestrateError> {
    if !listen.control.ip().is_loopback() {
        return Err(OrchestrateError::Server(format!(
            "the control API must listen on a loopback address, not {}",
            listen.control
        )));
    }
    state.prepare()?;
    if let Some(pid) = state.running_pid() {
        return Ok((pid, false));
    }
    let scenario = scenario
        .canonicalize()
        .map_err(OrchestrateError::io(format!(
            "resolving {}",
            scenario.display()
        )))?;
    std::fs::write(state.scenario_file(), scenario.display().to_string())
        .map_err(OrchestrateError::io("writing the scenario path"))?;
    let _ = std::fs::remove_file(state.addr_file());
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(state.log())
        .map_err(OrchestrateError::io(format!(
            "opening {}",
            state.log().display()
        )))?;
    let log2 = log
        .try_clone()
        .map_err(OrchestrateError::io("duplicating the log file"))?;
    let exe = std::env::current_exe().map_err(OrchestrateError::io("finding the range binary"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("game-server")
        .arg(&scenario)
        .arg("--state")
        .arg(state.journal())
        .arg("--listen")
        .arg(listen.submission.to_string())
        .arg("--control")
        .arg(listen.control.to_string())
        .arg("--control-dir")
        .arg(&state.0)
        .arg("--watch")
        .arg(exercise)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2));
    if let Some(h) = listen.http {
        cmd.arg("--http-listen").arg(h.to_string());
    }
    if let Some((url, env)) = &listen.soc {
        cmd.arg("--soc-url")
            .arg(url)
            .arg("--soc-token-env")
            .arg(env);
    }
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info");
    }
    // SAFETY: setsid(2) is async-signal-safe; the closure touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(OrchestrateError::io("starting the game server"))?;
    let pid = child.id() as i32;
    std::fs::write(state.pid_file(), pid.to_string())
        .map_err(OrchestrateError::io("writing the pid file"))?;
    let token = state.token()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(OrchestrateError::Server(format!(
                "exited at start ({status}); its log {} ends with:\n{}",
                state.log().display(),
                state.log_tail(15)
            )));
        }
        if let Some(addr) = state.control_addr() {
            if matches!(
                request(addr, &token, "GET", "/api/scoreboard"),
                Ok((200, _))
            ) {
                return Ok((pid, true));
            }
        }
        if Instant::now() > deadline {
            return Err(OrchestrateError::Server(format!(
                "no answer from its control API within 30 s; see {}",
                state.log().display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// After `down`: moves the game journal aside (`game-<unix seconds>.jsonl`, kept for review)
/// so that the next `up` starts a new game; returns where it went.
pub fn archive(state: &StateDir) -> Result<Option<PathBuf>, OrchestrateError> {
    let j = state.journal();
    if !j.exists() {
        return Ok(None);
    }
    let secs = crate::game::now_ms() / 1000;
    let to = state.0.join(format!("game-{secs}.jsonl"));
    std::fs::rename(&j, &to).map_err(OrchestrateError::io(format!("moving {}", j.display())))?;
    let _ = std::fs::rename(
        state.events_file(),
        state.0.join(format!("container-events-{secs}.jsonl")),
    );
    for f in [state.pid_file(), state.addr_file()] {
        let _ = std::fs::remove_file(f);
    }
    Ok(Some(to))
}

/// Calls the control API of `state`'s game server.
pub fn control(
    state: &StateDir,
    method: &str,
    path: &str,
) -> Result<serde_json::Value, OrchestrateError> {
    let addr = state
        .control_addr()
        .filter(|_| state.running_pid().is_some())
        .ok_or_else(|| {
            OrchestrateError::Server(format!(
                "not running (no live game server recorded in {}); `range up` starts it",
                state.0.display()
            ))
        })?;
    let token = state.token()?;
    let (code, body) = request(addr, &token, method, path)
        .map_err(|e| OrchestrateError::Server(format!("control API at {addr}: {e}")))?;
    if code != 200 {
        return Err(OrchestrateError::Server(format!(
            "control API answered {code}: {body}"
        )));
    }
    Ok(body)
}

/// Stops the game server of `state` (control API first, then SIGTERM, then SIGKILL);
/// returns whether one was running.
pub fn stop(state: &StateDir) -> Result<bool, OrchestrateError> {
    let Some(pid) = state.running_pid() else {
        return Ok(false);
    };
    if control(state, "POST", "/api/control/stop").is_err() {
        // SAFETY: kill(2) on a pid checked against /proc/<pid>/cmdline.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while state.running_pid().is_some() {
        if Instant::now() > deadline {
            // SAFETY: as above.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(state.addr_file());
    Ok(true)
}

/// One request to the game server's HTTP API (scoreboard and control, `web`): `(status
/// code, JSON body)`.
pub fn request(
    addr: SocketAddr,
    token: &str,
    method: &str,
    path: &str,
) -> std::io::Result<(u16, serde_json::Value)> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad answer from {addr}: {head}")))?;
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    Ok((code, json))
}
