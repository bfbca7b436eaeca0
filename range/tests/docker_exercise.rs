//! The range on the real Docker engine: the end-to-end game (images, up, checker rounds,
//! the reference exploits from team alpha's network namespace, TCP submission, the FAUST
//! scoreboard checked against an independent computation, DOWN and restart, down), the
//! isolation of team containers, and bad input that must leave nothing behind.
//!
//! Each test has its own exercise name and game network (`10.2xx.0.0/16`), its own state
//! directory, and a guard that runs `range down` however the test ends. Without Docker
//! these tests fail, saying so.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

const LABEL: &str = "city.range.exercise";

fn repo_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/ad-basic")
}

fn require_docker() {
    let ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "these tests need the Docker engine: `docker info` failed (is dockerd running and is \
         /var/run/docker.sock accessible?)"
    );
    for tool in ["nsenter", "python3"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(found, "these tests need `{tool}` on the PATH");
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("running docker")
}

/// An exercise under test: a scenario folder (a copy of ad-basic's scenario with short
/// ticks, linking the shipped services, checkers and exploits), a state directory, and
/// `range down` on drop.
struct Exercise {
    name: String,
    dir: tempfile::TempDir,
    state: tempfile::TempDir,
    extra_networks: Vec<String>,
}

impl Exercise {
    /// `edits`: (from, to) replacements applied to the shipped scenario.yaml; each must match.
    fn new(name: &str, edits: &[(&str, &str)]) -> Exercise {
        require_docker();
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let src = repo_scenario();
        let mut yaml = std::fs::read_to_string(src.join("scenario.yaml")).unwrap();
        for (from, to) in edits {
            assert!(
                yaml.contains(from),
                "the shipped scenario.yaml no longer contains `{from}`; update this test"
            );
            yaml = yaml.replacen(from, to, 1);
        }
        std::fs::write(dir.path().join("scenario.yaml"), yaml).unwrap();
        for sub in ["services", "checkers", "exploits"] {
            std::os::unix::fs::symlink(src.join(sub).canonicalize().unwrap(), dir.path().join(sub))
                .unwrap();
        }
        let e = Exercise {
            name: name.to_string(),
            dir,
            state,
            extra_networks: Vec::new(),
        };
        e.down_quietly();
        e
    }

    /// The standard test copy: short ticks and checker timeouts, its own name and network.
    fn short_ticks(name: &str, cidr: &str) -> Exercise {
        Exercise::new(
            name,
            &[
                ("name: ad-basic", &format!("name: {name}")),
                ("tick: 60s", "tick: 5s"),
                ("duration: 2h", "duration: 1h"),
                ("freeze: 1h45m", "freeze: 55m"),
                ("cidr: 10.60.0.0/16", &format!("cidr: {cidr}")),
                ("timeout: 10s", "timeout: 4s"),
                ("timeout: 10s", "timeout: 4s"),
            ],
        )
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("scenario.yaml")
    }

    fn range(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_range"))
            .args(args)
            .env("RANGE_STATE_DIR", self.state.path())
            .env_remove("RUST_LOG")
            .output()
            .expect("running range")
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.range(args);
        assert!(o.status.success(), "range {args:?} failed: {}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn build_and_up(&self) {
        let dir = self.dir.path().display().to_string();
        self.ok(&["images", "build", &dir]);
        let file = self.file().display().to_string();
        self.ok(&["up", &file]);
    }

    fn status(&self) -> Value {
        serde_json::from_str(&self.ok(&["status", &self.name, "--json"])).unwrap()
    }

    fn journal(&self) -> PathBuf {
        self.state.path().join(&self.name).join("game.jsonl")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.state.path().join(&self.name).join("game-server.log"))
            .unwrap_or_default()
    }

    /// Names of containers, networks and volumes still labelled with the exercise.
    fn leftovers(&self) -> Vec<String> {
        let filter = format!("label={LABEL}={}", self.name);
        let mut out = Vec::new();
        for args in [
            vec!["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"],
            vec![
                "network",
                "ls",
                "--filter",
                &filter,
                "--format",
                "{{.Name}}",
            ],
            vec!["volume", "ls", "--filter", &filter, "--format", "{{.Name}}"],
        ] {
            let o = docker(&args);
            assert!(o.status.success(), "docker {args:?}: {}", text(&o));
            out.extend(
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(String::from),
            );
        }
        out
    }

    fn down_quietly(&self) {
        let _ = self.range(&["down", &self.name]);
    }

    /// The container of `team`'s `service` in `status --json`.
    fn container(&self, st: &Value, team: &str, service: &str) -> Value {
        st["containers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["team"] == team && c["service"] == service)
            .cloned()
            .unwrap_or_else(|| panic!("no container {team}/{service} in {st}"))
    }

    /// Polls `status --json` until `done` holds (generous timeout for a loaded machine).
    fn wait_for(&self, what: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let st = self.status();
            if done(&st) {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last status:\n{st:#}\ngame server log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Exercise {
    fn drop(&mut self) {
        self.down_quietly();
        for n in &self.extra_networks {
            let _ = docker(&["network", "rm", n]);
        }
    }
}

fn tick(st: &Value) -> Option<u64> {
    st["game_server"]["phase"]["tick"].as_u64()
}

/// Team `team`'s (scenario index) line of the scoreboard (which is sorted by rank).
fn line(st: &Value, team: usize) -> &Value {
    st["game_server"]["teams"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["index"] == team))
        .unwrap_or(&Value::Null)
}

fn cell(st: &Value, team: usize, service: usize) -> &Value {
    &line(st, team)["services"][service]
}

/// Runs `f` in a thread that entered the network namespace of process `pid`.
fn in_netns<T: Send + 'static>(pid: i64, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).expect("opening netns");
        // SAFETY: setns(2) on a valid namespace fd; it changes only this thread.
        let r = unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&ns), libc::CLONE_NEWNET) };
        assert_eq!(r, 0, "setns: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .expect("netns thread panicked")
}

/// Submits `flags` over the TCP line protocol to `addr`; returns the answer lines.
fn submit(addr: String, flags: Vec<String>) -> Vec<String> {
    let mut s = TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut answers = Vec::new();
    for f in flags {
        writeln!(s, "{f}").unwrap();
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        answers.push(line.trim().to_string());
    }
    answers
}

/// Runs a reference exploit from `pid`'s network namespace against `target`.
fn exploit(dir: &Path, pid: i64, script: &str, target: &str) -> Vec<String> {
    let o = Command::new("nsenter")
        .arg(format!("--net=/proc/{pid}/ns/net"))
        .arg("python3")
        .arg(dir.join("exploits").join(script))
        .arg(target)
        .output()
        .expect("running nsenter");
    assert!(
        o.status.success(),
        "exploit {script} {target}: {}",
        text(&o)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// FAUST, computed from the journal's raw statuses and the captures this test made.
fn faust(journal: &Path, captures: &[(usize, usize, usize)], teams: usize) -> Vec<Vec<[f64; 3]>> {
    // captures: (attacker, owner, service), each a distinct flag captured by one team.
    let services = 2;
    let mut cells = vec![vec![[0.0f64; 3]; services]; teams];
    for &(attacker, owner, service) in captures {
        let c_f = 1.0f64;
        cells[attacker][service][0] += 1.0 + 1.0 / c_f;
        cells[owner][service][1] -= c_f.powf(0.75);
    }
    let mut seen = std::collections::HashSet::new();
    for line in std::fs::read_to_string(journal).unwrap().lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v["type"] != "status" {
            continue;
        }
        let (t, s) = (
            v["team"].as_u64().unwrap() as usize,
            v["service"].as_u64().unwrap() as usize,
        );
        if !seen.insert((v["tick"].as_u64().unwrap(), t, s)) {
            continue;
        }
        let w = match v["status"].as_str().unwrap() {
            "OK" => 1.0,
            "RECOVERING" => 0.5,
            _ => 0.0,
        };
        cells[t][s][2] += w * (teams as f64).sqrt();
    }
    cells
}

fn scoreboard_matches(st: &Value, expected: &[Vec<[f64; 3]>]) -> Result<(), String> {
    for (t, row) in expected.iter().enumerate() {
        let mut total = 0.0;
        for (s, want) in row.iter().enumerate() {
            let c = cell(st, t, s);
            for (k, key) in ["attack", "defense", "sla"].iter().enumerate() {
                let got = c[key].as_f64().unwrap_or(f64::NAN);
                if (got - want[k]).abs() > 1e-6 {
                    return Err(format!(
                        "team {t} service {s} {key}: board {got}, FAUST {}",
                        want[k]
                    ));
                }
            }
            total += want.iter().sum::<f64>();
        }
        let got = line(st, t)["total"].as_f64().unwrap_or(f64::NAN);
        if (got - total).abs() > 1e-6 {
            return Err(format!("team {t} total: board {got}, FAUST {total}"));
        }
    }
    Ok(())
}

#[test]
fn end_to_end_game_on_docker() {
    let e = Exercise::short_ticks("t-e2e", "10.201.0.0/16");
    e.build_and_up();
    // Idempotent: a second `up` keeps everything.
    let again = e.ok(&["up", &e.file().display().to_string()]);
    assert!(again.contains("0 created, 5 kept"), "{again}");
    assert!(again.contains("already running"), "{again}");

    // Several ticks with every checker OK.
    let st = e.wait_for("3 ticks with all services OK", 180, |st| {
        tick(st).is_some_and(|t| t >= 3)
            && (0..2).all(|t| {
                (0..2).all(|s| {
                    cell(st, t, s)["status"] == "OK"
                        && cell(st, t, s)["ok_ticks"].as_u64() >= Some(2)
                })
            })
    });
    for c in st["containers"].as_array().unwrap() {
        assert_eq!(c["state"], "running", "{c}");
    }

    // Team alpha attacks team bravo with the reference exploits, from its own namespace.
    let alpha = e.container(&st, "alpha", "notes");
    let pid = alpha["pid"].as_i64().unwrap();
    assert!(pid > 0, "{alpha}");
    let bravo_notes = e.container(&st, "bravo", "notes")["ip"]
        .as_str()
        .unwrap()
        .to_string();
    let bravo_vault = e.container(&st, "bravo", "vault")["ip"]
        .as_str()
        .unwrap()
        .to_string();
    let mut stolen: Vec<(String, usize)> = Vec::new();
    for f in exploit(
        e.dir.path(),
        pid,
        "notes.py",
        &format!("{bravo_notes}:8080"),
    ) {
        stolen.push((f, 0));
    }
    for f in exploit(
        e.dir.path(),
        pid,
        "vault.py",
        &format!("{bravo_vault}:4444"),
    ) {
        stolen.push((f, 1));
    }
    stolen.sort();
    stolen.dedup();
    assert!(
        stolen.iter().any(|(_, s)| *s == 0) && stolen.iter().any(|(_, s)| *s == 1),
        "the exploits found flags of both services: {stolen:?}"
    );
    // Submit them over TCP from alpha's namespace to the game server on the gateway.
    let flags: Vec<String> = stolen.iter().map(|(f, _)| f.clone()).collect();
    let answers = in_netns(pid, move || submit("10.201.0.1:31337".into(), flags));
    // The exploits take everything the service still holds: flags past their lifetime are
    // OLD (on a loaded machine the wait above may outlast it); every live one is OK.
    assert_eq!(answers.len(), stolen.len());
    let mut captured = Vec::new();
    for (a, (f, service)) in answers.iter().zip(&stolen) {
        assert!(a.starts_with("OK") || a.starts_with("OLD"), "{f}: {a}");
        if a.starts_with("OK") {
            captured.push((f.clone(), *service));
        }
    }
    assert!(
        captured.iter().any(|(_, s)| *s == 0) && captured.iter().any(|(_, s)| *s == 1),
        "live flags of both services captured: {answers:?}"
    );
    let stolen = captured;
    // A replay is DUP; bravo's own flag from bravo's side is OWN.
    let one = stolen[0].0.clone();
    let again = in_netns(pid, {
        let one = one.clone();
        move || submit("10.201.0.1:31337".into(), vec![one])
    });
    assert!(again[0].starts_with("DUP"), "{again:?}");
    let bravo_pid = e.container(&st, "bravo", "notes")["pid"].as_i64().unwrap();
    let own = in_netns(bravo_pid, move || {
        submit("10.201.0.1:31337".into(), vec![one])
    });
    assert!(own[0].starts_with("OWN"), "{own:?}");

    // Freeze the game, then the scoreboard must equal FAUST computed independently.
    e.ok(&["pause", &e.name]);
    let captures: Vec<(usize, usize, usize)> = stolen.iter().map(|(_, s)| (0, 1, *s)).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let st = e.status();
        let expected = faust(&e.journal(), &captures, 2);
        match scoreboard_matches(&st, &expected) {
            Ok(()) => break,
            // A round that began before the pause may still be recording.
            Err(why) if Instant::now() < deadline => {
                eprintln!("not yet: {why}");
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(why) => panic!("scoreboard differs from FAUST: {why}\n{st:#}"),
        }
    }
    let paused = e.status();
    assert_eq!(
        paused["game_server"]["phase"]["phase"], "paused",
        "{paused}"
    );
    e.ok(&["resume", &e.name]);

    // Stop bravo's notes container: DOWN, and its SLA stands still while alpha's grows.
    let sla = |st: &Value, t| cell(st, t, 0)["sla"].as_f64().unwrap();
    let o = docker(&["stop", "-t", "1", "range-t-e2e-bravo-notes"]);
    assert!(o.status.success(), "{}", text(&o));
    let a = e.wait_for("bravo's notes DOWN", 120, |st| {
        cell(st, 1, 0)["status"] == "DOWN"
    });
    let (tick_a, alpha_a, bravo_a) = (tick(&a).unwrap(), sla(&a, 0), sla(&a, 1));
    let b = e.wait_for("two more ticks with alpha earning SLA", 120, |st| {
        tick(st).is_some_and(|t| t >= tick_a + 2) && sla(st, 0) > alpha_a
    });
    assert_eq!(cell(&b, 1, 0)["status"], "DOWN", "{b:#}");
    assert_eq!(sla(&b, 1), bravo_a, "bravo's SLA stands still while DOWN");
    assert_eq!(e.container(&b, "bravo", "notes")["state"], "exited");

    // Restart it: back to OK (or RECOVERING while old flags are checked).
    let out = e.ok(&["restart", &e.name, "--team", "bravo", "--service", "notes"]);
    assert!(out.contains("restarted"), "{out}");
    e.wait_for("bravo's notes back", 120, |st| {
        e.container(st, "bravo", "notes")["state"] == "running"
            && matches!(cell(st, 1, 0)["status"].as_str(), Some("OK" | "RECOVERING"))
    });

    // Human-readable status names every team and service.
    let human = e.ok(&["status", &e.name]);
    for w in ["alpha", "bravo", "notes", "vault", "tick"] {
        assert!(human.contains(w), "{human}");
    }

    // down leaves nothing with the label, and stops the game server.
    let out = e.ok(&["down", &e.name]);
    assert!(
        out.contains("removed 4 container(s), 1 network(s)"),
        "{out}"
    );
    assert!(out.contains("game server stopped"), "{out}");
    assert_eq!(e.leftovers(), Vec::<String>::new());
    let o = e.range(&["pause", &e.name]);
    assert!(
        !o.status.success(),
        "no game server after down: {}",
        text(&o)
    );
}

#[test]
fn team_containers_are_isolated_and_limited() {
    let e = Exercise::new(
        "t-iso",
        &[
            ("name: ad-basic", "name: t-iso"),
            ("tick: 60s", "tick: 5s"),
            ("cidr: 10.60.0.0/16", "cidr: 10.202.0.0/16"),
            // notes runs on a read-only root (its data lives in its volume).
            ("flag_stores: 1\n", "flag_stores: 1\n    read_only: true\n"),
        ],
    );
    e.build_and_up();
    let st = e.wait_for(
        "a checker round with notes OK on its read-only root",
        120,
        |st| cell(st, 0, 0)["status"] == "OK",
    );
    let control = std::fs::read_to_string(e.state.path().join("t-iso/control.addr")).unwrap();
    let port = control.trim().rsplit_once(':').unwrap().1.to_string();
    let c = "range-t-iso-alpha-notes";
    let exec = |cmd: &str| docker(&["exec", c, "sh", "-c", cmd]);

    // The submission port on the gateway is reachable (so the checks below can fail) ...
    let o = exec("echo not-a-flag | nc -w 3 10.202.0.1 31337");
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("INV"),
        "submission reachable from a team: {}",
        text(&o)
    );
    // ... the scoreboard and control API answer on the host's loopback ...
    let host_side = TcpStream::connect(control.trim());
    assert!(host_side.is_ok(), "control API not listening at {control}");
    // ... but not from a team, neither on the container's loopback nor on the gateway.
    for host in ["127.0.0.1", "10.202.0.1"] {
        let o = exec(&format!(
            "wget -q -T 3 -O - http://{host}:{port}/api/scoreboard"
        ));
        assert!(
            !o.status.success(),
            "control API reachable at {host}:{port}: {}",
            text(&o)
        );
    }
    // No Docker socket, no capabilities, no new privileges.
    let o = exec("test -e /var/run/docker.sock || test -e /run/docker.sock");
    assert!(
        !o.status.success(),
        "a Docker socket is visible in the container"
    );
    let o = exec("grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs)' /proc/self/status");
    let caps = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(caps.contains("CapEff:\t0000000000000000"), "{caps}");
    assert!(caps.contains("CapBnd:\t0000000000000000"), "{caps}");
    assert!(caps.contains("NoNewPrivs:\t1"), "{caps}");

    // Read-only root, writable tmpfs /tmp and volume.
    let o = exec("touch /rootfs-write");
    assert!(
        !o.status.success(),
        "root filesystem writable: {}",
        text(&o)
    );
    let o = exec("touch /tmp/x && rm /tmp/x");
    assert!(o.status.success(), "/tmp not writable: {}", text(&o));

    // The engine's view of every container: limits and hardening as planned.
    for c in st["containers"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let o = docker(&["inspect", name]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let h = &v[0]["HostConfig"];
        assert_eq!(h["CapDrop"], serde_json::json!(["ALL"]), "{name}");
        assert!(h["CapAdd"].is_null(), "{name}: {}", h["CapAdd"]);
        assert_eq!(
            h["SecurityOpt"],
            serde_json::json!(["no-new-privileges"]),
            "{name}"
        );
        assert_eq!(h["RestartPolicy"]["Name"], "no", "{name}");
        assert_eq!(h["Privileged"], false, "{name}");
        let (mem, pids, cpus) = if c["service"] == "notes" {
            (128 << 20, 64, 500_000_000)
        } else {
            (64 << 20, 32, 250_000_000)
        };
        assert_eq!(h["Memory"], mem, "{name}");
        assert_eq!(h["MemorySwap"], mem, "{name}: no swap");
        assert_eq!(h["PidsLimit"], pids, "{name}");
        assert_eq!(h["NanoCpus"], cpus, "{name}");
        assert_eq!(h["ReadonlyRootfs"], c["service"] == "notes", "{name}");
        for m in v[0]["Mounts"].as_array().unwrap() {
            assert_eq!(m["Type"], "volume", "{name}: only labelled volumes: {m}");
        }
        assert_eq!(v[0]["Config"]["Labels"][LABEL], "t-iso");
    }

    // The pids limit holds: 80 more processes do not fit under 64.
    let o = exec("for i in $(seq 80); do sleep 8 & done; wait");
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("can't fork") || err.contains("Resource temporarily unavailable"),
        "pids limit not enforced: {}",
        text(&o)
    );

    // A changed scenario does not silently replace running containers.
    let file = e.file();
    let yaml = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, yaml.replacen("memory: 128M", "memory: 96M", 1)).unwrap();
    let o = e.range(&["up", &file.display().to_string()]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("range-t-iso-alpha-notes exists with a different configuration")
            && err.contains("range down t-iso"),
        "{err}"
    );
    assert_eq!(
        e.leftovers().len(),
        4 + 1 + 4,
        "nothing was removed or added"
    );

    // After a crash of the range and its game server, with its state gone, `down` still
    // finds everything by label.
    let pid: i32 = std::fs::read_to_string(e.state.path().join("t-iso/game-server.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: kill(2) of the game server this test started.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    std::fs::remove_dir_all(e.state.path().join("t-iso")).unwrap();
    let out = e.ok(&["down", "t-iso"]);
    assert!(
        out.contains("removed 4 container(s), 1 network(s), 4 volume(s)"),
        "{out}"
    );
    assert_eq!(e.leftovers(), Vec::<String>::new());
}

#[test]
fn bad_input_fails_clearly_and_leaves_nothing() {
    // A missing image (never built for this exercise): clear error, nothing created.
    let e = Exercise::new(
        "t-bad-img",
        &[
            ("name: ad-basic", "name: t-bad-img"),
            ("cidr: 10.60.0.0/16", "cidr: 10.203.0.0/16"),
        ],
    );
    let o = e.range(&["up", &e.file().display().to_string()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not found: run `range images build")
            && err.contains("range/t-bad-img-notes:")
            || err.contains("range-base/busybox:1 of service notes not found"),
        "{err}"
    );
    assert_eq!(e.leftovers(), Vec::<String>::new());
    assert!(!e.state.path().join("t-bad-img/game-server.pid").exists());

    // A team subnet outside the game network: a validation error with its position.
    let e2 = Exercise::new(
        "t-bad-net",
        &[
            ("name: ad-basic", "name: t-bad-net"),
            (
                "  - name: bravo",
                "  - name: bravo\n    subnet: 192.168.77.0/24",
            ),
            ("cidr: 10.60.0.0/16", "cidr: 10.204.0.0/16"),
        ],
    );
    let o = e2.range(&["up", &e2.file().display().to_string()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("scenario.yaml:8:") && err.contains("subnet"),
        "{err}"
    );
    assert_eq!(e2.leftovers(), Vec::<String>::new());

    // The game network overlaps an existing Docker network: clear error before anything.
    let mut e3 = Exercise::new(
        "t-bad-overlap",
        &[
            ("name: ad-basic", "name: t-bad-overlap"),
            ("cidr: 10.60.0.0/16", "cidr: 10.205.0.0/16"),
        ],
    );
    let base_built = e3.range(&["images", "build", &e3.dir.path().display().to_string()]);
    assert!(base_built.status.success(), "{}", text(&base_built));
    let blocker = "range-test-blocker-t-bad-overlap";
    let _ = docker(&["network", "rm", blocker]);
    let o = docker(&["network", "create", "--subnet", "10.205.7.0/24", blocker]);
    assert!(o.status.success(), "{}", text(&o));
    e3.extra_networks.push(blocker.to_string());
    let o = e3.range(&["up", &e3.file().display().to_string()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("impossible network")
            && err.contains(blocker)
            && err.contains("10.205.7.0/24"),
        "{err}"
    );
    assert_eq!(e3.leftovers(), Vec::<String>::new());

    // Creation failing half-way (the engine refuses the second service's capability):
    // what this `up` created is removed again.
    let e4 = Exercise::new(
        "t-bad-half",
        &[
            ("name: ad-basic", "name: t-bad-half"),
            ("cidr: 10.60.0.0/16", "cidr: 10.206.0.0/16"),
            ("capabilities: []", "capabilities: [NOT_A_REAL_CAPABILITY]"),
        ],
    );
    let built = e4.range(&["images", "build", &e4.dir.path().display().to_string()]);
    assert!(built.status.success(), "{}", text(&built));
    let o = e4.range(&["up", &e4.file().display().to_string()]);
    assert!(!o.status.success(), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("creating container range-t-bad-half-alpha-vault"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("removing the"),
        "{}",
        text(&o)
    );
    assert_eq!(e4.leftovers(), Vec::<String>::new());
}
