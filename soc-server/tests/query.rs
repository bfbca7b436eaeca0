//! The query language over the alerts API: fields, phrases, free text, boolean logic,
//! parentheses, comparisons, JSON paths, and clear errors.

mod common;
use common::*;

fn setup() -> (Server, String) {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let api = s.api_token("ana", "analyst");
    let lines = [
        alert(
            "2023-11-14T22:00:00Z",
            1000001,
            "CITY WEB SQL injection UNION SELECT in URI",
            "10.0.0.66",
            "10.0.0.10",
            1,
        ),
        alert(
            "2023-11-14T22:01:00Z",
            1000003,
            "CITY WEB path traversal in URI",
            "10.0.0.66",
            "10.0.0.11",
            2,
        ),
        alert(
            "2023-11-14T22:02:00Z",
            1000030,
            "CITY DNS query for a known-bad test domain",
            "10.0.0.23",
            "10.0.0.53",
            3,
        ),
        alert(
            "2023-11-14T22:03:00Z",
            2100498,
            "GPL ATTACK_RESPONSE id check returned root",
            "192.168.1.5",
            "10.0.0.23",
            4,
        ),
        flow("2023-11-14T22:04:00Z", 1),
    ];
    let body = lines.join("\n") + "\n";
    assert_eq!(s.ingest(&sensor, 0, body.as_bytes(), &[]).status, 200);
    (s, api)
}

fn total(s: &Server, api: &str, q: &str) -> i64 {
    let path = format!("/api/v1/alerts?q={}&limit=50", urlencode(q));
    let r = s.get_bearer(&path, api);
    assert_eq!(r.status, 200, "{q}: {}", r.text());
    let v = r.json();
    assert_eq!(
        v["items"].as_array().map(|a| a.len() as i64),
        v["total"].as_i64(),
        "{q}"
    );
    v["total"].as_i64().unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn fields_phrases_and_boolean_logic_filter_alerts() {
    let (s, api) = setup();
    let cases: &[(&str, i64)] = &[
        ("", 4),
        ("src_ip:10.0.0.66", 2),
        ("src_ip:10.0.0.66 AND sid:1000003", 1),
        ("src_ip:10.0.0.66 OR src_ip:10.0.0.23", 3),
        ("NOT src_ip:10.0.0.66", 2),
        ("-src_ip:10.0.0.66", 2),
        ("(sid:1000001 OR sid:1000030) AND NOT dest_ip:10.0.0.53", 1),
        (r#"signature:"CITY WEB path traversal in URI""#, 1),
        ("signature:CITY*", 3),
        ("\"known-bad test\"", 1),
        ("traversal", 1),
        ("travers", 1),
        ("\"shop.city.test\" NOT traversal", 3),
        ("10.0.0.53", 1),
        ("ip:10.0.0.23", 2),
        ("severity:<=1", 4),
        ("sid:>=1000030", 2),
        ("http.hostname:shop.city.test", 4),
        ("alert.category:\"Web Application Attack\"", 4),
        ("sensor:edge-01", 4),
        ("sensor:nope", 0),
        ("proto:tcp", 4),
        ("timestamp:>=2023-11-14T22:02:00Z", 2),
        ("flow_id:3", 1),
    ];
    for (q, want) in cases {
        assert_eq!(total(&s, &api, q), *want, "query {q}");
    }
}

#[test]
fn newest_alerts_come_first_and_limit_applies() {
    let (s, api) = setup();
    let v = s.get_bearer("/api/v1/alerts?limit=2", &api).json();
    assert_eq!(v["total"], 4);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert_eq!(v["items"][0]["alert"]["signature_id"], 2100498);
    assert_eq!(v["items"][1]["alert"]["signature_id"], 1000030);
}

#[test]
fn invalid_queries_say_where_and_what_was_expected() {
    let (s, api) = setup();
    for (q, needle) in [
        ("(sid:1 OR", "column 10"),
        ("sid:1 )", "column 7"),
        ("\"open phrase", "closing"),
        ("sid:abc", "expected a number"),
        ("timestamp:>yesterday", "timestamp"),
    ] {
        let r = s.get_bearer(&format!("/api/v1/alerts?q={}", urlencode(q)), &api);
        assert_eq!(r.status, 400, "{q}");
        let msg = r.json()["error"].as_str().unwrap_or("").to_string();
        assert!(msg.contains(needle), "{q}: {msg}");
    }
    assert_eq!(s.req("GET", "/healthz", &[], b"").status, 200);
}
