//! TLS record layer and handshake reassembly for one connection.

use super::handshake::{
    parse_certificate_list, parse_client_hello, parse_server_hello, ClientHello, ServerHello,
};
use super::ja3::{ja3_string, ja3s_string, md5_hex};
use super::x509::{parse_certificate, CertInfo};
use crate::config::AppConfig;
use crate::event::AppEvent;
use crate::proto::Direction;

/// Largest record payload accepted (2^14 plus expansion allowance).
const MAX_RECORD: usize = 16384 + 2048;

#[derive(Debug, Default)]
struct DirState {
    hdr: [u8; 5],
    hdr_len: usize,
    in_record: bool,
    rec_type: u8,
    rec_left: usize,
    seen_record: bool,
    hs: Vec<u8>,
    /// ChangeCipherSpec seen: further handshake records are encrypted.
    encrypted: bool,
    /// Application data seen.
    app_data: bool,
    /// Unrecoverable: stop parsing this direction.
    dead: bool,
    /// Length of the current record.
    rec_len: usize,
    /// First bytes of a heartbeat record (type and payload length), while collected.
    hb_head: Vec<u8>,
}

/// Heartbeat bookkeeping of the connection, as Suricata's `SSLv3ParseHeartbeatProtocol`
/// keeps it (its CVE-2014-0160 checks).
#[derive(Debug, Default)]
struct Heartbeat {
    /// A ChangeCipherSpec was seen in either direction: heartbeats are encrypted.
    ccs: bool,
    inflight: bool,
    server_init: bool,
    client_init: bool,
    /// Record length of an encrypted request in flight.
    request_len: usize,
}

/// TLS connection state with the extracted handshake fields.
#[derive(Debug, Default)]
pub struct TlsState {
    client: DirState,
    server: DirState,
    cfg: AppConfig,
    client_hello: Option<ClientHello>,
    server_hello: Option<ServerHello>,
    ja3: Option<(String, String)>,
    ja3s: Option<(String, String)>,
    certs: Vec<Vec<u8>>,
    cert: Option<CertInfo>,
    done: bool,
    hb: Heartbeat,
}

impl TlsState {
    /// New connection state.
    pub fn new(cfg: &AppConfig) -> TlsState {
        TlsState {
            cfg: cfg.clone(),
            ..TlsState::default()
        }
    }

    fn dir_mut(&mut self, dir: Direction) -> &mut DirState {
        match dir {
            Direction::ToServer => &mut self.client,
            Direction::ToClient => &mut self.server,
        }
    }

    /// Feed stream bytes of one direction.
    pub fn parse(&mut self, dir: Direction, mut data: &[u8], out: &mut Vec<AppEvent>) {
        let max_hs = self.cfg.tls_max_handshake;
        while !data.is_empty() {
            let d = self.dir_mut(dir);
            if d.dead {
                return;
            }
            if !d.in_record {
                let take = (5 - d.hdr_len).min(data.len());
                if let (Some(dst), Some(src)) =
                    (d.hdr.get_mut(d.hdr_len..d.hdr_len + take), data.get(..take))
                {
                    dst.copy_from_slice(src);
                }
                d.hdr_len += take;
                data = data.get(take..).unwrap_or_default();
                if d.hdr_len < 5 {
                    return;
                }
                self.record_header(dir, out);
                continue;
            }
            let n = d.rec_left.min(data.len());
            let chunk = data.get(..n).unwrap_or_default();
            data = data.get(n..).unwrap_or_default();
            d.rec_left -= n;
            if d.rec_type == 24 && d.hb_head.len() < 3 {
                let want = 3 - d.hb_head.len();
                d.hb_head
                    .extend_from_slice(chunk.get(..want.min(chunk.len())).unwrap_or_default());
                if d.hb_head.len() == 3 {
                    self.heartbeat(dir, out);
                    if self.dir_mut(dir).dead {
                        return;
                    }
                }
            }
            let d = self.dir_mut(dir);
            if d.rec_type == 22 && !d.encrypted {
                if d.hs.len() + n > max_hs {
                    out.push(AppEvent::Anomaly("tls.handshake_invalid_length"));
                    d.dead = true;
                    return;
                }
                d.hs.extend_from_slice(chunk);
                self.handshake_messages(dir, out);
            }
            let d = self.dir_mut(dir);
            if d.rec_left == 0 {
                d.in_record = false;
                d.hdr_len = 0;
            }
        }
    }

    fn record_header(&mut self, dir: Direction, out: &mut Vec<AppEvent>) {
        let d = self.dir_mut(dir);
        let [t, major, _minor, hi, lo] = d.hdr;
        let first = !d.seen_record;
        d.seen_record = true;
        if first && t & 0x80 != 0 {
            // SSLv2-style record header: skip the record.
            let total = (usize::from(t & 0x7f) << 8 | usize::from(major)) + 2;
            d.rec_type = 0;
            d.rec_left = total.saturating_sub(5);
            d.in_record = d.rec_left > 0;
            d.hdr_len = 0;
            return;
        }
        if !(20..=24).contains(&t) {
            out.push(AppEvent::Anomaly("tls.invalid_record_type"));
            d.dead = true;
            return;
        }
        if major != 3 {
            out.push(AppEvent::Anomaly("tls.invalid_record_version"));
            d.dead = true;
            return;
        }
        let len = usize::from(hi) << 8 | usize::from(lo);
        if len > MAX_RECORD {
            out.push(AppEvent::Anomaly("tls.invalid_tls_header"));
            d.dead = true;
            return;
        }
        d.rec_type = t;
        d.rec_len = len;
        d.hb_head.clear();
        d.rec_left = len;
        d.in_record = len > 0;
        if len == 0 {
            d.hdr_len = 0;
        }
        match t {
            20 => {
                d.encrypted = true;
                self.hb.ccs = true;
            }
            23 => d.app_data = true,
            _ => {}
        }
        let c = &self.client;
        let s = &self.server;
        if !self.done && (c.encrypted || c.app_data) && (s.encrypted || s.app_data) {
            self.done = true;
            out.push(AppEvent::TlsHandshakeDone);
        }
    }

    /// A heartbeat record's type and payload length are in: Suricata's checks for
    /// unknown types before encryption, payloads longer than their record (heartbleed
    /// requests), short padding, and encrypted answers longer than their request.
    fn heartbeat(&mut self, dir: Direction, out: &mut Vec<AppEvent>) {
        let d = self.dir_mut(dir);
        let (hb_type, payload_len, rec_len) = match d.hb_head[..] {
            [t, hi, lo] => (t, usize::from(hi) << 8 | usize::from(lo), d.rec_len),
            _ => return,
        };
        let to_client = dir == Direction::ToClient;
        let hb = &mut self.hb;
        let mut event = None;
        if !hb.ccs && !matches!(hb_type, 1 | 2) {
            event = Some("tls.invalid_heartbeat_message");
        } else if !hb.inflight {
            hb.inflight = true;
            if to_client {
                hb.server_init = true;
            } else {
                hb.client_init = true;
            }
            if hb.ccs {
                hb.request_len = rec_len;
            } else if payload_len + 3 > rec_len {
                event = Some("tls.overflow_heartbeat_message");
            } else if rec_len - payload_len - 3 < 16 {
                event = Some("tls.invalid_heartbeat_message");
            }
        } else if (to_client && hb.server_init) || (!to_client && hb.client_init) {
            // Several heartbeats in flight from one side: Suricata stops parsing.
            self.client.dead = true;
            self.server.dead = true;
            return;
        } else {
            hb.inflight = false;
            hb.server_init = false;
            hb.client_init = false;
            if hb.ccs && hb.request_len > 0 && hb.request_len < rec_len {
                event = Some("tls.dataleak_heartbeat_mismatch");
            }
            hb.request_len = 0;
        }
        if let Some(e) = event {
            // A parser error in Suricata: no more parsing of this connection.
            out.push(AppEvent::Anomaly(e));
            self.client.dead = true;
            self.server.dead = true;
        }
    }

    fn handshake_messages(&mut self, dir: Direction, out: &mut Vec<AppEvent>) {
        let mut hs = std::mem::take(&mut self.dir_mut(dir).hs);
        let mut off = 0usize;
        while let Some(h) = hs.get(off..off + 4) {
            let typ = h.first().copied().unwrap_or(0);
            let len = usize::from(h.get(1).copied().unwrap_or(0)) << 16
                | usize::from(h.get(2).copied().unwrap_or(0)) << 8
                | usize::from(h.get(3).copied().unwrap_or(0));
            if len > self.cfg.tls_max_handshake {
                out.push(AppEvent::Anomaly("tls.handshake_invalid_length"));
                self.dir_mut(dir).dead = true;
                return;
            }
            let Some(body) = hs.get(off + 4..off + 4 + len) else {
                break;
            };
            self.handshake(dir, typ, body, out);
            off += 4 + len;
        }
        hs.drain(..off.min(hs.len()));
        self.dir_mut(dir).hs = hs;
    }

    fn handshake(&mut self, dir: Direction, typ: u8, body: &[u8], out: &mut Vec<AppEvent>) {
        match (typ, dir) {
            (1, Direction::ToServer) => {
                let mut anomalies = Vec::new();
                match parse_client_hello(body, &mut anomalies) {
                    Ok(ch) => {
                        let s = ja3_string(&ch);
                        let h = md5_hex(&s);
                        self.ja3 = Some((s, h));
                        self.client_hello = Some(ch);
                        out.push(AppEvent::TlsClientHello);
                    }
                    Err(_) => out.push(AppEvent::Anomaly("tls.invalid_handshake_message")),
                }
                out.extend(anomalies.into_iter().map(AppEvent::Anomaly));
            }
            (2, Direction::ToClient) => match parse_server_hello(body) {
                Ok(sh) => {
                    let s = ja3s_string(&sh);
                    let h = md5_hex(&s);
                    self.ja3s = Some((s, h));
                    if sh.negotiated_version() == 0x0304 {
                        self.server.encrypted = true;
                    }
                    self.server_hello = Some(sh);
                    out.push(AppEvent::TlsServerHello);
                }
                Err(_) => out.push(AppEvent::Anomaly("tls.invalid_handshake_message")),
            },
            (11, _) => match parse_certificate_list(body, self.cfg.tls_max_certs) {
                Ok(list) => {
                    if self.certs.is_empty() {
                        self.certs = list.iter().map(|c| c.to_vec()).collect();
                        match list.first().map(|c| parse_certificate(c)) {
                            Some(Ok(info)) => self.cert = Some(info),
                            Some(Err(_)) => out.push(AppEvent::Anomaly("tls.invalid_certificate")),
                            None => {}
                        }
                        out.push(AppEvent::TlsCertificate);
                    }
                }
                Err(_) => out.push(AppEvent::Anomaly("tls.certificate_invalid_length")),
            },
            _ => {}
        }
    }

    /// A hole in one direction: stop parsing it (records cannot be resynced).
    pub fn gap(&mut self, dir: Direction) {
        let d = self.dir_mut(dir);
        d.dead = true;
        d.hs.clear();
    }

    /// Parsed ClientHello.
    pub fn client_hello(&self) -> Option<&ClientHello> {
        self.client_hello.as_ref()
    }
    /// Parsed ServerHello.
    pub fn server_hello(&self) -> Option<&ServerHello> {
        self.server_hello.as_ref()
    }
    /// First (server) certificate fields.
    pub fn certificate(&self) -> Option<&CertInfo> {
        self.cert.as_ref()
    }
    /// DER certificate chain from the Certificate message (`tls.certs`).
    pub fn certificates(&self) -> &[Vec<u8>] {
        &self.certs
    }
    /// True once both sides switched to encrypted traffic.
    pub fn handshake_done(&self) -> bool {
        self.done
    }
    /// `tls.sni`.
    pub fn sni(&self) -> Option<&[u8]> {
        self.client_hello.as_ref()?.sni.as_deref()
    }
    /// `tls.cert_subject`.
    pub fn cert_subject(&self) -> Option<&[u8]> {
        Some(self.cert.as_ref()?.subject.as_bytes())
    }
    /// `tls.cert_issuer`.
    pub fn cert_issuer(&self) -> Option<&[u8]> {
        Some(self.cert.as_ref()?.issuer.as_bytes())
    }
    /// `tls.cert_serial`.
    pub fn cert_serial(&self) -> Option<&[u8]> {
        Some(self.cert.as_ref()?.serial.as_bytes())
    }
    /// `tls.cert_fingerprint`.
    pub fn cert_fingerprint(&self) -> Option<&[u8]> {
        Some(self.cert.as_ref()?.fingerprint.as_bytes())
    }
    /// `ja3.string`.
    pub fn ja3_string(&self) -> Option<&[u8]> {
        Some(self.ja3.as_ref()?.0.as_bytes())
    }
    /// `ja3.hash`.
    pub fn ja3_hash(&self) -> Option<&[u8]> {
        Some(self.ja3.as_ref()?.1.as_bytes())
    }
    /// `ja3s.string`.
    pub fn ja3s_string(&self) -> Option<&[u8]> {
        Some(self.ja3s.as_ref()?.0.as_bytes())
    }
    /// `ja3s.hash`.
    pub fn ja3s_hash(&self) -> Option<&[u8]> {
        Some(self.ja3s.as_ref()?.1.as_bytes())
    }
    /// Negotiated version (ServerHello, TLS 1.3 aware), else the client's.
    pub fn version(&self) -> Option<u16> {
        match (&self.server_hello, &self.client_hello) {
            (Some(sh), _) => Some(sh.negotiated_version()),
            (None, Some(ch)) => Some(ch.version),
            _ => None,
        }
    }
}
