//! The game server's control API: a small HTTP/1.1 JSON API on a loopback address only
//! (never on the game network), for the `range` CLI. Every request carries
//! `Authorization: Bearer <control token>`; the token lives in the exercise's state
//! directory (mode 0600), so only the host's operator holds it.
//!
//! - `GET /api/v1/status`: `{exercise, phase, paused, standings, events}` (`events`: the
//!   latest container events the game server saw);
//! - `POST /api/v1/pause`, `POST /api/v1/resume`: freeze / unfreeze ticks and submission;
//! - `POST /api/v1/stop`: the game server finishes and exits (the journal keeps the game;
//!   `range up` starts it again, resuming).
//!
//! Answers are JSON; errors are `{"error": "..."}` with 401, 404, 405 or 500.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::game::{now_ms, Game, Phase};

const MAX_HEADERS: usize = 8 * 1024;
/// Container events kept for `status`.
pub const EVENTS_KEPT: usize = 100;

/// What the control API works on.
pub struct Control {
    /// The game.
    pub game: Arc<Mutex<Game>>,
    /// The bearer token.
    pub token: String,
    /// Set by `stop` (and read by the tick loop and the submission servers' owner).
    pub stop: Arc<AtomicBool>,
    /// Latest container events (JSON), newest last.
    pub events: Mutex<VecDeque<serde_json::Value>>,
}

impl Control {
    /// Remembers a container event for `status`.
    pub fn push_event(&self, ev: serde_json::Value) {
        let mut q = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() >= EVENTS_KEPT {
            q.pop_front();
        }
        q.push_back(ev);
    }
}

fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (x, y) in a.iter().zip(b) {
        diff |= usize::from(x ^ y);
    }
    diff == 0 && !a.is_empty()
}

fn respond(mut s: &TcpStream, status: &str, body: &serde_json::Value) -> std::io::Result<()> {
    let body = body.to_string();
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    s.flush()
}

fn handle(c: &Control, stream: TcpStream) -> std::io::Result<()> {
    use serde_json::json;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut r = BufReader::new(stream.try_clone()?);
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = Vec::new();
        let n = (&mut r)
            .take(MAX_HEADERS as u64)
            .read_until(b'\n', &mut line)?;
        total += n;
        if n == 0 || total >= MAX_HEADERS {
            return respond(
                &stream,
                "400 Bad Request",
                &json!({"error": "bad request head"}),
            );
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        if text.is_empty() {
            break;
        }
        lines.push(text);
    }
    let request = lines.first().cloned().unwrap_or_default();
    let mut parts = request.split(' ');
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let authorized = lines.iter().skip(1).any(|l| {
        l.split_once(':').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("authorization")
                && v.trim()
                    .strip_prefix("Bearer ")
                    .is_some_and(|t| same(t.trim(), &c.token))
        })
    });
    if !authorized {
        return respond(
            &stream,
            "401 Unauthorized",
            &json!({"error": "expected Authorization: Bearer <control token>"}),
        );
    }
    let post = |f: &dyn Fn(&mut Game) -> Result<(), crate::game::GameError>| {
        if method != "POST" {
            return respond(
                &stream,
                "405 Method Not Allowed",
                &json!({"error": "use POST"}),
            );
        }
        let mut g = c.game.lock().unwrap_or_else(|p| p.into_inner());
        match f(&mut g) {
            Ok(()) => respond(
                &stream,
                "200 OK",
                &json!({"ok": true, "phase": g.phase(now_ms())}),
            ),
            Err(e) => respond(
                &stream,
                "500 Internal Server Error",
                &json!({"error": e.to_string()}),
            ),
        }
    };
    match path {
        "/api/v1/status" => {
            if method != "GET" {
                return respond(
                    &stream,
                    "405 Method Not Allowed",
                    &json!({"error": "use GET"}),
                );
            }
            let body = {
                let g = c.game.lock().unwrap_or_else(|p| p.into_inner());
                let now = now_ms();
                let events: Vec<serde_json::Value> = c
                    .events
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .cloned()
                    .collect();
                json!({
                    "exercise": g.config().name,
                    "phase": g.phase(now),
                    "paused": matches!(g.phase(now), Phase::Paused(_)),
                    "standings": g.standings(now),
                    "events": events,
                })
            };
            respond(&stream, "200 OK", &body)
        }
        "/api/v1/pause" => post(&|g| g.pause(now_ms())),
        "/api/v1/resume" => post(&|g| g.resume()),
        "/api/v1/stop" => {
            if method != "POST" {
                return respond(
                    &stream,
                    "405 Method Not Allowed",
                    &json!({"error": "use POST"}),
                );
            }
            c.stop.store(true, Ordering::Relaxed);
            respond(&stream, "200 OK", &json!({"ok": true, "stopping": true}))
        }
        _ => respond(
            &stream,
            "404 Not Found",
            &json!({"error": "no such endpoint"}),
        ),
    }
}

/// Serves the control API until `control.stop` is set.
pub fn serve(listener: TcpListener, control: Arc<Control>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    while !control.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                let c = Arc::clone(&control);
                thread::spawn(move || {
                    if let Err(e) = handle(&c, stream) {
                        tracing::debug!(error = %e, "control request ended");
                    }
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(10))
            }
            Err(e) => tracing::warn!(error = %e, "control accept failed"),
        }
    }
    Ok(())
}

/// A control API call from the CLI: `(status code, JSON body)`.
pub fn request(
    addr: SocketAddr,
    token: &str,
    method: &str,
    path: &str,
) -> std::io::Result<(u16, serde_json::Value)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad answer from {addr}: {head}")))?;
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    Ok((code, json))
}
