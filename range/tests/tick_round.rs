//! A tick round with a shell-script checker: OK, RECOVERING after lost flags, DOWN.

use std::os::unix::fs::PermissionsExt;
use std::sync::Mutex;

use range::game::{now_ms, Game, GameConfig, SlaStatus};
use range::round::run_tick;
use range::scenario;

#[test]
fn round_records_ok_then_recovering_and_down() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().display().to_string();
    let checker = d.path().join("checker");
    std::fs::write(
        &checker,
        format!(
            "#!/bin/sh\nD={dir}\ncase \"$1\" in\n\
             check) [ -e \"$D/down-$2\" ] && exit 104; exit 101;;\n\
             put) echo \"$4\" > \"$D/$2-$3\"; echo \"id-$3\"; exit 101;;\n\
             get) [ \"$(cat \"$D/$2-${{3#id-}}\" 2>/dev/null)\" = \"$4\" ] && exit 101; echo missing; exit 102;;\n\
             esac\nexit 110\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&checker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = format!(
        "version: 1\nname: t\nteams: [{{name: alpha}}, {{name: bravo}}]\n\
         services:\n  - name: notes\n    image: x\n    ports: [80]\n    checker: {{ command: [\"{}\"], timeout: 5s }}\n\
         timing: {{ tick: 60s, duration: 1h }}\nflags: {{ lifetime: 3 }}\nnetwork: {{ cidr: 10.60.0.0/16 }}\n",
        checker.display()
    );
    let s = scenario::parse_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
    let cfg = GameConfig::from_scenario(&s, now_ms(), &range::game::FlagKey([3; 32]));
    let game = Mutex::new(Game::in_memory(cfg).unwrap());

    let r0 = run_tick(&s, None, &game, 0, 4).unwrap();
    assert!(r0.iter().all(|r| r.status == SlaStatus::Ok), "{r0:?}");

    // bravo loses its stored flags: next tick it works but cannot return old flags.
    for e in std::fs::read_dir(d.path()).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("10.60.2.2-")
        {
            std::fs::remove_file(p).unwrap();
        }
    }
    let r1 = run_tick(&s, None, &game, 1, 4).unwrap();
    assert_eq!(r1[0].status, SlaStatus::Ok, "{:?}", r1[0]);
    assert_eq!(r1[1].status, SlaStatus::Recovering, "{:?}", r1[1]);

    std::fs::write(d.path().join("down-10.60.1.2"), "").unwrap();
    let r2 = run_tick(&s, None, &game, 2, 4).unwrap();
    assert_eq!(r2[0].status, SlaStatus::Down);
    assert_eq!(
        r2[1].status,
        SlaStatus::Recovering,
        "tick 0's flag is still alive"
    );
    let r3 = run_tick(&s, None, &game, 3, 4).unwrap();
    assert_eq!(
        r3[1].status,
        SlaStatus::Ok,
        "lost flag expired: {:?}",
        r3[1]
    );

    let lines = game.lock().unwrap().standings(now_ms()).lines;
    let sqrt2 = 2f64.sqrt();
    assert!((lines[0].total - 2.0 * sqrt2).abs() < 1e-9, "{lines:?}");
    assert!((lines[1].total - 3.0 * sqrt2).abs() < 1e-9, "{lines:?}");
}

/// A checker that hangs (alpha) or crashes on a signal (bravo): with the scenario's default
/// `on_timeout`, both are CHECKER_ERROR, which scores nothing either way; the team keeps
/// its points. Only an explicit `on_timeout: down` makes a hang count as DOWN.
#[test]
fn hanging_or_crashing_checker_is_a_checker_error_never_against_the_team() {
    let d = tempfile::tempdir().unwrap();
    let checker = d.path().join("checker");
    let ok_flag = d.path().join("ok");
    std::fs::write(
        &checker,
        format!(
            "#!/bin/sh\n[ -e {ok} ] && {{ [ \"$1\" = put ] && echo id; exit 101; }}\n\
             case \"$2\" in\n\
             10.60.1.2) exec sleep 30;;\n\
             10.60.2.2) kill -SEGV $$;;\n\
             esac\nexit 101\n",
            ok = ok_flag.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&checker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let scenario_text = |on_timeout: &str| {
        format!(
            "version: 1\nname: t\nteams: [{{name: alpha}}, {{name: bravo}}]\n\
             services:\n  - name: notes\n    image: x\n    ports: [80]\n    checker: {{ command: [\"{}\"], timeout: 1s{on_timeout} }}\n\
             timing: {{ tick: 60s, duration: 1h }}\nnetwork: {{ cidr: 10.60.0.0/16 }}\n",
            checker.display()
        )
    };
    let s = scenario::parse_str("t.yaml", &scenario_text("")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s.services[0].checker.on_timeout,
        scenario::model::TimeoutVerdict::CheckerError,
        "the default must not punish the team"
    );
    let cfg = GameConfig::from_scenario(&s, now_ms(), &range::game::FlagKey([5; 32]));
    let game = Mutex::new(Game::in_memory(cfg).unwrap());

    // Tick 0: the checker works for everyone.
    std::fs::write(&ok_flag, "").unwrap();
    let r0 = run_tick(&s, None, &game, 0, 4).unwrap();
    assert!(r0.iter().all(|r| r.status == SlaStatus::Ok), "{r0:?}");
    let before = game.lock().unwrap().standings(now_ms()).lines;

    // Tick 1: it hangs against alpha and crashes against bravo.
    std::fs::remove_file(&ok_flag).unwrap();
    let started = std::time::Instant::now();
    let r1 = run_tick(&s, None, &game, 1, 4).unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the hanging checker was not cut off at its timeout"
    );
    assert_eq!(r1[0].status, SlaStatus::CheckerError, "hang: {:?}", r1[0]);
    assert!(r1[0].runs[0].timed_out);
    assert_eq!(r1[1].status, SlaStatus::CheckerError, "crash: {:?}", r1[1]);
    assert_eq!(r1[1].runs[0].exit_code, None, "killed by a signal");
    let after = game.lock().unwrap().standings(now_ms()).lines;
    assert_eq!(before, {
        let mut a = after.clone();
        for l in &mut a {
            for c in &mut l.services {
                c.status = Some(SlaStatus::Ok);
            }
        }
        a
    });
    for l in &after {
        assert_eq!(l.services[0].status, Some(SlaStatus::CheckerError));
        assert!((l.total - 2f64.sqrt()).abs() < 1e-9, "{after:?}");
    }

    // With `on_timeout: down` the same hang is DOWN (the Hackerdom convention, opt-in).
    let s = scenario::parse_str("t.yaml", &scenario_text(", on_timeout: down")).unwrap();
    let cfg = GameConfig::from_scenario(&s, now_ms(), &range::game::FlagKey([5; 32]));
    let game = Mutex::new(Game::in_memory(cfg).unwrap());
    let r = run_tick(&s, None, &game, 0, 4).unwrap();
    assert_eq!(r[0].status, SlaStatus::Down);
    assert_eq!(
        r[1].status,
        SlaStatus::CheckerError,
        "a crash stays a checker error"
    );
}
