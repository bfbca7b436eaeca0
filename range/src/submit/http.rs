//! The JSON HTTP submission endpoint: `POST /api/flags` with `Authorization: Bearer TOKEN`
//! (the team's token) and a JSON array of flag strings (at most 100); the answer is a JSON
//! array of `{"flag", "verdict", "message"}` in the same order. One request per connection;
//! requests are limited to 8 KiB of headers and 64 KiB of body. Errors: 401 (no or unknown
//! token), 404, 405, 400 (bad JSON), 413 (too large).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde::Serialize;

use super::tcp::{judge, Shared};

const MAX_HEADERS: usize = 8 * 1024;
const MAX_BODY: usize = 64 * 1024;
const MAX_FLAGS: usize = 100;

/// Team tokens, index = team number.
#[derive(Debug, Clone)]
pub struct Tokens(pub Vec<String>);

impl Tokens {
    /// The team holding `token` (compared in constant time per token).
    pub fn team_of(&self, token: &str) -> Option<usize> {
        let mut found = None;
        for (i, t) in self.0.iter().enumerate() {
            let (a, b) = (t.as_bytes(), token.as_bytes());
            let mut diff = a.len() ^ b.len();
            for (x, y) in a.iter().zip(b) {
                diff |= usize::from(x ^ y);
            }
            if diff == 0 && !t.is_empty() {
                found = Some(i);
            }
        }
        found
    }
}

#[derive(Serialize)]
struct Answer<'a> {
    flag: &'a str,
    verdict: &'static str,
    message: &'static str,
}

fn respond(mut s: &TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    write!(
        s,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    s.flush()
}

fn error(s: &TcpStream, status: &str, msg: &str) -> std::io::Result<()> {
    respond(s, status, &serde_json::json!({ "error": msg }).to_string())
}

fn handle(shared: &Shared, tokens: &Tokens, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut r = BufReader::new(stream.try_clone()?);
    let mut head = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = (&mut r)
            .take(MAX_HEADERS as u64)
            .read_until(b'\n', &mut line)?;
        head.extend_from_slice(&line);
        if n == 0 || head.len() >= MAX_HEADERS {
            return error(
                &stream,
                "413 Payload Too Large",
                "headers too large or truncated",
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
    if path != "/api/flags" {
        return error(&stream, "404 Not Found", "use POST /api/flags");
    }
    if method != "POST" {
        return error(&stream, "405 Method Not Allowed", "use POST");
    }
    let header = |name: &str| {
        lines.iter().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let team = header("authorization")
        .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string))
        .and_then(|t| tokens.team_of(t.trim()));
    let Some(team) = team else {
        return error(
            &stream,
            "401 Unauthorized",
            "expected Authorization: Bearer <team token>",
        );
    };
    let len: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if len > MAX_BODY {
        return error(&stream, "413 Payload Too Large", "body above 64 KiB");
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    let flags: Vec<String> = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(_) => {
            return error(
                &stream,
                "400 Bad Request",
                "expected a JSON array of flag strings",
            )
        }
    };
    if flags.len() > MAX_FLAGS {
        return error(
            &stream,
            "413 Payload Too Large",
            "at most 100 flags per request",
        );
    }
    let answers: Vec<Answer> = flags
        .iter()
        .map(|f| {
            let (v, why) = judge(shared, team, f);
            Answer {
                flag: f,
                verdict: v.as_str(),
                message: why,
            }
        })
        .collect();
    respond(
        &stream,
        "200 OK",
        &serde_json::to_string(&answers).unwrap_or_default(),
    )
}

/// Serves the HTTP endpoint until `shared.stop` is set.
pub fn serve_http(
    listener: TcpListener,
    shared: Arc<Shared>,
    tokens: Arc<Tokens>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                let (sh, tk) = (Arc::clone(&shared), Arc::clone(&tokens));
                thread::spawn(move || {
                    if let Err(e) = handle(&sh, &tk, stream) {
                        tracing::debug!(error = %e, "HTTP submission ended");
                    }
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => tracing::warn!(error = %e, "accept failed"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_picks_its_team_only() {
        let t = Tokens(vec!["alpha-secret-0001".into(), "bravo-secret-0002".into()]);
        assert_eq!(t.team_of("bravo-secret-0002"), Some(1));
        assert_eq!(t.team_of("bravo-secret-000"), None);
        assert_eq!(t.team_of(""), None);
    }
}
