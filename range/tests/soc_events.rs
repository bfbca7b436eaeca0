//! Exercise events reach a real `soc-server`: tick starts, service statuses, captures and
//! pauses from the journal, a trainer's control action, with sequence numbers that survive
//! a restart of the sender (nothing lost, nothing doubled); an unreachable SOC server never
//! blocks the game (the bounded queue drops its oldest events).
//!
//! Needs the soc-server binary: `cargo build --release -p soc-server` (found next to this
//! test's target directory, or named by `SOC_SERVER_BIN`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use range::game::{self, FlagId, Game, GameConfig, SlaStatus, Verdict};
use range::soc::sender::Pending;
use range::soc::{self, SocSender, SocTarget};

const SCENARIO: &str = "
version: 1
name: soctest
teams: [{name: alpha}, {name: bravo}]
services:
  - name: notes
    build: services/notes
    ports: [8080]
    checker: { command: [checkers/notes] }
timing: { start: now, tick: 60s, duration: 2h }
network: { cidr: 10.62.0.0/16 }
";

fn soc_server_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SOC_SERVER_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/soc_events-… → target/<profile>/soc-server
    let exe = std::env::current_exe().expect("test executable path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("soc-server"))
        .expect("target directory");
    assert!(
        bin.exists(),
        "this test needs the soc-server binary at {} (build it with `cargo build --release -p soc-server`, or set SOC_SERVER_BIN)",
        bin.display()
    );
    bin
}

/// The last stdout line of a soc-server admin command.
fn admin(bin: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .output()
        .expect("run soc-server");
    assert!(
        out.status.success(),
        "soc-server {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

struct SocServer {
    child: Child,
    url: String,
    sensor_token: String,
    api_token: String,
    _data: tempfile::TempDir,
}

impl Drop for SocServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_soc() -> SocServer {
    let bin = soc_server_bin();
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_str().unwrap();
    let sensor_token = admin(&bin, &["sensor", "add", "range-soctest", "--data", d]);
    admin(
        &bin,
        &["user", "add", "viewer1", "--role", "viewer", "--data", d],
    );
    let api_token = admin(&bin, &["token", "add", "--user", "viewer1", "--data", d]);
    let port = free_port();
    let child = Command::new(&bin)
        .args([
            "serve",
            "--data",
            d,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start soc-server");
    let url = format!("http://127.0.0.1:{port}");
    let srv = SocServer {
        child,
        url,
        sensor_token,
        api_token,
        _data: data,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{}/healthz", srv.url)).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "soc-server never answered /healthz"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    srv
}

fn range_events(srv: &SocServer) -> Vec<serde_json::Value> {
    let resp = ureq::get(&format!(
        "{}/api/v1/events?event_type=range&limit=1000",
        srv.url
    ))
    .set("Authorization", &format!("Bearer {}", srv.api_token))
    .call()
    .expect("events query");
    let v: serde_json::Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
    v["items"].as_array().cloned().unwrap_or_default()
}

/// Polls until `pred` holds over the stored range events.
fn wait_events(
    srv: &SocServer,
    what: &str,
    pred: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let evs = range_events(srv);
        if pred(&evs) {
            return evs;
        }
        assert!(
            Instant::now() < deadline,
            "SOC never showed {what}; it has {evs:#?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn count(evs: &[serde_json::Value], kind: &str) -> usize {
    evs.iter().filter(|e| e["range"]["kind"] == kind).count()
}

#[test]
fn exercise_events_reach_the_soc_server_and_survive_a_sender_restart() {
    let srv = start_soc();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("game.jsonl");
    let s = range::scenario::parse_str("soctest.yaml", SCENARIO).unwrap();
    let key = game::config::random_key().unwrap();
    let game = Arc::new(Mutex::new(
        Game::create(&state, GameConfig::from_scenario(&s, game::now_ms(), &key)).unwrap(),
    ));
    let target = SocTarget {
        url: srv.url.clone(),
        token: srv.sensor_token.clone(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let sender = soc::start(Arc::clone(&game), &state, target.clone(), Arc::clone(&stop)).unwrap();
    {
        let mut g = game.lock().unwrap();
        g.record_status(0, 0, 0, SlaStatus::Ok).unwrap();
        g.record_status(0, 1, 0, SlaStatus::Down).unwrap();
        let f = g.flag(FlagId {
            team: 1,
            service: 0,
            tick: 0,
            store: 0,
        });
        assert_eq!(g.submit(0, &f, game::now_ms()), Verdict::Ok);
        g.pause(game::now_ms()).unwrap();
    }
    // What the control API's hook sends after a pause and a freeze.
    soc::watch::control(&sender, "soctest", "pause", "cli");
    soc::watch::control(&sender, "soctest", "freeze", "trainer");
    let evs = wait_events(&srv, "every kind of exercise event", |e| {
        count(e, "tick_started") == 1
            && count(e, "service_status") == 2
            && count(e, "flag_captured") == 1
            && count(e, "control") == 2
    });
    for e in &evs {
        assert_eq!(e["event_type"], "range");
        assert_eq!(e["range"]["exercise"], "soctest");
        let ts = e["timestamp"].as_str().unwrap();
        assert!(ts.ends_with("+0000") && ts.len() == 31, "{ts}");
    }
    let cap = evs
        .iter()
        .find(|e| e["range"]["kind"] == "flag_captured")
        .unwrap();
    assert_eq!(cap["range"]["team"], "alpha");
    assert_eq!(cap["range"]["victim"], "bravo");
    assert_eq!(cap["range"]["service"], "notes");
    assert_eq!(cap["range"]["tick"], 0);
    let down = evs
        .iter()
        .find(|e| e["range"]["kind"] == "service_status" && e["range"]["team"] == "bravo")
        .unwrap();
    assert_eq!(down["range"]["status"], "DOWN");
    let tick = evs
        .iter()
        .find(|e| e["range"]["kind"] == "tick_started")
        .unwrap();
    assert_eq!(tick["range"]["tick"], 0);
    let controls: Vec<(String, String)> = evs
        .iter()
        .filter(|e| e["range"]["kind"] == "control")
        .map(|e| {
            (
                e["range"]["status"].as_str().unwrap_or("").to_string(),
                e["range"]["actor"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        controls.contains(&("pause".into(), "cli".into())),
        "{controls:?}"
    );
    assert!(
        controls.contains(&("freeze".into(), "trainer".into())),
        "{controls:?}"
    );

    // Stop the sender and start it again on the same state: numbering continues, the
    // journal is not sent twice, new events arrive.
    assert!(sender.flush(Duration::from_secs(30)));
    stop.store(true, Ordering::Relaxed);
    let before = sender.state();
    assert_eq!(before.next_seq, 6, "six events acknowledged: {before:?}");
    std::thread::sleep(Duration::from_millis(600));
    {
        let mut g = game.lock().unwrap();
        g.resume().unwrap();
        g.record_status(1, 0, 0, SlaStatus::Recovering).unwrap();
    }
    let stop2 = Arc::new(AtomicBool::new(false));
    let sender2 = soc::start(Arc::clone(&game), &state, target, Arc::clone(&stop2)).unwrap();
    assert_eq!(sender2.state(), before);
    soc::watch::control(&sender2, "soctest", "resume", "trainer");
    let evs = wait_events(&srv, "the events after the restart", |e| {
        count(e, "service_status") == 3 && count(e, "control") == 3
    });
    // Give a doubled send the time to show, then check nothing came twice.
    assert!(sender2.flush(Duration::from_secs(30)));
    let evs2 = range_events(&srv);
    assert_eq!(evs2.len(), evs.len(), "no event doubled: {evs2:#?}");
    assert_eq!(count(&evs2, "tick_started"), 1, "tick 0 announced once");
    assert_eq!(count(&evs2, "flag_captured"), 1);
    assert_eq!(sender2.state().next_seq, 8);
    stop2.store(true, Ordering::Relaxed);
}

#[test]
fn an_unreachable_soc_server_never_blocks_and_drops_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port(); // nothing listens there
    let stop = Arc::new(AtomicBool::new(false));
    let sender = SocSender::start_with_capacity(
        SocTarget {
            url: format!("http://127.0.0.1:{port}"),
            token: "t".into(),
        },
        dir.path().join("soc.json"),
        Arc::clone(&stop),
        100,
    )
    .unwrap();
    for i in 0..1000 {
        sender.push(Pending {
            line: format!(
                "{{\"timestamp\":\"2026-01-01T00:00:00.000000+0000\",\"event_type\":\"range\",\"n\":{i}}}"
            ),
            journal_offset: None,
            tick_started: None,
        });
    }
    assert!(sender.queued() <= 100);
    assert!(sender.stats.dropped.load(Ordering::Relaxed) >= 900 - 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    while sender.stats.failures.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "the sender never tried");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(sender.state().next_seq, 0, "nothing acknowledged");
    stop.store(true, Ordering::Relaxed);
}

/// Kills the game server at the end of the test.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn game_server_with_soc_flags_reports_ticks_statuses_and_control_actions() {
    use std::os::unix::fs::PermissionsExt;
    let srv = start_soc();
    let dir = tempfile::tempdir().unwrap();
    let checker = dir.path().join("ok-checker");
    std::fs::write(&checker, "#!/bin/sh\nexit 101\n").unwrap();
    std::fs::set_permissions(&checker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let scenario = dir.path().join("scenario.yaml");
    std::fs::write(
        &scenario,
        SCENARIO
            .replace("tick: 60s", "tick: 1s")
            .replace("[checkers/notes]", "[./ok-checker]"),
    )
    .unwrap();
    let ctl = dir.path().join("ctl");
    std::fs::create_dir(&ctl).unwrap();
    std::fs::write(ctl.join("control.token"), "soc-test-control-token-0123").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_range"))
        .arg("game-server")
        .arg(&scenario)
        .arg("--state")
        .arg(dir.path().join("game.jsonl"))
        .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
        .arg("--control-dir")
        .arg(&ctl)
        .args([
            "--soc-url",
            &srv.url,
            "--soc-token-env",
            "RANGE_TEST_SOC_TOKEN",
        ])
        .env("RANGE_TEST_SOC_TOKEN", &srv.sensor_token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start range game-server");
    let _gs = Kill(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        if let Ok(a) = std::fs::read_to_string(ctl.join("control.addr")) {
            break a.trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "the game server never wrote control.addr"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    wait_events(&srv, "two ticks with OK statuses", |e| {
        count(e, "tick_started") >= 2
            && e.iter()
                .any(|x| x["range"]["kind"] == "service_status" && x["range"]["status"] == "OK")
    });
    let resp = ureq::post(&format!("http://{addr}/api/control/pause"))
        .set("Authorization", "Bearer soc-test-control-token-0123")
        .call()
        .expect("pause through the control API");
    assert_eq!(resp.status(), 200);
    let evs = wait_events(&srv, "the pause", |e| count(e, "control") == 1);
    let c = evs
        .iter()
        .find(|e| e["range"]["kind"] == "control")
        .unwrap();
    assert_eq!(c["range"]["status"], "pause");
    assert_eq!(c["range"]["actor"], "cli");
    assert_eq!(c["range"]["exercise"], "soctest");
}

/// Benchmark (not a timed test): `cargo test -p range --release --test soc_events -- --ignored
/// --nocapture bench`. Exercise events per second from the sender into a real soc-server.
#[test]
#[ignore]
fn bench_sender_throughput_into_soc_server() {
    let srv = start_soc();
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let sender = SocSender::start(
        SocTarget {
            url: srv.url.clone(),
            token: srv.sensor_token.clone(),
        },
        dir.path().join("soc.json"),
        Arc::clone(&stop),
    )
    .unwrap();
    let n = 50_000u64;
    let started = Instant::now();
    for i in 0..n {
        while sender.queued() >= soc::sender::QUEUE_CAPACITY - 1 {
            std::thread::sleep(Duration::from_millis(1));
        }
        sender.push(Pending {
            line: format!(
                "{{\"timestamp\":\"2026-11-27T12:00:00.000000+0000\",\"event_type\":\"range\",\"range\":{{\"exercise\":\"bench\",\"kind\":\"service_status\",\"team\":\"t{}\",\"service\":\"notes\",\"status\":\"OK\",\"tick\":{i}}}}}",
                i % 10
            ),
            journal_offset: None,
            tick_started: None,
        });
    }
    assert!(sender.flush(Duration::from_secs(600)));
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(sender.stats.sent.load(Ordering::Relaxed), n);
    assert_eq!(sender.stats.dropped.load(Ordering::Relaxed), 0);
    println!(
        "{n} exercise events into soc-server in {secs:.2} s: {:.0} events/s",
        n as f64 / secs
    );
    stop.store(true, Ordering::Relaxed);
}
