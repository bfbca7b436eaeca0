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

// --- triage workflow routes (cases, assignee, comments, bulk, suppressions, live) ---

/// Read routes of the workflow (JSON).
const WORKFLOW_READS: &[&str] = &[
    "/api/v1/cases",
    "/api/v1/cases/1",
    "/api/v1/groups/1/comments",
    "/api/v1/suppressions",
];

/// State-changing workflow API routes with a valid body each.
const WORKFLOW_WRITES: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/cases", r#"{"title":"x","groups":[1]}"#),
    ("PATCH", "/api/v1/cases/1", r#"{"status":"closed"}"#),
    ("POST", "/api/v1/cases/1/groups", r#"{"groups":[1]}"#),
    ("POST", "/api/v1/cases/1/comments", r#"{"body":"x"}"#),
    (
        "POST",
        "/api/v1/cases/1/observables",
        r#"{"kind":"ip","value":"192.0.2.1"}"#,
    ),
    (
        "POST",
        "/api/v1/groups/1/assignee",
        r#"{"assignee":"root"}"#,
    ),
    ("POST", "/api/v1/groups/1/comments", r#"{"body":"x"}"#),
    (
        "POST",
        "/api/v1/groups/bulk",
        r#"{"action":"acknowledge","ids":[1]}"#,
    ),
    (
        "POST",
        "/api/v1/suppressions",
        r#"{"sid":1,"reason":"noise"}"#,
    ),
    ("DELETE", "/api/v1/suppressions/1", ""),
];

/// Console pages of the workflow.
const WORKFLOW_PAGES: &[&str] = &["/cases", "/cases/1", "/suppressions"];

/// Console form posts of the workflow with a valid form each (without `csrf`).
const WORKFLOW_FORMS: &[(&str, &str)] = &[
    ("/inbox/bulk", "action=acknowledge&ids=1"),
    ("/groups/1/assignee", "assignee=root"),
    ("/groups/1/comments", "body=x"),
    ("/cases", "groups=1"),
    ("/cases/1", "status=closed"),
    ("/cases/1/comments", "body=x"),
    ("/cases/1/observables", "kind=ip&value=192.0.2.1"),
    ("/suppressions", "sid=1&reason=noise"),
    ("/suppressions/1/delete", ""),
];

/// A case (#1, holding group 1) and a suppression (#1) made by an admin, so that the
/// routes above have something to act on.
fn seed_workflow(s: &Server) -> (String, String) {
    let sensor = seed(s);
    let admin = s.api_token("root", "admin");
    let auth = format!("Bearer {admin}");
    let h = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let r = s.req(
        "POST",
        "/api/v1/cases",
        &h,
        br#"{"title":"Seeded","groups":[1]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.req(
        "POST",
        "/api/v1/suppressions",
        &h,
        br#"{"sid":42,"reason":"seeded"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    (sensor, admin)
}

/// What the viewer and the sensor must not have changed.
fn assert_workflow_unchanged(s: &Server, admin: &str) {
    let case = s.get_bearer("/api/v1/cases/1", admin).json();
    assert_eq!(case["status"], "open", "{case}");
    assert_eq!(case["title"], "Seeded");
    assert_eq!(case["groups"], 1);
    assert!(
        case["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["kind"] != "comment"),
        "{case}"
    );
    // 10.0.0.66, 10.0.0.10, shop.city.test, http://shop.city.test/x
    assert_eq!(case["observable_list"].as_array().unwrap().len(), 4);
    let groups = s.get_bearer("/api/v1/groups", admin).json();
    assert_eq!(groups["items"][0]["assignee"], serde_json::Value::Null);
    assert_eq!(groups["items"][0]["status"], "in_progress");
    let comments = s.get_bearer("/api/v1/groups/1/comments", admin).json();
    assert_eq!(comments.as_array().map(Vec::len), Some(0));
    let supp = s.get_bearer("/api/v1/suppressions", admin).json();
    let supp = supp.as_array().unwrap();
    assert_eq!(supp.len(), 1, "{supp:?}");
    assert_eq!(supp[0]["active"], true);
    assert_eq!(
        s.get_bearer("/api/v1/cases", admin)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn workflow_routes_refuse_anonymous_callers() {
    let s = Server::start();
    let (_, admin) = seed_workflow(&s);
    for path in WORKFLOW_READS.iter().chain(["/inbox/live"].iter()) {
        assert_eq!(s.req("GET", path, &[], b"").status, 401, "{path}");
        assert_eq!(
            s.get_bearer(path, "socs_not-a-real-token").status,
            401,
            "{path}"
        );
    }
    for (method, path, body) in WORKFLOW_WRITES {
        let r = s.req(
            method,
            path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 401, "{method} {path}");
    }
    for page in WORKFLOW_PAGES {
        let r = s.req("GET", page, &[], b"");
        assert_eq!(r.status, 303, "{page}");
        assert_eq!(r.header("location"), Some("/login"));
    }
    for (path, form) in WORKFLOW_FORMS {
        let r = s.req(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        assert_eq!(r.status, 401, "{path}");
    }
    assert_workflow_unchanged(&s, &admin);
}

#[test]
fn sensor_tokens_cannot_read_or_change_the_workflow() {
    let s = Server::start();
    let (sensor, admin) = seed_workflow(&s);
    let auth = format!("Bearer {sensor}");
    for path in WORKFLOW_READS
        .iter()
        .chain(WORKFLOW_PAGES)
        .chain(["/inbox/live"].iter())
    {
        let st = s.get_bearer(path, &sensor).status;
        assert!(st == 401 || st == 403, "{path}: {st}");
    }
    for (method, path, body) in WORKFLOW_WRITES {
        let r = s.req(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        assert_eq!(r.status, 403, "{method} {path}");
    }
    assert_workflow_unchanged(&s, &admin);
}

#[test]
fn viewers_read_the_workflow_but_cannot_change_it() {
    let s = Server::start();
    let (_, admin) = seed_workflow(&s);
    let token = s.api_token("vera", "viewer");
    let auth = format!("Bearer {token}");
    for path in WORKFLOW_READS {
        assert_eq!(s.get_bearer(path, &token).status, 200, "{path}");
    }
    for (method, path, body) in WORKFLOW_WRITES {
        let r = s.req(
            method,
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text());
    }
    let session = s.session("vic", "viewer");
    for page in WORKFLOW_PAGES {
        let r = s.get_session(page, &session);
        assert_eq!(r.status, 200, "{page}");
        let html = r.text();
        assert!(
            !html.contains("<textarea")
                && !html.contains(r#"method="post" action="/cases"#)
                && !html.contains(r#"action="/suppressions""#),
            "{page} offers no changing forms to viewers"
        );
    }
    let inbox = s.get_session("/inbox", &session).text();
    assert!(!inbox.contains(r#"id="bulk""#) && !inbox.contains("act-esc"));
    for (path, form) in WORKFLOW_FORMS {
        assert_eq!(
            s.post_form(path, &session, form, true).status,
            403,
            "{path}"
        );
    }
    assert_workflow_unchanged(&s, &admin);
}

#[test]
fn workflow_cookie_posts_need_the_csrf_token() {
    let s = Server::start();
    let (_, admin) = seed_workflow(&s);
    let session = s.session("andy", "analyst");
    for (path, form) in WORKFLOW_FORMS {
        assert_eq!(
            s.post_form(path, &session, form, false).status,
            403,
            "{path} without csrf"
        );
        let wrong = format!("csrf=wrong&{form}");
        assert_eq!(
            s.post_form(path, &session, &wrong, false).status,
            403,
            "{path} with a wrong csrf"
        );
    }
    for (method, path, body) in WORKFLOW_WRITES {
        let r = s.req(
            method,
            path,
            &[
                ("Cookie", &session.cookie),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        assert_eq!(r.status, 403, "{method} {path} needs X-CSRF-Token");
    }
    assert_workflow_unchanged(&s, &admin);
    // With the token, the analyst may.
    let r = s.post_form("/groups/1/comments", &session, "body=looked+at+it", true);
    assert_eq!(r.status, 303, "{}", r.text());
    let r = s.req(
        "PATCH",
        "/api/v1/cases/1",
        &[
            ("Cookie", &session.cookie),
            ("Content-Type", "application/json"),
            ("X-CSRF-Token", &session.csrf),
        ],
        br#"{"status":"in_progress"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
}
