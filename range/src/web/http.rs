//! Just enough HTTP/1.1 for the scoreboard: one request per connection, bounded head and
//! body, `Connection: close` answers with security headers on every response.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpStream};

/// Longest request head accepted.
pub const MAX_HEAD: usize = 8 * 1024;
/// Longest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST` ...
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The raw query string (after `?`), possibly empty.
    pub query: String,
    /// Header lines as (lower-case name, value).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The peer's address.
    pub peer: IpAddr,
}

/// Why a request could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Socket trouble or an early close.
    #[error("reading the request: {0}")]
    Io(#[from] std::io::Error),
    /// Not HTTP/1.x as expected.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// Head or body above the limits.
    #[error("request too large")]
    TooLarge,
}

impl Request {
    /// Reads one request from `stream`.
    pub fn read(stream: &TcpStream, peer: IpAddr) -> Result<Request, RequestError> {
        let mut r = BufReader::new(stream);
        let mut lines = Vec::new();
        let mut total = 0usize;
        loop {
            let mut line = Vec::new();
            let n = (&mut r)
                .take((MAX_HEAD - total.min(MAX_HEAD)) as u64 + 1)
                .read_until(b'\n', &mut line)?;
            total += n;
            if total > MAX_HEAD {
                return Err(RequestError::TooLarge);
            }
            if n == 0 {
                return Err(RequestError::Malformed("connection closed inside the head"));
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            if text.is_empty() {
                break;
            }
            lines.push(text);
        }
        let first = lines
            .first()
            .ok_or(RequestError::Malformed("empty request"))?;
        let mut parts = first.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts
            .next()
            .ok_or(RequestError::Malformed("no request target"))?;
        if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
            return Err(RequestError::Malformed("expected HTTP/1.x"));
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let headers: Vec<(String, String)> = lines[1..]
            .iter()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
            })
            .collect();
        let mut req = Request {
            method,
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body: Vec::new(),
            peer,
        };
        let len = match req.header("content-length") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| RequestError::Malformed("bad Content-Length"))?,
            None => 0,
        };
        if req.header("transfer-encoding").is_some() {
            return Err(RequestError::Malformed("chunked bodies are not accepted"));
        }
        if len > MAX_BODY {
            return Err(RequestError::TooLarge);
        }
        req.body = vec![0u8; len];
        r.read_exact(&mut req.body)?;
        Ok(req)
    }

    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .find_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                (k == name).then_some(v)
            })
    }

    /// The token of `Authorization: Bearer TOKEN`.
    pub fn bearer(&self) -> Option<&str> {
        let v = self.header("authorization")?;
        let (scheme, rest) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
    }

    /// A field of an `application/x-www-form-urlencoded` body.
    pub fn form(&self, name: &str) -> Option<String> {
        form_value(&String::from_utf8_lossy(&self.body), name)
    }
}

/// The URL-decoded value of `name` in a form or query string.
pub fn form_value(s: &str, name: &str) -> Option<String> {
    s.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (url_decode(k) == name).then(|| url_decode(v))
    })
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status line after `HTTP/1.1 `.
    pub status: &'static str,
    /// Content type.
    pub content_type: &'static str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: &'static str, v: &serde_json::Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: v.to_string().into_bytes(),
        }
    }

    /// `{"error": msg}`.
    pub fn error(status: &'static str, msg: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": msg }))
    }

    /// A static or generated text body.
    pub fn text(
        status: &'static str,
        content_type: &'static str,
        body: impl Into<Vec<u8>>,
    ) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A `303 See Other` to `to`.
    pub fn redirect(to: &str) -> Response {
        Response::text("303 See Other", "text/plain; charset=utf-8", "")
            .with("Location", to.to_string())
    }

    /// Adds a header.
    pub fn with(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }

    /// Writes the response.
    pub fn write(&self, mut s: &TcpStream) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\
             Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
             X-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n\
             Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
             connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes())?;
        s.write_all(&self.body)?;
        s.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_url_decoded() {
        assert_eq!(
            form_value("a=1&password=p%40ss+word%21&x", "password").as_deref(),
            Some("p@ss word!")
        );
        assert_eq!(form_value("a=%zz%4", "a").as_deref(), Some("%zz%4"));
        assert_eq!(form_value("a=1", "b"), None);
    }
}
