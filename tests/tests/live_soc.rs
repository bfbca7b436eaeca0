//! Live capture to a running SOC server, in network namespaces: a client attacks a web
//! server and a DNS port in another namespace, `sensor run -i` captures on the link and
//! ships to `soc-server` (running in the server namespace, on its loopback); the alerts
//! arrive through the API and the sensor's heartbeats fill the sensors page. Then rules
//! from the SOC: a ruleset published on the server replaces the sensor's rules while it
//! captures (a sid that was absent fires, a removed one stops), and a broken ruleset is
//! refused by the server and never reaches the sensor. Needs root, iproute2 and python3.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};

const FAST: &str = "retry_after_secs = 1\n";

/// `sensor run -i` in the lab's server namespace, shipping to `server`.
fn live_sensor(lab: &Lab, server: &Server, token: &str, rules: &Path, dir: &Path) -> Child {
    let log = std::fs::File::create(dir.join("sensor.log")).expect("sensor log");
    Command::new("ip")
        .args(["netns", "exec", &lab.srv])
        .arg(bin("sensor"))
        .args(["--log-level", "info", "run", "-i", &lab.srv_if, "-S"])
        .arg(rules)
        .arg("-l")
        .arg(dir.join("out"))
        .arg("--data-dir")
        .arg(dir.join("state"))
        .arg("--spool")
        .arg(dir.join("spool"))
        .args(["--server", &server.url(), "--token", token])
        .args([
            "--set",
            "rules.poll_interval=1",
            "--set",
            "health.heartbeat_interval=1",
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start sensor")
}

fn sensor_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("sensor.log")).unwrap_or_default()
}

fn wait_started(dir: &Path) {
    wait_until(30, "the sensor's 'live capture started'", || {
        sensor_log(dir).contains("live capture started")
    });
}

/// Alerts stored, counted by sid.
fn sids(server: &Server, api: &str) -> BTreeMap<u64, usize> {
    let mut m = BTreeMap::new();
    for a in server.all_alerts(api) {
        *m.entry(a["alert"]["signature_id"].as_u64().unwrap_or(0))
            .or_default() += 1;
    }
    m
}

/// The sensor's latest heartbeat as the server shows it.
fn health(server: &Server, api: &str, name: &str) -> serde_json::Value {
    let a = server.get("/api/v1/sensors/health", Some(api));
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()
        .as_array()
        .and_then(|v| v.iter().find(|s| s["name"] == name).cloned())
        .unwrap_or_default()
}

fn stop(sensor: &mut KillOnDrop, dir: &Path) {
    ok(&["kill", "-TERM", &sensor.0.id().to_string()]);
    let st = wait_child(&mut sensor.0, 30, "the sensor after SIGTERM");
    assert!(st.success(), "sensor exited with {st}: {}", sensor_log(dir));
}

#[test]
fn live_capture_in_namespaces_ships_http_and_dns_alerts_to_the_soc() {
    let lab = Lab::new(1);
    let tmp = TempDir::new("live-soc");
    let server = Server::start(&tmp.path().join("data"), free_port(), FAST, Some(&lab.srv));
    let (token, api) = server.provision("edge-live");
    let _web = lab.web_server();
    let mut sensor = KillOnDrop(live_sensor(
        &lab,
        &server,
        &token,
        &repo().join("rules/sensor.rules"),
        tmp.path(),
    ));
    wait_started(tmp.path());
    lab.client(&attack_script(
        &[
            "/cgi-bin/../../etc/passwd",
            "/index.html?id=1%27%20or%20%271%27=%271",
        ],
        Some("c2.evil.test"),
    ));
    wait_until(60, "HTTP and DNS alerts through the API", || {
        let m = sids(&server, &api);
        [1000004, 1000002, 1000030]
            .iter()
            .all(|s| m.contains_key(s))
    });
    // Heartbeats: the sensors page and API show the sensor's counters and rules.
    wait_until(30, "a heartbeat with packets", || {
        health(&server, &api, "edge-live")["report"]["packets"]
            .as_u64()
            .unwrap_or(0)
            > 0
    });
    let h = health(&server, &api, "edge-live");
    assert_eq!(h["report"]["ruleset_version"], "local", "{h}");
    assert_eq!(h["report"]["interface"], lab.srv_if.as_str(), "{h}");
    let page = server.get("/sensors", Some(&api));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("edge-live") && page.body.contains("Events/s"),
        "{}",
        page.body
    );
    stop(&mut sensor, tmp.path());
    // Everything the engine raised is at the server, once.
    let raised = eve_alerts(&tmp.path().join("out/eve.json"));
    wait_until(30, "the last alerts after shutdown", || {
        server.alert_total(&api) as usize >= raised.len()
    });
    assert_same_alerts(&raised, &server.all_alerts(&api));
}

#[test]
fn a_published_ruleset_replaces_the_running_rules_and_a_broken_one_never_arrives() {
    let lab = Lab::new(2);
    let tmp = TempDir::new("rule-update");
    let all = std::fs::read_to_string(repo().join("rules/sensor.rules")).expect("rules");
    let pick = |sids: &[&str]| -> String {
        all.lines()
            .filter(|l| sids.iter().any(|s| l.contains(&format!("sid:{s};"))))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    // The sensor starts with the /etc/passwd rule only.
    let local = tmp.path().join("local.rules");
    std::fs::write(&local, pick(&["1000004"])).expect("local rules");
    let server = Server::start(&tmp.path().join("data"), free_port(), FAST, Some(&lab.srv));
    let (token, api) = server.provision("edge-rules");
    let _web = lab.web_server();
    let mut sensor = KillOnDrop(live_sensor(&lab, &server, &token, &local, tmp.path()));
    wait_started(tmp.path());
    let attack = attack_script(
        &["/etc/passwd?id=1%27%20or%20%271%27=%271"],
        Some("c2.evil.test"),
    );

    // 1. Local rules: only 1000004 fires (the SQL injection and DNS rules are absent).
    lab.client(&attack);
    wait_until(60, "sid 1000004 at the server", || {
        sids(&server, &api).contains_key(&1000004)
    });
    let m = sids(&server, &api);
    assert!(
        !m.contains_key(&1000002) && !m.contains_key(&1000030),
        "{m:?}"
    );

    // 2. Publish version 1: SQL injection and DNS rules, without 1000004.
    let v1 = pick(&["1000002", "1000030"]);
    let a = server.post(
        "/api/v1/rulesets?name=v1.rules&publish=true",
        Some(&api),
        "text/plain",
        v1.as_bytes(),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.json()["ruleset"]["version"], 1);
    assert_eq!(a.json()["ruleset"]["rules_loaded"], 2);
    wait_until(60, "the sensor to report ruleset 1", || {
        health(&server, &api, "edge-rules")["report"]["ruleset_version"] == "1"
    });
    let state = tmp.path().join("state/rulesets");
    assert_eq!(
        std::fs::read_to_string(state.join("current"))
            .unwrap_or_default()
            .trim(),
        "1"
    );
    assert_eq!(
        std::fs::read_to_string(state.join("soc-1.rules")).unwrap_or_default(),
        v1
    );

    // The same attack again: now 1000002 and 1000030 fire, 1000004 does not.
    lab.client(&attack);
    wait_until(60, "sids 1000002 and 1000030 at the server", || {
        let m = sids(&server, &api);
        m.contains_key(&1000002) && m.contains_key(&1000030)
    });
    let m = sids(&server, &api);
    assert_eq!(
        m.get(&1000004),
        Some(&1),
        "a removed rule still fired: {m:?}"
    );

    // 3. A broken ruleset is refused with the parse error and never reaches the sensor.
    let broken =
        format!("{v1}alert http any any -> any any (msg:\"broken\"; content:\"x\" sid:1999999;)\n");
    let a = server.post(
        "/api/v1/rulesets?name=broken.rules&publish=true",
        Some(&api),
        "text/plain",
        broken.as_bytes(),
    );
    assert_eq!(a.status, 422, "{}", a.body);
    let err = a.json()["error"].as_str().unwrap_or("").to_string();
    assert!(err.contains("broken.rules:3: sid 1999999"), "{err}");
    let list = server.get("/api/v1/rulesets", Some(&api)).json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["active"], true);
    // Several polls later the sensor still runs version 1, without a load error.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let h = health(&server, &api, "edge-rules");
    assert_eq!(h["report"]["ruleset_version"], "1", "{h}");
    assert!(h["report"]["ruleset_error"].is_null(), "{h}");
    // 4. A ruleset the server accepts but the sensor cannot run (its only rule needs an
    //    event this sensor never raises: 0 rules would load) is published: the sensor
    //    keeps version 1, reports the error, and version 1 keeps detecting.
    let unrunnable = "alert http any any -> any any (msg:\"x\"; app-layer-event:http.no_such_event; sid:1999998;)\n";
    let a = server.post(
        "/api/v1/rulesets?name=v2.rules&publish=true",
        Some(&api),
        "text/plain",
        unrunnable.as_bytes(),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    wait_until(
        60,
        "the sensor to report the failed load of ruleset 2",
        || {
            health(&server, &api, "edge-rules")["report"]["ruleset_error"]
                .as_str()
                .is_some_and(|e| e.starts_with("ruleset 2:"))
        },
    );
    let h = health(&server, &api, "edge-rules");
    assert_eq!(h["report"]["ruleset_version"], "1", "{h}");
    assert_eq!(
        std::fs::read_to_string(state.join("current"))
            .unwrap_or_default()
            .trim(),
        "1"
    );
    lab.client(&attack);
    wait_until(60, "sid 1000002 again under the kept ruleset", || {
        sids(&server, &api).get(&1000002) == Some(&2)
    });
    // The console lists the versions with who uploaded them.
    let page = server.get("/rulesets", Some(&api));
    assert!(
        page.body.contains("v1.rules") && page.body.contains("user:admin1"),
        "{}",
        page.body
    );
    stop(&mut sensor, tmp.path());
    let log = sensor_log(tmp.path());
    assert!(log.contains("rules reloaded"), "{log}");
    assert!(log.contains("ruleset failed to load"), "{log}");
    // The operator sees the running ruleset in `sensor status` (from the stats record).
    let st = Command::new(bin("sensor"))
        .args(["status", "-l"])
        .arg(tmp.path().join("out"))
        .output()
        .expect("sensor status");
    let text = String::from_utf8_lossy(&st.stdout);
    assert!(text.contains("ruleset 1"), "{text}");
}
