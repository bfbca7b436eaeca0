//! The scoreboard web server over real sockets: JSON fields, first bloods from the journal,
//! trainer login (cookie flags, rate limit), control authorization (401 without
//! credentials, 403 without the CSRF token, bearer control token), pause stopping
//! submission, the public view frozen by a trainer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use range::game::{self, FlagId, Game, GameConfig, Phase, Verdict};
use range::web::{serve, WebContext, WebOptions};

const SCENARIO: &str = "
version: 1
name: webtest
teams: [{name: alpha}, {name: bravo}, {name: charlie}]
services:
  - name: notes
    build: services/notes
    ports: [8080]
    checker: { command: [checkers/notes] }
  - name: vault
    build: services/vault
    ports: [4444]
    checker: { command: [checkers/vault] }
    flag_stores: 2
timing: { start: now, tick: 60s, duration: 2h, freeze: 1h }
network: { cidr: 10.61.0.0/16 }
";

const PASSWORD: &str = "trainer-pass-42";
const CONTROL: &str = "control-token-0123456789abcdef";

struct Server {
    addr: SocketAddr,
    game: Arc<Mutex<Game>>,
    stop: Arc<AtomicBool>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn start() -> Server {
    let s = range::scenario::parse_str("webtest.yaml", SCENARIO).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("game.jsonl");
    let key = game::config::random_key().unwrap();
    let g = Game::create(&state, GameConfig::from_scenario(&s, game::now_ms(), &key)).unwrap();
    let game = Arc::new(Mutex::new(g));
    let stop = Arc::new(AtomicBool::new(false));
    let ctx = WebContext::new(
        Arc::clone(&game),
        WebOptions {
            trainer_password: Some(PASSWORD.into()),
            trainer_password_env: "RANGE_TRAINER_PASSWORD".into(),
            control_token: Some(CONTROL.into()),
            state: Some(state),
            stop: Arc::clone(&stop),
        },
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ctx = Arc::new(ctx);
    std::thread::spawn(move || serve(listener, ctx));
    Server {
        addr,
        game,
        stop,
        _dir: dir,
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete answer");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    request(addr, "GET", path, headers, "")
}

fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    request(addr, "POST", path, headers, "")
}

/// Logs in; returns (cookie header value, CSRF token from the trainer page).
fn login(addr: SocketAddr) -> (String, String) {
    let a = request(
        addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("password={PASSWORD}"),
    );
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.header("Location"), Some("/trainer"));
    let set = a
        .header("Set-Cookie")
        .expect("a session cookie")
        .to_string();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    let page = get(addr, "/trainer", &[("Cookie", &cookie)]);
    assert_eq!(page.status, 200);
    let csrf = page
        .body
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("trainer page carries the CSRF token")
        .to_string();
    (cookie, csrf)
}

#[test]
fn scoreboard_json_has_every_team_and_service_field_and_first_bloods() {
    let srv = start();
    let flag = {
        let mut g = srv.game.lock().unwrap();
        let f = g.flag(FlagId {
            team: 0,
            service: 1,
            tick: 0,
            store: 1,
        });
        assert_eq!(g.submit(2, &f, game::now_ms()), Verdict::Ok);
        assert_eq!(g.submit(1, &f, game::now_ms()), Verdict::Ok);
        g.record_status(0, 0, 0, game::SlaStatus::Ok).unwrap();
        g.record_status(0, 1, 0, game::SlaStatus::Down).unwrap();
        f
    };
    assert!(flag.starts_with("FLAG{"));
    let a = get(srv.addr, "/api/scoreboard", &[]);
    assert_eq!(a.status, 200);
    assert!(a.header("Content-Security-Policy").is_some());
    let v = a.json();
    assert_eq!(v["exercise"], "webtest");
    assert_eq!(v["view"], "public");
    assert_eq!(v["services"], serde_json::json!(["notes", "vault"]));
    assert_eq!(v["phase"]["phase"], "running");
    let teams = v["teams"].as_array().unwrap();
    assert_eq!(teams.len(), 3);
    // charlie captured first (attack 1 + 1/2 after bravo's capture), bravo second.
    let charlie = teams.iter().find(|t| t["team"] == "charlie").unwrap();
    let vault = &charlie["services"][1];
    assert_eq!(vault["service"], "vault");
    assert!(
        (vault["attack"].as_f64().unwrap() - 1.5).abs() < 1e-9,
        "{vault}"
    );
    assert_eq!(vault["captures"], 1);
    let alpha = teams.iter().find(|t| t["team"] == "alpha").unwrap();
    assert!((alpha["services"][1]["defense"].as_f64().unwrap() + 2f64.powf(0.75)).abs() < 1e-9);
    assert_eq!(alpha["services"][0]["status"], "OK");
    assert!((alpha["services"][0]["sla"].as_f64().unwrap() - 3f64.sqrt()).abs() < 1e-9);
    let bravo = teams.iter().find(|t| t["team"] == "bravo").unwrap();
    assert_eq!(bravo["services"][0]["status"], "DOWN");
    for t in teams {
        let sum: f64 = t["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["attack"].as_f64().unwrap()
                    + s["defense"].as_f64().unwrap()
                    + s["sla"].as_f64().unwrap()
            })
            .sum();
        assert!((t["total"].as_f64().unwrap() - sum).abs() < 1e-9);
    }
    let ranks: Vec<f64> = teams.iter().map(|t| t["total"].as_f64().unwrap()).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] >= w[1]),
        "sorted by total: {ranks:?}"
    );
    assert_eq!(teams[0]["rank"], 1);
    assert_eq!(
        v["first_bloods"],
        serde_json::json!([{"service": "vault", "team": "charlie", "tick": 0}])
    );
    let html = get(srv.addr, "/", &[]);
    assert_eq!(html.status, 200);
    assert!(html.body.contains("/static/board.js"));
    let js = get(srv.addr, "/static/board.js", &[]);
    assert!(js.body.contains("/api/scoreboard"));
    assert!(!js.body.contains("innerHTML"));
}

#[test]
fn control_needs_credentials_and_pause_stops_submission() {
    let srv = start();
    for path in [
        "/api/control/pause",
        "/api/control/stop",
        "/api/control/freeze",
    ] {
        assert_eq!(post(srv.addr, path, &[]).status, 401, "{path}");
        assert_eq!(
            post(srv.addr, path, &[("Authorization", "Bearer wrong-token")]).status,
            401
        );
    }
    assert_eq!(get(srv.addr, "/api/control/pause", &[]).status, 405);
    assert_eq!(post(srv.addr, "/api/control/explode", &[]).status, 404);
    assert!(!srv.stop.load(Ordering::Relaxed));
    assert!(matches!(
        srv.game.lock().unwrap().phase(game::now_ms()),
        Phase::Running(_)
    ));

    let bearer = format!("Bearer {CONTROL}");
    let a = post(
        srv.addr,
        "/api/control/pause",
        &[("Authorization", &bearer)],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["phase"]["phase"], "paused");
    {
        let mut g = srv.game.lock().unwrap();
        assert!(matches!(g.phase(game::now_ms()), Phase::Paused(_)));
        let f = g.flag(FlagId {
            team: 0,
            service: 0,
            tick: 0,
            store: 0,
        });
        assert_eq!(
            g.submit(1, &f, game::now_ms()),
            Verdict::Err,
            "paused: no submission"
        );
    }
    assert_eq!(
        get(srv.addr, "/api/scoreboard", &[]).json()["phase"]["phase"],
        "paused"
    );
    let a = post(
        srv.addr,
        "/api/control/resume",
        &[("Authorization", &bearer)],
    );
    assert_eq!(a.status, 200);
    {
        let mut g = srv.game.lock().unwrap();
        let f = g.flag(FlagId {
            team: 0,
            service: 0,
            tick: 0,
            store: 0,
        });
        assert_eq!(g.submit(1, &f, game::now_ms()), Verdict::Ok);
    }
    assert_eq!(
        post(srv.addr, "/api/control/stop", &[("Authorization", &bearer)]).status,
        200
    );
    assert!(srv.stop.load(Ordering::Relaxed));
}

#[test]
fn trainer_session_needs_its_csrf_token_and_sees_the_unfrozen_board() {
    let srv = start();
    assert_eq!(get(srv.addr, "/trainer", &[]).status, 303);
    let wrong = request(
        srv.addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "password=nope",
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.header("Set-Cookie").is_none());
    let (cookie, csrf) = login(srv.addr);
    let no_csrf = post(srv.addr, "/api/control/freeze", &[("Cookie", &cookie)]);
    assert_eq!(no_csrf.status, 403);
    let bad_csrf = post(
        srv.addr,
        "/api/control/freeze",
        &[("Cookie", &cookie), ("X-CSRF-Token", "0000")],
    );
    assert_eq!(bad_csrf.status, 403);
    let ok = post(
        srv.addr,
        "/api/control/freeze",
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    {
        let mut g = srv.game.lock().unwrap();
        let f = g.flag(FlagId {
            team: 1,
            service: 0,
            tick: 0,
            store: 0,
        });
        assert_eq!(g.submit(0, &f, game::now_ms()), Verdict::Ok);
    }
    let public = get(srv.addr, "/api/scoreboard", &[]).json();
    assert_eq!(public["frozen"], true);
    let alpha = |v: &serde_json::Value| {
        v["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["team"] == "alpha")
            .unwrap()["total"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        alpha(&public),
        0.0,
        "public board frozen before the capture"
    );
    assert!(public["first_bloods"].as_array().unwrap().is_empty());
    let full = get(srv.addr, "/api/scoreboard", &[("Cookie", &cookie)]).json();
    assert_eq!(full["view"], "trainer");
    assert_eq!(alpha(&full), 2.0);
    assert_eq!(full["first_bloods"][0]["team"], "alpha");
    let ok = post(
        srv.addr,
        "/api/control/unfreeze",
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(ok.status, 200);
    assert_eq!(alpha(&get(srv.addr, "/api/scoreboard", &[]).json()), 2.0);
    let out = post(
        srv.addr,
        "/logout",
        &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
    );
    assert_eq!(out.status, 200);
    assert_eq!(
        get(srv.addr, "/trainer", &[("Cookie", &cookie)]).status,
        303
    );
}

#[test]
fn failed_logins_are_rate_limited() {
    let srv = start();
    for _ in 0..5 {
        let a = request(
            srv.addr,
            "POST",
            "/login",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "password=guess",
        );
        assert_eq!(a.status, 401);
    }
    let a = request(
        srv.addr,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &format!("password={PASSWORD}"),
    );
    assert_eq!(a.status, 429);
    assert!(a.header("Retry-After").is_some());
    assert!(a.header("Set-Cookie").is_none());
}

#[test]
fn scoreboard_page_renders_in_a_real_browser() {
    let srv = start();
    {
        let mut g = srv.game.lock().unwrap();
        let f = g.flag(FlagId {
            team: 0,
            service: 1,
            tick: 0,
            store: 0,
        });
        assert_eq!(g.submit(2, &f, game::now_ms()), Verdict::Ok);
        g.record_status(0, 0, 0, game::SlaStatus::Ok).unwrap();
        g.record_status(0, 1, 1, game::SlaStatus::Down).unwrap();
    }
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("http://{}/", srv.addr))
        .output()
        .unwrap_or_else(|e| panic!("this test needs chromium (apt-get install chromium): {e}"));
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let body = dom
        .split("<tbody>")
        .nth(1)
        .and_then(|r| r.split("</tbody>").next())
        .unwrap_or_else(|| panic!("no rendered table in {dom}"));
    for team in ["alpha", "bravo", "charlie"] {
        assert!(
            body.contains(&format!("<td class=\"team\">{team}</td>")),
            "{body}"
        );
    }
    assert!(body.contains("status status-OK"), "{body}");
    assert!(body.contains("status status-DOWN"), "{body}");
    assert!(
        dom.contains("vault: charlie (tick 0)"),
        "first blood listed: {dom}"
    );
    assert!(dom.contains("tick 0 of"), "{dom}");
}
