//! Streaming HTTP/1.x parser for both directions of a connection.

use std::collections::VecDeque;

use super::decompress::{BodyDecoder, Encoding};
use super::headers::{is_token_char, parse_content_length, AddOutcome};
use super::normalize::{normalize_uri, split_uri};
use super::tx::{HttpTx, Progress};
use crate::config::AppConfig;
use crate::event::AppEvent;
use crate::proto::Direction;

/// Where one direction's parser currently is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request or status line.
    StartLine,
    /// Reading header lines.
    Headers,
    /// Body with a known remaining length.
    Length(u64),
    /// Reading a chunk-size line.
    ChunkSize,
    /// Reading chunk data.
    ChunkData(u64),
    /// Expecting the CRLF after chunk data.
    ChunkDataEnd,
    /// Reading trailer lines after the last chunk.
    Trailer,
    /// Body until the connection closes.
    UntilClose,
    /// Not HTTP any more (CONNECT tunnel, 101 upgrade, or fatal error).
    Tunnel,
}

#[derive(Debug)]
struct Side {
    phase: Phase,
    line: Vec<u8>,
    line_overflow: bool,
    tx: Option<u64>,
    decoder: Option<Box<BodyDecoder>>,
    header_count: usize,
    /// Third-or-later occurrences of header names in the current message.
    repetitions: u8,
    /// After a gap: skip data until something that looks like a start line.
    resync: bool,
    /// The header line waiting for its continuation lines (libhtp processes a header
    /// once the next line is known not to fold into it).
    pending_header: Option<Vec<u8>>,
}

impl Side {
    fn new() -> Side {
        Side {
            phase: Phase::StartLine,
            line: Vec::new(),
            line_overflow: false,
            tx: None,
            decoder: None,
            header_count: 0,
            repetitions: 0,
            resync: false,
            pending_header: None,
        }
    }
}

/// HTTP/1.x connection state: transactions plus per-direction parsers.
///
/// Transactions complete in both directions are dropped at the start of the
/// next `parse` call (they were reported by the previous call's events).
#[derive(Debug)]
pub struct HttpState {
    txs: VecDeque<HttpTx>,
    next_id: u64,
    req: Side,
    resp: Side,
    /// Next transaction id the response side will pair with.
    resp_next: u64,
    cfg: AppConfig,
}

fn strip_eol(line: &[u8]) -> &[u8] {
    let l = line.strip_suffix(b"\n").unwrap_or(line);
    l.strip_suffix(b"\r").unwrap_or(l)
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn split_ws(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s.iter().position(|c| is_ws(*c)).unwrap_or(s.len());
    let tok = s.get(..end).unwrap_or_default();
    let mut rest = s.get(end..).unwrap_or_default();
    while let Some((c, r)) = rest.split_first() {
        if !is_ws(*c) {
            break;
        }
        rest = r;
    }
    (tok, rest)
}

fn parse_u64_dec(v: &[u8]) -> Option<u64> {
    let v = v.trim_ascii();
    if v.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for c in v {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

/// A Content-Range value as Suricata checks it when it opens a ranged file: `UNIT
/// START-END/SIZE` or `UNIT */SIZE` (SIZE may be `*`), numbers fitting an i64, and a range
/// that lies within the size. Ranges without an end or a size are not checked further.
fn content_range_valid(v: &[u8]) -> bool {
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse::<i64>().ok()
    };
    let v = v.trim_ascii_start();
    let unit_end = v.iter().position(|c| *c == b' ').unwrap_or(v.len());
    let spec = v.get(unit_end..).unwrap_or_default().trim_ascii_start();
    let Some(slash) = spec.iter().position(|c| *c == b'/') else {
        return false;
    };
    let (range, size) = (&spec[..slash], &spec[slash + 1..]);
    // The number ends at the first non-digit; what follows is not looked at.
    let lead = |s: &[u8]| {
        let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
        num(&s[..n])
    };
    let size = if size.first() == Some(&b'*') {
        -1
    } else {
        match lead(size) {
            Some(n) => n,
            None => return false,
        }
    };
    if range == b"*" {
        return true;
    }
    let Some(dash) = range.iter().position(|c| *c == b'-') else {
        return false;
    };
    let (Some(start), Some(end)) = (num(&range[..dash]), num(&range[dash + 1..])) else {
        return false;
    };
    if start > end || (end > 0 && size > 0 && end > size - 1) {
        return false;
    }
    true
}

/// libhtp's chunk-length control characters (skipped before the number).
fn is_chunk_ctl(c: u8) -> bool {
    matches!(c, b'\r' | b'\n' | b' ' | b'\t' | 0x0b | 0x0c)
}

/// A chunk-size line as libhtp reads it: leading control characters skipped, the hex
/// digits that follow are the length (trailing junk cut off, a `;` after them marks an
/// extension), at most `i32::MAX`. `None` when no digit starts the line.
fn parse_chunk_len(v: &[u8]) -> Option<(u64, bool)> {
    let start = v.iter().position(|c| !is_chunk_ctl(*c))?;
    let v = v.get(start..).unwrap_or_default();
    let digits = v.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    let num = v.get(..digits).unwrap_or_default();
    if num.is_empty() {
        return None;
    }
    let ext = v.get(digits..).is_some_and(|rest| rest.contains(&b';'));
    let mut n: u64 = 0;
    for c in num {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        };
        n = n.checked_mul(16)?.checked_add(u64::from(d))?;
    }
    (n <= i32::MAX as u64).then_some((n, ext))
}

/// libhtp decides a chunk-size line is invalid before its end once eight bytes are in
/// and the first one that is not a control character is not a hex digit.
fn chunk_line_hopeless(line: &[u8]) -> bool {
    line.len() >= 8
        && line
            .iter()
            .find(|c| !is_chunk_ctl(**c))
            .is_some_and(|c| !c.is_ascii_hexdigit())
}

/// Known request methods, used for protocol detection and resync.
pub(crate) const METHODS: &[&[u8]] = &[
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"CONNECT",
    b"TRACE",
    b"PATCH",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"SEARCH",
    b"REPORT",
    b"CHECKOUT",
    b"MERGE",
    b"SUBSCRIBE",
    b"UNSUBSCRIBE",
    b"NOTIFY",
    b"M-SEARCH",
];

fn looks_like_request_line(l: &[u8]) -> bool {
    let (m, rest) = split_ws(l);
    !rest.is_empty() && METHODS.contains(&m)
}

impl HttpState {
    /// New connection state.
    pub fn new(cfg: &AppConfig) -> HttpState {
        HttpState {
            txs: VecDeque::new(),
            next_id: 0,
            req: Side::new(),
            resp: Side::new(),
            resp_next: 0,
            cfg: cfg.clone(),
        }
    }

    /// Transaction by id, if still held.
    pub fn tx(&self, id: u64) -> Option<&HttpTx> {
        let first = self.txs.front()?.id;
        let idx = usize::try_from(id.checked_sub(first)?).ok()?;
        self.txs.get(idx).filter(|t| t.id == id)
    }

    fn tx_mut(&mut self, id: u64) -> Option<&mut HttpTx> {
        let first = self.txs.front()?.id;
        let idx = usize::try_from(id.checked_sub(first)?).ok()?;
        self.txs.get_mut(idx).filter(|t| t.id == id)
    }

    /// All held transactions, oldest first.
    pub fn txs(&self) -> impl Iterator<Item = &HttpTx> {
        self.txs.iter()
    }

    /// True once the connection left HTTP (CONNECT tunnel or upgrade).
    pub fn is_tunnel(&self) -> bool {
        self.req.phase == Phase::Tunnel || self.resp.phase == Phase::Tunnel
    }

    fn prune(&mut self) {
        while self.txs.front().is_some_and(|t| t.is_complete()) {
            self.txs.pop_front();
        }
    }

    /// Feed stream bytes of one direction.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        self.prune();
        let mut pos = 0usize;
        while pos < data.len() {
            let rest = data.get(pos..).unwrap_or_default();
            let phase = self.side(dir).phase;
            match phase {
                Phase::Tunnel => return,
                Phase::StartLine
                | Phase::Headers
                | Phase::ChunkSize
                | Phase::ChunkDataEnd
                | Phase::Trailer => {
                    let limit = self.cfg.http_field_limit;
                    let side = self.side_mut(dir);
                    match memchr::memchr(b'\n', rest) {
                        Some(i) => {
                            let chunk = rest.get(..=i).unwrap_or_default();
                            pos += i + 1;
                            let overflow = append_bounded(&mut side.line, chunk, limit);
                            let was_overflow = std::mem::replace(&mut side.line_overflow, false);
                            let mut line = std::mem::take(&mut side.line);
                            if overflow && !was_overflow {
                                self.anomaly(dir, too_long(dir), out);
                            }
                            self.handle_line(dir, &line, out);
                            line.clear();
                            self.side_mut(dir).line = line;
                        }
                        None => {
                            pos = data.len();
                            let over =
                                append_bounded(&mut side.line, rest, limit) && !side.line_overflow;
                            if over {
                                side.line_overflow = true;
                            }
                            let hopeless =
                                phase == Phase::ChunkSize && chunk_line_hopeless(&side.line);
                            let line = if hopeless {
                                side.line_overflow = false;
                                Some(std::mem::take(&mut side.line))
                            } else {
                                None
                            };
                            if over {
                                self.anomaly(dir, too_long(dir), out);
                            }
                            if let Some(line) = line {
                                self.invalid_chunk_len(dir, &line, out);
                            }
                        }
                    }
                }
                Phase::Length(rem) => {
                    let n = usize::try_from(rem).unwrap_or(usize::MAX).min(rest.len());
                    pos += n;
                    self.body_data(dir, rest.get(..n).unwrap_or_default(), out);
                    let left = rem - n as u64;
                    if left == 0 {
                        self.finish_message(dir, out);
                    } else {
                        self.side_mut(dir).phase = Phase::Length(left);
                    }
                }
                Phase::ChunkData(rem) => {
                    let n = usize::try_from(rem).unwrap_or(usize::MAX).min(rest.len());
                    pos += n;
                    self.body_data(dir, rest.get(..n).unwrap_or_default(), out);
                    let left = rem - n as u64;
                    self.side_mut(dir).phase = if left == 0 {
                        Phase::ChunkDataEnd
                    } else {
                        Phase::ChunkData(left)
                    };
                }
                Phase::UntilClose => {
                    pos = data.len();
                    self.body_data(dir, rest, out);
                }
            }
        }
    }

    /// A hole of `len` bytes in one direction's stream.
    pub fn gap(&mut self, dir: Direction, len: u64, out: &mut Vec<AppEvent>) {
        let side = self.side_mut(dir);
        match side.phase {
            Phase::Tunnel | Phase::UntilClose => {}
            Phase::Length(rem) if len < rem => side.phase = Phase::Length(rem - len),
            Phase::ChunkData(rem) if len < rem => side.phase = Phase::ChunkData(rem - len),
            Phase::Length(rem) if len == rem => self.finish_message(dir, out),
            _ => {
                // Lost sync: close the current message and look for a new start line.
                if side.tx.is_some() {
                    self.finish_message(dir, out);
                }
                let side = self.side_mut(dir);
                side.phase = Phase::StartLine;
                side.line.clear();
                side.resync = true;
            }
        }
    }

    fn side(&self, dir: Direction) -> &Side {
        match dir {
            Direction::ToServer => &self.req,
            Direction::ToClient => &self.resp,
        }
    }

    fn side_mut(&mut self, dir: Direction) -> &mut Side {
        match dir {
            Direction::ToServer => &mut self.req,
            Direction::ToClient => &mut self.resp,
        }
    }

    /// Raise `name` on the transaction currently parsed in `dir`, at most
    /// once per transaction (Suricata's per-transaction event set).
    fn anomaly(&mut self, dir: Direction, name: &'static str, out: &mut Vec<AppEvent>) {
        if let Some(id) = self.side(dir).tx {
            if let Some(tx) = self.tx_mut(id) {
                if tx.events.contains(&name) || tx.suppressed.contains(&name) {
                    return;
                }
                tx.events.push(name);
            }
        }
        out.push(AppEvent::Anomaly(name));
    }

    /// Mark `name` as raised on the current transaction without raising it
    /// (libhtp's once-per-transaction flags shared by several conditions).
    fn suppress(&mut self, dir: Direction, name: &'static str) {
        if let Some(id) = self.side(dir).tx {
            if let Some(tx) = self.tx_mut(id) {
                if !tx.suppressed.contains(&name) {
                    tx.suppressed.push(name);
                }
            }
        }
    }

    fn handle_line(&mut self, dir: Direction, raw: &[u8], out: &mut Vec<AppEvent>) {
        let line = strip_eol(raw);
        match self.side(dir).phase {
            Phase::StartLine => {
                if line.trim_ascii().is_empty() {
                    return;
                }
                match dir {
                    Direction::ToServer => self.request_line(line, out),
                    Direction::ToClient => self.status_line(line, out),
                }
            }
            Phase::Headers => self.header_line(dir, raw, line, out),
            Phase::ChunkSize => match parse_chunk_len(line) {
                Some((0, ext)) => {
                    if ext && dir == Direction::ToServer {
                        self.anomaly(dir, "http.request_chunk_extension", out);
                    }
                    self.side_mut(dir).phase = Phase::Trailer;
                }
                Some((n, ext)) => {
                    if ext && dir == Direction::ToServer {
                        self.anomaly(dir, "http.request_chunk_extension", out);
                    }
                    self.side_mut(dir).phase = Phase::ChunkData(n);
                }
                None => {
                    if line.iter().all(|c| is_chunk_ctl(*c)) {
                        return;
                    }
                    self.invalid_chunk_len(dir, raw, out);
                }
            },
            Phase::ChunkDataEnd => {
                if line.is_empty() {
                    self.side_mut(dir).phase = Phase::ChunkSize;
                } else {
                    // Missing CRLF after chunk data: treat this line as a chunk size.
                    self.side_mut(dir).phase = Phase::ChunkSize;
                    self.handle_line(dir, raw, out);
                }
            }
            Phase::Trailer if line.is_empty() => self.finish_message(dir, out),
            _ => {}
        }
    }

    /// A chunk-size line that is no number. libhtp drops a request's body there; a
    /// response's body becomes everything until the connection closes, this line included.
    fn invalid_chunk_len(&mut self, dir: Direction, raw: &[u8], out: &mut Vec<AppEvent>) {
        match dir {
            Direction::ToServer => {
                self.anomaly(dir, "http.invalid_request_chunk_len", out);
                self.finish_message(dir, out);
            }
            Direction::ToClient => {
                self.anomaly(dir, "http.invalid_response_chunk_len", out);
                self.side_mut(dir).phase = Phase::UntilClose;
                self.body_data(dir, raw, out);
            }
        }
    }

    fn new_tx(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let tx = HttpTx {
            id,
            ..HttpTx::default()
        };
        self.txs.push_back(tx);
        while self.txs.len() > self.cfg.http_max_txs.max(1) {
            self.txs.pop_front();
        }
        id
    }

    fn request_line(&mut self, line: &[u8], out: &mut Vec<AppEvent>) {
        if self.req.resync {
            if !looks_like_request_line(line) {
                return;
            }
            self.req.resync = false;
        }
        let id = self.new_tx();
        self.req.tx = Some(id);
        self.req.header_count = 0;
        self.req.pending_header = None;
        self.req.repetitions = 0;
        let trimmed = match line.iter().position(|c| !is_ws(*c)) {
            Some(0) => line,
            Some(p) => {
                self.anomaly(
                    Direction::ToServer,
                    "http.request_line_leading_whitespace",
                    out,
                );
                line.get(p..).unwrap_or_default()
            }
            None => line,
        };
        let (method, rest) = split_ws(trimmed);
        let (uri, rest) = split_ws(rest);
        let protocol = rest.trim_ascii();
        let is_connect = method.eq_ignore_ascii_case(b"CONNECT");
        // libhtp's "request line incomplete" is about a response starting while the request
        // line is still being received, not about a line without a URI.
        if protocol.is_empty() && !uri.is_empty() {
            self.anomaly(
                Direction::ToServer,
                "http.request_line_missing_protocol",
                out,
            );
        }
        let Some(tx) = self.tx_mut(id) else { return };
        tx.method = method.to_vec();
        tx.uri_raw = uri.to_vec();
        tx.uri_normalized = normalize_uri(uri, is_connect);
        tx.protocol = protocol.to_vec();
        tx.request_line = line.to_vec();
        tx.request_start.extend_from_slice(line);
        tx.request_start.extend_from_slice(b"\r\n");
        let parts = split_uri(uri, is_connect);
        if let Some(h) = parts.host {
            tx.host_raw = h.to_vec();
            tx.host = super::normalize::normalize_host(h);
            tx.uri_port = parts
                .port
                .and_then(|p| std::str::from_utf8(p).ok())
                .and_then(|p| p.parse().ok());
        }
        tx.request_progress = Progress::Line;
        if protocol.is_empty() {
            // HTTP/0.9: no headers, no body.
            tx.request_progress = Progress::Complete;
            out.push(AppEvent::HttpRequestHeaders(id));
            out.push(AppEvent::HttpRequestComplete(id));
            self.req.tx = None;
            return;
        }
        self.req.phase = Phase::Headers;
    }

    fn status_line(&mut self, line: &[u8], out: &mut Vec<AppEvent>) {
        // libhtp: a line that does not start with "http" (any case, after
        // whitespace/NUL) is not a status line; it is skipped, no event.
        let trimmed = match line
            .iter()
            .position(|c| !c.is_ascii_whitespace() && *c != 0)
        {
            Some(p) => line.get(p..).unwrap_or_default(),
            None => return,
        };
        if !trimmed
            .get(..4)
            .is_some_and(|h| h.eq_ignore_ascii_case(b"http"))
        {
            return;
        }
        self.resp.resync = false;
        let (proto, rest) = split_ws(trimmed);
        let (code, rest) = split_ws(rest);
        let msg = rest.trim_ascii_end();
        let id = match self.tx(self.resp_next) {
            Some(_) => self.resp_next,
            None => {
                // Response without a (known) request.
                if self.resp_next >= self.next_id {
                    let id = self.new_tx();
                    self.resp.tx = Some(id);
                    self.anomaly(
                        Direction::ToClient,
                        "http.unable_to_match_response_to_request",
                        out,
                    );
                    id
                } else {
                    // Request was pruned: skip ahead to the oldest held one.
                    match self.txs.front() {
                        Some(t) => t.id,
                        None => return,
                    }
                }
            }
        };
        self.resp_next = id;
        self.resp.tx = Some(id);
        self.resp.header_count = 0;
        self.resp.pending_header = None;
        self.resp.repetitions = 0;
        let status = parse_u64_dec(code)
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| (100..=999).contains(v));
        if protocol_number(proto) == PROTO_INVALID {
            self.anomaly(Direction::ToClient, "http.response_invalid_protocol", out);
        }
        if status.is_none() {
            self.anomaly(Direction::ToClient, "http.response_invalid_status", out);
        }
        let Some(tx) = self.tx_mut(id) else { return };
        tx.resp_protocol = proto.to_vec();
        tx.status_raw = code.to_vec();
        tx.status = status;
        tx.stat_msg = msg.to_vec();
        tx.response_line = line.to_vec();
        tx.response_start.clear();
        tx.response_start.extend_from_slice(line);
        tx.response_start.extend_from_slice(b"\r\n");
        tx.resp_headers.clear();
        tx.response_progress = Progress::Line;
        self.resp.phase = Phase::Headers;
    }

    fn header_line(&mut self, dir: Direction, raw: &[u8], line: &[u8], out: &mut Vec<AppEvent>) {
        let Some(id) = self.side(dir).tx else {
            self.side_mut(dir).phase = Phase::StartLine;
            return;
        };
        let limit = self.cfg.http_field_limit.saturating_mul(4);
        let Some(tx) = self.tx_mut(id) else { return };
        let (hs, start) = match dir {
            Direction::ToServer => (&mut tx.req_headers, &mut tx.request_start),
            Direction::ToClient => (&mut tx.resp_headers, &mut tx.response_start),
        };
        hs.push_raw(raw, limit);
        if start.len() < limit {
            start.extend_from_slice(raw);
        }
        let resp_11 = dir == Direction::ToClient && protocol_number(&tx.resp_protocol) == PROTO_1_1;
        if line.is_empty() {
            self.flush_header(dir, id, out);
            self.headers_done(dir, id, out);
            return;
        }
        let folded = line.first().is_some_and(|c| is_ws(*c));
        if !folded {
            self.flush_header(dir, id, out);
            self.side_mut(dir).pending_header = Some(line.to_vec());
            return;
        }
        let pending_colon = self
            .side(dir)
            .pending_header
            .as_ref()
            .map(|h| h.contains(&b':'));
        match pending_colon {
            // libhtp (responses, HTTP/1.1): a folded line holding a colon after a header
            // that had one is a new header with its first character dropped, flagged as
            // invalid folding (evaders hide Transfer-Encoding that way).
            Some(true) if resp_11 && line.contains(&b':') => {
                self.anomaly(dir, "http.invalid_response_field_folding", out);
                self.flush_header(dir, id, out);
                self.side_mut(dir).pending_header =
                    Some(line.get(1..).unwrap_or_default().to_vec());
            }
            // A continuation: appended as is (libhtp keeps the folding white space).
            Some(_) => {
                if let Some(h) = self.side_mut(dir).pending_header.as_mut() {
                    h.extend_from_slice(line);
                }
            }
            // Folding with nothing to fold into: a header of its own, flagged.
            None => {
                let name = match dir {
                    Direction::ToServer => "http.invalid_request_field_folding",
                    Direction::ToClient => "http.invalid_response_field_folding",
                };
                self.anomaly(dir, name, out);
                let start = line.iter().position(|c| !is_ws(*c)).unwrap_or(line.len());
                self.side_mut(dir).pending_header = Some(line[start..].to_vec());
            }
        }
    }

    /// Processes the header line held for continuations, if any.
    fn flush_header(&mut self, dir: Direction, id: u64, out: &mut Vec<AppEvent>) {
        if let Some(h) = self.side_mut(dir).pending_header.take() {
            self.header_fields(dir, id, &h, out);
        }
    }

    /// A header line that is not a continuation: name, value, and their anomalies.
    fn header_fields(&mut self, dir: Direction, id: u64, line: &[u8], out: &mut Vec<AppEvent>) {
        let max_headers = self.cfg.http_max_headers;
        let side_count = self.side(dir).header_count;
        if side_count >= max_headers {
            if side_count == max_headers {
                let name = match dir {
                    Direction::ToServer => "http.request_too_many_headers",
                    Direction::ToClient => "http.response_too_many_headers",
                };
                self.anomaly(dir, name, out);
                self.side_mut(dir).header_count += 1;
            }
            return;
        }
        let (colon_name, invalid_name, repeat_name, dup_cl_name) = match dir {
            Direction::ToServer => (
                "http.request_field_missing_colon",
                "http.request_header_invalid",
                "http.request_header_repetition",
                "http.duplicate_content_length_field_in_request",
            ),
            Direction::ToClient => (
                "http.response_field_missing_colon",
                "http.response_header_invalid",
                "http.response_header_repetition",
                "http.duplicate_content_length_field_in_response",
            ),
        };
        let (name, value, invalid) = match memchr::memchr(b':', line) {
            Some(c) => {
                let name = line.get(..c).unwrap_or_default();
                let trimmed = name.trim_ascii_end();
                // libhtp: empty name (requests), whitespace before the colon,
                // or a name that is not a token.
                let invalid = (name.is_empty() && dir == Direction::ToServer)
                    || trimmed.len() != name.len()
                    || !trimmed.iter().all(|c| is_token_char(*c));
                (trimmed, line.get(c + 1..).unwrap_or_default(), invalid)
            }
            None => {
                self.anomaly(dir, colon_name, out);
                if dir == Direction::ToClient {
                    // libhtp marks the response field invalid as well, which
                    // silences later "header invalid" warnings.
                    self.suppress(dir, invalid_name);
                }
                (&b""[..], line, false)
            }
        };
        if invalid {
            self.anomaly(dir, invalid_name, out);
        }
        let outcome = match self.tx_mut(id) {
            Some(tx) => match dir {
                Direction::ToServer => tx.req_headers.add(name, value.trim_ascii()),
                Direction::ToClient => tx.resp_headers.add(name, value.trim_ascii()),
            },
            None => return,
        };
        match outcome {
            AddOutcome::ContentLength(true) => self.anomaly(dir, dup_cl_name, out),
            AddOutcome::RepeatedAgain => {
                // libhtp tolerates 64 repetitions per message.
                let side = self.side_mut(dir);
                if side.repetitions < MAX_REPETITIONS {
                    side.repetitions += 1;
                } else {
                    self.anomaly(dir, repeat_name, out);
                }
            }
            _ => {}
        }
        self.side_mut(dir).header_count += 1;
    }

    fn headers_done(&mut self, dir: Direction, id: u64, out: &mut Vec<AppEvent>) {
        match dir {
            Direction::ToServer => self.request_headers_done(id, out),
            Direction::ToClient => self.response_headers_done(id, out),
        }
    }

    fn body_setup(&mut self, dir: Direction, id: u64, out: &mut Vec<AppEvent>) -> Option<Phase> {
        let tx = self.tx(id)?;
        let (hs, proto) = match dir {
            Direction::ToServer => (&tx.req_headers, protocol_number(&tx.protocol)),
            Direction::ToClient => (&tx.resp_headers, protocol_number(&tx.resp_protocol)),
        };
        let layers = hs
            .get(b"content-encoding")
            .map(|v| Encoding::layers(v, RESPONSE_LAYER_LIMIT))
            .unwrap_or_default();
        let te = hs.get(b"transfer-encoding").map(<[u8]>::to_vec);
        let cl = hs.get(b"content-length").map(<[u8]>::to_vec);
        let ce = hs.get(b"content-encoding").map(<[u8]>::to_vec);
        let mut events: Vec<&'static str> = Vec::new();
        let phase = match dir {
            Direction::ToServer => match (te, cl) {
                // libhtp: T-E must hold the "chunked" token; chunked before
                // HTTP/1.1 is flagged too.
                (Some(te), _) => {
                    if has_token(&te, b"chunked") {
                        if proto < PROTO_1_1 {
                            events.push("http.invalid_transfer_encoding_value_in_request");
                        }
                        Some(Phase::ChunkSize)
                    } else {
                        events.push("http.invalid_transfer_encoding_value_in_request");
                        None
                    }
                }
                (None, Some(cl)) => match parse_content_length(&cl) {
                    Some(0) => None,
                    Some(n) => Some(Phase::Length(n)),
                    None => {
                        events.push("http.invalid_content_length_field_in_request");
                        None
                    }
                },
                (None, None) => None,
            },
            Direction::ToClient => {
                let chunked = te
                    .as_ref()
                    .filter(|te| te.windows(7).any(|w| w.eq_ignore_ascii_case(b"chunked")));
                match (chunked, cl) {
                    (Some(te), _) => {
                        if !te.eq_ignore_ascii_case(b"chunked") {
                            events.push("http.response_abnormal_transfer_encoding");
                        }
                        if proto < PROTO_1_1 {
                            events.push("http.response_chunked_old_proto");
                        }
                        Some(Phase::ChunkSize)
                    }
                    (None, Some(cl)) => match parse_content_length(&cl) {
                        Some(0) => None,
                        Some(n) => Some(Phase::Length(n)),
                        None => {
                            events.push("http.invalid_content_length_field_in_response");
                            None
                        }
                    },
                    (None, None) => None,
                }
            }
        };
        if dir == Direction::ToClient {
            if let Some(ce) = ce {
                content_encoding_events(&ce, RESPONSE_LAYER_LIMIT, &mut events);
            }
        }
        for e in events {
            self.anomaly(dir, e, out);
        }
        let side = self.side_mut(dir);
        side.decoder = BodyDecoder::chain(&layers).map(Box::new);
        phase
    }

    fn request_headers_done(&mut self, id: u64, out: &mut Vec<AppEvent>) {
        if let Some(tx) = self.tx_mut(id) {
            tx.req_headers.finish(b"cookie");
            if tx.host_raw.is_empty() {
                if let Some(h) = tx.req_headers.get(b"host") {
                    let h = h.trim_ascii();
                    let (host, _) = super::normalize::split_host_port(h);
                    let host = super::normalize::normalize_host(host);
                    tx.host_raw = h.to_vec();
                    tx.host = host;
                }
            }
            tx.request_progress = Progress::Body;
        }
        let missing_host = self.tx(id).is_some_and(|t| {
            protocol_number(&t.protocol) >= PROTO_1_1 && t.req_headers.get(b"host").is_none()
        });
        if missing_host {
            self.anomaly(Direction::ToServer, "http.missing_host_header", out);
        }
        // libhtp's authorization parsing: schemes other than Basic, Digest
        // and Bearer are "unrecognized".
        let auth_unknown = self.tx(id).is_some_and(|t| {
            t.req_headers.get(b"authorization").is_some_and(|v| {
                ![&b"basic"[..], b"digest", b"bearer"]
                    .iter()
                    .any(|p| v.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)))
            })
        });
        if auth_unknown {
            self.anomaly(Direction::ToServer, "http.request_auth_unrecognized", out);
        }
        out.push(AppEvent::HttpRequestHeaders(id));
        match self.body_setup(Direction::ToServer, id, out) {
            Some(p) => self.req.phase = p,
            None => self.finish_message(Direction::ToServer, out),
        }
    }

    fn response_headers_done(&mut self, id: u64, out: &mut Vec<AppEvent>) {
        let (status, is_connect, is_head) = match self.tx_mut(id) {
            Some(tx) => {
                tx.resp_headers.finish(b"set-cookie");
                (
                    tx.status.unwrap_or(0),
                    tx.method.eq_ignore_ascii_case(b"CONNECT"),
                    tx.method.eq_ignore_ascii_case(b"HEAD"),
                )
            }
            None => return,
        };
        if (100..200).contains(&status) {
            if status == 101 {
                self.resp.phase = Phase::Tunnel;
                self.req.phase = Phase::Tunnel;
                out.push(AppEvent::HttpResponseHeaders(id));
                self.finish_message(Direction::ToClient, out);
                return;
            }
            // Interim response (100-continue): wait for the final one.
            if let Some(tx) = self.tx_mut(id) {
                tx.response_progress = Progress::NotStarted;
            }
            self.resp.phase = Phase::StartLine;
            return;
        }
        if let Some(tx) = self.tx_mut(id) {
            tx.response_progress = Progress::Body;
        }
        out.push(AppEvent::HttpResponseHeaders(id));
        if is_connect && (200..300).contains(&status) {
            self.finish_message(Direction::ToClient, out);
            self.resp.phase = Phase::Tunnel;
            self.req.phase = Phase::Tunnel;
            return;
        }
        let no_body = is_head || status == 204 || status == 304;
        let phase = self.body_setup(Direction::ToClient, id, out);
        match phase {
            _ if no_body => self.finish_message(Direction::ToClient, out),
            Some(p) => self.resp.phase = p,
            None => {
                let has_cl = self
                    .tx(id)
                    .is_some_and(|t| t.resp_headers.get(b"content-length").is_some());
                if has_cl {
                    self.finish_message(Direction::ToClient, out);
                } else {
                    self.resp.phase = Phase::UntilClose;
                }
            }
        }
    }

    fn body_data(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        if data.is_empty() {
            return;
        }
        let Some(id) = self.side(dir).tx else { return };
        let limit = match dir {
            Direction::ToServer => self.cfg.request_body_limit,
            Direction::ToClient => self.cfg.response_body_limit,
        };
        let mut decoder = self.side_mut(dir).decoder.take();
        let Some(tx) = self.tx_mut(id) else { return };
        let (body, total) = match dir {
            Direction::ToServer => (&mut tx.request_body, &mut tx.request_body_len),
            Direction::ToClient => (&mut tx.response_body, &mut tx.response_body_len),
        };
        let first_body = *total == 0;
        *total = total.saturating_add(data.len() as u64);
        let before = body.len();
        match decoder.as_mut() {
            Some(d) => {
                let r = d.feed(data, body, limit);
                if r.failed && !tx.events.contains(&"http.gzip_decompression_failed") {
                    tx.events.push("http.gzip_decompression_failed");
                    out.push(AppEvent::Anomaly("http.gzip_decompression_failed"));
                }
                if r.bomb && !tx.events.contains(&"http.compression_bomb") {
                    tx.events.push("http.compression_bomb");
                    out.push(AppEvent::Anomaly("http.compression_bomb"));
                }
            }
            None => {
                let room = limit.saturating_sub(body.len());
                body.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
            }
        }
        let grew = body.len() > before;
        self.side_mut(dir).decoder = decoder;
        // Suricata opens the response body as a file at its first bytes and checks a
        // Content-Range header then.
        if first_body && dir == Direction::ToClient {
            let bad_range = self
                .tx(id)
                .and_then(|t| t.resp_headers.get(b"content-range"))
                .is_some_and(|v| !content_range_valid(v));
            if bad_range {
                self.anomaly(dir, "http.range_invalid", out);
            }
        }
        if grew {
            out.push(match dir {
                Direction::ToServer => AppEvent::HttpRequestBody(id),
                Direction::ToClient => AppEvent::HttpResponseBody(id),
            });
        }
    }

    fn finish_message(&mut self, dir: Direction, out: &mut Vec<AppEvent>) {
        let side = self.side_mut(dir);
        let tx_id = side.tx.take();
        side.decoder = None;
        if side.phase != Phase::Tunnel {
            side.phase = Phase::StartLine;
        }
        let Some(id) = tx_id else { return };
        if let Some(tx) = self.tx_mut(id) {
            match dir {
                Direction::ToServer => tx.request_progress = Progress::Complete,
                Direction::ToClient => tx.response_progress = Progress::Complete,
            }
        }
        match dir {
            Direction::ToServer => out.push(AppEvent::HttpRequestComplete(id)),
            Direction::ToClient => {
                self.resp_next = id + 1;
                out.push(AppEvent::HttpResponseComplete(id));
            }
        }
    }

    /// The connection closed: finish bodies delimited by close.
    ///
    /// Pending header blocks cut short by the close are finalized so their
    /// headers can still be inspected.
    pub fn close(&mut self, out: &mut Vec<AppEvent>) {
        for dir in [Direction::ToServer, Direction::ToClient] {
            if self.side(dir).phase == Phase::Headers {
                let mut line = std::mem::take(&mut self.side_mut(dir).line);
                if !line.is_empty() {
                    if line.last() != Some(&b'\n') {
                        line.extend_from_slice(b"\r\n");
                    }
                    self.handle_line(dir, &line, out);
                }
                if self.side(dir).phase == Phase::Headers {
                    self.handle_line(dir, b"\r\n", out);
                }
            }
            if self.side(dir).tx.is_some() && self.side(dir).phase != Phase::Tunnel {
                self.finish_message(dir, out);
            }
        }
    }
}

/// libhtp's protocol numbers (`htp_parse_protocol`): only the exact strings
/// `HTTP/0.9`, `HTTP/1.0` and `HTTP/1.1` are known.
const PROTO_INVALID: i32 = -2;
const PROTO_1_1: i32 = 101;
/// Header repetitions tolerated per message (libhtp `HTP_MAX_HEADERS_REPETITIONS`).
const MAX_REPETITIONS: u8 = 64;
/// Suricata's default `response-body-decompress-layer-limit`.
const RESPONSE_LAYER_LIMIT: usize = 2;

fn protocol_number(p: &[u8]) -> i32 {
    match p {
        b"HTTP/0.9" => 9,
        b"HTTP/1.0" => 100,
        b"HTTP/1.1" => PROTO_1_1,
        _ => PROTO_INVALID,
    }
}

/// libhtp's `htp_header_has_token`: comma-separated list containing `token`.
fn has_token(v: &[u8], token: &[u8]) -> bool {
    v.split(|c| *c == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
}

/// libhtp's Content-Encoding checks: the plain values take a fast path;
/// anything else is read as a list where each unusual coding is "abnormal"
/// and more than `limit` codings are "too many layers".
fn content_encoding_events(ce: &[u8], limit: usize, events: &mut Vec<&'static str>) {
    let plain: &[&[u8]] = &[
        b"gzip",
        b"x-gzip",
        b"deflate",
        b"x-deflate",
        b"lzma",
        b"inflate",
    ];
    let v: Vec<u8> = ce.iter().copied().filter(|c| *c != 0).collect();
    if plain.iter().any(|p| v.eq_ignore_ascii_case(p)) {
        return;
    }
    let tokens = ce
        .split(|c| *c == b',' || *c == b' ')
        .filter(|t| !t.is_empty());
    for (layers, tok) in tokens.enumerate() {
        if layers + 1 > limit {
            events.push("http.too_many_encoding_layers");
            break;
        }
        let lower = tok.to_ascii_lowercase();
        let has = |n: &[u8]| lower.windows(n.len()).any(|w| w == n);
        let abnormal = if has(b"gzip") {
            tok != b"gzip" && tok != b"x-gzip"
        } else if has(b"deflate") {
            tok != b"deflate" && tok != b"x-deflate"
        } else {
            !matches!(tok, b"lzma" | b"inflate" | b"none")
        };
        if abnormal && !events.contains(&"http.abnormal_ce_header") {
            events.push("http.abnormal_ce_header");
        }
    }
}

fn too_long(dir: Direction) -> &'static str {
    match dir {
        Direction::ToServer => "http.request_field_too_long",
        Direction::ToClient => "http.response_field_too_long",
    }
}

/// Append up to `limit` total bytes; returns true when bytes were dropped.
fn append_bounded(buf: &mut Vec<u8>, data: &[u8], limit: usize) -> bool {
    let room = limit.saturating_sub(buf.len());
    if data.len() <= room {
        buf.extend_from_slice(data);
        false
    } else {
        buf.extend_from_slice(data.get(..room).unwrap_or_default());
        // keep the line terminator so the line still ends
        if data.last() == Some(&b'\n') {
            buf.push(b'\n');
        }
        true
    }
}
