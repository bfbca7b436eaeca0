//! The `range` binary: validate, new-game/score, and the Docker-bound commands.

use std::process::Command;

fn range() -> Command {
    Command::new(env!("CARGO_BIN_EXE_range"))
}

fn example() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/ad-basic/scenario.yaml")
}

#[test]
fn validate_accepts_the_example_and_rejects_with_positions() {
    let ok = range().arg("validate").arg(example()).output().unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.yaml");
    std::fs::write(&bad, "version: 1\nname: demo\nteams: 3\nextra: x\n").unwrap();
    let out = range().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let file = bad.display().to_string();
    assert!(
        err.contains(&format!("{file}:3:8: teams: expected a sequence")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{file}:4:1: scenario: unknown field `extra`")),
        "{err}"
    );
    assert!(err.contains("missing field `services`"), "{err}");
}

#[test]
fn new_game_then_score_prints_json_scoreboard() {
    let d = tempfile::tempdir().unwrap();
    let state = d.path().join("game.jsonl");
    let st = range()
        .arg("new-game")
        .arg(example())
        .arg("--state")
        .arg(&state)
        .status()
        .unwrap();
    assert!(st.success());
    let again = range()
        .arg("new-game")
        .arg(example())
        .arg("--state")
        .arg(&state)
        .status()
        .unwrap();
    assert!(!again.success(), "an existing game is never overwritten");
    let out = range()
        .args(["score", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "ad-basic");
    assert_eq!(v["lines"].as_array().unwrap().len(), 2);
    assert_eq!(v["lines"][0]["total"], 0.0);
}

#[test]
fn game_server_runs_a_round_every_tick_and_stops_when_over() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("checkers")).unwrap();
    let chk = d.path().join("checkers/ok");
    std::fs::write(
        &chk,
        "#!/bin/sh\n[ \"$1\" = put ] && echo \"$3\"\nexit 101\n",
    )
    .unwrap();
    std::fs::set_permissions(&chk, std::fs::Permissions::from_mode(0o755)).unwrap();
    let scen = d.path().join("scenario.yaml");
    std::fs::write(
        &scen,
        "version: 1\nname: quick\nteams: [{name: alpha}, {name: bravo}]\n\
         services:\n  - {name: notes, image: x, ports: [80], checker: {command: [checkers/ok]}}\n\
         timing: {tick: 1s, duration: 3s}\nflags: {lifetime: 2}\nnetwork: {cidr: 10.60.0.0/16}\n",
    )
    .unwrap();
    let state = d.path().join("game.jsonl");
    let st = range()
        .arg("game-server")
        .arg(&scen)
        .arg("--state")
        .arg(&state)
        .args(["--listen", "127.0.0.1:0"])
        .status()
        .unwrap();
    assert!(st.success());
    let out = range()
        .args(["score", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["phase"]["phase"], "over");
    let want = 3.0 * 2f64.sqrt();
    for line in v["lines"].as_array().unwrap() {
        let total = line["total"].as_f64().unwrap();
        assert!(
            (total - want).abs() < 1e-9,
            "3 OK ticks x sqrt(2 teams), got {total}"
        );
    }
}
