//! The JSON HTTP submission endpoint: team by token, answers per flag, refusals.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use range::game::{now_ms, Clock, FlagId, Game, GameConfig};
use range::scenario::model::RateLimit;
use range::submit::{serve_http, RateLimiter, Shared, Tokens};

fn start() -> (std::net::SocketAddr, Arc<Shared>, Arc<Mutex<Game>>) {
    let cfg = GameConfig {
        name: "t".into(),
        teams: vec!["alpha".into(), "bravo".into()],
        services: vec!["notes".into()],
        flag_stores: vec![1],
        prefix: "FLAG".into(),
        lifetime: 5,
        freeze_tick: None,
        clock: Clock::new(now_ms() - 10_000, 60_000, 100),
        key_hex: "cd".repeat(32),
    };
    let g = Arc::new(Mutex::new(Game::in_memory(cfg).unwrap()));
    let shared = Arc::new(Shared::new(
        Arc::clone(&g),
        Box::new(|_: IpAddr| None),
        RateLimiter::new(
            RateLimit {
                per_second: 100.0,
                burst: 100,
            },
            2,
        ),
    ));
    let tokens = Arc::new(Tokens(vec![
        "alpha-token-000001".into(),
        "bravo-token-000002".into(),
    ]));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let sh = Arc::clone(&shared);
    std::thread::spawn(move || serve_http(l, sh, tokens));
    (addr, shared, g)
}

fn post(addr: std::net::SocketAddr, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let code = out[9..12].parse().unwrap();
    let body = out.split_once("\r\n\r\n").unwrap().1.to_string();
    (code, body)
}

#[test]
fn token_names_the_team_and_each_flag_gets_a_verdict() {
    let (addr, shared, g) = start();
    let theirs = g.lock().unwrap().flag(FlagId {
        team: 1,
        service: 0,
        tick: 0,
        store: 0,
    });
    let body = serde_json::to_string(&[theirs.as_str(), theirs.as_str(), "junk"]).unwrap();
    let (code, out) = post(addr, "/api/flags", Some("alpha-token-000001"), &body);
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let verdicts: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["OK", "DUP", "INV"]);
    let (_, out) = post(
        addr,
        "/api/flags",
        Some("bravo-token-000002"),
        &serde_json::to_string(&[&theirs]).unwrap(),
    );
    assert!(out.contains("\"OWN\""), "{out}");
    shared.stop.store(true, Ordering::Relaxed);
}

#[test]
fn missing_or_wrong_token_bad_json_and_wrong_path_are_refused() {
    let (addr, shared, _g) = start();
    assert_eq!(post(addr, "/api/flags", None, "[]").0, 401);
    assert_eq!(post(addr, "/api/flags", Some("nope"), "[]").0, 401);
    assert_eq!(
        post(addr, "/api/flags", Some("alpha-token-000001"), "{").0,
        400
    );
    assert_eq!(
        post(addr, "/other", Some("alpha-token-000001"), "[]").0,
        404
    );
    let many = serde_json::to_string(&vec!["x"; 101]).unwrap();
    assert_eq!(
        post(addr, "/api/flags", Some("alpha-token-000001"), &many).0,
        413
    );
    shared.stop.store(true, Ordering::Relaxed);
}
