//! Throughput measurements (ignored by default; run with `--ignored --nocapture`):
//! valid submissions per second through the game core and through TCP, and the scoring
//! cost of a tick at 10 and 50 teams.

use std::time::Instant;

use range::game::{Clock, FlagId, Game, GameConfig, SlaStatus, Verdict};

fn config(teams: usize, services: usize) -> GameConfig {
    GameConfig {
        name: "bench".into(),
        teams: (0..teams).map(|i| format!("t{i}")).collect(),
        services: (0..services).map(|i| format!("s{i}")).collect(),
        flag_stores: vec![4; services],
        prefix: "FLAG".into(),
        lifetime: 5,
        freeze_tick: None,
        clock: Clock::new(0, 1_000, 1_000_000),
        key_hex: "ef".repeat(32),
    }
}

#[test]
#[ignore = "measurement"]
fn measure_valid_submissions_per_second() {
    for teams in [10usize, 50] {
        let mut g = Game::in_memory(config(teams, 2)).unwrap();
        let mut flags = Vec::new();
        for tick in 0..5u32 {
            for owner in 0..teams as u16 {
                for service in 0..2 {
                    for store in 0..4 {
                        flags.push(g.flag(FlagId {
                            team: owner,
                            service,
                            tick,
                            store,
                        }));
                    }
                }
            }
        }
        let t = Instant::now();
        let mut n = 0u64;
        for attacker in 0..teams {
            for f in &flags {
                let v = g.submit(attacker, f, 4_500);
                if v == Verdict::Ok {
                    n += 1;
                }
            }
        }
        let el = t.elapsed();
        println!(
            "{teams} teams: {n} OK captures + own in {el:?} = {:.0} submissions/s",
            (teams * flags.len()) as f64 / el.as_secs_f64()
        );
    }
}

#[test]
#[ignore = "measurement"]
fn measure_scoring_cost_per_tick() {
    for teams in [10usize, 50] {
        let mut g = Game::in_memory(config(teams, 2)).unwrap();
        let t = Instant::now();
        for tick in 0..100u32 {
            for team in 0..teams {
                for s in 0..2 {
                    g.record_status(tick, team, s, SlaStatus::Ok).unwrap();
                }
            }
        }
        println!(
            "{teams} teams x 2 services: {:?} per tick of status scoring",
            t.elapsed() / 100
        );
    }
}

#[test]
#[ignore = "measurement"]
fn measure_tcp_submissions_per_second_with_journal() {
    use range::scenario::model::RateLimit;
    use range::submit::{serve, RateLimiter, Shared};
    use std::io::{BufRead, BufReader, Write};
    use std::net::{IpAddr, TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(10, 2);
    cfg.clock = Clock::new(range::game::now_ms() - 1_000, 3_600_000, 100);
    let g = Game::create(&d.path().join("g.jsonl"), cfg).unwrap();
    let flags: Vec<String> = (1..10u16)
        .flat_map(|owner| {
            (0..2).flat_map(move |service| (0..4).map(move |store| (owner, service, store)))
        })
        .map(|(team, service, store)| {
            g.flag(FlagId {
                team,
                service,
                tick: 0,
                store,
            })
        })
        .collect();
    let game = Arc::new(Mutex::new(g));
    let limit = RateLimit {
        per_second: 1e6,
        burst: 1_000_000,
    };
    let shared = Arc::new(Shared::new(
        game,
        Box::new(|ip: IpAddr| if ip.is_loopback() { Some(0) } else { None }),
        RateLimiter::new(limit, 10),
    ));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let sh = Arc::clone(&shared);
    std::thread::spawn(move || serve(l, sh));
    let mut payload = String::new();
    for _ in 0..200 {
        for f in &flags {
            payload.push_str(f);
            payload.push('\n');
        }
    }
    let n = 200 * flags.len();
    let t = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || {
            w.write_all(payload.as_bytes()).unwrap();
            w.shutdown(std::net::Shutdown::Write).unwrap();
        })
    };
    let answers = BufReader::new(&mut s).lines().count();
    writer.join().unwrap();
    let el = t.elapsed();
    assert_eq!(answers, n);
    println!(
        "TCP, one connection, journal on disk: {n} submissions ({} OK) in {el:?} = {:.0}/s",
        flags.len(),
        n as f64 / el.as_secs_f64()
    );
}

#[test]
#[ignore = "measurement"]
fn measure_checker_round_per_tick() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("c");
    std::fs::write(&c, "#!/bin/sh\n[ \"$1\" = put ] && echo \"$3\"\nexit 101\n").unwrap();
    std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o755)).unwrap();
    for teams in [10usize, 50] {
        let mut text = String::from("version: 1\nname: b\nteams:\n");
        for i in 0..teams.min(10) {
            text.push_str(&format!("  - name: t{i}\n"));
        }
        text.push_str(&format!(
            "services:\n  - {{name: a, image: x, ports: [1], checker: {{command: [\"{0}\"]}}}}\n  - {{name: b, image: x, ports: [2], checker: {{command: [\"{0}\"]}}}}\n\
             timing: {{tick: 60s, duration: 1h}}\nnetwork: {{cidr: 10.0.0.0/8}}\n",
            c.display()
        ));
        let mut s = range::scenario::parse_str("b", &text).unwrap_or_else(|e| panic!("{e}"));
        // The schema caps teams at 10; replicate teams to measure 50.
        while s.teams.len() < teams {
            let mut t = s.teams[0].clone();
            t.name = format!("x{}", s.teams.len());
            s.teams.push(t);
        }
        let cfg = GameConfig::from_scenario(&s, 0, &range::game::FlagKey([1; 32]));
        let game = std::sync::Mutex::new(Game::in_memory(cfg).unwrap());
        range::round::run_tick(&s, None, &game, 0, 8).unwrap();
        let t = Instant::now();
        let r = range::round::run_tick(&s, None, &game, 1, 8).unwrap();
        let runs: usize = r.iter().map(|p| p.runs.len()).sum();
        println!("{teams} teams x 2 services: checker round of {runs} runs (check, put, get) in {:?} with 8 parallel", t.elapsed());
    }
}

/// Valid (OK) submissions per second over TCP, journal on disk: one attacker submits
/// 156,800 distinct live flags of the 49 other teams (2 services x 16 stores x 100 ticks)
/// over one connection, every one answered OK and appended to the journal.
#[test]
#[ignore = "measurement"]
fn measure_valid_tcp_submissions_per_second() {
    use range::scenario::model::RateLimit;
    use range::submit::{serve, RateLimiter, Shared};
    use std::io::{BufRead, BufReader, Write};
    use std::net::{IpAddr, TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(50, 2);
    cfg.flag_stores = vec![16; 2];
    cfg.lifetime = 100;
    let hour = 3_600_000i64;
    cfg.clock = Clock::new(
        range::game::now_ms() - 99 * hour - hour / 2,
        hour as u64,
        1000,
    );
    let g = Game::create(&d.path().join("g.jsonl"), cfg).unwrap();
    let mut payload = String::new();
    let mut n = 0usize;
    for tick in 0..100u32 {
        for team in 1..50u16 {
            for service in 0..2u16 {
                for store in 0..16u8 {
                    payload.push_str(&g.flag(FlagId {
                        team,
                        service,
                        tick,
                        store,
                    }));
                    payload.push('\n');
                    n += 1;
                }
            }
        }
    }
    let game = Arc::new(Mutex::new(g));
    let limit = RateLimit {
        per_second: 1e9,
        burst: u32::MAX,
    };
    let shared = Arc::new(Shared::new(
        game,
        Box::new(|ip: IpAddr| if ip.is_loopback() { Some(0) } else { None }),
        RateLimiter::new(limit, 50),
    ));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let sh = Arc::clone(&shared);
    std::thread::spawn(move || serve(l, sh));
    let t = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || {
            w.write_all(payload.as_bytes()).unwrap();
            w.shutdown(std::net::Shutdown::Write).unwrap();
        })
    };
    let ok = BufReader::new(&mut s)
        .lines()
        .filter(|l| l.as_ref().is_ok_and(|l| l.starts_with("OK")))
        .count();
    writer.join().unwrap();
    let el = t.elapsed();
    assert_eq!(ok, n, "every flag is a valid capture");
    println!(
        "TCP, one connection, journal on disk: {n} valid submissions (all OK) in {el:?} = {:.0}/s",
        n as f64 / el.as_secs_f64()
    );
}
