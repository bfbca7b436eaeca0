//! Test support: a fake SOC ingest server (std TcpListener, minimal HTTP/1.1, gunzip,
//! dedupe by sequence number, scripted failures) and event generators.

#![allow(dead_code)]

use flate2::read::GzDecoder;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the fake server does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Store and answer 200.
    Ok,
    /// Answer this status without storing.
    Status(u16),
    /// Answer 429 with `Retry-After: secs`.
    TooMany(u64),
    /// Close the connection without answering or storing.
    Drop,
    /// Store, then close the connection without answering (the answer is lost).
    StoreThenDrop,
}

/// What the server stored: seq -> the event's JSON, plus counters.
#[derive(Debug, Default)]
pub struct Store {
    pub events: BTreeMap<u64, String>,
    pub hwm: Option<u64>,
    /// Lines received for a seq already stored with a different content (numbering bug).
    pub conflicts: u64,
    pub duplicates: u64,
    pub requests: u64,
    pub statuses: Vec<u16>,
}

/// A fake ingest server that can be stopped and restarted on the same port.
pub struct FakeServer {
    pub addr: SocketAddr,
    pub token: String,
    pub store: Arc<Mutex<Store>>,
    pub script: Arc<Mutex<VecDeque<Act>>>,
    pub served: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub fn start(token: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut s = FakeServer {
            addr,
            token: token.to_string(),
            store: Arc::default(),
            script: Arc::default(),
            served: Arc::default(),
            stop: Arc::new(AtomicBool::new(false)),
            thread: None,
        };
        s.run(listener);
        s
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues scripted actions (consumed one per request; `Ok` when empty).
    pub fn script(&self, acts: impl IntoIterator<Item = Act>) {
        self.script.lock().expect("script").extend(acts);
    }

    /// Kills the server: the listener and every connection are closed; the store stays.
    pub fn kill(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Restarts on the same port with the same store.
    pub fn restart(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr) {
                Ok(l) => break l,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("rebind {}: {e}", self.addr),
            }
        };
        self.stop = Arc::new(AtomicBool::new(false));
        self.run(listener);
    }

    fn run(&mut self, listener: TcpListener) {
        let stop = self.stop.clone();
        let ctx = Ctx {
            token: format!("Bearer {}", self.token),
            store: self.store.clone(),
            script: self.script.clone(),
            served: self.served.clone(),
            stop: stop.clone(),
        };
        self.thread = Some(std::thread::spawn(move || {
            let mut conns = Vec::new();
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let ctx = ctx.clone();
                conns.push(std::thread::spawn(move || serve(stream, &ctx)));
            }
            drop(listener);
            for c in conns {
                let _ = c.join();
            }
        }));
    }

    /// The stored seq set.
    pub fn stored_seqs(&self) -> Vec<u64> {
        self.store
            .lock()
            .expect("store")
            .events
            .keys()
            .copied()
            .collect()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Clone)]
struct Ctx {
    token: String,
    store: Arc<Mutex<Store>>,
    script: Arc<Mutex<VecDeque<Act>>>,
    served: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

/// Serves requests on one keep-alive connection until the client closes or the server stops.
fn serve(stream: TcpStream, ctx: &Ctx) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let mut w = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut r = BufReader::new(stream);
    loop {
        let Some((headers, body)) = read_request(&mut r, &ctx.stop) else {
            return;
        };
        let act = ctx
            .script
            .lock()
            .expect("script")
            .pop_front()
            .unwrap_or(Act::Ok);
        let reply = handle(&headers, &body, act, ctx);
        ctx.served.fetch_add(1, Ordering::SeqCst);
        match reply {
            None => return,
            Some(resp) => {
                if w.write_all(resp.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

/// Lower-cased headers and the body of a request.
type Request = (Vec<(String, String)>, Vec<u8>);

/// Reads one request: lower-cased headers and the body (Content-Length only).
fn read_request(r: &mut BufReader<TcpStream>, stop: &AtomicBool) -> Option<Request> {
    let mut head = Vec::new();
    let mut line = Vec::new();
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        match r.read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) if !line.ends_with(b"\n") => return None,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line).trim_end().to_string();
                line.clear();
                if text.is_empty() {
                    if head.is_empty() {
                        continue;
                    }
                    break;
                }
                head.push(text);
            }
            // A timeout keeps the partial line in `line`; keep reading.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return None,
        }
    }
    let headers: Vec<(String, String)> = head
        .iter()
        .skip(1)
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let len: usize = header(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    let mut got = 0;
    while got < len {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        match r.read(&mut body[got..]) {
            Ok(0) => return None,
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return None,
        }
    }
    Some((headers, body))
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn response(status: u16, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
        body.len()
    )
}

fn handle(h: &[(String, String)], body: &[u8], act: Act, ctx: &Ctx) -> Option<String> {
    let mut store = ctx.store.lock().expect("store");
    store.requests += 1;
    if header(h, "authorization") != Some(ctx.token.as_str()) {
        store.statuses.push(401);
        return Some(response(401, "", r#"{"error":"unauthorized"}"#));
    }
    match act {
        Act::Drop => return None,
        Act::Status(s) => {
            store.statuses.push(s);
            return Some(response(s, "", r#"{"error":"scripted"}"#));
        }
        Act::TooMany(secs) => {
            store.statuses.push(429);
            return Some(response(
                429,
                &format!("Retry-After: {secs}\r\n"),
                r#"{"error":"busy"}"#,
            ));
        }
        Act::Ok | Act::StoreThenDrop => {}
    }
    let mut text = String::new();
    let decoded = if header(h, "content-encoding") == Some("gzip") {
        GzDecoder::new(body).read_to_string(&mut text).map(|_| ())
    } else {
        String::from_utf8(body.to_vec())
            .map(|t| text = t)
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    if decoded.is_err() {
        store.statuses.push(400);
        return Some(response(400, "", r#"{"error":"bad gzip"}"#));
    }
    let Some(first) = header(h, "x-sensor-seq").and_then(|v| v.parse::<u64>().ok()) else {
        store.statuses.push(400);
        return Some(response(400, "", r#"{"error":"seq"}"#));
    };
    let (mut stored, mut dups) = (0u64, 0u64);
    let mut last = None;
    for (i, line) in text.lines().enumerate() {
        let seq = first + i as u64;
        last = Some(seq);
        match store.events.get(&seq) {
            Some(prev) => {
                if prev != line {
                    store.conflicts += 1;
                }
                dups += 1;
            }
            None => {
                store.events.insert(seq, line.to_string());
                stored += 1;
            }
        }
    }
    store.duplicates += dups;
    store.hwm = match (store.hwm, last) {
        (Some(h), Some(l)) => Some(h.max(l)),
        (h, l) => h.or(l),
    };
    store.statuses.push(200);
    if act == Act::StoreThenDrop {
        return None;
    }
    let acked = store.hwm.map_or(-1, |h| h as i64);
    Some(response(
        200,
        "",
        &format!(r#"{{"acked_seq":{acked},"stored":{stored},"duplicates":{dups},"rejected":[]}}"#),
    ))
}

/// An EVE-like event numbered `n`; every `alert_every`-th one is an alert.
pub fn event(n: u64, alert_every: u64) -> String {
    let ty = if n.checked_rem(alert_every) == Some(0) {
        "alert"
    } else {
        "flow"
    };
    format!(
        r#"{{"timestamp":"2024-01-01T00:00:00.000000+0000","event_type":"{ty}","n":{n},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","pad":"{}"}}"#,
        "x".repeat((n % 97) as usize)
    )
}

/// Generates `count` events starting at `start`.
pub fn events(start: u64, count: u64, alert_every: u64) -> Vec<String> {
    (start..start + count)
        .map(|n| event(n, alert_every))
        .collect()
}

/// Fast retry settings for tests.
pub fn fast_config(url: &str, token: &str) -> sensor_ship::ShipperConfig {
    let mut c = sensor_ship::ShipperConfig::new(url, sensor_ship::SensorToken::new(token));
    c.backoff_initial = Duration::from_millis(10);
    c.backoff_max = Duration::from_millis(100);
    c.batch_max_events = 300;
    c.request_timeout = Duration::from_secs(5);
    c.unauthorized_retry = Duration::from_millis(100);
    c
}
