//! DNS transactions and per-flow state (UDP datagrams or TCP framing).

use std::collections::VecDeque;

use super::message::{parse_message, DnsAnswer, DnsMessage, DnsQuery};
use crate::config::AppConfig;
use crate::event::AppEvent;
use crate::proto::Direction;

/// One DNS message (Suricata 7 transactions are unidirectional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsTx {
    /// Transaction id within the flow (from 0).
    pub tx_id: u64,
    /// The parsed message.
    pub message: DnsMessage,
}

impl DnsTx {
    /// DNS message id.
    pub fn id(&self) -> u16 {
        self.message.id
    }
    /// Raw flags word.
    pub fn flags(&self) -> u16 {
        self.message.flags
    }
    /// Opcode.
    pub fn opcode(&self) -> u8 {
        self.message.opcode()
    }
    /// Response code.
    pub fn rcode(&self) -> u16 {
        self.message.rcode()
    }
    /// True for responses (QR bit set).
    pub fn is_response(&self) -> bool {
        self.message.is_response()
    }
    /// Question entries; each name is one `dns.query` buffer.
    pub fn queries(&self) -> &[DnsQuery] {
        &self.message.queries
    }
    /// Answer records.
    pub fn answers(&self) -> &[DnsAnswer] {
        &self.message.answers
    }
    /// Authority records.
    pub fn authorities(&self) -> &[DnsAnswer] {
        &self.message.authorities
    }
}

#[derive(Debug, Default)]
struct TcpBuf {
    buf: Vec<u8>,
    /// After a gap: data is discarded until the next call starts a message.
    lost: bool,
}

/// DNS flow state.
///
/// Transactions are reported once via [`AppEvent::Dns`]; they are dropped
/// at the start of the next `parse` call.
#[derive(Debug)]
pub struct DnsState {
    tcp: bool,
    txs: VecDeque<DnsTx>,
    next_id: u64,
    to_server: TcpBuf,
    to_client: TcpBuf,
    cfg: AppConfig,
    /// UDP: the first datagram was a response, so the flow's directions are
    /// swapped (Suricata reverses such a flow at protocol detection).
    reversed: bool,
    /// UDP: whether the first datagram was seen (direction decided).
    started: bool,
    /// TCP: a message failed to parse; Suricata stops parsing the flow.
    failed: bool,
}

const MAX_TCP_MSG: usize = 65535 + 2;

impl DnsState {
    /// New state; `tcp` selects 2-byte length framing.
    pub fn new(tcp: bool, cfg: &AppConfig) -> DnsState {
        DnsState {
            tcp,
            txs: VecDeque::new(),
            next_id: 0,
            to_server: TcpBuf::default(),
            to_client: TcpBuf::default(),
            cfg: cfg.clone(),
            reversed: false,
            started: false,
            failed: false,
        }
    }

    /// Transaction by id, if still held.
    pub fn tx(&self, id: u64) -> Option<&DnsTx> {
        self.txs.iter().find(|t| t.tx_id == id)
    }

    /// Held transactions, oldest first.
    pub fn txs(&self) -> impl Iterator<Item = &DnsTx> {
        self.txs.iter()
    }

    /// True when the flow's first UDP datagram was a response: the parser
    /// then treats the flow's to-server side as the DNS server.
    pub fn reversed(&self) -> bool {
        self.reversed
    }

    /// Feed a UDP datagram or TCP stream bytes.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        self.txs.clear();
        if !self.tcp {
            if !self.started {
                self.started = true;
                // Like Suricata's probe: a first datagram that is a response
                // reverses the flow.
                self.reversed =
                    dir == Direction::ToServer && data.get(2).is_some_and(|f| f & 0x80 != 0);
            }
            let dir = if self.reversed { dir.reverse() } else { dir };
            self.message(dir, data, out);
            return;
        }
        if self.failed {
            return;
        }
        let mut buf = std::mem::take(match dir {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        });
        if buf.lost {
            buf.lost = false;
            buf.buf.clear();
        }
        let mut data = data;
        while !data.is_empty() && !self.failed {
            let need = if buf.buf.len() < 2 {
                2 - buf.buf.len()
            } else {
                let l = usize::from(buf.buf.first().copied().unwrap_or(0)) << 8
                    | usize::from(buf.buf.get(1).copied().unwrap_or(0));
                (l + 2).saturating_sub(buf.buf.len())
            };
            let take = need.min(data.len());
            buf.buf
                .extend_from_slice(data.get(..take).unwrap_or_default());
            data = data.get(take..).unwrap_or_default();
            if buf.buf.len() >= 2 {
                let l = usize::from(buf.buf.first().copied().unwrap_or(0)) << 8
                    | usize::from(buf.buf.get(1).copied().unwrap_or(0));
                if buf.buf.len() == l + 2 && l + 2 <= MAX_TCP_MSG {
                    // A zero length prefix is skipped silently, as in Suricata.
                    if l > 0 && !self.message(dir, buf.buf.get(2..).unwrap_or_default(), out) {
                        // Suricata's parser returns an error: the flow's
                        // app-layer parsing ends.
                        self.failed = true;
                    }
                    buf.buf.clear();
                }
            }
        }
        *match dir {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        } = buf;
    }

    /// A hole in a TCP stream: drop the partial message.
    pub fn gap(&mut self, dir: Direction) {
        let b = match dir {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        };
        b.buf.clear();
        b.lost = true;
    }

    /// Raise an event the way Suricata's `set_event` does: on the newest
    /// transaction. Only a transaction created earlier in this same `parse`
    /// call is still to be inspected, so otherwise the event is lost.
    fn prev_tx_event(&self, name: &'static str, out: &mut Vec<AppEvent>) {
        if !self.txs.is_empty() {
            out.push(AppEvent::Anomaly(name));
        }
    }

    /// Parse one message; false when Suricata's parser would fail on it.
    fn message(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) -> bool {
        let msg = match parse_message(data, self.cfg.dns_max_records) {
            Ok(m) if !m.malformed => m,
            _ => {
                self.prev_tx_event("dns.malformed_data", out);
                return false;
            }
        };
        match (dir, msg.is_response()) {
            (Direction::ToServer, true) => {
                // Suricata's request parser refuses the message: no transaction.
                self.prev_tx_event("dns.not_request", out);
                return false;
            }
            (Direction::ToClient, false) => self.prev_tx_event("dns.not_response", out),
            _ => {}
        }
        let mut events = Vec::new();
        if msg.name_flags.infinite_loop {
            events.push("dns.infinite_loop");
        }
        if msg.name_flags.too_long {
            events.push("dns.name_too_long");
        }
        if msg.name_flags.too_many_labels {
            events.push("dns.too_many_labels");
        }
        if msg.flags & 0x0040 != 0 {
            events.push("dns.z_flag_set");
        }
        if msg.opcode() >= 7 {
            events.push("dns.invalid_opcode");
        }
        out.extend(events.into_iter().map(AppEvent::Anomaly));
        let id = self.next_id;
        self.next_id += 1;
        if self.txs.len() >= self.cfg.dns_max_txs.max(1) {
            self.txs.pop_front();
        }
        self.txs.push_back(DnsTx {
            tx_id: id,
            message: msg,
        });
        out.push(AppEvent::Dns(id));
        true
    }
}
