//! The game core: verdicts, FAUST scoring against an independent oracle, and resuming a
//! persisted game.

use rand::{Rng, SeedableRng};
use range::game::{Clock, FlagId, FlagKey, Game, GameConfig, Phase, SlaStatus, Verdict};

fn config(teams: usize, services: usize, lifetime: u32) -> GameConfig {
    GameConfig {
        name: "test".into(),
        teams: (0..teams).map(|i| format!("t{i}")).collect(),
        services: (0..services).map(|i| format!("s{i}")).collect(),
        flag_stores: vec![2; services],
        prefix: "FLAG".into(),
        lifetime,
        freeze_tick: None,
        clock: Clock::new(0, 1_000, 1_000),
        key_hex: "ab".repeat(32),
    }
}

fn id(team: u16, service: u16, tick: u32, store: u8) -> FlagId {
    FlagId {
        team,
        service,
        tick,
        store,
    }
}

/// Tick `t` in the test clock (1 s ticks from 0).
fn at(t: u32) -> i64 {
    i64::from(t) * 1_000 + 500
}

#[test]
fn verdicts_cover_ok_dup_own_old_inv_err() {
    let mut g = Game::in_memory(config(3, 2, 5)).unwrap();
    let f = g.flag(id(1, 0, 3, 0));
    assert_eq!(g.submit(0, &f, at(4)), Verdict::Ok);
    assert_eq!(g.submit(0, &f, at(4)), Verdict::Dup);
    assert_eq!(g.submit(2, &f, at(4)), Verdict::Ok);
    assert_eq!(g.submit(1, &f, at(4)), Verdict::Own);
    assert_eq!(g.submit(0, &g.flag(id(2, 0, 3, 0)), at(8)), Verdict::Old);
    assert_eq!(
        g.submit(0, "FLAG{AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA}", at(4)),
        Verdict::Inv
    );
    assert_eq!(g.submit(0, "hello", at(4)), Verdict::Inv);
    assert_eq!(
        g.submit(0, &g.flag(id(2, 0, 9, 0)), at(4)),
        Verdict::Inv,
        "future tick"
    );
    assert_eq!(
        g.submit(0, &g.flag(id(2, 0, 3, 2)), at(4)),
        Verdict::Inv,
        "no such store"
    );
    assert_eq!(
        g.submit(0, &g.flag(id(7, 0, 3, 0)), at(4)),
        Verdict::Inv,
        "no such team"
    );
    let other = FlagKey([1; 32]).sign("FLAG", id(2, 0, 3, 0));
    assert_eq!(g.submit(0, &other, at(4)), Verdict::Inv, "other game's key");
    assert_eq!(
        g.submit(0, &g.flag(id(2, 0, 3, 0)), -5),
        Verdict::Err,
        "not started"
    );
    g.pause(at(4)).unwrap();
    assert_eq!(g.phase(at(6)), Phase::Paused(4));
    assert_eq!(
        g.submit(0, &g.flag(id(2, 0, 3, 0)), at(6)),
        Verdict::Err,
        "paused"
    );
    g.resume().unwrap();
    assert_eq!(g.submit(0, &g.flag(id(2, 0, 3, 0)), at(6)), Verdict::Ok);
}

/// Accepted captures: (captor, flag).
type Captures = Vec<(usize, FlagId)>;
/// Recorded statuses: (team, service, status).
type Statuses = Vec<(usize, usize, SlaStatus)>;

/// Event of a random game, kept by the test to recompute scores from scratch.
enum Ev {
    Submit(usize, FlagId, u32),
    Status(u32, usize, usize, SlaStatus),
}

/// Recomputes FAUST totals from the accepted captures and statuses, straight from DESIGN.md.
fn oracle(
    teams: usize,
    services: usize,
    caps: &[(usize, FlagId)],
    st: &[(usize, usize, SlaStatus)],
) -> Vec<f64> {
    let mut total = vec![0.0; teams];
    for s in 0..services {
        for (t, team_total) in total.iter_mut().enumerate() {
            let mut attack = 0.0;
            for (a, f) in caps
                .iter()
                .filter(|(a, f)| *a == t && usize::from(f.service) == s)
            {
                let _ = a;
                let c = caps.iter().filter(|(_, g)| g == f).count() as f64;
                attack += 1.0 + 1.0 / c;
            }
            let mut lost: Vec<FlagId> = caps
                .iter()
                .filter(|(_, f)| usize::from(f.team) == t && usize::from(f.service) == s)
                .map(|(_, f)| *f)
                .collect();
            lost.sort();
            lost.dedup();
            let defense: f64 = -lost
                .iter()
                .map(|f| (caps.iter().filter(|(_, g)| g == f).count() as f64).powf(0.75))
                .sum::<f64>();
            let ok = st
                .iter()
                .filter(|x| x.0 == t && x.1 == s && x.2 == SlaStatus::Ok)
                .count() as f64;
            let rec = st
                .iter()
                .filter(|x| x.0 == t && x.1 == s && x.2 == SlaStatus::Recovering)
                .count() as f64;
            let sla = (ok + 0.5 * rec) * (teams as f64).sqrt();
            *team_total += attack + defense + sla;
        }
    }
    total
}

fn random_events(rng: &mut impl Rng, teams: usize, services: usize, ticks: u32) -> Vec<Ev> {
    let statuses = [
        SlaStatus::Ok,
        SlaStatus::Ok,
        SlaStatus::Mumble,
        SlaStatus::Corrupt,
        SlaStatus::Down,
        SlaStatus::Recovering,
        SlaStatus::CheckerError,
    ];
    let mut evs = Vec::new();
    for tick in 0..ticks {
        for t in 0..teams {
            for s in 0..services {
                evs.push(Ev::Status(
                    tick,
                    t,
                    s,
                    statuses[rng.gen_range(0..statuses.len())],
                ));
            }
        }
        for _ in 0..rng.gen_range(0..30) {
            let f = id(
                rng.gen_range(0..teams as u16),
                rng.gen_range(0..services as u16),
                tick.saturating_sub(rng.gen_range(0..7)),
                rng.gen_range(0..2),
            );
            evs.push(Ev::Submit(rng.gen_range(0..teams), f, tick));
        }
    }
    evs
}

fn play(g: &mut Game, evs: &[Ev], lifetime: u32) -> (Captures, Statuses) {
    let mut caps = Vec::new();
    let mut st = Vec::new();
    for e in evs {
        match e {
            Ev::Submit(a, f, tick) => {
                let v = g.submit(*a, &g.flag(*f), at(*tick));
                let expect_ok = usize::from(f.team) != *a
                    && tick - f.tick < lifetime
                    && !caps.contains(&(*a, *f));
                assert_eq!(v == Verdict::Ok, expect_ok, "{v:?} for {a} {f:?} at {tick}");
                if v == Verdict::Ok {
                    caps.push((*a, *f));
                }
            }
            Ev::Status(tick, t, s, status) => {
                g.record_status(*tick, *t, *s, *status).unwrap();
                st.push((*t, *s, *status));
            }
        }
    }
    (caps, st)
}

#[test]
fn incremental_faust_scores_equal_the_oracle_for_random_games() {
    for seed in 0..40u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let teams = rng.gen_range(2..=10);
        let services = rng.gen_range(1..=3);
        let lifetime = rng.gen_range(1..=5);
        let mut g = Game::in_memory(config(teams, services, lifetime)).unwrap();
        let evs = random_events(&mut rng, teams, services, 12);
        let (caps, st) = play(&mut g, &evs, lifetime);
        let want = oracle(teams, services, &caps, &st);
        let got: Vec<f64> = g.standings(at(12)).lines.iter().map(|l| l.total).collect();
        for (t, (w, x)) in want.iter().zip(&got).enumerate() {
            assert!(
                (w - x).abs() < 1e-9,
                "seed {seed} team {t}: oracle {w}, game {x}"
            );
        }
    }
}

#[test]
fn restarted_game_resumes_the_same_scores_duplicates_and_pause() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("game.jsonl");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let evs = random_events(&mut rng, 4, 2, 8);
    let (before, caps) = {
        let mut g = Game::create(&path, config(4, 2, 3)).unwrap();
        let (caps, _) = play(&mut g, &evs, 3);
        g.record_put(id(0, 0, 1, 0), "note-17".into()).unwrap();
        g.pause(at(8)).unwrap();
        (
            serde_json::to_string(&g.standings(at(9)).lines).unwrap(),
            caps,
        )
    };
    assert!(
        Game::create(&path, config(4, 2, 3)).is_err(),
        "create never overwrites"
    );
    let mut g = Game::open(&path).unwrap();
    assert_eq!(
        serde_json::to_string(&g.standings(at(9)).lines).unwrap(),
        before
    );
    assert_eq!(g.phase(at(20)), Phase::Paused(8));
    assert_eq!(g.flag_id(&id(0, 0, 1, 0)), Some("note-17"));
    g.resume().unwrap();
    let recent: Vec<_> = caps.iter().filter(|(_, f)| f.tick >= 6).collect();
    assert!(!recent.is_empty());
    for (a, f) in recent {
        assert_eq!(g.submit(*a, &g.flag(*f), at(8)), Verdict::Dup, "{a} {f:?}");
    }
    assert_eq!(g.submit(1, &g.flag(id(0, 1, 8, 1)), at(8)), Verdict::Ok);
    let after = serde_json::to_string(&g.standings(at(9)).lines).unwrap();
    drop(g);
    let mut g = Game::open(&path).unwrap();
    assert_eq!(
        serde_json::to_string(&g.standings(at(9)).lines).unwrap(),
        after
    );
    assert_eq!(g.submit(1, &g.flag(id(0, 1, 8, 1)), at(8)), Verdict::Dup);
}

#[test]
fn torn_last_journal_line_is_ignored_on_resume() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("game.jsonl");
    let mut g = Game::create(&path, config(2, 1, 3)).unwrap();
    assert_eq!(g.submit(0, &g.flag(id(1, 0, 1, 0)), at(1)), Verdict::Ok);
    drop(g);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"{\"type\":\"cap")
        .unwrap();
    let g = Game::open(&path).unwrap();
    assert_eq!(g.standings(at(1)).lines[0].total, 2.0);
}

#[test]
fn public_scoreboard_freezes_at_the_freeze_tick() {
    let mut c = config(2, 1, 5);
    c.freeze_tick = Some(3);
    let mut g = Game::in_memory(c).unwrap();
    assert_eq!(g.submit(0, &g.flag(id(1, 0, 1, 0)), at(2)), Verdict::Ok);
    g.record_status(3, 0, 0, SlaStatus::Ok).unwrap();
    assert_eq!(g.submit(0, &g.flag(id(1, 0, 3, 0)), at(3)), Verdict::Ok);
    assert_eq!(g.public_standings(at(3)).lines[0].total, 2.0);
    assert!(g.standings(at(3)).lines[0].total > 4.0);
}
