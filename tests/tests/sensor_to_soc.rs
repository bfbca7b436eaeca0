//! The sensor ships a capture's events to a running SOC server: the alerts appear through
//! the API, a replay stores nothing twice, and an unreachable server keeps the events in
//! the spool until the next run delivers them.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sensor_net::testkit::TcpConversation;

/// Binaries of the workspace, built by `cargo test --workspace` next to this test's binary.
fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let p = dir.join(name);
    assert!(
        p.is_file(),
        "{} is missing: run the workspace tests (cargo test --workspace) so that it is built",
        p.display()
    );
    p
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn last_line(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string()
}

struct Server {
    child: Child,
    data: PathBuf,
}

impl Server {
    fn start(data: &Path, port: u16) -> Server {
        let child = Command::new(bin("soc-server"))
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start soc-server");
        let s = Server {
            child,
            data: data.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while get(port, "/healthz", None).0 != 200 {
            assert!(
                Instant::now() < deadline,
                "soc-server did not answer /healthz"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    fn cli(&self, args: &[&str]) -> String {
        let o = Command::new(bin("soc-server"))
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .output()
            .expect("soc-server cli");
        last_line(&o)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP GET; returns (status, body).
fn get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    );
    let mut text = String::new();
    let _ = BufReader::new(s).read_to_string(&mut text);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, dechunk(&body))
}

fn dechunk(body: &str) -> String {
    // Good enough for test answers: strip chunk-size lines when the body is chunked.
    let first = body.lines().next().unwrap_or("");
    if u64::from_str_radix(first.trim(), 16).is_err() {
        return body.to_string();
    }
    let mut out = String::new();
    let mut lines = body.split("\r\n");
    while let Some(size) = lines.next() {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 {
            break;
        }
        let mut chunk = String::new();
        for l in lines.by_ref() {
            chunk.push_str(l);
            if chunk.len() >= n {
                break;
            }
            chunk.push_str("\r\n");
        }
        out.push_str(&chunk);
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn attack_pcap(path: &Path) {
    let mut c = TcpConversation::new(
        "192.168.10.5:41000".parse().unwrap(),
        "10.1.1.80:80".parse().unwrap(),
    );
    c.handshake()
        .client_send(b"GET /cgi-bin/../../etc/passwd HTTP/1.1\r\nHost: shop\r\nUser-Agent: sqlmap/1.7\r\n\r\n")
        .server_send(b"HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\nroot:x:0:0:root:/root:/bin\n")
        .close();
    c.write_pcap(path).unwrap();
}

fn sensor_run(
    pcap: &Path,
    out: &Path,
    spool: &Path,
    port: u16,
    token: &str,
    timeout: u64,
) -> Output {
    Command::new(bin("sensor"))
        .args(["run", "-r"])
        .arg(pcap)
        .arg("-S")
        .arg(repo().join("rules/sensor.rules"))
        .arg("-l")
        .arg(out)
        .arg("--spool")
        .arg(spool)
        .args([
            "--server",
            &format!("http://127.0.0.1:{port}"),
            "--token",
            token,
        ])
        .args(["--ship-timeout", &timeout.to_string()])
        .output()
        .expect("run sensor")
}

fn alerts(port: u16, api: &str) -> serde_json::Value {
    let (status, body) = get(port, "/api/v1/alerts?q=&limit=100", Some(api));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn sensor_ships_alerts_exactly_once_even_across_an_outage() {
    let tmp = std::env::temp_dir().join(format!("it-ship-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let pcap = tmp.join("attack.pcap");
    attack_pcap(&pcap);
    let port = free_port();
    let data = tmp.join("data");
    let spool = tmp.join("spool");

    // 1. The server is down: the sensor keeps everything in its spool and says so.
    let o = sensor_run(&pcap, &tmp.join("out1"), &spool, port, "not-yet-valid", 2);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("wait in the spool"), "{err}");
    assert!(
        !err.contains("not-yet-valid"),
        "the token must never be printed: {err}"
    );

    // 2. Server up; the sensor's token; the pending events are delivered by the next run,
    //    whose own events (the same capture again) follow them.
    let server = Server::start(&data, port);
    let token = server.cli(&["sensor", "add", "edge-01"]);
    let _ = server.cli(&["user", "add", "alice", "--role", "analyst"]);
    let api = server.cli(&["token", "add", "--user", "alice"]);
    let o = sensor_run(&pcap, &tmp.join("out2"), &spool, port, &token, 30);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The sensor's own stats record reports the spool: nothing dropped.
    let eve = std::fs::read_to_string(tmp.join("out2/eve.json")).unwrap();
    let stats: serde_json::Value = eve
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["event_type"] == "stats")
        .expect("stats record");
    let sp = &stats["stats"]["spool"];
    assert!(sp["appended"].as_u64().unwrap_or(0) > 0, "{sp}");
    assert_eq!(sp["dropped_alert"], 0);
    assert_eq!(sp["dropped_non_alert"], 0);
    let v = alerts(port, &api);
    let sids: Vec<u64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["alert"]["signature_id"].as_u64())
        .collect();
    for sid in [1000003u64, 1000004, 1000010, 1000015] {
        assert_eq!(
            sids.iter().filter(|s| **s == sid).count(),
            2,
            "sid {sid}: two runs of the capture, each stored once: {sids:?}"
        );
    }
    let total = v["total"].as_u64().unwrap();
    assert_eq!(total as usize, sids.len());
    let first = &v["items"][0];
    assert_eq!(first["event_type"], "alert");
    assert!(
        first["src_ip"].is_string() && first["flow_id"].is_u64(),
        "{first}"
    );

    // 3. A replay of the same spooled batches (the spool's cursor reset) stores nothing twice.
    let cursor = spool.join("cursor.json");
    if cursor.exists() {
        std::fs::remove_file(&cursor).unwrap();
    }
    let o = sensor_run(
        &pcap,
        &tmp.join("out3"),
        &tmp.join("spool-replay"),
        port,
        &token,
        30,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        alerts(port, &api)["total"].as_u64(),
        Some(total),
        "a replay stored alerts twice"
    );

    // 4. A sensor token cannot read.
    assert!(matches!(
        get(port, "/api/v1/alerts", Some(&token)).0,
        401 | 403
    ));
    assert_eq!(get(port, "/api/v1/alerts", None).0, 401);
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn enrollment_gives_a_sensor_credentials_it_ships_with() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::env::temp_dir().join(format!("it-enroll-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let port = free_port();
    let server = Server::start(&tmp.join("data"), port);
    let enroll_token = server.cli(&["sensor", "enroll", "edge-09"]);
    let _ = server.cli(&["user", "add", "bob", "--role", "viewer"]);
    let api = server.cli(&["token", "add", "--user", "bob"]);
    let creds = tmp.join("etc/credentials.json");
    let url = format!("http://127.0.0.1:{port}");
    let enroll = |t: &str| {
        Command::new(bin("sensor"))
            .args(["enroll", "--server", &url, "--token", t, "--credentials"])
            .arg(&creds)
            .output()
            .expect("sensor enroll")
    };
    let o = enroll(&enroll_token);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mode = std::fs::metadata(&creds).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "credentials must be readable by their owner only"
    );
    let text = std::fs::read_to_string(&creds).unwrap();
    assert!(text.contains("\"sensor\": \"edge-09\""), "{text}");
    // The enrollment token is single use.
    let again = enroll(&enroll_token);
    assert!(
        !again.status.success(),
        "a used enrollment token was accepted twice"
    );
    // The credentials are enough to ship.
    let pcap = tmp.join("attack.pcap");
    attack_pcap(&pcap);
    let o = Command::new(bin("sensor"))
        .args(["run", "-r"])
        .arg(&pcap)
        .arg("-S")
        .arg(repo().join("rules/sensor.rules"))
        .arg("-l")
        .arg(tmp.join("out"))
        .arg("--credentials")
        .arg(&creds)
        .output()
        .expect("sensor run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = alerts(port, &api);
    assert!(v["total"].as_u64().unwrap_or(0) >= 4, "{v}");
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
}
