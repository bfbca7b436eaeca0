//! Test harness: the real `soc-server` binary on 127.0.0.1 with an ephemeral port and a
//! temporary data directory, plus helpers for the CLI, HTTP and console sessions.
#![allow(dead_code)]

pub mod webdriver;

use soc_server::client::{request, HttpResponse};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_soc-server");

/// A running server.
pub struct Server {
    child: Child,
    pub addr: String,
    pub data: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with_config("")
    }

    /// Starts with `DATA/soc-server.toml` holding `config` (TOML).
    pub fn start_with_config(config: &str) -> Server {
        Self::start_in(tempfile::tempdir().expect("tempdir"), config)
    }

    /// Starts on an existing data directory.
    pub fn start_in(data: tempfile::TempDir, config: &str) -> Server {
        if !config.is_empty() {
            std::fs::write(data.path().join("soc-server.toml"), config).expect("config");
        }
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn soc-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read announce line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("announce: {line:?}"))
            .to_string();
        let s = Server { child, addr, data };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = request(&s.addr, "GET", "/healthz", &[], b"") {
                if r.status == 200 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "server never became healthy");
            std::thread::sleep(Duration::from_millis(50));
        }
        s
    }

    /// Runs a CLI command against this data dir; returns the last line of stdout.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .args(args)
            .arg("--data")
            .arg(self.data.path())
            .env("RUST_LOG", "warn")
            .output()
            .expect("run cli");
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    }

    pub fn sensor_token(&self, name: &str) -> String {
        self.cli(&["sensor", "add", name])
    }

    /// Creates a user with `role` and an API token for them.
    pub fn api_token(&self, name: &str, role: &str) -> String {
        self.cli(&["user", "add", name, "--role", role]);
        self.cli(&["token", "add", "--user", name])
    }

    pub fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        request(&self.addr, method, path, headers, body).expect("http request")
    }

    pub fn get_bearer(&self, path: &str, token: &str) -> HttpResponse {
        let auth = format!("Bearer {token}");
        self.req("GET", path, &[("Authorization", &auth)], b"")
    }

    pub fn ingest(
        &self,
        token: &str,
        seq: i64,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> HttpResponse {
        let auth = format!("Bearer {token}");
        let seq = seq.to_string();
        let mut h = vec![
            ("Authorization", auth.as_str()),
            ("X-Sensor-Seq", seq.as_str()),
        ];
        h.extend_from_slice(extra);
        self.req("POST", "/api/v1/ingest", &h, body)
    }

    /// Signs in through the login form; returns the session.
    pub fn login(&self, name: &str, password: &str) -> Session {
        let page = self.req("GET", "/login", &[], b"");
        assert_eq!(page.status, 200);
        let login_cookie = set_cookie(&page, "soc_login").expect("login cookie");
        let csrf = between(&page.text(), r#"name="csrf" value=""#, "\"").expect("csrf field");
        let form = format!("csrf={}&username={}&password={}", csrf, name, password);
        let cookie = format!("soc_login={login_cookie}");
        let r = self.req(
            "POST",
            "/login",
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        );
        assert_eq!(r.status, 303, "login: {}", r.text());
        let session = set_cookie(&r, "soc_session").expect("session cookie");
        let cookie = format!("soc_session={session}");
        let inbox = self.req("GET", "/inbox", &[("Cookie", &cookie)], b"");
        assert_eq!(inbox.status, 200);
        let csrf =
            between(&inbox.text(), r#"name="csrf-token" content=""#, "\"").expect("csrf meta");
        Session { cookie, csrf }
    }

    /// Creates a user with `role` and signs in.
    pub fn session(&self, name: &str, role: &str) -> Session {
        let pw = self.cli(&["user", "add", name, "--role", role]);
        self.login(name, &pw)
    }

    pub fn get_session(&self, path: &str, s: &Session) -> HttpResponse {
        self.req("GET", path, &[("Cookie", &s.cookie)], b"")
    }

    /// A form post with the session cookie (`csrf` field added when `with_csrf`).
    pub fn post_form(&self, path: &str, s: &Session, form: &str, with_csrf: bool) -> HttpResponse {
        let body = if with_csrf {
            format!("csrf={}&{form}", s.csrf)
        } else {
            form.to_string()
        };
        self.req(
            "POST",
            path,
            &[
                ("Cookie", &s.cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    }
}

impl Server {
    /// Sends SIGTERM and waits up to `timeout` for the process to exit (`None`: still
    /// running).
    pub fn terminate(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in browser session.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn set_cookie(r: &HttpResponse, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(s[i..j].to_string())
}

/// An EVE alert line.
pub fn alert(ts: &str, sid: u32, sig: &str, src: &str, dst: &str, flow_id: u64) -> String {
    format!(
        r#"{{"timestamp":"{ts}","flow_id":{flow_id},"event_type":"alert","src_ip":"{src}","src_port":40000,"dest_ip":"{dst}","dest_port":80,"proto":"TCP","app_proto":"http","alert":{{"action":"allowed","gid":1,"signature_id":{sid},"rev":1,"signature":"{sig}","category":"Web Application Attack","severity":1}},"http":{{"hostname":"shop.city.test","url":"/x"}}}}"#
    )
}

/// An EVE flow line.
pub fn flow(ts: &str, flow_id: u64) -> String {
    format!(
        r#"{{"timestamp":"{ts}","flow_id":{flow_id},"event_type":"flow","src_ip":"10.0.0.1","src_port":40000,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","flow":{{"pkts_toserver":3}}}}"#
    )
}
