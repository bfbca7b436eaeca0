//! Scenario validation: the example is valid, and every error is reported with its position.

use range::scenario::{self, model::ImageSource};

fn errors(text: &str) -> Vec<String> {
    match scenario::parse_str("s.yaml", text) {
        Ok(_) => Vec::new(),
        Err(e) => e.to_string().lines().map(String::from).collect(),
    }
}

const MINIMAL: &str = "version: 1
name: demo
teams:
  - name: alpha
  - name: bravo
services:
  - name: notes
    image: notes:latest
    ports: [8080]
    checker: { command: [checkers/notes] }
timing: { tick: 30s, duration: 1h }
network: { cidr: 10.60.0.0/16 }
";

#[test]
fn shipped_ad_basic_example_is_valid() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/ad-basic/scenario.yaml");
    let s = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.teams.len(), 2);
    assert_eq!(s.services.len(), 2);
    assert_eq!(
        s.services[0].source,
        ImageSource::Build("services/notes".into())
    );
    assert_eq!(s.services[1].flag_stores, 2);
    assert_eq!(s.teams[0].subnet.to_string(), "10.60.1.0/24");
    assert_eq!(s.teams[1].vulnbox().to_string(), "10.60.2.2");
    assert_eq!(s.network.game_server().to_string(), "10.60.0.1");
}

#[test]
fn minimal_scenario_gets_defaults() {
    let s = scenario::parse_str("s.yaml", MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.flags.prefix, "FLAG");
    assert_eq!(s.flags.lifetime, 5);
    assert_eq!(s.submission.tcp_port, 31337);
    assert_eq!(s.timing.start_unix_ms, None);
}

#[test]
fn every_error_is_reported_with_line_and_column() {
    let text = "version: 1
name: demo
colour: blue
teams:
  - name: alpha
  - name: alpha
services:
  - name: notes
    image: notes
    ports: [0, 70000]
    checker: { command: [c] }
timing: { tick: 0s, duration: 1h }
flags: { lifetime: 0 }
network: { cidr: 10.60.0.0/16 }
";
    let e = errors(text);
    let want = [
        "s.yaml:3:1: scenario: unknown field `colour`",
        "s.yaml:6:11: teams[1].name: expected a unique name",
        "s.yaml:10:13: services[0].ports[0]: expected an integer in 1..=65535, found 0",
        "s.yaml:10:16: services[0].ports[1]: expected an integer in 1..=65535, found 70000",
        "s.yaml:12:17: timing.tick: expected a positive duration",
        "s.yaml:13:20: flags.lifetime: expected an integer in 1..=1000, found 0",
    ];
    for w in want {
        assert!(
            e.iter().any(|l| l.starts_with(w)),
            "missing {w:?} in {e:#?}"
        );
    }
    assert_eq!(e.len(), want.len(), "{e:#?}");
}

#[test]
fn wrong_types_are_reported() {
    let text = MINIMAL
        .replace("teams:\n  - name: alpha\n  - name: bravo", "teams: three")
        .replace("ports: [8080]", "ports: 8080");
    let e = errors(&text);
    assert!(
        e.iter()
            .any(|l| l.starts_with("s.yaml:3:8: teams: expected a sequence, found a scalar")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|l| l.contains("services[0].ports: expected a sequence")),
        "{e:#?}"
    );
}

#[test]
fn team_count_must_be_two_to_ten() {
    let one = MINIMAL.replace("  - name: bravo\n", "");
    assert!(errors(&one)
        .iter()
        .any(|l| l.contains("expected 2 to 10 teams, found 1")));
    let mut many = String::from("version: 1\nname: demo\nteams:\n");
    for i in 0..11 {
        many.push_str(&format!("  - name: t{i}\n"));
    }
    many.push_str(&MINIMAL[MINIMAL.find("services:").unwrap()..]);
    assert!(errors(&many)
        .iter()
        .any(|l| l.contains("expected 2 to 10 teams, found 11")));
}

#[test]
fn too_few_subnets_is_an_impossible_network() {
    let text = MINIMAL.replace(
        "{ cidr: 10.60.0.0/16 }",
        "{ cidr: 10.60.0.0/24, team_prefix: 25 }",
    );
    let e = errors(&text);
    assert!(
        e.iter()
            .any(|l| l.contains("teams: expected at most 1 teams")),
        "{e:#?}"
    );
}

#[test]
fn overlapping_explicit_subnets_are_rejected() {
    let text = MINIMAL.replace(
        "  - name: bravo",
        "  - name: bravo\n    subnet: 10.60.1.128/25",
    );
    let e = errors(&text);
    assert!(
        e.iter().any(|l| l.starts_with(
            "s.yaml:6:13: teams[1].subnet: expected a subnet not overlapping alpha's subnet"
        )),
        "{e:#?}"
    );
    let outside = MINIMAL.replace(
        "  - name: bravo",
        "  - name: bravo\n    subnet: 192.168.0.0/24",
    );
    assert!(errors(&outside)
        .iter()
        .any(|l| l.contains("expected a subnet inside 10.60.0.0/16")));
}

#[test]
fn broken_yaml_is_one_positioned_error() {
    let e = errors("version: 1\nteams: [a, b\nname: x\n");
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].starts_with("s.yaml:"), "{e:#?}");
    assert!(e[0].contains("expected valid YAML"), "{e:#?}");
}

#[test]
fn missing_required_fields_are_named() {
    let e = errors("version: 1\nname: demo\n");
    for f in ["teams", "services", "timing", "network"] {
        assert!(
            e.iter()
                .any(|l| l == &format!("s.yaml:1:1: scenario: missing field `{f}`")),
            "{f}: {e:#?}"
        );
    }
}

#[test]
fn start_accepts_rfc3339_and_rejects_garbage() {
    let ok = MINIMAL.replace(
        "{ tick: 30s, duration: 1h }",
        "{ start: \"2026-11-27T10:00:00Z\", tick: 30s, duration: 1h }",
    );
    let s = scenario::parse_str("s.yaml", &ok).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.timing.start_unix_ms, Some(1_795_773_600_000));
    let bad = MINIMAL.replace(
        "{ tick: 30s, duration: 1h }",
        "{ start: yesterday, tick: 30s, duration: 1h }",
    );
    assert!(errors(&bad)
        .iter()
        .any(|l| l.contains("timing.start: expected `now` or an RFC 3339 time")));
}

#[test]
fn duplicate_tokens_and_too_long_lifetime_point_at_their_values() {
    let text = MINIMAL
        .replace(
            "  - name: alpha\n",
            "  - name: alpha\n    token: same-token-123456\n",
        )
        .replace(
            "  - name: bravo\n",
            "  - name: bravo\n    token: same-token-123456\n",
        )
        .replace("network:", "flags: { lifetime: 500 }\nnetwork:");
    let e = errors(&text);
    assert!(
        e.iter()
            .any(|l| l.starts_with("s.yaml:7:12: teams[1].token: expected a unique token")),
        "{e:#?}"
    );
    assert!(
        e.iter().any(|l| l
            .starts_with("s.yaml:14:20: flags.lifetime: expected at most the game's 120 ticks")),
        "{e:#?}"
    );
}
