//! Helpers shared by the cross-program tests: the workspace binaries, a real SOC server
//! process (optionally inside a network namespace), a small HTTP client, captures with
//! many alerts, and network-namespace labs for live capture.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sensor_net::capture::{PcapWriter, Timestamp, LINKTYPE_ETHERNET};
use sensor_net::testkit::TcpConversation;

/// Binaries of the workspace, built by `cargo test --workspace` next to this test's binary.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let p = dir.join(name);
    assert!(
        p.is_file(),
        "{} is missing: build the workspace binaries first (cargo test --workspace, or cargo build -p sensor -p soc-server with the same profile)",
        p.display()
    );
    p
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh temporary folder, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("it-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The last line of a successful command's stdout (where secrets are printed).
pub fn last_line(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// A port free right now on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A TCP connection to 127.0.0.1:port, made from inside network namespace `ns` when given
/// (the connecting thread joins it; the socket stays in it).
pub fn connect(ns: Option<&str>, port: u16) -> std::io::Result<TcpStream> {
    let Some(ns) = ns else {
        return TcpStream::connect(("127.0.0.1", port));
    };
    let path = format!("/var/run/netns/{ns}");
    std::thread::scope(|s| {
        s.spawn(|| {
            use std::os::fd::AsRawFd;
            let f = std::fs::File::open(&path)?;
            // SAFETY: setns on this thread only, with a valid namespace file descriptor.
            let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
            if rc != 0 {
                return Err(std::io::Error::last_os_error());
            }
            TcpStream::connect(("127.0.0.1", port))
        })
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("setns thread panicked")))
    })
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: HTTP {} {}", self.status, self.body))
    }
}

/// One HTTP/1.1 request with `Connection: close`; status 0 when the server is unreachable.
pub fn http(
    ns: Option<&str>,
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let unreachable = || Answer {
        status: 0,
        headers: BTreeMap::new(),
        body: String::new(),
    };
    let Ok(mut s) = connect(ns, port) else {
        return unreachable();
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if s.write_all(head.as_bytes())
        .and_then(|_| s.write_all(body))
        .is_err()
    {
        return unreachable();
    }
    let mut raw = Vec::new();
    if s.read_to_end(&mut raw).is_err() && raw.is_empty() {
        return unreachable();
    }
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return unreachable();
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let Some(n) = size else { break };
        if n == 0 || b.len() < eol + 2 + n {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[(eol + 4 + n).min(b.len())..];
    }
    out
}

/// A real `soc-server serve` process.
pub struct Server {
    child: Option<Child>,
    pub data: PathBuf,
    pub port: u16,
    pub ns: Option<String>,
    log: PathBuf,
}

impl Server {
    /// Starts the server on `port` with `config` (TOML, written to DATA/soc-server.toml)
    /// and waits for /healthz.
    pub fn start(data: &Path, port: u16, config: &str, ns: Option<&str>) -> Server {
        std::fs::create_dir_all(data).expect("data dir");
        std::fs::write(data.join("soc-server.toml"), config).expect("server config");
        let mut s = Server {
            child: None,
            data: data.to_path_buf(),
            port,
            ns: ns.map(str::to_string),
            log: data.with_extension("log"),
        };
        s.restart();
        s
    }

    /// (Re)starts the process on the same data folder and port.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "server still running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log");
        let mut cmd = match &self.ns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(bin("soc-server"));
                c
            }
            None => Command::new(bin("soc-server")),
        };
        let child = cmd
            .args(["serve", "--data"])
            .arg(&self.data)
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start soc-server");
        self.child = Some(child);
        let tls = std::fs::read_to_string(self.data.join("soc-server.toml"))
            .unwrap_or_default()
            .contains("tls_cert");
        let deadline = Instant::now() + Duration::from_secs(30);
        // Over TLS this plain client cannot speak HTTP: an open port is the sign of life.
        let up = |s: &Server| {
            if tls {
                connect(s.ns.as_deref(), s.port).is_ok()
            } else {
                s.get("/healthz", None).status == 200
            }
        };
        while !up(self) {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("soc-server exited with {status}: {}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "soc-server did not answer /healthz within 30 s: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Runs `soc-server ARGS --data DATA`; its last stdout line.
    pub fn cli(&self, args: &[&str]) -> String {
        last_line(&self.cli_output(args))
    }

    pub fn cli_output(&self, args: &[&str]) -> Output {
        Command::new(bin("soc-server"))
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .output()
            .expect("soc-server cli")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Answer {
        http(self.ns.as_deref(), self.port, "GET", path, token, &[], b"")
    }

    pub fn post(&self, path: &str, token: Option<&str>, ctype: &str, body: &[u8]) -> Answer {
        http(
            self.ns.as_deref(),
            self.port,
            "POST",
            path,
            token,
            &[("Content-Type", ctype)],
            body,
        )
    }

    /// Every stored alert, read page by page through `GET /api/v1/alerts`.
    pub fn all_alerts(&self, api: &str) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        loop {
            let a = self.get(
                &format!("/api/v1/alerts?q=&limit=1000&offset={}", out.len()),
                Some(api),
            );
            assert_eq!(a.status, 200, "{}", a.body);
            let v = a.json();
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let total = v["total"].as_u64().unwrap_or(0) as usize;
            let n = items.len();
            out.extend(items);
            if n == 0 || out.len() >= total {
                return out;
            }
        }
    }

    /// Number of stored alerts (0 while unreachable).
    pub fn alert_total(&self, api: &str) -> u64 {
        let a = self.get("/api/v1/alerts?q=&limit=1", Some(api));
        if a.status != 200 {
            return 0;
        }
        a.json()["total"].as_u64().unwrap_or(0)
    }

    /// A sensor named `name`, an admin and an API token: (sensor token, admin API token).
    pub fn provision(&self, sensor: &str) -> (String, String) {
        let token = self.cli(&["sensor", "add", sensor]);
        let _ = self.cli(&["user", "add", "admin1", "--role", "admin"]);
        let api = self.cli(&["token", "add", "--user", "admin1"]);
        (token, api)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An alert's identity across the sensor's eve.json and the server: flow, rule, time.
pub type AlertKey = (u64, u64, String);

pub fn alert_key(e: &serde_json::Value) -> AlertKey {
    (
        e["flow_id"].as_u64().unwrap_or(0),
        e["alert"]["signature_id"].as_u64().unwrap_or(0),
        e["timestamp"].as_str().unwrap_or("").to_string(),
    )
}

/// The alerts in an eve.json file.
pub fn eve_alerts(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event_type"] == "alert")
        .collect()
}

/// Sorted alert keys (a multiset: duplicates stay).
pub fn keys(alerts: &[serde_json::Value]) -> Vec<AlertKey> {
    let mut k: Vec<AlertKey> = alerts.iter().map(alert_key).collect();
    k.sort();
    k
}

/// Asserts that the server stored exactly the alerts the engine raised: none lost, none
/// twice.
pub fn assert_same_alerts(raised: &[serde_json::Value], stored: &[serde_json::Value]) {
    let (r, s) = (keys(raised), keys(stored));
    let mut dup = s.clone();
    dup.dedup();
    assert_eq!(
        dup.len(),
        s.len(),
        "the server stored {} alerts twice",
        s.len() - dup.len()
    );
    let missing: Vec<&AlertKey> = r.iter().filter(|k| s.binary_search(k).is_err()).collect();
    let extra: Vec<&AlertKey> = s.iter().filter(|k| r.binary_search(k).is_err()).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} alerts raised, {} stored; {} missing (first {:?}), {} not raised (first {:?})",
        r.len(),
        s.len(),
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
    assert_eq!(r, s);
}

/// A capture of `n` HTTP conversations, every `every`-th an attack that raises four
/// alerts (path traversal, /etc/passwd, sqlmap, passwd in the answer); the others benign.
pub fn many_alerts_pcap(path: &Path, n: u32, every: u32) {
    let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET).expect("pcap");
    for i in 0..n {
        let client = format!(
            "192.168.{}.{}:{}",
            10 + (i / 250) % 200,
            1 + i % 250,
            20000 + i % 40000
        );
        let start = Timestamp::from_micros(1_700_000_000_000_000 + i64::from(i) * 20_000);
        let mut c = TcpConversation::new(
            client.parse().expect("client"),
            "10.1.1.80:80".parse().expect("server"),
        )
        .with_time(start, 1000);
        c.handshake();
        if i % every == 0 {
            c.client_send(format!("GET /cgi-bin/../../etc/passwd?n={i} HTTP/1.1\r\nHost: shop\r\nUser-Agent: sqlmap/1.7\r\n\r\n").as_bytes())
                .server_send(b"HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\nroot:x:0:0:root:/root:/bin\n");
        } else {
            c.client_send(
                format!(
                    "GET /products/{i} HTTP/1.1\r\nHost: shop\r\nUser-Agent: Mozilla/5.0\r\n\r\n"
                )
                .as_bytes(),
            )
            .server_send(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        }
        c.close();
        for (ts, f) in c.frames() {
            w.write_packet(*ts, f).expect("write");
        }
    }
    w.flush().expect("flush");
}

/// A capture without packets (a restarted sensor that only has its spool to send).
pub fn empty_pcap(path: &Path) {
    let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET).expect("pcap");
    w.flush().expect("flush");
}

/// `sensor run -r PCAP` shipping to `server`, as a child process (stderr to `log`).
pub fn spawn_sensor_replay(
    pcap: &Path,
    out: &Path,
    spool: &Path,
    server_url: &str,
    token: &str,
    ship_timeout: u64,
    log: &Path,
) -> Child {
    let log = std::fs::File::create(log).expect("sensor log");
    Command::new(bin("sensor"))
        .args(["--log-level", "info", "run", "-r"])
        .arg(pcap)
        .arg("-S")
        .arg(repo().join("rules/sensor.rules"))
        .arg("-l")
        .arg(out)
        .arg("--spool")
        .arg(spool)
        .args(["--server", server_url, "--token", token])
        .args(["--ship-timeout", &ship_timeout.to_string()])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start sensor")
}

/// Waits for a child with a deadline; kills it and panics when it does not end.
pub fn wait_child(child: &mut Child, secs: u64, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `f` until it is true; panics with `what` after `secs`.
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Kills a child process on drop.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sh(args: &[&str]) -> Output {
    Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {args:?}: {e} (the live tests need iproute2)"))
}

pub fn ok(args: &[&str]) {
    let o = sh(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Two network namespaces joined by a veth pair: the client 10.210.N.1, the server
/// 10.210.N.2 (where the sensor captures and, in these tests, the SOC server runs on the
/// namespace's loopback). Removed on drop.
pub struct Lab {
    pub cli: String,
    pub srv: String,
    pub srv_if: String,
    pub server_ip: String,
}

impl Lab {
    pub fn new(n: u32) -> Lab {
        let uid = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines().find(|l| l.starts_with("Uid:")).and_then(|l| {
                    l.split_whitespace()
                        .nth(2)
                        .and_then(|v| v.parse::<u32>().ok())
                })
            })
            .unwrap_or(u32::MAX);
        assert_eq!(
            uid, 0,
            "the live tests need root (network namespaces, AF_PACKET)"
        );
        let tag = (std::process::id() % 10_000) * 10 + n;
        let net = 10 + (std::process::id() % 200) as u8;
        let lab = Lab {
            cli: format!("itc{tag}"),
            srv: format!("its{tag}"),
            srv_if: format!("vis{tag}"),
            server_ip: format!("10.210.{net}.2"),
        };
        ok(&["ip", "netns", "add", &lab.cli]);
        ok(&["ip", "netns", "add", &lab.srv]);
        let vc = format!("vic{tag}");
        ok(&[
            "ip",
            "link",
            "add",
            &vc,
            "netns",
            &lab.cli,
            "type",
            "veth",
            "peer",
            "name",
            &lab.srv_if,
            "netns",
            &lab.srv,
        ]);
        ok(&[
            "ip",
            "-n",
            &lab.cli,
            "addr",
            "add",
            &format!("10.210.{net}.1/24"),
            "dev",
            &vc,
        ]);
        ok(&[
            "ip",
            "-n",
            &lab.srv,
            "addr",
            "add",
            &format!("10.210.{net}.2/24"),
            "dev",
            &lab.srv_if,
        ]);
        for (ns, dev) in [(&lab.cli, &vc), (&lab.srv, &lab.srv_if)] {
            ok(&["ip", "-n", ns, "link", "set", dev, "up"]);
            ok(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }

    /// A python3 web server on SERVER_IP:8080 in the server namespace.
    pub fn web_server(&self) -> KillOnDrop {
        KillOnDrop(
            Command::new("ip")
                .args([
                    "netns",
                    "exec",
                    &self.srv,
                    "python3",
                    "-m",
                    "http.server",
                    "8080",
                    "--bind",
                    &self.server_ip,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 is needed for the test web server"),
        )
    }

    /// Runs a python3 script in the client namespace (SERVER is the server's address).
    pub fn client(&self, script: &str) {
        let script = script.replace("SERVER", &self.server_ip);
        ok(&["ip", "netns", "exec", &self.cli, "python3", "-c", &script]);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = sh(&["ip", "netns", "del", &self.cli]);
        let _ = sh(&["ip", "netns", "del", &self.srv]);
    }
}

/// Client script: an HTTP request for PATH (after the web server answers), then a DNS
/// query for NAME.
pub fn attack_script(paths: &[&str], dns_name: Option<&str>) -> String {
    let mut s = String::from(
        r#"
import socket, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen("http://SERVER:8080/", timeout=1).read(); break
    except Exception:
        time.sleep(0.1)
"#,
    );
    for p in paths {
        s.push_str(&format!(
            r#"
try:
    urllib.request.urlopen("http://SERVER:8080" + {p:?}, timeout=2).read()
except Exception:
    pass
"#
        ));
    }
    if let Some(name) = dns_name {
        let mut q = String::from(r"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00");
        for label in name.split('.') {
            q.push_str(&format!("\\x{:02x}{label}", label.len()));
        }
        q.push_str(r"\x00\x00\x01\x00\x01");
        s.push_str(&format!(
            "\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"{q}\", (\"SERVER\", 53))\n"
        ));
    }
    s
}
