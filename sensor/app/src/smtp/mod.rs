//! SMTP: command/reply parsing and the `smtp.*` app-layer events, with Suricata 7's
//! semantics (`app-layer-smtp.c`).
//!
//! The parser follows Suricata's model closely because its events depend on it:
//!
//! * Lines end at LF (a CR before it is part of the delimiter); a line of 4096 bytes or
//!   more is cut there. Mail data after `DATA` (once its headers are read) and `BDAT`
//!   chunks are split more leniently: a lone CR ends a line too, and the bytes at the
//!   end of a segment count as a line of their own.
//! * A transaction is one mail transaction: the first command creates it, a command after
//!   it is complete (end of data, a 250 answer to `RSET`, the answer to `STARTTLS`)
//!   opens a new one, except `RSET` and `QUIT`. Events are set on the current
//!   transaction; with none (replies before any command), they are lost.
//! * Every command goes into a buffer the replies are matched against, in order; a
//!   multi-line reply answers one command. A command after `DATA` or `STARTTLS` in that
//!   buffer is an invalid pipelined sequence.
//! * `BDAT` chunk bytes are counted across chunks (only `RSET` resets the count), so a
//!   second chunk usually "exceeds" its length.
//! * Errors (a reply shorter than three bytes or with an unknown code, a `BDAT` without
//!   parameter, an exceeded chunk) stop parsing of the flow, as Suricata disables its app layer then. A 220
//!   answer to `STARTTLS` hands the flow to TLS: parsing stops, unless the client goes on
//!   in clear text with an SMTP command, which Suricata detects as a new SMTP session.
//!
//! MIME decoding is not done: only whether headers are being read (which selects the
//! strict line splitting) and the length of the message's boundary are followed.

use crate::event::AppEvent;
use crate::proto::Direction;

/// Longest line kept; longer lines are truncated (Suricata's `SMTP_LINE_BUFFER_LIMIT`).
const LINE_LIMIT: usize = 4096;
/// Longest MIME boundary Suricata's decoder takes (its 256-byte buffer, less two).
const MAX_BOUNDARY: usize = 254;
/// Bytes of the message's Content-Type value kept to find its boundary.
const MAX_HEADER: usize = 4096;
/// Transactions a flow may create before parsing fails (Suricata's default `max-tx`).
const MAX_TX: u64 = 256;
/// Bytes of one unfinished line kept per direction before parsing gives up.
const MAX_PENDING: usize = 1 << 20;
/// Commands waiting for replies before parsing fails (Suricata's `u16` buffer).
const MAX_PENDING_COMMANDS: usize = u16::MAX as usize;

/// Reply codes Suricata knows; any other code is an invalid reply.
const REPLY_CODES: &[&[u8; 3]] = &[
    b"211", b"214", b"220", b"221", b"235", b"250", b"251", b"252", b"334", b"354", b"421", b"450",
    b"451", b"452", b"455", b"500", b"501", b"502", b"503", b"504", b"550", b"551", b"552", b"553",
    b"554", b"555",
];

/// The events this parser raises (bit = index).
const EVENT_NAMES: [&str; 9] = [
    "smtp.invalid_reply",
    "smtp.invalid_pipelined_sequence",
    "smtp.bdat_chunk_len_exceeded",
    "smtp.no_server_welcome_message",
    "smtp.tls_rejected",
    "smtp.data_command_rejected",
    "smtp.duplicate_fields",
    "smtp.unparsable_content",
    "smtp.mime_long_boundary",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Event {
    InvalidReply = 0,
    InvalidPipelinedSequence = 1,
    BdatChunkLenExceeded = 2,
    NoServerWelcomeMessage = 3,
    TlsRejected = 4,
    DataCommandRejected = 5,
    DuplicateFields = 6,
    UnparsableContent = 7,
    MimeLongBoundary = 8,
}

/// Commands as far as reply matching cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Command {
    #[default]
    None,
    StartTls,
    Data,
    Bdat,
    /// The end of mail data, answered by the server like a command.
    DataMode,
    Rset,
    Other,
}

/// Where the MIME decoder of a `DATA` transaction stands, as far as line splitting and
/// its boundary check care.
#[derive(Debug, Clone, Default)]
struct MimeTrack {
    /// Reading headers (of the message or of a part), split strictly; else a body.
    headers: bool,
    /// The message has parts: a boundary line starts a part's headers.
    multipart: bool,
    /// The message's own headers are done.
    top_done: bool,
    /// The message's Content-Type value, while its headers are read.
    content_type: Vec<u8>,
    /// The last header line read was (part of) the message's Content-Type.
    in_content_type: bool,
}

impl MimeTrack {
    fn new() -> MimeTrack {
        MimeTrack {
            headers: true,
            ..MimeTrack::default()
        }
    }

    /// One line of mail data; true when the message's headers end with a boundary longer
    /// than Suricata's MIME decoder takes (which then stops decoding the message).
    fn line(&mut self, text: &[u8]) -> bool {
        if !self.headers {
            if self.multipart && text.len() > 2 && text.starts_with(b"--") && !text.ends_with(b"--")
            {
                self.headers = true;
            }
            return false;
        }
        if text.is_empty() {
            self.headers = false;
            self.in_content_type = false;
            if self.top_done {
                return false;
            }
            self.top_done = true;
            let ct = std::mem::take(&mut self.content_type);
            return match boundary_len(&ct) {
                Some(len) if len > MAX_BOUNDARY => true,
                Some(_) => {
                    self.multipart = true;
                    false
                }
                None => false,
            };
        }
        if self.top_done {
            return false;
        }
        if matches!(text[0], b' ' | b'\t') {
            if self.in_content_type && self.content_type.len() < MAX_HEADER {
                self.content_type.extend_from_slice(text);
            }
        } else {
            let name = b"content-type:";
            self.in_content_type = text
                .get(..name.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(name));
            if self.in_content_type {
                self.content_type.clear();
                let v = &text[name.len()..];
                self.content_type
                    .extend_from_slice(&v[..v.len().min(MAX_HEADER)]);
            }
        }
        false
    }
}

/// Length of the `boundary=` parameter of a Content-Type value, quotes removed.
fn boundary_len(ct: &[u8]) -> Option<usize> {
    let key = b"boundary=";
    let at = ct
        .windows(key.len())
        .position(|w| w.eq_ignore_ascii_case(key))?;
    let v = &ct[at + key.len()..];
    let len = match v.first() {
        Some(b'"') => v[1..]
            .iter()
            .position(|&c| c == b'"')
            .unwrap_or(v.len() - 1),
        _ => v
            .iter()
            .position(|&c| matches!(c, b';' | b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(v.len()),
    };
    Some(len)
}

#[derive(Debug, Default)]
struct Tx {
    done: bool,
    /// Calls parsing client data since the transaction was finished, and whether server
    /// data finished it (see [`SmtpState::free_inspected`]).
    client_calls_since_done: u8,
    done_by_reply: bool,
    /// A `DATA` command was seen in this transaction.
    is_data: bool,
    mail_from: bool,
    mime: Option<MimeTrack>,
    /// Event bits already reported.
    events: u16,
}

/// One line handed to the command or reply handler.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a [u8],
    delim: usize,
    lf_found: bool,
}

impl Line<'_> {
    fn starts_ci(&self, word: &[u8]) -> bool {
        self.text
            .get(..word.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(word))
    }

    /// Truncated at [`LINE_LIMIT`] (no delimiter).
    fn truncated(&self) -> bool {
        self.delim == 0 && self.text.len() == LINE_LIMIT
    }
}

/// Outcome of a line split.
enum Split<'a> {
    Line(Line<'a>),
    /// No complete line: keep the rest for more data.
    Incomplete,
    /// The input is used up.
    End,
}

/// The parser failed: Suricata stops parsing the flow.
#[derive(Debug)]
struct Failed;

/// SMTP parser state of one flow.
#[derive(Debug, Default)]
pub struct SmtpState {
    /// The current transaction (Suricata's `curr_tx`).
    tx: Option<Tx>,
    tx_count: u64,
    data_mode: bool,
    first_reply_seen: bool,
    multiline_reply: bool,
    pipelining_server: bool,
    current: Command,
    /// Commands waiting for their replies, and the next one to match.
    cmds: Vec<Command>,
    cmds_idx: usize,
    helo_seen: bool,
    bdat_chunk_len: u32,
    bdat_chunk_idx: u32,
    /// Per direction (0 = to server): skip bytes up to the next LF (after a long line).
    discard_till_lf: [bool; 2],
    /// Per direction: bytes of an unfinished line.
    pending: [Vec<u8>; 2],
    /// Parsing stopped (an error, or the flow switched to TLS).
    stopped: bool,
    /// The server accepted `STARTTLS`: the client's next data decides what follows.
    upgraded: bool,
    /// The flow went on with TLS after `STARTTLS`.
    tls: bool,
    /// Events raised by the call in progress.
    out: Vec<&'static str>,
    /// The call in progress parses server data.
    parsing_replies: bool,
}

impl SmtpState {
    /// A new, empty state.
    pub fn new() -> SmtpState {
        SmtpState::default()
    }

    /// Transactions created so far.
    pub fn tx_count(&self) -> u64 {
        self.tx_count
    }

    /// The server accepted `STARTTLS` and the client's next data was not clear-text
    /// SMTP (or has not come yet).
    pub fn upgraded_to_tls(&self) -> bool {
        self.upgraded || self.tls
    }

    /// Parsing of the flow stopped (an error as Suricata sees it, or TLS).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Feeds stream bytes of one direction; events are appended to `out`, each once per
    /// transaction.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        if self.upgraded && dir == Direction::ToServer && !data.is_empty() {
            // Suricata detects the protocol again after STARTTLS: a client that goes on
            // in clear text starts a new SMTP session (which saw no welcome message).
            if starts_like_smtp_client(data) {
                *self = SmtpState::new();
            } else {
                self.upgraded = false;
                self.tls = true;
                self.stopped = true;
            }
        }
        if self.stopped || self.upgraded || data.is_empty() {
            return;
        }
        let di = usize::from(dir == Direction::ToClient);
        let mut buf = std::mem::take(&mut self.pending[di]);
        buf.extend_from_slice(data);
        self.parsing_replies = dir == Direction::ToClient;
        if dir == Direction::ToServer {
            self.free_inspected();
        }
        let res = match dir {
            Direction::ToServer => self.parse_requests(&buf),
            Direction::ToClient => self.parse_replies(&buf),
        };
        match res {
            Ok(consumed) => {
                let rest = buf.get(consumed..).unwrap_or_default();
                if rest.len() > MAX_PENDING {
                    self.stopped = true;
                    self.pending = Default::default();
                } else if !rest.is_empty() {
                    self.pending[di] = rest.to_vec();
                } else {
                    buf.clear();
                    self.pending[di] = buf;
                }
            }
            Err(Failed) => {
                self.stopped = true;
                self.pending = Default::default();
            }
        }
        out.extend(self.out.drain(..).map(AppEvent::Anomaly));
    }

    /// A hole in one direction: Suricata's SMTP parser does not accept gaps, its app
    /// layer stops on the first one.
    pub fn gap(&mut self, _dir: Direction) {
        self.stopped = true;
        self.pending = Default::default();
    }

    /// The current transaction is complete.
    fn finish_tx(&mut self) {
        let by_reply = self.parsing_replies;
        if let Some(tx) = self.tx.as_mut() {
            if !tx.done {
                tx.done = true;
                tx.done_by_reply = by_reply;
            }
        }
    }

    /// Suricata frees a complete transaction once a packet of each direction inspected
    /// it, after which a command (even `RSET` or `QUIT`) opens a new one. Client data is
    /// parsed on the server's packets: a transaction finished by client data has been
    /// inspected both ways when the client's next data is parsed (the client sent a packet
    /// since); one finished by a reply, once more client data followed.
    fn free_inspected(&mut self) {
        let free = self.tx.as_mut().is_some_and(|tx| {
            if !tx.done {
                return false;
            }
            tx.client_calls_since_done = tx.client_calls_since_done.saturating_add(1);
            tx.client_calls_since_done > u8::from(tx.done_by_reply)
        });
        if free {
            self.tx = None;
        }
    }

    fn set_event(&mut self, ev: Event) {
        let Some(tx) = self.tx.as_mut() else {
            return;
        };
        // A finished transaction has been inspected toward the client by the time a
        // reply is parsed (its last command was acknowledged by then), and Suricata frees
        // it once the packet that parses the reply inspected it toward the server: a
        // reply's event on it reaches no rule toward the client.
        if tx.done
            && self.parsing_replies
            && !matches!(ev, Event::TlsRejected | Event::BdatChunkLenExceeded)
        {
            return;
        }
        let bit = 1u16 << ev as u8;
        if tx.events & bit == 0 {
            tx.events |= bit;
            self.out.push(EVENT_NAMES[ev as usize]);
        }
    }

    /// Splits the next line off `buf[*consumed..]` (Suricata's `SMTPGetLine`).
    fn get_line<'a>(&mut self, di: usize, buf: &'a [u8], consumed: &mut usize) -> Split<'a> {
        let rest = &buf[*consumed..];
        if rest.is_empty() {
            return Split::End;
        }
        let Some(lf) = memchr::memchr(b'\n', rest) else {
            if !self.discard_till_lf[di] && rest.len() >= LINE_LIMIT {
                // Suricata hands out the start of the whole input here.
                return Split::Line(Line {
                    text: &buf[..LINE_LIMIT],
                    delim: 0,
                    lf_found: false,
                });
            }
            return Split::Incomplete;
        };
        let start = *consumed;
        *consumed += lf + 1;
        let raw = &rest[..=lf];
        if raw.len() >= LINE_LIMIT {
            return Split::Line(Line {
                text: &raw[..LINE_LIMIT],
                delim: 0,
                lf_found: true,
            });
        }
        if self.discard_till_lf[di] {
            self.discard_till_lf[di] = false;
            return Split::Line(Line {
                text: &buf[start..start],
                delim: 0,
                lf_found: true,
            });
        }
        let delim = if raw.len() >= 2 && raw[raw.len() - 2] == b'\r' {
            2
        } else {
            1
        };
        Split::Line(Line {
            text: &raw[..raw.len() - delim],
            delim,
            lf_found: true,
        })
    }

    /// Client data (Suricata's `SMTPParse`, to server); returns the bytes consumed.
    fn parse_requests(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        let mut consumed = 0;
        if matches!(self.current, Command::Data | Command::Bdat)
            && self.data_mode
            && self.preprocess(buf, &mut consumed)?
            && consumed == buf.len()
        {
            return Ok(consumed);
        }
        loop {
            let line = match self.get_line(0, buf, &mut consumed) {
                Split::Line(l) => l,
                Split::Incomplete => return Ok(consumed),
                Split::End => return Ok(buf.len()),
            };
            self.process_request(line)?;
            if line.truncated() {
                if !line.lf_found {
                    self.discard_till_lf[0] = true;
                }
                return Ok(buf.len());
            }
            if consumed < buf.len()
                && self.current == Command::Data
                && self.data_mode
                && self.preprocess(buf, &mut consumed)?
                && consumed == buf.len()
            {
                return Ok(consumed);
            }
        }
    }

    /// Server data (Suricata's `SMTPParse`, to client); returns the bytes consumed.
    fn parse_replies(&mut self, buf: &[u8]) -> Result<usize, Failed> {
        let mut consumed = 0;
        loop {
            let line = match self.get_line(1, buf, &mut consumed) {
                Split::Line(l) => l,
                Split::Incomplete => return Ok(consumed),
                Split::End => return Ok(buf.len()),
            };
            self.process_reply(line, consumed)?;
            if line.truncated() {
                if !line.lf_found {
                    self.discard_till_lf[1] = true;
                }
                return Ok(buf.len());
            }
        }
    }

    /// Mail data split leniently (Suricata's `SMTPPreProcessCommands`): CR, LF or CRLF
    /// end a line and the end of the input ends one too. Returns `Ok(true)` when it
    /// handled the input, `Ok(false)` when strict line splitting must take over (message
    /// headers, or a line that may be a MIME boundary).
    fn preprocess(&mut self, buf: &[u8], consumed: &mut usize) -> Result<bool, Failed> {
        if self
            .tx
            .as_ref()
            .is_some_and(|t| t.mime.as_ref().is_some_and(|m| m.headers))
        {
            return Ok(false);
        }
        let offset = *consumed;
        let input_len = buf.len() - offset;
        let mut delim = 0;
        let mut i = 0;
        while i < input_len {
            let mut complete = false;
            match buf[offset + i] {
                b'\r' => {
                    if i + 1 < input_len && buf[offset + i + 1] == b'\n' {
                        i += 1;
                        delim += 1;
                    }
                    delim += 1;
                    complete = true;
                }
                b'\n' => {
                    delim += 1;
                    complete = true;
                }
                _ => {}
            }
            if complete || i == input_len - 1 {
                let line_start = &buf[*consumed..];
                if line_start.first() == Some(&b'-')
                    && (line_start.len() == 1 || line_start.get(1) == Some(&b'-'))
                {
                    return Ok(false);
                }
                let end = offset + i + 1;
                let text = &buf[*consumed..end - delim];
                *consumed = end;
                self.process_request(Line {
                    text,
                    delim,
                    lf_found: false,
                })?;
                delim = 0;
                if !self.data_mode {
                    break;
                }
            }
            i += 1;
        }
        Ok(true)
    }

    /// One client line (Suricata's `SMTPProcessRequest`).
    fn process_request(&mut self, line: Line<'_>) -> Result<(), Failed> {
        if line.text.is_empty() && line.delim == 0 {
            return Ok(());
        }
        let no_new_tx = !self.data_mode && (line.starts_ci(b"rset") || line.starts_ci(b"quit"));
        if self.tx.as_ref().is_none_or(|t| t.done && !no_new_tx) {
            if self.tx_count > MAX_TX {
                return Err(Failed);
            }
            self.tx = Some(Tx::default());
            self.tx_count += 1;
        }
        if !self.first_reply_seen {
            self.set_event(Event::NoServerWelcomeMessage);
        }
        if self.data_mode {
            match self.current {
                Command::Data => self.data_line(line),
                Command::Bdat => return self.bdat_line(line),
                _ => {}
            }
            return Ok(());
        }
        let cmd = if line.starts_ci(b"starttls") {
            Command::StartTls
        } else if line.starts_ci(b"data") {
            let is_data = self.tx.as_ref().is_some_and(|t| t.is_data);
            self.current = Command::Data;
            if is_data {
                // A second DATA without the end of the first: not recorded.
                self.set_event(Event::UnparsableContent);
                return Ok(());
            }
            if let Some(tx) = self.tx.as_mut() {
                tx.is_data = true;
                tx.mime = Some(MimeTrack::new());
            }
            if self.pipelining_server {
                self.data_mode = true;
            }
            Command::Data
        } else if line.starts_ci(b"bdat") {
            self.bdat_chunk_len = parse_bdat_len(line.text).ok_or(Failed)?;
            self.data_mode = true;
            Command::Bdat
        } else if line.starts_ci(b"helo") || line.starts_ci(b"ehlo") {
            if self.helo_seen {
                self.set_event(Event::DuplicateFields);
            }
            self.helo_seen = true;
            Command::Other
        } else if line.starts_ci(b"mail from") {
            if self.tx.as_ref().is_some_and(|t| t.mail_from) {
                self.set_event(Event::DuplicateFields);
            } else if let Some(tx) = self.tx.as_mut() {
                tx.mail_from = true;
            }
            Command::Other
        } else if line.starts_ci(b"rset") {
            self.bdat_chunk_idx = 0;
            Command::Rset
        } else {
            Command::Other
        };
        self.current = cmd;
        self.push_command(cmd)
    }

    /// Records a command for reply matching (Suricata's
    /// `SMTPInsertCommandIntoCommandBuffer`).
    fn push_command(&mut self, cmd: Command) -> Result<(), Failed> {
        if matches!(self.cmds.last(), Some(Command::StartTls | Command::Data)) {
            self.set_event(Event::InvalidPipelinedSequence);
        }
        if self.cmds.len() + 1 > MAX_PENDING_COMMANDS {
            return Err(Failed);
        }
        self.cmds.push(cmd);
        Ok(())
    }

    /// A line of mail data after `DATA` (Suricata's `SMTPProcessCommandDATA`).
    fn data_line(&mut self, line: Line<'_>) {
        if line.text == b"." {
            self.data_mode = false;
            // The answer to the end of data is matched like a command's; an error here
            // (command buffer full) is ignored, as in Suricata.
            let _ = self.push_command(Command::DataMode);
            self.finish_tx();
            return;
        }
        let long_boundary = self
            .tx
            .as_mut()
            .and_then(|t| t.mime.as_mut())
            .is_some_and(|m| m.line(line.text));
        if long_boundary {
            // The decoder fails: the rest of the message is read as a body.
            if let Some(m) = self.tx.as_mut().and_then(|t| t.mime.as_mut()) {
                m.multipart = false;
            }
            self.set_event(Event::MimeLongBoundary);
        }
    }

    /// A piece of a `BDAT` chunk (Suricata's `SMTPProcessCommandBDAT`).
    fn bdat_line(&mut self, line: Line<'_>) -> Result<(), Failed> {
        let n = u32::try_from(line.text.len() + line.delim).unwrap_or(u32::MAX);
        self.bdat_chunk_idx = self.bdat_chunk_idx.wrapping_add(n);
        if self.bdat_chunk_idx > self.bdat_chunk_len {
            self.data_mode = false;
            self.set_event(Event::BdatChunkLenExceeded);
            return Err(Failed);
        }
        if self.bdat_chunk_idx == self.bdat_chunk_len {
            self.data_mode = false;
        }
        Ok(())
    }

    /// One server line (Suricata's `SMTPProcessReply`); `consumed` is where the line ends
    /// in the input of this call.
    fn process_reply(&mut self, line: Line<'_>, consumed: usize) -> Result<(), Failed> {
        let text = line.text;
        if text.is_empty() && consumed == 1 && line.delim == 1 {
            return Ok(());
        }
        if text.len() < 3 {
            self.set_event(Event::InvalidReply);
            return Err(Failed);
        }
        match text.get(3) {
            Some(b'-') => self.multiline_reply = true,
            Some(_) if self.multiline_reply => self.multiline_reply = false,
            None => self.multiline_reply = false,
            Some(_) => {}
        }
        let code = [text[0], text[1], text[2]];
        if !REPLY_CODES.contains(&&code) {
            self.set_event(Event::InvalidReply);
            return Err(Failed);
        }
        if self.cmds_idx == self.cmds.len() {
            if !self.first_reply_seen {
                if !self.multiline_reply {
                    self.first_reply_seen = true;
                }
                if &code != b"220" {
                    self.set_event(Event::InvalidReply);
                }
            }
            // Otherwise a reply nobody asked for: Suricata raises nothing.
            return Ok(());
        }
        match self.cmds.get(self.cmds_idx) {
            Some(Command::StartTls) => {
                if &code == b"220" {
                    self.data_mode = true;
                    self.upgraded = true;
                    self.finish_tx();
                } else {
                    self.set_event(Event::TlsRejected);
                }
            }
            Some(Command::Data) => {
                if &code == b"354" {
                    self.data_mode = true;
                } else {
                    if self.pipelining_server {
                        self.data_mode = false;
                    }
                    self.set_event(Event::DataCommandRejected);
                }
            }
            Some(Command::Rset) if &code == b"250" && !self.multiline_reply => {
                self.finish_tx();
            }
            _ => {}
        }
        if !self.multiline_reply {
            self.cmds_idx += 1;
        } else if self.first_reply_seen
            && &code == b"250"
            && text.len() == 14
            && text[4..].eq_ignore_ascii_case(b"pipelining")
        {
            self.pipelining_server = true;
        }
        if self.cmds_idx == self.cmds.len() {
            self.cmds.clear();
            self.cmds_idx = 0;
        }
        Ok(())
    }
}

/// Whether client data starts with one of Suricata's SMTP detection patterns.
fn starts_like_smtp_client(data: &[u8]) -> bool {
    data.get(..4).is_some_and(|h| {
        [b"EHLO", b"HELO", b"QUIT"]
            .iter()
            .any(|p| h.eq_ignore_ascii_case(&p[..]))
    })
}

/// The chunk length of a `BDAT` line, read as `strtoul` reads it (kept to 32 bits as
/// Suricata stores it); `None` without a parameter.
fn parse_bdat_len(text: &[u8]) -> Option<u32> {
    let mut i = 4;
    while text.get(i) == Some(&b' ') {
        i += 1;
    }
    if i == 4 || i == text.len() {
        return None;
    }
    // strtoul sees at most 23 bytes.
    let s = &text[i..text.len().min(i + 23)];
    let mut j = 0;
    while s
        .get(j)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
    {
        j += 1;
    }
    let neg = match s.get(j) {
        Some(b'-') => {
            j += 1;
            true
        }
        Some(b'+') => {
            j += 1;
            false
        }
        _ => false,
    };
    // Suricata 7.0.10 takes a parameter without digits as length 0 (it goes on parsing
    // after `BDAT SCRAMBLE`, and stops after a bare `BDAT`).
    let digits = s[j..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut v: u64 = 0;
    let mut overflow = false;
    for c in &s[j..j + digits] {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(c - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    let v = if overflow {
        u64::MAX
    } else if neg {
        v.wrapping_neg()
    } else {
        v
    };
    // Truncated to the 32-bit field.
    Some(v as u32)
}

#[cfg(test)]
mod tests;
