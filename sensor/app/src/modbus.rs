//! Modbus/TCP: protocol detection on port 502, request/response transactions and the
//! `modbus.*` app-layer events, with Suricata 7's semantics.
//!
//! Message decoding is the `sawp-modbus` crate (the decoder Suricata itself uses), so the
//! error flags behind each event are the same. Transactions pair a request with the
//! response carrying the same transaction id, function and addresses; a response nobody
//! asked for is `modbus.unsolicited_response`; a read/write response whose length or values
//! disagree with its request is `modbus.value_mismatch`; more than [`REQUEST_FLOOD`]
//! unanswered requests is `modbus.flooded` (and new ones are ignored until answers arrive).

use sawp::error::{Error as SawpError, ErrorKind};
use sawp::parser::{Direction as SawpDir, Parse};
use sawp::probe::{Probe as _, Status};
use sawp_modbus::{AccessType, ErrorFlags, Flags, Message, Modbus};

use crate::event::AppEvent;
use crate::probe::Probe;
use crate::proto::{AppProto, Direction};

/// Unanswered requests that count as a flood (Suricata's default).
pub const REQUEST_FLOOD: usize = 500;
/// The Modbus/TCP port; detection runs only on flows that use it.
pub const PORT: u16 = 502;
/// Bytes after which an unfinished first message is not Modbus (Suricata's max depth).
const PROBE_MAX_DEPTH: usize = 16;
/// Bytes kept for a message split across segments (MBAP length is at most 260).
const MAX_PENDING: usize = 1024;

const PARSER: Modbus = Modbus { probe_strict: true };

const EV_UNSOLICITED: u8 = 1 << 0;
const EV_FUNC_CODE: u8 = 1 << 1;
const EV_LENGTH: u8 = 1 << 2;
const EV_VALUE: u8 = 1 << 3;
const EV_EXC_CODE: u8 = 1 << 4;
const EV_MISMATCH: u8 = 1 << 5;
const EV_FLOODED: u8 = 1 << 6;
const EV_PROTO_ID: u8 = 1 << 7;

const EVENT_NAMES: [(u8, &str); 8] = [
    (EV_UNSOLICITED, "modbus.unsolicited_response"),
    (EV_FUNC_CODE, "modbus.invalid_function_code"),
    (EV_LENGTH, "modbus.invalid_length"),
    (EV_VALUE, "modbus.invalid_value"),
    (EV_EXC_CODE, "modbus.invalid_exception_code"),
    (EV_MISMATCH, "modbus.value_mismatch"),
    (EV_FLOODED, "modbus.flooded"),
    (EV_PROTO_ID, "modbus.invalid_protocol_id"),
];

/// Probe one direction's first bytes. Only flows with port 502 on either side qualify.
pub fn probe(data: &[u8], sport: u16, dport: u16) -> Probe {
    if sport != PORT && dport != PORT {
        return Probe::NotRecognized;
    }
    match PARSER.probe(data, SawpDir::Unknown) {
        Status::Recognized => Probe::Detected(AppProto::Modbus),
        Status::Incomplete if data.len() <= PROBE_MAX_DEPTH => Probe::NeedMore,
        _ => Probe::NotRecognized,
    }
}

#[derive(Debug)]
struct Tx {
    request: Option<Message>,
    response: Option<Message>,
    /// Event bits already reported for this transaction.
    events: u8,
}

/// Modbus parser state of one flow.
#[derive(Debug, Default)]
pub struct ModbusState {
    /// Open transactions (a request without response, or the reverse until paired).
    txs: Vec<Tx>,
    /// Bytes of an unfinished message, per direction (0 = to server).
    pending: [Vec<u8>; 2],
    /// Too many unanswered requests: new transactions are ignored.
    given_up: bool,
    /// The stream could not be decoded; parsing stopped.
    failed: bool,
    /// Messages parsed, per direction.
    messages: [u64; 2],
}

fn flag_events(flags: &Flags<ErrorFlags>) -> u8 {
    let mut ev = 0;
    if flags.intersects(ErrorFlags::FUNC_CODE) {
        ev |= EV_FUNC_CODE;
    }
    if flags.intersects(ErrorFlags::DATA_VALUE) {
        ev |= EV_VALUE;
    }
    if flags.intersects(ErrorFlags::DATA_LENGTH) {
        ev |= EV_LENGTH;
    }
    if flags.intersects(ErrorFlags::EXC_CODE) {
        ev |= EV_EXC_CODE;
    }
    if flags.intersects(ErrorFlags::PROTO_ID) {
        ev |= EV_PROTO_ID;
    }
    ev
}

/// A response's events: a read/write answer whose length or values are off is a mismatch
/// with its request, anything else is reported by its own flags.
fn response_events(msg: &Message) -> u8 {
    if msg
        .access_type
        .intersects(AccessType::READ | AccessType::WRITE)
        && msg
            .error_flags
            .intersects(ErrorFlags::DATA_LENGTH | ErrorFlags::DATA_VALUE)
    {
        EV_MISMATCH
    } else {
        flag_events(&msg.error_flags)
    }
}

impl ModbusState {
    /// A new, empty state.
    pub fn new() -> ModbusState {
        ModbusState::default()
    }

    /// Messages parsed so far: (requests, responses).
    pub fn message_counts(&self) -> (u64, u64) {
        (self.messages[0], self.messages[1])
    }

    /// Feeds stream bytes of one direction; events are appended to `out`.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        if self.failed {
            return;
        }
        let di = usize::from(dir == Direction::ToClient);
        let mut buf = std::mem::take(&mut self.pending[di]);
        buf.extend_from_slice(data);
        let mut rest: &[u8] = &buf;
        while !rest.is_empty() {
            let sdir = match dir {
                Direction::ToServer => SawpDir::ToServer,
                Direction::ToClient => SawpDir::ToClient,
            };
            match PARSER.parse(rest, sdir) {
                Ok((next, Some(msg))) => {
                    self.messages[di] += 1;
                    match dir {
                        Direction::ToServer => self.on_request(msg, out),
                        Direction::ToClient => self.on_response(msg, out),
                    }
                    if next.len() >= rest.len() {
                        self.failed = true;
                        return;
                    }
                    rest = next;
                }
                Ok((_, None))
                | Err(SawpError {
                    kind: ErrorKind::Incomplete(_),
                }) => {
                    if rest.len() > MAX_PENDING {
                        self.failed = true;
                        return;
                    }
                    self.pending[di] = rest.to_vec();
                    break;
                }
                Err(_) => {
                    self.failed = true;
                    return;
                }
            }
        }
        // Answered transactions are complete: Suricata inspects and frees them.
        self.txs
            .retain(|t| t.request.is_none() || t.response.is_none());
        if self.given_up && self.txs.len() < REQUEST_FLOOD {
            self.given_up = false;
        }
    }

    /// A hole in one direction: the unfinished message there is lost.
    pub fn gap(&mut self, dir: Direction) {
        self.pending[usize::from(dir == Direction::ToClient)].clear();
    }

    fn new_tx(&mut self) -> Option<Tx> {
        if self.given_up {
            return None;
        }
        let mut tx = Tx {
            request: None,
            response: None,
            events: 0,
        };
        if self.txs.len() >= REQUEST_FLOOD {
            tx.events = EV_FLOODED;
            self.given_up = true;
        }
        Some(tx)
    }

    fn on_request(&mut self, mut msg: Message, out: &mut Vec<AppEvent>) {
        let ev = flag_events(&msg.error_flags);
        let found = self.txs.iter_mut().position(|t| match &t.response {
            Some(resp) if t.request.is_none() => msg.matches(resp),
            _ => false,
        });
        match found {
            Some(i) => {
                let tx = &mut self.txs[i];
                report(tx, ev, out);
                tx.request = Some(msg);
            }
            None => {
                let Some(mut tx) = self.new_tx() else {
                    return;
                };
                let flood = tx.events;
                tx.events = 0;
                report(&mut tx, ev | flood, out);
                tx.request = Some(msg);
                self.txs.push(tx);
            }
        }
    }

    fn on_response(&mut self, mut msg: Message, out: &mut Vec<AppEvent>) {
        let found = self.txs.iter().position(|t| {
            t.response.is_none() && t.request.as_ref().is_some_and(|req| msg.matches(req))
        });
        let ev = response_events(&msg);
        match found {
            Some(i) => {
                let tx = &mut self.txs[i];
                report(tx, ev, out);
                tx.response = Some(msg);
            }
            None => {
                let Some(mut tx) = self.new_tx() else {
                    return;
                };
                let flood = tx.events;
                tx.events = 0;
                report(&mut tx, ev | flood | EV_UNSOLICITED, out);
                tx.response = Some(msg);
                self.txs.push(tx);
            }
        }
    }
}

/// Appends the events of `bits` not yet reported for `tx` (each event once per transaction,
/// as Suricata alerts once per transaction).
fn report(tx: &mut Tx, bits: u8, out: &mut Vec<AppEvent>) {
    let new = bits & !tx.events;
    tx.events |= bits;
    for (bit, name) in EVENT_NAMES {
        if new & bit != 0 {
            out.push(AppEvent::Anomaly(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mbap(tid: u16, pdu: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&tid.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
        v.push(1); // unit id
        v.extend_from_slice(pdu);
        v
    }

    fn names(ev: &[AppEvent]) -> Vec<&'static str> {
        ev.iter()
            .filter_map(|e| match e {
                AppEvent::Anomaly(n) => Some(*n),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn read_coils_request_and_matching_response_raise_nothing() {
        let mut s = ModbusState::new();
        let mut out = Vec::new();
        // function 1 (read coils), address 0, quantity 8
        s.parse(Direction::ToServer, &mbap(7, &[1, 0, 0, 0, 8]), &mut out);
        // byte count 1, eight coils
        s.parse(Direction::ToClient, &mbap(7, &[1, 1, 0x55]), &mut out);
        assert!(names(&out).is_empty(), "{out:?}");
        assert_eq!(s.message_counts(), (1, 1));
        assert!(s.txs.is_empty());
    }

    #[test]
    fn response_with_wrong_byte_count_is_a_value_mismatch() {
        let mut s = ModbusState::new();
        let mut out = Vec::new();
        s.parse(Direction::ToServer, &mbap(9, &[3, 0, 0, 0, 2]), &mut out);
        // byte count 2 for a request of 2 registers (needs 4)
        s.parse(Direction::ToClient, &mbap(9, &[3, 2, 0, 1]), &mut out);
        assert_eq!(names(&out), vec!["modbus.value_mismatch"]);
    }

    /// The decoder checks every read answer with the coil formula (quantity / 8 bytes), so
    /// a correct holding-register answer counts as a mismatch — in Suricata 7 as here.
    #[test]
    fn holding_register_answer_is_a_mismatch_as_in_suricata() {
        let mut s = ModbusState::new();
        let mut out = Vec::new();
        s.parse(Direction::ToServer, &mbap(7, &[3, 0, 0, 0, 2]), &mut out);
        s.parse(Direction::ToClient, &mbap(7, &[3, 4, 0, 1, 0, 2]), &mut out);
        assert_eq!(names(&out), vec!["modbus.value_mismatch"]);
    }

    #[test]
    fn response_without_request_is_unsolicited() {
        let mut s = ModbusState::new();
        let mut out = Vec::new();
        s.parse(Direction::ToClient, &mbap(1, &[3, 4, 0, 1, 0, 2]), &mut out);
        assert!(names(&out).contains(&"modbus.unsolicited_response"));
    }

    #[test]
    fn messages_split_at_any_byte_are_reassembled() {
        let req = mbap(3, &[6, 0, 1, 0, 3]);
        for cut in 1..req.len() {
            let mut s = ModbusState::new();
            let mut out = Vec::new();
            s.parse(Direction::ToServer, &req[..cut], &mut out);
            s.parse(Direction::ToServer, &req[cut..], &mut out);
            assert_eq!(s.message_counts().0, 1, "cut {cut}");
        }
    }

    #[test]
    fn probe_needs_port_502_and_a_clean_message() {
        let req = mbap(3, &[3, 0, 0, 0, 2]);
        assert_eq!(probe(&req, 40000, 502), Probe::Detected(AppProto::Modbus));
        assert_eq!(probe(&req, 40000, 503), Probe::NotRecognized);
        assert_eq!(probe(&req[..4], 40000, 502), Probe::NeedMore);
        assert_eq!(
            probe(b"GET / HTTP/1.1\r\n\r\n", 40000, 502),
            Probe::NotRecognized
        );
    }

    #[test]
    fn flood_of_unanswered_requests_is_reported_once() {
        let mut s = ModbusState::new();
        let mut out = Vec::new();
        for i in 0..(REQUEST_FLOOD as u16 + 5) {
            s.parse(Direction::ToServer, &mbap(i, &[3, 0, 0, 0, 1]), &mut out);
        }
        assert_eq!(
            names(&out)
                .iter()
                .filter(|n| **n == "modbus.flooded")
                .count(),
            1
        );
    }
}
