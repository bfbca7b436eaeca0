//! Who may do what: every route refuses anonymous callers, sensor tokens only ingest,
//! viewers cannot change alerts, analysts cannot manage users, cookie posts need CSRF.

mod common;
use common::*;

const READ_ROUTES: &[&str] = &[
    "/api/v1/alerts",
    "/api/v1/events",
    "/api/v1/groups",
    "/api/v1/users",
    "/api/v1/sensors",
    "/api/v1/audit",
];

fn seed(s: &Server) -> String {
    let sensor = s.sensor_token("edge-01");
    let body = alert(
        "2023-11-14T22:13:20Z",
        1000001,
        "CITY WEB SQL injection",
        "10.0.0.66",
        "10.0.0.10",
        7,
    ) + "\n";
    assert_eq!(s.ingest(&sensor, 0, body.as_bytes(), &[]).status, 200);
    sensor
}

#[test]
fn every_route_refuses_anonymous_callers() {
    let s = Server::start();
    seed(&s);
    for path in READ_ROUTES {
        assert_eq!(s.req("GET", path, &[], b"").status, 401, "{path}");
        assert_eq!(
            s.get_bearer(path, "socs_not-a-real-token").status,
            401,
            "{path}"
        );
    }
    for (path, body) in [
        ("/api/v1/ingest", "{}"),
        ("/api/v1/groups/1/status", r#"{"status":"acknowledged"}"#),
        ("/api/v1/users", r#"{"name":"x","role":"admin"}"#),
        ("/api/v1/sensors", r#"{"name":"x"}"#),
    ] {
        let r = s.req(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 401, "{path}");
    }
    for page in ["/inbox", "/groups/1", "/events/1", "/admin"] {
        let r = s.req("GET", page, &[], b"");
        assert_eq!(r.status, 303, "{page}");
        assert_eq!(r.header("location"), Some("/login"));
    }
    for (path, form) in [
        ("/groups/1/status", "status=acknowledged"),
        ("/admin/users", "name=x&role=admin"),
        ("/admin/sensors", "name=x"),
        ("/logout", ""),
    ] {
        let r = s.req(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        assert_eq!(r.status, 401, "{path}");
    }
    // A forged session cookie is no session.
    let r = s.req(
        "GET",
        "/api/v1/alerts",
        &[("Cookie", "soc_session=forged")],
        b"",
    );
    assert_eq!(r.status, 401);
}

#[test]
fn sensor_tokens_can_only_ingest() {
    let s = Server::start();
    let sensor = seed(&s);
    for path in READ_ROUTES {
        let st = s.get_bearer(path, &sensor).status;
        assert!(st == 401 || st == 403, "{path}: {st}");
    }
    let auth = format!("Bearer {sensor}");
    let r = s.req(
        "POST",
        "/api/v1/groups/1/status",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        br#"{"status":"acknowledged"}"#,
    );
    assert_eq!(r.status, 403);
    // And a user's API token cannot ingest.
    let api = s.api_token("ana", "analyst");
    assert_eq!(s.ingest(&api, 0, b"", &[]).status, 403);
}

#[test]
fn viewer_cannot_change_alerts() {
    let s = Server::start();
    seed(&s);
    let token = s.api_token("vera", "viewer");
    let auth = format!("Bearer {token}");
    assert_eq!(s.get_bearer("/api/v1/alerts", &token).status, 200);
    let r = s.req(
        "POST",
        "/api/v1/groups/1/status",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        br#"{"status":"acknowledged"}"#,
    );
    assert_eq!(r.status, 403);
    let session = s.session("vic", "viewer");
    let page = s.get_session("/inbox", &session);
    assert!(
        !page.text().contains("act-ack"),
        "no triage buttons for viewers"
    );
    let r = s.post_form("/groups/1/status", &session, "status=acknowledged", true);
    assert_eq!(r.status, 403);
    let groups = s.get_bearer("/api/v1/groups", &token).json();
    assert_eq!(groups["items"][0]["status"], "new");
}

#[test]
fn analyst_cannot_manage_users_or_sensors() {
    let s = Server::start();
    let token = s.api_token("ana", "analyst");
    let auth = format!("Bearer {token}");
    for path in ["/api/v1/users", "/api/v1/sensors", "/api/v1/audit"] {
        assert_eq!(s.get_bearer(path, &token).status, 403, "{path}");
    }
    let r = s.req(
        "POST",
        "/api/v1/users",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        br#"{"name":"mallory","role":"admin"}"#,
    );
    assert_eq!(r.status, 403);
    let session = s.session("andy", "analyst");
    assert_eq!(s.get_session("/admin", &session).status, 403);
    assert_eq!(
        s.post_form("/admin/users", &session, "name=mallory&role=admin", true)
            .status,
        403
    );
    assert_eq!(
        s.post_form("/admin/sensors", &session, "name=rogue", true)
            .status,
        403
    );
    let admin = s.api_token("root", "admin");
    let users = s.get_bearer("/api/v1/users", &admin).json();
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["name"] != "mallory"));
}

#[test]
fn cookie_posts_without_csrf_token_are_refused() {
    let s = Server::start();
    seed(&s);
    let session = s.session("andy", "analyst");
    assert_eq!(
        s.post_form("/groups/1/status", &session, "status=acknowledged", false)
            .status,
        403
    );
    assert_eq!(
        s.post_form(
            "/groups/1/status",
            &session,
            "csrf=wrong&status=acknowledged",
            false
        )
        .status,
        403
    );
    let r = s.req(
        "POST",
        "/api/v1/groups/1/status",
        &[
            ("Cookie", &session.cookie),
            ("Content-Type", "application/json"),
        ],
        br#"{"status":"acknowledged"}"#,
    );
    assert_eq!(
        r.status, 403,
        "JSON with a session cookie needs X-CSRF-Token"
    );
    let r = s.req(
        "POST",
        "/api/v1/groups/1/status",
        &[
            ("Cookie", &session.cookie),
            ("Content-Type", "application/json"),
            ("X-CSRF-Token", &session.csrf),
        ],
        br#"{"status":"acknowledged"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Login itself needs the login form's token.
    let r = s.req(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"username=andy&password=x",
    );
    assert_eq!(r.status, 403);
    assert_eq!(s.post_form("/logout", &session, "", false).status, 403);
}

#[test]
fn repeated_failed_logins_are_rate_limited() {
    let s = Server::start();
    s.cli(&["user", "add", "ana", "--role", "analyst"]);
    let mut last = 0;
    for _ in 0..7 {
        let page = s.req("GET", "/login", &[], b"");
        let c = set_cookie(&page, "soc_login").unwrap();
        let csrf = between(&page.text(), r#"name="csrf" value=""#, "\"").unwrap();
        let cookie = format!("soc_login={c}");
        let form = format!("csrf={csrf}&username=ana&password=wrong");
        last = s
            .req(
                "POST",
                "/login",
                &[
                    ("Cookie", &cookie),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                form.as_bytes(),
            )
            .status;
    }
    assert_eq!(last, 429);
}

#[test]
fn session_cookie_is_secure_httponly_strict() {
    let s = Server::start();
    let pw = s.cli(&["user", "add", "ana", "--role", "analyst"]);
    let page = s.req("GET", "/login", &[], b"");
    let c = set_cookie(&page, "soc_login").unwrap();
    let csrf = between(&page.text(), r#"name="csrf" value=""#, "\"").unwrap();
    let cookie = format!("soc_login={c}");
    let form = format!("csrf={csrf}&username=ana&password={pw}");
    let r = s.req(
        "POST",
        "/login",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    let set = r
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("soc_session="))
        .map(|(_, v)| v.clone())
        .unwrap();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(set.contains(attr), "{set}");
    }
}
