//! Live capture end to end, in network namespaces joined by a veth pair: a client attacks
//! a web server in another namespace, `sensor run -i` captures on the server's link and the
//! alerts land in eve.json. Needs root and iproute2; fails with a message otherwise.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Lab {
    cli: String,
    srv: String,
}

fn sh(args: &[&str]) -> std::process::Output {
    Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {args:?}: {e} (the live test needs iproute2)"))
}

fn ok(args: &[&str]) {
    let o = sh(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

impl Lab {
    /// `n` tells apart labs of tests running at once in this process.
    fn new(n: u32) -> Lab {
        let uid = unsafe_free_uid();
        assert_eq!(
            uid, 0,
            "the live capture test needs root (network namespaces, AF_PACKET)"
        );
        let tag = (std::process::id() % 10_000) * 10 + n;
        let lab = Lab {
            cli: format!("slc{tag}"),
            srv: format!("sls{tag}"),
        };
        ok(&["ip", "netns", "add", &lab.cli]);
        ok(&["ip", "netns", "add", &lab.srv]);
        let (vc, vs) = (format!("vc{tag}"), format!("vs{tag}"));
        ok(&[
            "ip", "link", "add", &vc, "netns", &lab.cli, "type", "veth", "peer", "name", &vs,
            "netns", &lab.srv,
        ]);
        ok(&[
            "ip",
            "-n",
            &lab.cli,
            "addr",
            "add",
            "10.200.7.1/24",
            "dev",
            &vc,
        ]);
        ok(&[
            "ip",
            "-n",
            &lab.srv,
            "addr",
            "add",
            "10.200.7.2/24",
            "dev",
            &vs,
        ]);
        for (ns, dev) in [(&lab.cli, &vc), (&lab.srv, &vs)] {
            ok(&["ip", "-n", ns, "link", "set", dev, "up"]);
            ok(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }
    fn srv_if(&self) -> String {
        format!("vs{}", &self.srv[3..])
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = sh(&["ip", "netns", "del", &self.cli]);
        let _ = sh(&["ip", "netns", "del", &self.srv]);
    }
}

/// The effective user id, read from /proc (no unsafe).
fn unsafe_free_uid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(u32::MAX)
}

#[test]
fn live_capture_in_namespaces_raises_alerts() {
    live_capture(1);
}

#[test]
fn live_capture_with_two_fanout_workers_raises_alerts() {
    live_capture(2);
}

fn live_capture(workers: u32) {
    let lab = Lab::new(workers);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::temp_dir().join(format!("sensor-live-{}-{workers}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let web = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.srv,
            "python3",
            "-m",
            "http.server",
            "8080",
            "--bind",
            "10.200.7.2",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 is needed for the test web server");
    let mut web = KillOnDrop(web);
    let mut sensor = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.srv,
            env!("CARGO_BIN_EXE_sensor"),
            "--log-level",
            "info",
            "run",
            "-i",
        ])
        .arg(lab.srv_if())
        .args(["--workers", &workers.to_string()])
        .arg("-S")
        .arg(root.join("rules/sensor.rules"))
        .arg("-l")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sensor");
    // Wait until the capture runs (its log line), then attack.
    let mut stderr = sensor.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut all = String::new();
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.push_str(&String::from_utf8_lossy(&buf[..n]));
            if all.contains("live capture started") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("sensor did not report 'live capture started' within 20 s");
    let client = r#"
import socket, time, urllib.request
for _ in range(50):
    try:
        urllib.request.urlopen("http://10.200.7.2:8080/", timeout=1).read(); break
    except Exception:
        time.sleep(0.1)
for path in ["/cgi-bin/../../etc/passwd", "/index.html?id=1%27%20or%20%271%27=%271"]:
    try:
        urllib.request.urlopen("http://10.200.7.2:8080" + path, timeout=2).read()
    except Exception:
        pass
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02c2\x04evil\x04test\x00\x00\x01\x00\x01"
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(q, ("10.200.7.2", 53))
"#;
    ok(&["ip", "netns", "exec", &lab.cli, "python3", "-c", client]);
    std::thread::sleep(Duration::from_millis(800));
    ok(&["kill", "-TERM", &sensor.id().to_string()]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = sensor.try_wait().expect("wait") {
            assert!(status.success(), "sensor exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "sensor did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = web.0.kill();
    // The operator's view of the run that just ended: recent, with kernel counters.
    let st = Command::new(env!("CARGO_BIN_EXE_sensor"))
        .args(["status", "-l"])
        .arg(&out)
        .output()
        .expect("sensor status");
    let st_out = String::from_utf8_lossy(&st.stdout);
    assert!(st.status.success(), "sensor status: {st_out}");
    assert!(st_out.contains("kernel packets"), "{st_out}");
    let eve = std::fs::read_to_string(out.join("eve.json")).expect("eve.json");
    let sids: Vec<u64> = eve
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event_type"] == "alert")
        .filter_map(|e| e["alert"]["signature_id"].as_u64())
        .collect();
    let _ = std::fs::remove_dir_all(&out);
    assert!(
        sids.contains(&1000004),
        "/etc/passwd alert missing: {sids:?}\n{eve}"
    );
    assert!(
        sids.contains(&1000002),
        "SQL injection alert missing: {sids:?}"
    );
    assert!(sids.contains(&1000030), "DNS alert missing: {sids:?}");
    assert!(
        eve.contains("\"kernel_packets\""),
        "final stats record lacks capture counters"
    );
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn eve_sid_count(eve: &std::path::Path, sid: u64) -> usize {
    std::fs::read_to_string(eve)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event_type"] == "alert" && e["alert"]["signature_id"] == sid)
        .count()
}

fn wait_for(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGHUP re-reads the rule files while capturing: the new rules apply to the next
/// packets without a restart; a file that does not load leaves the running rules in place.
#[test]
fn sighup_reloads_rules_while_capturing_and_keeps_them_when_the_file_is_broken() {
    let lab = Lab::new(3);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("sensor-hup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let all = std::fs::read_to_string(root.join("rules/sensor.rules")).expect("rules");
    let rule = |sid: &str| -> String {
        all.lines()
            .find(|l| l.contains(&format!("sid:{sid};")))
            .map(|l| format!("{l}\n"))
            .expect("rule in rules/sensor.rules")
    };
    let rules = dir.join("hup.rules");
    std::fs::write(&rules, rule("1000004")).expect("rules");
    let web = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.srv,
            "python3",
            "-m",
            "http.server",
            "8080",
            "--bind",
            "10.200.7.2",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 is needed for the test web server");
    let _web = KillOnDrop(web);
    let log_path = dir.join("sensor.log");
    let sensor = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.srv,
            env!("CARGO_BIN_EXE_sensor"),
            "--log-level",
            "info",
            "run",
            "-i",
        ])
        .arg(lab.srv_if())
        .arg("-S")
        .arg(&rules)
        .arg("-l")
        .arg(dir.join("out"))
        .stderr(std::fs::File::create(&log_path).expect("log"))
        .spawn()
        .expect("start sensor");
    let mut sensor = KillOnDrop(sensor);
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    wait_for(20, "live capture started", || {
        log().contains("live capture started")
    });
    let attack = r#"
import time, urllib.request
for _ in range(50):
    try:
        urllib.request.urlopen("http://10.200.7.2:8080/", timeout=1).read(); break
    except Exception:
        time.sleep(0.1)
try:
    urllib.request.urlopen("http://10.200.7.2:8080/etc/passwd?id=1%27%20or%20%271%27=%271", timeout=2).read()
except Exception:
    pass
"#;
    let eve = dir.join("out/eve.json");
    ok(&["ip", "netns", "exec", &lab.cli, "python3", "-c", attack]);
    wait_for(20, "sid 1000004", || eve_sid_count(&eve, 1000004) == 1);
    assert_eq!(eve_sid_count(&eve, 1000002), 0);

    // New rules on disk + SIGHUP: the SQL injection rule replaces the /etc/passwd one.
    std::fs::write(&rules, rule("1000002")).expect("rules");
    let pid = sensor.0.id().to_string();
    ok(&["kill", "-HUP", &pid]);
    wait_for(20, "'rules reloaded'", || log().contains("rules reloaded"));
    ok(&["ip", "netns", "exec", &lab.cli, "python3", "-c", attack]);
    wait_for(20, "sid 1000002 after the reload", || {
        eve_sid_count(&eve, 1000002) == 1
    });
    assert_eq!(
        eve_sid_count(&eve, 1000004),
        1,
        "the removed rule fired again"
    );

    // A broken file: the reload fails, the running rules stay.
    std::fs::write(
        &rules,
        "alert http any any -> any any (msg:\"broken\"; content:\"x\" sid:7;)\n",
    )
    .expect("rules");
    ok(&["kill", "-HUP", &pid]);
    wait_for(20, "the failed reload", || {
        log().contains("ruleset failed to load")
    });
    ok(&["ip", "netns", "exec", &lab.cli, "python3", "-c", attack]);
    wait_for(20, "sid 1000002 with the kept rules", || {
        eve_sid_count(&eve, 1000002) == 2
    });
    assert_eq!(eve_sid_count(&eve, 1000004), 1);

    ok(&["kill", "-TERM", &pid]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = sensor.0.try_wait().expect("wait") {
            assert!(status.success(), "sensor exited with {status}: {}", log());
            break;
        }
        assert!(Instant::now() < deadline, "sensor did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
