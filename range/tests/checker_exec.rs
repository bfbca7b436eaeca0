//! Checkers run by the exec protocol: exit codes, output routing, timeouts that kill the
//! whole process group, crashes, and bounded concurrency. The checkers are shell scripts
//! written by the tests.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use range::checker::{run, run_all, Action, CheckerVerdict, Invocation};
use range::scenario::model::TimeoutVerdict;

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn inv(p: &Path, action: Action, timeout_ms: u64) -> Invocation {
    Invocation {
        command: vec![p.display().to_string()],
        cwd: None,
        host: "127.0.0.1".into(),
        action,
        timeout: Duration::from_millis(timeout_ms),
        on_timeout: TimeoutVerdict::Down,
    }
}

#[test]
fn exit_codes_give_verdicts_and_outputs_are_split() {
    let d = tempfile::tempdir().unwrap();
    for (code, want) in [
        (101, CheckerVerdict::Ok),
        (102, CheckerVerdict::Corrupt),
        (103, CheckerVerdict::Mumble),
        (104, CheckerVerdict::Down),
        (110, CheckerVerdict::CheckerError),
        (1, CheckerVerdict::CheckerError),
    ] {
        let p = script(
            d.path(),
            &format!("c{code}"),
            &format!("echo \"public $1 $2\"; echo secret >&2; exit {code}"),
        );
        let r = run(&inv(&p, Action::Check, 5_000));
        assert_eq!(r.verdict, want, "exit {code}");
        assert_eq!(r.public.trim(), "public check 127.0.0.1");
        assert_eq!(r.private.trim(), "secret");
    }
}

#[test]
fn put_receives_its_arguments_and_prints_the_flag_id() {
    let d = tempfile::tempdir().unwrap();
    let p = script(
        d.path(),
        "put",
        "[ \"$1 $3 $4 $5\" = \"put proposed FLAG{X} 2\" ] || exit 110; echo note-42; exit 101",
    );
    let r = run(&inv(
        &p,
        Action::Put {
            flag_id: "proposed".into(),
            flag: "FLAG{X}".into(),
            vuln: 2,
        },
        5_000,
    ));
    assert_eq!(r.verdict, CheckerVerdict::Ok, "{r:?}");
    assert_eq!(r.flag_id(), Some("note-42"));
}

#[test]
fn hanging_checker_times_out_and_its_process_group_is_killed() {
    let d = tempfile::tempdir().unwrap();
    let pidfile = d.path().join("bg.pid");
    let p = script(
        d.path(),
        "hang",
        &format!(
            "sleep 60 & echo $! > {}; echo started; sleep 60",
            pidfile.display()
        ),
    );
    let t = Instant::now();
    let r = run(&inv(&p, Action::Check, 300));
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    assert!(r.timed_out);
    assert_eq!(r.verdict, CheckerVerdict::Down);
    assert_eq!(r.public.trim(), "started");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        stat.is_empty() || stat.contains(") Z "),
        "background child survived: {stat}"
    );

    let mut i = inv(&p, Action::Check, 200);
    i.on_timeout = TimeoutVerdict::CheckerError;
    assert_eq!(run(&i).verdict, CheckerVerdict::CheckerError);
}

#[test]
fn crashing_or_missing_checker_is_a_checker_error() {
    let d = tempfile::tempdir().unwrap();
    let p = script(d.path(), "crash", "echo dying >&2; kill -SEGV $$");
    let r = run(&inv(&p, Action::Check, 5_000));
    assert_eq!(r.verdict, CheckerVerdict::CheckerError);
    assert_eq!(r.exit_code, None);
    assert!(r.private.contains("signal"), "{}", r.private);
    let r = run(&inv(&d.path().join("absent"), Action::Check, 5_000));
    assert_eq!(r.verdict, CheckerVerdict::CheckerError);
    assert!(r.private.contains("cannot start"));
}

#[test]
fn pool_runs_at_most_the_given_number_at_once() {
    let d = tempfile::tempdir().unwrap();
    let p = script(d.path(), "slow", "sleep 0.3; exit 101");
    let jobs: Vec<_> = (0..8).map(|_| inv(&p, Action::Check, 5_000)).collect();
    let t = Instant::now();
    let rs = run_all(&jobs, 4);
    let el = t.elapsed();
    assert!(rs.iter().all(|r| r.verdict == CheckerVerdict::Ok));
    assert!(
        el >= Duration::from_millis(580),
        "8 jobs of 0.3 s on 4 slots took {el:?}"
    );
    assert!(el < Duration::from_millis(2_000), "took {el:?}");
}
