//! The TCP submission protocol on 127.0.0.1: answers, team by source, rate limits.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use range::game::{now_ms, Clock, FlagId, Game, GameConfig};
use range::scenario::model::RateLimit;
use range::submit::{serve, RateLimiter, Shared, TeamResolver};

fn game() -> Game {
    let cfg = GameConfig {
        name: "t".into(),
        teams: vec!["alpha".into(), "bravo".into()],
        services: vec!["notes".into()],
        flag_stores: vec![1],
        prefix: "FLAG".into(),
        lifetime: 5,
        freeze_tick: None,
        // Started 10 s ago with 60 s ticks: tick 0 for the whole test.
        clock: Clock::new(now_ms() - 10_000, 60_000, 100),
        key_hex: "cd".repeat(32),
    };
    Game::in_memory(cfg).unwrap()
}

fn start(
    resolver: Box<dyn TeamResolver>,
    limit: RateLimit,
) -> (std::net::SocketAddr, Arc<Shared>, Arc<Mutex<Game>>) {
    let g = Arc::new(Mutex::new(game()));
    let shared = Arc::new(Shared::new(
        Arc::clone(&g),
        resolver,
        RateLimiter::new(limit, 2),
    ));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let sh = Arc::clone(&shared);
    std::thread::spawn(move || serve(l, sh));
    (addr, shared, g)
}

fn alpha() -> Box<dyn TeamResolver> {
    Box::new(|ip: IpAddr| if ip.is_loopback() { Some(0) } else { None })
}

fn exchange(addr: std::net::SocketAddr, lines: &[String]) -> Vec<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    for l in lines {
        s.write_all(format!("{l}\n").as_bytes()).unwrap();
    }
    s.shutdown(std::net::Shutdown::Write).unwrap();
    BufReader::new(s).lines().map(Result::unwrap).collect()
}

fn flag(g: &Mutex<Game>, team: u16) -> String {
    g.lock().unwrap().flag(FlagId {
        team,
        service: 0,
        tick: 0,
        store: 0,
    })
}

#[test]
fn line_protocol_answers_ok_dup_own_inv() {
    let (addr, shared, g) = start(
        alpha(),
        RateLimit {
            per_second: 100.0,
            burst: 100,
        },
    );
    let theirs = flag(&g, 1);
    let answers = exchange(
        addr,
        &[
            theirs.clone(),
            theirs,
            flag(&g, 0),
            "FLAG{nope}".into(),
            String::new(),
        ],
    );
    let words: Vec<&str> = answers
        .iter()
        .map(|a| a.split(' ').next().unwrap())
        .collect();
    assert_eq!(words, ["OK", "DUP", "OWN", "INV"], "{answers:?}");
    assert!(g.lock().unwrap().standings(now_ms()).lines[0].total > 0.0);
    shared.stop.store(true, Ordering::Relaxed);
}

#[test]
fn unknown_source_is_refused() {
    let (addr, shared, g) = start(
        Box::new(|_: IpAddr| None),
        RateLimit {
            per_second: 100.0,
            burst: 100,
        },
    );
    let answers = exchange(addr, &[flag(&g, 1)]);
    assert_eq!(answers, ["ERR unknown team"]);
    shared.stop.store(true, Ordering::Relaxed);
}

#[test]
fn rate_limit_answers_err_beyond_the_burst() {
    let (addr, shared, g) = start(
        alpha(),
        RateLimit {
            per_second: 0.001,
            burst: 3,
        },
    );
    let f = flag(&g, 1);
    let answers = exchange(addr, &vec![f; 5]);
    let words: Vec<&str> = answers
        .iter()
        .map(|a| a.split(' ').next().unwrap())
        .collect();
    assert_eq!(words, ["OK", "DUP", "DUP", "ERR", "ERR"], "{answers:?}");
    assert!(answers[3].contains("rate limit"));
    shared.stop.store(true, Ordering::Relaxed);
}

#[test]
fn overlong_line_is_refused_and_closed() {
    let (addr, shared, _g) = start(
        alpha(),
        RateLimit {
            per_second: 100.0,
            burst: 100,
        },
    );
    let answers = exchange(addr, &["X".repeat(10_000)]);
    assert_eq!(answers, ["ERR line too long"]);
    shared.stop.store(true, Ordering::Relaxed);
}
