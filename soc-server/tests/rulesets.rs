//! Rulesets and sensor health over the API and console: who may upload and publish,
//! validation with the sensor's parser (422 with file:line, sid, keyword), versions and
//! ETag/If-None-Match for sensors, heartbeats on the sensors page, CSRF on console forms.

mod common;
use common::*;

const GOOD: &str = "alert http any any -> any any (msg:\"a\"; http.uri; content:\"/etc/passwd\"; sid:1000004; rev:1;)\nalert tcp any any -> any any (msg:\"b\"; lua:x.lua; sid:7;)\n";
const BROKEN: &str = "alert http any any -> any any (msg:\"a\"; content:\"x\"; sid:1;)\nalert http any any -> any any (msg:\"b\"; content:\"y\" sid:2;)\n";

fn upload(
    s: &Server,
    token: &str,
    name: &str,
    body: &str,
    publish: bool,
) -> soc_server::client::HttpResponse {
    let path = format!("/api/v1/rulesets?name={name}&publish={publish}");
    s.req(
        "POST",
        &path,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "text/plain"),
        ],
        body.as_bytes(),
    )
}

#[test]
fn only_admins_upload_and_publish_and_broken_rulesets_are_refused_with_the_parse_report() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let admin = s.api_token("root", "admin");
    let analyst = s.api_token("ana", "analyst");
    // Nobody without a token, no analyst, no sensor may upload.
    assert_eq!(
        s.req("POST", "/api/v1/rulesets", &[], GOOD.as_bytes())
            .status,
        401
    );
    assert_eq!(upload(&s, &analyst, "a.rules", GOOD, false).status, 403);
    assert_eq!(upload(&s, &sensor, "a.rules", GOOD, false).status, 403);
    // A syntax error refuses the whole file, naming file, line, sid and keyword.
    let r = upload(&s, &admin, "broken.rules", BROKEN, true);
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("broken.rules:2: sid 2: keyword"),
        "{v}"
    );
    assert_eq!(v["errors"][0]["line"], 2);
    assert_eq!(
        s.get_bearer("/api/v1/rulesets", &admin).json(),
        serde_json::json!([])
    );
    // Unsupported keywords are accepted and reported.
    let r = upload(&s, &admin, "../../etc/a.rules", GOOD, false);
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["ruleset"]["version"], 1);
    assert_eq!(v["ruleset"]["name"], "a.rules");
    assert_eq!(v["ruleset"]["rules_loaded"], 1);
    assert_eq!(v["ruleset"]["rules_skipped"], 1);
    assert_eq!(v["report"]["skipped"][0]["keyword"], "lua");
    assert_eq!(v["ruleset"]["active"], false);
    // Analysts see versions but cannot publish.
    assert_eq!(s.get_bearer("/api/v1/rulesets", &analyst).status, 200);
    let publish = |t: &str| {
        s.req(
            "POST",
            "/api/v1/rulesets/1/publish",
            &[("Authorization", &format!("Bearer {t}"))],
            b"",
        )
    };
    assert_eq!(publish(&analyst).status, 403);
    assert_eq!(publish(&sensor).status, 403);
    assert_eq!(
        s.req(
            "POST",
            "/api/v1/rulesets/9/publish",
            &[("Authorization", &format!("Bearer {admin}"))],
            b""
        )
        .status,
        404
    );
    // Sensors: nothing published yet, then the text with its version as ETag.
    assert_eq!(s.get_bearer("/api/v1/sensor/ruleset", &sensor).status, 404);
    assert_eq!(publish(&admin).status, 200);
    let r = s.get_bearer("/api/v1/sensor/ruleset", &sensor);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(r.text(), GOOD);
    let r = s.req(
        "GET",
        "/api/v1/sensor/ruleset",
        &[
            ("Authorization", &format!("Bearer {sensor}")),
            ("If-None-Match", "\"1\""),
        ],
        b"",
    );
    assert_eq!(r.status, 304);
    // Only sensors poll rulesets; only users list them.
    assert_eq!(s.get_bearer("/api/v1/sensor/ruleset", &admin).status, 403);
    assert_eq!(s.req("GET", "/api/v1/sensor/ruleset", &[], b"").status, 401);
    assert_eq!(s.get_bearer("/api/v1/rulesets", &sensor).status, 403);
    // Upload and publication are audited.
    let audit = s.get_bearer("/api/v1/audit", &admin).text();
    assert!(
        audit.contains("ruleset.upload") && audit.contains("ruleset.publish"),
        "{audit}"
    );
}

#[test]
fn heartbeats_fill_the_sensors_page_and_console_forms_need_csrf() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-07");
    let viewer = s.api_token("vic", "viewer");
    let hb = r#"{"version":"0.1.0","ruleset_version":"3","uptime_secs":5,"interface":"eth1","packets":1234,"kernel_drops":2,"internal_drops":0,"spool_bytes":4096,"spool_events":7,"last_ack_seq":99,"events":500,"interval_secs":30}"#;
    let post = |t: &str| {
        s.req(
            "POST",
            "/api/v1/sensor/heartbeat",
            &[
                ("Authorization", &format!("Bearer {t}")),
                ("Content-Type", "application/json"),
            ],
            hb.as_bytes(),
        )
    };
    assert_eq!(post(&viewer).status, 403);
    assert_eq!(
        s.req(
            "POST",
            "/api/v1/sensor/heartbeat",
            &[("Content-Type", "application/json")],
            hb.as_bytes()
        )
        .status,
        401
    );
    assert_eq!(post(&sensor).status, 204);
    let h = s.get_bearer("/api/v1/sensors/health", &viewer).json();
    assert_eq!(h[0]["name"], "edge-07");
    assert_eq!(h[0]["report"]["packets"], 1234);
    assert_eq!(h[0]["report"]["ruleset_version"], "3");
    assert_eq!(s.get_bearer("/api/v1/sensors/health", &sensor).status, 403);
    let page = s.get_bearer("/sensors", &viewer).text();
    assert!(
        page.contains("edge-07") && page.contains("1234") && page.contains("eth1"),
        "{page}"
    );
    assert!(
        !page.contains("Create enrollment token"),
        "viewers cannot enroll"
    );
    // Console: enrollment and uploads need an admin session with its CSRF token.
    let admin = s.session("root", "admin");
    let r = s.post_form("/sensors/enroll", &admin, "name=edge-08", false);
    assert_eq!(r.status, 403);
    let r = s.post_form("/sensors/enroll", &admin, "name=edge-08", true);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("soce_"), "{}", r.text());
    let form = format!(
        "name=x.rules&text={}",
        "alert%20tcp%20any%20any%20-%3E%20any%20any%20(msg%3A%22z%22%3B%20sid%3A5%3B)"
    );
    assert_eq!(s.post_form("/rulesets", &admin, &form, false).status, 403);
    let r = s.post_form("/rulesets", &admin, &format!("{form}&publish=1"), true);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Version 1 stored"), "{}", r.text());
    let r = s.post_form("/rulesets", &admin, "name=b.rules&text=alert%20(", true);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("Upload refused"));
    let viewer_session = s.session("vera", "viewer");
    assert_eq!(
        s.post_form("/rulesets/1/publish", &viewer_session, "", true)
            .status,
        403
    );
}
