//! The console over HTTP: login, inbox, group and event views, triage with audit.

mod common;
use common::*;

#[test]
fn analyst_triages_from_the_inbox_and_every_change_is_audited() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let mut a = alert(
        "2023-11-14T22:13:20Z",
        1000001,
        "CITY WEB SQL injection <script>",
        "10.0.0.66",
        "10.0.0.10",
        42,
    );
    a.insert_str(
        a.len() - 1,
        r#","payload":"R0VUIC8/aWQ9MSBVTklPTiBTRUxFQ1Q=""#,
    );
    let body = format!("{a}\n{}\n", flow("2023-11-14T22:13:25Z", 42));
    assert_eq!(s.ingest(&sensor, 0, body.as_bytes(), &[]).status, 200);

    let session = s.session("andy", "analyst");
    let inbox = s.get_session("/inbox", &session).text();
    assert!(
        inbox.contains("CITY WEB SQL injection &lt;script&gt;"),
        "escaped signature in inbox"
    );
    assert!(!inbox.contains("<script>"), "no raw markup from events");
    assert!(inbox.contains("10.0.0.66") && inbox.contains("edge-01"));

    let group = s.get_session("/groups/1", &session);
    assert_eq!(group.status, 200);
    let event_link = between(&group.text(), "href=\"/events/", "\"").expect("event link");
    let event = s
        .get_session(&format!("/events/{event_link}"), &session)
        .text();
    assert!(event.contains("GET /?id=1 UNION SELECT"), "payload as text");
    assert!(event.contains("47 45 54 20"), "payload as hex");
    assert!(event.contains("flow"), "same-flow events listed");

    let r = s.post_form(
        "/groups/1/status",
        &session,
        "status=acknowledged&back=/inbox",
        true,
    );
    assert_eq!(r.status, 303);
    let r = s.post_form(
        "/groups/1/status",
        &session,
        "status=closed&reason=true_positive",
        true,
    );
    assert_eq!(r.status, 303);
    let closed = s.post_form("/groups/1/status", &session, "status=closed", true);
    assert_eq!(closed.status, 400, "closing needs a reason");

    let open_inbox = s.get_session("/inbox", &session).text();
    assert!(
        open_inbox.contains("No alert groups match"),
        "closed groups leave the open inbox"
    );
    let all = s.get_session("/inbox?status=closed", &session).text();
    assert!(all.contains("closed (true_positive)"));

    let admin = s.api_token("root", "admin");
    let audit = s.get_bearer("/api/v1/audit", &admin).json();
    let changes: Vec<(String, String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "group.status")
        .map(|e| {
            (
                e["actor"].as_str().unwrap().into(),
                e["before"].as_str().unwrap().into(),
                e["after"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(changes.len(), 2, "{audit}");
    assert_eq!(changes[0].0, "user:andy");
    assert!(
        changes[0].1.contains("acknowledged") && changes[0].2.contains("true_positive"),
        "{changes:?}"
    );
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "sensor.create" && e["actor"] == "cli"));
}

#[test]
fn admin_adds_users_and_sensors_from_the_console() {
    let s = Server::start();
    let session = s.session("root", "admin");
    let page = s.post_form("/admin/users", &session, "name=newbie&role=viewer", true);
    assert_eq!(page.status, 200);
    let pw = between(
        &page.text(),
        "One-time password (shown once): <code>",
        "</code>",
    )
    .expect("password shown");
    let newbie = s.login("newbie", &pw);
    assert_eq!(s.get_session("/inbox", &newbie).status, 200);
    let page = s.post_form("/admin/sensors", &session, "name=edge-09", true);
    let token =
        between(&page.text(), "Ingest token (shown once): <code>", "</code>").expect("token shown");
    let r = s.ingest(
        &token,
        0,
        (flow("2023-11-14T22:13:20Z", 1) + "\n").as_bytes(),
        &[],
    );
    assert_eq!(r.status, 200);
    let admin_page = s.get_session("/admin", &session).text();
    assert!(admin_page.contains("user.create") && admin_page.contains("user:root"));
    assert!(!admin_page.contains(&token), "secrets are shown once");
}

#[test]
fn logout_ends_the_session() {
    let s = Server::start();
    let session = s.session("andy", "analyst");
    assert_eq!(s.post_form("/logout", &session, "", true).status, 303);
    assert_eq!(s.get_session("/inbox", &session).status, 303);
}

#[test]
fn static_assets_are_embedded() {
    let s = Server::start();
    let js = s.req("GET", "/static/app.js", &[], b"");
    assert_eq!(js.status, 200);
    assert!(js.text().contains("keydown"));
    assert_eq!(s.req("GET", "/static/app.css", &[], b"").status, 200);
    let login = s.req("GET", "/login", &[], b"").text();
    assert!(
        !login.contains("http://") && !login.contains("https://"),
        "no CDN"
    );
}
