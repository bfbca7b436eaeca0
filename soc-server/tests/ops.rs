//! Operations: `/metrics` (authenticated, and on its own listener), the OpenAPI document,
//! the dashboards page, and `soc-server backup` while the server runs (then restoring it).

mod common;
use common::*;
use std::process::Command;

/// `n` real Suricata alerts from the sample, re-timed to now (so that they fall in the
/// dashboards' time ranges).
fn recent_alerts(n: usize) -> String {
    let path = "/work/shared/samples/suricata-eve-sample.json";
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path} (../shared beside the repository): {e}"));
    let now = soc_server::evetime::now_micros();
    let mut out = String::new();
    for (i, line) in text
        .lines()
        .filter(|l| l.contains(r#""event_type":"alert""#) && l.contains("src_ip"))
        .take(n)
        .enumerate()
    {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("sample line");
        v["timestamp"] = soc_server::evetime::format_timestamp(now - (i as i64) * 1_000_000).into();
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_need_a_user_token_and_count_ingest() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let viewer = s.api_token("watcher", "viewer");
    let body = recent_alerts(50);
    let r = s.ingest(&sensor, 0, body.as_bytes(), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let bad = s.ingest(&sensor, 50, b"{not json\n", &[]);
    assert_eq!(bad.status, 200);

    assert_eq!(s.req("GET", "/metrics", &[], b"").status, 401);
    assert_eq!(s.get_bearer("/metrics", &sensor).status, 403);
    let m = s.get_bearer("/metrics", &viewer);
    assert_eq!(m.status, 200);
    assert!(m
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/plain; version=0.0.4")));
    let t = m.text();
    assert_eq!(metric(&t, "soc_ingest_events_total"), Some(50.0), "{t}");
    assert_eq!(metric(&t, "soc_ingest_batches_total"), Some(2.0), "{t}");
    assert_eq!(
        metric(&t, "soc_ingest_rejected_lines_total"),
        Some(1.0),
        "{t}"
    );
    assert_eq!(metric(&t, "soc_store_alerts"), Some(50.0), "{t}");
    assert!(
        metric(&t, "soc_alert_groups").is_some_and(|g| g >= 1.0),
        "{t}"
    );
    assert!(
        metric(&t, "soc_store_file_bytes").is_some_and(|b| b > 0.0),
        "{t}"
    );
    assert!(
        t.contains(r#"soc_sensor_last_seen_seconds{sensor="edge-01"}"#),
        "{t}"
    );
    assert!(
        t.contains(r#"soc_http_request_duration_seconds_bucket{method="POST",route="/api/v1/ingest",le="+Inf"} 2"#),
        "{t}"
    );
    // Every sample line is `name{labels} value` or `name value` with a number.
    for l in t.lines().filter(|l| !l.starts_with('#')) {
        let v = l.rsplit(' ').next().unwrap_or("");
        assert!(v.parse::<f64>().is_ok(), "bad sample line: {l}");
    }
}

#[test]
fn metrics_listen_serves_metrics_without_authentication_on_its_own_address() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let s = Server::start_with_config(&format!("metrics_listen = \"127.0.0.1:{port}\"\n"));
    let addr = format!("127.0.0.1:{port}");
    let r = soc_server::client::request(&addr, "GET", "/metrics", &[], b"").expect("metrics");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("soc_store_events 0"), "{}", r.text());
    // Nothing else is served there.
    let other = soc_server::client::request(&addr, "GET", "/api/v1/alerts", &[], b"").unwrap();
    assert_eq!(other.status, 404);
    // The main listener still wants a token.
    assert_eq!(s.req("GET", "/metrics", &[], b"").status, 401);
}

#[test]
fn openapi_document_is_served_to_users() {
    let s = Server::start();
    let token = s.api_token("reader", "viewer");
    assert_eq!(s.req("GET", "/api/openapi.json", &[], b"").status, 401);
    let r = s.get_bearer("/api/openapi.json", &token);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/api/v1/ingest",
        "/api/v1/alerts",
        "/api/v1/groups",
        "/metrics",
        "/healthz",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
}

#[test]
fn dashboard_shows_recent_alerts_with_pivots_to_viewers() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let body = recent_alerts(200);
    assert_eq!(s.ingest(&sensor, 0, body.as_bytes(), &[]).status, 200);
    let viewer = s.session("vera", "viewer");
    for range in ["1h", "24h", "7d"] {
        let r = s.get_session(&format!("/dashboard?range={range}"), &viewer);
        assert_eq!(r.status, 200, "{range}");
        let html = r.text();
        assert!(html.contains("200 alerts in the last"), "{range}: {html}");
        assert!(html.contains("<svg class=\"chart\""), "{range}");
        assert!(html.contains("q=sid%3A"), "signature pivots");
        assert!(html.contains("q=src_ip%3A"), "source pivots");
        assert!(html.contains("q=dest_ip%3A"), "destination pivots");
        assert!(html.contains("q=sensor%3Aedge-01"), "sensor pivots");
        assert!(html.contains("q=severity%3A"), "severity pivots");
    }
    assert_eq!(s.get_session("/dashboard?range=2y", &viewer).status, 400);
    assert_eq!(s.req("GET", "/dashboard", &[], b"").status, 303);
    // A chart bar's pivot (a time slice) is a valid inbox query that finds the alerts.
    let html = s.get_session("/dashboard?range=1h", &viewer).text();
    let href = html
        .split("<a href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.contains("timestamp%3A%3E%3D"))
        .expect("a bar link")
        .replace("&amp;", "&");
    let inbox = s.get_session(&href, &viewer).text();
    assert!(!inbox.contains("class=\"error\""), "{href}: {inbox}");
}

#[test]
fn backup_while_serving_then_restore() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let api = s.api_token("ana", "analyst");
    let body = recent_alerts(120);
    assert_eq!(s.ingest(&sensor, 0, body.as_bytes(), &[]).status, 200);
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("soc-backup.db");
    let line = s.cli(&["backup", "--out", out.to_str().unwrap()]);
    assert!(line.contains("quick_check ok"), "{line}");
    // Refuses to overwrite.
    let again = Command::new(BIN)
        .args(["backup", "--out", out.to_str().unwrap(), "--data"])
        .arg(s.data.path())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // The server keeps going after the backup.
    let more = recent_alerts(130);
    let tail: String = more.lines().skip(120).map(|l| format!("{l}\n")).collect();
    assert_eq!(s.ingest(&sensor, 120, tail.as_bytes(), &[]).status, 200);
    assert_eq!(
        s.get_bearer("/api/v1/alerts?limit=1", &api).json()["total"],
        130
    );

    // Restore: a fresh data directory with the backup as soc.db.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&out, restored.path().join("soc.db")).unwrap();
    let r = Server::start_in(restored, "");
    let t = r.get_bearer("/api/v1/alerts?limit=5", &api);
    assert_eq!(t.status, 200, "the API token is in the backup too");
    assert_eq!(t.json()["total"], 120);
    assert_eq!(t.json()["total_exact"], true);
    // The sensor resumes after what the backup had acknowledged.
    let seq = r.ingest(&sensor, 120, tail.as_bytes(), &[]);
    assert_eq!(seq.status, 200, "{}", seq.text());
    assert_eq!(seq.json()["stored"], 10);
}
