//! The triage workflow over the HTTP API against the real binary: escalation to a case
//! with extracted observables and a timeline, assignees and comments, bulk actions on ids
//! and on a query (one audit entry per group), suppressions (sid, CIDR, sensor,
//! combinations, expiry, delete), and the live inbox's server-sent events.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Api<'a> {
    s: &'a Server,
    auth: String,
}

impl<'a> Api<'a> {
    fn new<'s>(s: &'s Server, token: &str) -> Api<'s> {
        Api {
            s,
            auth: format!("Bearer {token}"),
        }
    }
    fn get(&self, path: &str) -> Value {
        let r = self
            .s
            .get_bearer(path, self.auth.trim_start_matches("Bearer "));
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        r.json()
    }
    fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self.s.req(
            method,
            path,
            &[
                ("Authorization", &self.auth),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        );
        (r.status, r.json())
    }
    fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (st, v) = self.send(method, path, body);
        assert!(st == 200 || st == 201, "{method} {path}: {st} {v}");
        v
    }
    /// Audit entries `(action, target, before, after)`, newest first.
    fn audit(&self) -> Vec<(String, String, String, String)> {
        self.get("/api/v1/audit?limit=1000")
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                (s("action"), s("target"), s("before"), s("after"))
            })
            .collect()
    }
    /// Ids of the groups the inbox lists (optionally with suppressed ones).
    fn group_ids(&self, query: &str) -> Vec<i64> {
        self.get(&format!("/api/v1/groups?limit=1000&{query}"))["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_i64().unwrap())
            .collect()
    }
}

const TS: &str = "2023-11-14T22:13:20.000000+0000";

/// Four groups on one sensor: two on flow 7 (with a fileinfo event), two more.
fn seed(s: &Server) -> String {
    let sensor = s.sensor_token("edge-01");
    let lines = [
        alert(TS, 1000001, "CITY WEB SQL injection", "10.0.0.66", "10.0.0.10", 7),
        alert(TS, 1000002, "CITY WEB path traversal", "10.0.0.66", "10.0.0.10", 7),
        r#"{"timestamp":"2023-11-14T22:13:21.000000+0000","flow_id":7,"event_type":"fileinfo","src_ip":"10.0.0.10","src_port":80,"dest_ip":"10.0.0.66","dest_port":40000,"proto":"TCP","app_proto":"http","fileinfo":{"filename":"/x","sha256":"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855","md5":"d41d8cd98f00b204e9800998ecf8427e","size":0}}"#.to_string(),
        alert(TS, 1000003, "CITY SCAN sweep", "192.0.2.7", "10.0.0.11", 8),
        alert(TS, 1000003, "CITY SCAN sweep", "198.51.100.9", "10.0.0.12", 9),
    ];
    let body = lines.join("\n") + "\n";
    let r = s.ingest(&sensor, 0, body.as_bytes(), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    sensor
}

/// Group id by signature and source.
fn group_id(api: &Api, sig: &str, src: &str) -> i64 {
    api.get("/api/v1/groups?limit=1000")["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["signature"] == sig && g["src_ip"] == src)
        .and_then(|g| g["id"].as_i64())
        .unwrap_or_else(|| panic!("no group {sig} from {src}"))
}

#[test]
fn escalation_opens_a_case_with_observables_and_a_timeline() {
    let s = Server::start();
    seed(&s);
    let token = s.api_token("ana", "analyst");
    s.cli(&["user", "add", "bob", "--role", "analyst"]);
    let api = Api::new(&s, &token);
    let sqli = group_id(&api, "CITY WEB SQL injection", "10.0.0.66");
    let trav = group_id(&api, "CITY WEB path traversal", "10.0.0.66");

    let case = api.ok(
        "POST",
        "/api/v1/cases",
        json!({"title": "Web attack on 10.0.0.10", "groups": [sqli, trav]}),
    );
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["status"], "open");
    assert_eq!(case["severity"], 1, "the most severe group's severity");
    assert_eq!(case["groups"], 2);

    let d = api.get(&format!("/api/v1/cases/{id}"));
    let obs: Vec<(String, String, String)> = d["observable_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["value"].as_str().unwrap().to_string(),
                o["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (kind, value) in [
        ("ip", "10.0.0.66"),
        ("ip", "10.0.0.10"),
        ("domain", "shop.city.test"),
        ("url", "http://shop.city.test/x"),
        (
            "hash",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        ("hash", "d41d8cd98f00b204e9800998ecf8427e"),
    ] {
        assert!(
            obs.iter()
                .any(|(k, v, src)| k == kind && v == value && src == "auto"),
            "{kind} {value} in {obs:?}"
        );
    }
    assert_eq!(obs.len(), 6, "{obs:?}");
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "escalation", "escalation"]);
    for g in d["alert_groups"].as_array().unwrap() {
        assert_eq!(g["status"], "in_progress");
        assert_eq!(g["case_id"], id);
    }

    // Changes, comments and observables by hand, each on the timeline.
    let upd = api.ok(
        "PATCH",
        &format!("/api/v1/cases/{id}"),
        json!({"status": "in_progress", "assignee": "bob", "severity": 2}),
    );
    assert_eq!(upd["assignee"], "bob");
    assert_eq!(upd["status"], "in_progress");
    let (st, err) = api.send(
        "PATCH",
        &format!("/api/v1/cases/{id}"),
        json!({"assignee": "nobody-here"}),
    );
    assert_eq!(st, 400, "{err}");
    assert!(err["error"].as_str().unwrap().contains("no user named"));
    api.ok(
        "POST",
        &format!("/api/v1/cases/{id}/comments"),
        json!({"body": "Blocked at the WAF."}),
    );
    api.ok(
        "POST",
        &format!("/api/v1/cases/{id}/observables"),
        json!({"kind": "domain", "value": "C2.Example.NET"}),
    );
    let (st, err) = api.send(
        "POST",
        &format!("/api/v1/cases/{id}/observables"),
        json!({"kind": "ip", "value": "10.0.0.300"}),
    );
    assert_eq!(st, 400);
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("not an IPv4 or IPv6"));
    let (st, _) = api.send(
        "POST",
        &format!("/api/v1/cases/{id}/observables"),
        json!({"kind": "domain", "value": "c2.example.net"}),
    );
    assert_eq!(st, 409, "the same observable twice");
    let d = api.get(&format!("/api/v1/cases/{id}"));
    let tl: Vec<(String, String, String)> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_string(),
                t["actor"].as_str().unwrap().to_string(),
                t["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("status", "status: open \u{2192} in_progress"),
        ("assignee", "assignee: nobody \u{2192} bob"),
        ("severity", "severity: 1 \u{2192} 2"),
        ("comment", "Blocked at the WAF."),
        ("observable", "domain c2.example.net added"),
    ] {
        assert!(
            tl.iter()
                .any(|(k, a, d)| k == want.0 && a == "user:ana" && d == want.1),
            "{want:?} in {tl:?}"
        );
    }

    // A group escalated into the existing case, then the list.
    let scan = group_id(&api, "CITY SCAN sweep", "192.0.2.7");
    let c = api.ok(
        "POST",
        &format!("/api/v1/cases/{id}/groups"),
        json!({"groups": [scan]}),
    );
    assert_eq!(c["groups"], 3);
    let list = api.get("/api/v1/cases?status=in_progress");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(api.get("/api/v1/cases?status=closed"), json!([]));

    // The audit log holds every step.
    let admin = s.api_token("root", "admin");
    let audit = Api::new(&s, &admin).audit();
    let target = format!("case:{id}");
    for action in [
        "case.create",
        "case.update",
        "case.comment",
        "case.observable",
        "case.escalate",
    ] {
        assert!(
            audit.iter().any(|a| a.0 == action && a.1 == target),
            "{action}: {audit:?}"
        );
    }
    let escalations = audit.iter().filter(|a| a.0 == "group.escalate").count();
    assert_eq!(escalations, 3);
}

#[test]
fn assignees_comments_and_bulk_actions() {
    let s = Server::start();
    seed(&s);
    let token = s.api_token("ana", "analyst");
    let api = Api::new(&s, &token);
    assert_eq!(api.group_ids("").len(), 4);
    let ids = [
        group_id(&api, "CITY WEB SQL injection", "10.0.0.66"),
        group_id(&api, "CITY WEB path traversal", "10.0.0.66"),
    ];

    let g = api.ok(
        "POST",
        &format!("/api/v1/groups/{}/assignee", ids[0]),
        json!({"assignee": "ana"}),
    );
    assert_eq!(g["assignee"], "ana");
    let (st, _) = api.send(
        "POST",
        &format!("/api/v1/groups/{}/assignee", ids[0]),
        json!({"assignee": "ghost"}),
    );
    assert_eq!(st, 400);
    api.ok(
        "POST",
        &format!("/api/v1/groups/{}/comments", ids[0]),
        json!({"body": "first look"}),
    );
    let (st, _) = api.send(
        "POST",
        &format!("/api/v1/groups/{}/comments", ids[0]),
        json!({"body": "   "}),
    );
    assert_eq!(st, 400, "empty comments are refused");
    let comments = api.get(&format!("/api/v1/groups/{}/comments", ids[0]));
    assert_eq!(comments.as_array().unwrap().len(), 1);
    assert_eq!(comments[0]["author"], "user:ana");
    assert_eq!(comments[0]["body"], "first look");

    // Bulk on ids: close two with a reason (a reason is required).
    let (st, _) = api.send(
        "POST",
        "/api/v1/groups/bulk",
        json!({"action": "close", "ids": [ids[0], ids[1]]}),
    );
    assert_eq!(st, 400);
    let out = api.ok(
        "POST",
        "/api/v1/groups/bulk",
        json!({"action": "close", "reason": "benign", "ids": [ids[0], ids[1]]}),
    );
    assert_eq!(out["groups"], 2);
    assert_eq!(
        api.group_ids("status=new,acknowledged,in_progress").len(),
        2,
        "closed groups leave the open list"
    );
    // Bulk on a query: everything `sid:1000003` matches, on the server.
    let out = api.ok(
        "POST",
        "/api/v1/groups/bulk",
        json!({"action": "assign", "assignee": "ana", "query": {"q": "sid:1000003"}}),
    );
    assert_eq!(out["groups"], 2);
    let out = api.ok(
        "POST",
        "/api/v1/groups/bulk",
        json!({"action": "escalate", "query": {"q": "sid:1000003", "status": "open"}}),
    );
    assert_eq!(out["case"]["groups"], 2);
    assert!(out["case"]["title"]
        .as_str()
        .unwrap()
        .starts_with("CITY SCAN sweep and 1 more"));
    let (st, _) = api.send(
        "POST",
        "/api/v1/groups/bulk",
        json!({"action": "acknowledge", "ids": [1], "query": {"q": ""}}),
    );
    assert_eq!(st, 400, "ids and query together are ambiguous");

    // One audit entry per group changed.
    let admin = s.api_token("root", "admin");
    let audit = Api::new(&s, &admin).audit();
    let count = |action: &str| audit.iter().filter(|a| a.0 == action).count();
    assert_eq!(count("group.status"), 2, "{audit:?}");
    assert_eq!(count("group.assign"), 3, "{audit:?}");
    assert_eq!(count("group.escalate"), 2, "{audit:?}");
    assert_eq!(count("group.comment"), 1, "{audit:?}");
    let assign = audit
        .iter()
        .find(|a| a.0 == "group.assign" && a.1 == format!("group:{}", ids[0]))
        .unwrap();
    assert_eq!(assign.2, r#"{"assignee":null}"#);
    assert_eq!(assign.3, r#"{"assignee":"ana"}"#);
}

#[test]
fn suppressions_hide_matching_groups_until_they_end() {
    let s = Server::start();
    seed(&s);
    s.sensor_token("edge-02");
    let token = s.api_token("ana", "analyst");
    let api = Api::new(&s, &token);
    let scan_a = group_id(&api, "CITY SCAN sweep", "192.0.2.7");
    let scan_b = group_id(&api, "CITY SCAN sweep", "198.51.100.9");
    assert_eq!(api.group_ids("").len(), 4);

    // Bad suppressions are refused with the reason.
    for (body, want) in [
        (json!({"reason": "x"}), "at least one"),
        (
            json!({"src": "10.0.0.0/40", "reason": "x"}),
            "prefix length",
        ),
        (json!({"sensor": "nope", "reason": "x"}), "no sensor named"),
        (json!({"sid": 1, "reason": " "}), "reason"),
        (
            json!({"sid": 1, "reason": "x", "expires": "2001-01-01T00:00:00Z"}),
            "past",
        ),
    ] {
        let (st, err) = api.send("POST", "/api/v1/suppressions", body.clone());
        assert_eq!(st, 400, "{body}");
        assert!(err["error"].as_str().unwrap().contains(want), "{err}");
    }

    // By source CIDR: one scan group goes, it is still there with the toggle.
    let cidr = api.ok(
        "POST",
        "/api/v1/suppressions",
        json!({"src": "192.0.2.0/24", "reason": "lab scanner"}),
    );
    assert_eq!(cidr["groups"], 1);
    assert_eq!(cidr["author"], "user:ana");
    let open = api.group_ids("");
    assert!(
        !open.contains(&scan_a) && open.contains(&scan_b),
        "{open:?}"
    );
    let all = api.get("/api/v1/groups?suppressed=true");
    let hidden = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == scan_a)
        .expect("shown with the toggle");
    assert_eq!(hidden["suppressed"], true);
    // The alerts themselves are still stored and searchable.
    assert_eq!(api.get("/api/v1/alerts?q=src_ip:192.0.2.7")["total"], 1);

    // A combination narrows: sid 1000003 AND destination 10.0.0.99 matches nothing.
    let combo = api.ok(
        "POST",
        "/api/v1/suppressions",
        json!({"sid": 1000003, "dest": "10.0.0.99", "reason": "narrow"}),
    );
    assert_eq!(combo["groups"], 0);
    assert!(api.group_ids("").contains(&scan_b));
    // By sensor: another sensor hides nothing, ours hides everything.
    api.ok(
        "POST",
        "/api/v1/suppressions",
        json!({"sensor": "edge-02", "reason": "quiet sensor"}),
    );
    assert_eq!(api.group_ids("").len(), 3);
    let by_sensor = api.ok(
        "POST",
        "/api/v1/suppressions",
        json!({"sensor": "edge-01", "sid": 1000003, "reason": "sweeps"}),
    );
    assert!(!api.group_ids("").contains(&scan_b));
    // Deleting ends it; the row stays out of the list, the audit has both.
    let id = by_sensor["id"].as_i64().unwrap();
    let r = s.req(
        "DELETE",
        &format!("/api/v1/suppressions/{id}"),
        &[("Authorization", &api.auth)],
        b"",
    );
    assert_eq!(r.status, 204);
    assert!(api.group_ids("").contains(&scan_b));
    assert_eq!(api.get("/api/v1/suppressions").as_array().unwrap().len(), 3);

    // Expiry: a suppression that ends in two seconds stops hiding by itself.
    api.ok(
        "POST",
        "/api/v1/suppressions",
        json!({"sid": 1000003, "reason": "short", "expires": soc_server::evetime::format_timestamp(soc_server::evetime::now_micros() + 2_000_000)}),
    );
    assert!(!api.group_ids("").contains(&scan_b));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !api.group_ids("").contains(&scan_b) {
        assert!(Instant::now() < deadline, "the suppression never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    let list = api.get("/api/v1/suppressions");
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["reason"] == "short" && x["active"] == false));

    let admin = s.api_token("root", "admin");
    let audit = Api::new(&s, &admin).audit();
    assert_eq!(
        audit.iter().filter(|a| a.0 == "suppression.create").count(),
        5
    );
    let del = audit
        .iter()
        .find(|a| a.0 == "suppression.delete")
        .expect("delete audited");
    assert_eq!(del.1, format!("suppression:{id}"));
    assert!(del.2.contains("sweeps") && del.3 == "null", "{del:?}");
}

/// Reads server-sent events until one's data contains `want`.
fn read_until(stream: &mut TcpStream, buf: &mut String, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut chunk = [0u8; 8192];
    while !buf.contains(want) {
        assert!(
            Instant::now() < deadline,
            "no event with {want:?} in {} bytes",
            buf.len()
        );
        match stream.read(&mut chunk) {
            Ok(0) => panic!("the event stream ended: {buf}"),
            Ok(n) => buf.push_str(&String::from_utf8_lossy(&chunk[..n])),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("reading the event stream: {e}"),
        }
    }
}

#[test]
fn the_live_inbox_streams_new_and_changed_groups() {
    let s = Server::start();
    let sensor = seed(&s);
    let token = s.api_token("ana", "analyst");
    let api = Api::new(&s, &token);
    let mut stream = TcpStream::connect(&s.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    write!(
        stream,
        "GET /inbox/live?status=open HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut buf = String::new();
    read_until(&mut stream, &mut buf, "\r\n\r\n");
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(
        buf.to_ascii_lowercase().contains("text/event-stream"),
        "{buf}"
    );
    // First the current rows, then what changes.
    read_until(&mut stream, &mut buf, "CITY SCAN sweep");
    assert!(buf.contains("event: group"), "{buf}");
    buf.clear();
    let line = alert(
        TS,
        1000099,
        "CITY LIVE new thing",
        "10.7.7.7",
        "10.0.0.10",
        77,
    );
    assert_eq!(
        s.ingest(&sensor, 5, format!("{line}\n").as_bytes(), &[])
            .status,
        200
    );
    read_until(&mut stream, &mut buf, "CITY LIVE new thing");
    assert!(
        !buf.contains("CITY WEB SQL injection"),
        "unchanged rows are not sent again: {buf}"
    );
    // A status change is pushed as the changed row.
    let id = group_id(&api, "CITY WEB SQL injection", "10.0.0.66");
    buf.clear();
    api.ok(
        "POST",
        &format!("/api/v1/groups/{id}/status"),
        json!({"status": "acknowledged"}),
    );
    read_until(&mut stream, &mut buf, "CITY WEB SQL injection");
    assert!(buf.contains("st-acknowledged"), "{buf}");
    // Closed by someone else: it leaves the open inbox.
    buf.clear();
    api.ok(
        "POST",
        &format!("/api/v1/groups/{id}/status"),
        json!({"status": "closed", "reason": "benign"}),
    );
    read_until(&mut stream, &mut buf, &format!("data: {{\"id\":{id}}}"));
    assert!(buf.contains("event: gone"), "{buf}");
}

#[test]
fn an_open_live_inbox_does_not_hold_up_shutdown() {
    let mut s = Server::start();
    seed(&s);
    let token = s.api_token("ana", "analyst");
    let mut stream = TcpStream::connect(&s.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    write!(
        stream,
        "GET /inbox/live HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        s.addr
    )
    .unwrap();
    let mut buf = String::new();
    read_until(&mut stream, &mut buf, "event: group");
    let status = s
        .terminate(Duration::from_secs(30))
        .expect("the server exits on SIGTERM while a live inbox is open");
    assert!(status.success(), "{status}");
}
