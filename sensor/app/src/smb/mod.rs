//! SMB over NetBIOS/TCP: NBSS framing, the SMB1/SMB2 headers and the commands whose
//! decoding raises Suricata 7's `smb.*` app-layer events, on Suricata's transaction model.
//!
//! Only what the events need is kept: transactions (which command, which request/response
//! pair, whether each side is complete), the tree → pipe map, and the file-data skip
//! counters that keep the record framing in step. No file extraction, no DCERPC.
//!
//! Suricata raises an event on a transaction and alerts once per transaction and
//! direction: an `app-layer-event` rule of one direction inspects each transaction until
//! it matches or the transaction's side of that direction is complete. This parser
//! reproduces that: when data of one direction arrives, the transactions are first
//! "inspected" for that direction (the packet carrying the data is the next packet of that
//! direction, and in Suricata the data itself is parsed only once the peer acknowledges
//! it), and each event a transaction carries is reported once per direction as an
//! [`AppEvent::Anomaly`].

mod dcerpc;
mod records;
mod smb1;
mod smb2;

use std::collections::HashMap;

use crate::event::AppEvent;
use crate::probe::Probe;
use crate::proto::{AppProto, Direction};

/// The `smb.*` events this parser raises (for `app-layer-event` rule support checks).
pub const EVENT_NAMES: &[&str] = &[
    "smb.internal_error",
    "smb.malformed_data",
    "smb.duplicate_negotiate",
    "smb.negotiate_malformed_dialects",
    "smb.file_overlap",
];

const EV_INTERNAL: u8 = 1 << 0;
const EV_MALFORMED: u8 = 1 << 1;
const EV_DUP_NEGOTIATE: u8 = 1 << 2;
const EV_BAD_DIALECTS: u8 = 1 << 3;
const EV_FILE_OVERLAP: u8 = 1 << 4;

const EVENT_BITS: [(u8, &str); 5] = [
    (EV_INTERNAL, "smb.internal_error"),
    (EV_MALFORMED, "smb.malformed_data"),
    (EV_DUP_NEGOTIATE, "smb.duplicate_negotiate"),
    (EV_BAD_DIALECTS, "smb.negotiate_malformed_dialects"),
    (EV_FILE_OVERLAP, "smb.file_overlap"),
];

/// NetBIOS session message (the only record type carrying SMB).
const NBSS_SESSION_MESSAGE: u8 = 0x00;
/// Below this many buffered bytes an unfinished record is not parsed partially.
const PARTIAL_MIN: usize = 512;
/// Most bytes buffered for one unfinished record; beyond, the direction resyncs.
const MAX_BUFFER: usize = 4 << 20;
/// Most transactions kept; the oldest are dropped beyond.
const MAX_TXS: usize = 1024;
/// SMB ports: the probe runs on them, elsewhere only when an SMB header is at offset 4.
const PORTS: [u16; 2] = [139, 445];
/// NetBIOS header + SMB header: the probe needs this much.
const PROBE_MIN: usize = 36;

/// Kinds of the keys linking requests, responses and state (Suricata's `SMBHDR_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum KeyType {
    #[default]
    None,
    Share,
    Offset,
    GenericTx,
    Header,
    Tree,
    FileName,
    Dcerpc,
}

/// Session, tree and message ids of a record under one key kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Key {
    pub typ: KeyType,
    pub ssn: u64,
    pub tree: u32,
    pub msg: u64,
}

impl Key {
    /// Suricata's `SMBCommonHdr::compare`: the tree id does not count.
    fn same(&self, o: &Key) -> bool {
        self.typ == o.typ && self.ssn == o.ssn && self.msg == o.msg
    }
}

/// What a transaction tracks, as far as the events need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Generic,
    Negotiate { ver: u8, dialects: usize },
    TreeConnect,
    SessionSetup,
    Create,
    Rename,
    SetInfo,
    Ioctl,
    Dcerpc { call_id: u32 },
    File { to_server: bool, fuid: Vec<u8> },
}

#[derive(Debug)]
pub(crate) struct Tx {
    /// SMB version and command (0 = not set).
    pub ver: u8,
    pub cmd: u16,
    pub kind: Kind,
    pub key: Key,
    pub request_done: bool,
    pub response_done: bool,
    /// Events raised on the transaction.
    pub events: u8,
    /// Events already reported, per direction (0 = to server).
    reported: [u8; 2],
    /// The direction's side was complete when last inspected: it is not inspected again.
    inspected: [bool; 2],
    /// File transactions: bytes of the file tracked in order from offset 0.
    tracked: u64,
}

impl Tx {
    fn set_cmd(&mut self, ver: u8, cmd: u16) {
        if self.ver == 0 {
            self.ver = ver;
            self.cmd = cmd;
        }
    }
}

/// Per-direction stream state.
#[derive(Debug, Default)]
struct Side {
    /// Bytes of an unfinished record.
    buf: Vec<u8>,
    /// Bytes to skip (the rest of a record whose header was handled: `set_skip`).
    skip: u64,
    /// File data bytes still to come for a partially handled record (`set_file_left`).
    file_left: u64,
    /// Data was lost: look for the next SMB header before parsing.
    gap: bool,
    /// Parsing of this direction gave up on the framing (`trunc_ts`/`trunc_tc`).
    trunc: bool,
}

/// SMB parser state of one flow.
#[derive(Debug, Default)]
pub struct SmbState {
    pub(crate) txs: Vec<Tx>,
    side: [Side; 2],
    /// A record could not be decoded: Suricata stops parsing the flow.
    failed: bool,
    /// (session, tree) → the tree is a pipe (IPC$).
    pub(crate) trees: HashMap<(u64, u32), bool>,
    /// READ requests waiting for their response: offset key → (file id, file offset).
    pub(crate) read_offsets: HashMap<Key, (Vec<u8>, u64)>,
    /// CREATE requests waiting for their response: name key → file name.
    pub(crate) pending_names: HashMap<Key, Vec<u8>>,
    /// File id (SMB1: fid + session) → file name (to recognize DCERPC pipes).
    pub(crate) file_names: HashMap<Vec<u8>, Vec<u8>>,
    /// SMB1 TRANS requests to a pipe waiting for their response: key → fid.
    pub(crate) trans_fids: HashMap<Key, Vec<u8>>,
    /// DCERPC response data split over TRANS responses: (session, tree, fid) → data.
    pub(crate) trans_frags: HashMap<(u64, u32, Vec<u8>), Vec<u8>>,
    /// Records parsed, per direction.
    records: [u64; 2],
}

impl SmbState {
    /// A new, empty state.
    pub fn new() -> SmbState {
        SmbState::default()
    }

    /// SMB records parsed so far: (to server, to client).
    pub fn record_counts(&self) -> (u64, u64) {
        (self.records[0], self.records[1])
    }

    /// Feeds stream bytes of one direction; events are appended to `out`.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        let di = usize::from(dir == Direction::ToClient);
        self.inspect(di, true, out);
        if self.failed || data.is_empty() {
            return;
        }
        let mut buf = std::mem::take(&mut self.side[di].buf);
        buf.extend_from_slice(data);
        let used = self.parse_buf(di, &buf);
        if !self.failed && used < buf.len() {
            let left = &buf[used..];
            if left.len() > MAX_BUFFER {
                self.side[di].gap = true;
            } else {
                buf.drain(..used);
                self.side[di].buf = buf;
            }
        }
        self.inspect(di, false, out);
    }

    /// A hole of `len` bytes in one direction.
    pub fn gap(&mut self, dir: Direction, len: u64) {
        let s = &mut self.side[usize::from(dir == Direction::ToClient)];
        let skipped = len.min(s.skip);
        s.skip -= skipped;
        let rest = len - skipped;
        s.file_left = s.file_left.saturating_sub(rest);
        s.buf.clear();
        s.gap = true;
    }

    /// Parses what `buf` holds; returns the bytes consumed.
    fn parse_buf(&mut self, di: usize, buf: &[u8]) -> usize {
        let mut cur = buf;
        let side = &mut self.side[di];
        let n = usize::try_from(side.skip)
            .unwrap_or(usize::MAX)
            .min(cur.len());
        side.skip -= n as u64;
        cur = &cur[n..];
        let n = usize::try_from(side.file_left)
            .unwrap_or(usize::MAX)
            .min(cur.len());
        side.file_left -= n as u64;
        cur = &cur[n..];
        if cur.is_empty() {
            return buf.len();
        }
        if side.gap {
            loop {
                match find_smb_header(cur) {
                    Some(pos) if pos < 4 => cur = &cur[pos + 4..],
                    Some(pos) => {
                        cur = &cur[pos - 4..];
                        side.gap = false;
                        break;
                    }
                    None => return buf.len() - cur.len().min(3),
                }
            }
        }
        while !cur.is_empty() {
            if cur.len() < 4 {
                return buf.len() - cur.len();
            }
            let typ = cur[0];
            let len =
                (usize::from(cur[1]) << 16) | (usize::from(cur[2]) << 8) | usize::from(cur[3]);
            let Some(data) = cur.get(4..4 + len) else {
                let need = len + 4;
                if need >= PARTIAL_MIN && cur.len() < PARTIAL_MIN {
                    return buf.len() - cur.len();
                }
                if self.parse_partial(di, cur) {
                    self.records[di] += 1;
                    return buf.len();
                }
                return buf.len() - cur.len();
            };
            if typ == NBSS_SESSION_MESSAGE && !self.parse_message(di, data) {
                self.failed = true;
                return buf.len();
            }
            cur = &cur[4 + len..];
        }
        buf.len()
    }

    /// One complete NetBIOS session message; false when parsing must stop.
    fn parse_message(&mut self, di: usize, data: &[u8]) -> bool {
        if data.len() < 4 {
            // An empty session message: the response side ignores it.
            if di == 1 {
                return true;
            }
            self.set_event(EV_MALFORMED);
            return false;
        }
        if &data[1..4] != b"SMB" {
            self.set_event(EV_MALFORMED);
            return false;
        }
        self.records[di] += 1;
        match data[0] {
            0xff => match smb1::Record::parse(data) {
                Some(r) => {
                    if di == 0 && r.is_request() {
                        smb1::request(self, &r);
                    } else if di == 1 && !r.is_request() {
                        smb1::response(self, &r);
                    }
                    true
                }
                None => {
                    self.set_event(EV_MALFORMED);
                    false
                }
            },
            0xfe => {
                let mut rest = data;
                while !rest.is_empty() {
                    match smb2::Record::parse(rest, di) {
                        Some((r, next)) => {
                            if di == 0 && r.is_request() {
                                smb2::request(self, &r);
                            } else if di == 1 && !r.is_request() {
                                smb2::response(self, &r);
                            }
                            rest = next;
                        }
                        None => {
                            self.set_event(EV_MALFORMED);
                            return false;
                        }
                    }
                }
                true
            }
            0xfd => {
                let mut rest = data;
                while !rest.is_empty() {
                    match smb3_transform_len(rest) {
                        Some(n) => rest = &rest[n..],
                        None => {
                            self.set_event(EV_MALFORMED);
                            return false;
                        }
                    }
                }
                true
            }
            _ => true,
        }
    }

    /// An unfinished record: large writes (to the server) and reads (to the client) are
    /// handled from their header on, their data skipped as it arrives. True when `cur`
    /// was consumed.
    fn parse_partial(&mut self, di: usize, cur: &[u8]) -> bool {
        let typ = cur[0];
        let data = &cur[4..];
        if cur.len() < PARTIAL_MIN {
            if cur.len() > 8 && !nbss_is_smb(typ, data) {
                self.truncate(di);
            }
            return false;
        }
        if typ != NBSS_SESSION_MESSAGE || data.len() < 4 || &data[1..4] != b"SMB" {
            return false;
        }
        match data[0] {
            0xff => {
                let Some(r) = smb1::Record::parse(data) else {
                    return false;
                };
                let wanted = if di == 0 {
                    smb1::WRITE_ANDX
                } else {
                    smb1::READ_ANDX
                };
                if r.cmd != wanted
                    || self
                        .trees
                        .get(&(u64::from(r.uid), u32::from(r.tree)))
                        .copied()
                        .unwrap_or(false)
                {
                    return false;
                }
                if di == 0 {
                    smb1::write_request(self, &r, smb1::HEADER_SIZE, smb1::WRITE_ANDX);
                } else {
                    smb1::read_response(self, &r, smb1::HEADER_SIZE);
                }
                true
            }
            0xfe => {
                let Some((r, _)) = smb2::Record::parse(data, di) else {
                    return false;
                };
                // Pipe data (DCERPC) is only handled in complete records.
                if r.on_pipe(self) {
                    return false;
                }
                if di == 0 && r.cmd == smb2::WRITE {
                    smb2::write_request(self, &r);
                    true
                } else if di == 1 && r.cmd == smb2::READ {
                    smb2::read_response(self, &r);
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    /// Suricata's `trunc_ts`/`trunc_tc`: no more data is expected in that direction.
    fn truncate(&mut self, di: usize) {
        self.side[di].trunc = true;
        for tx in &mut self.txs {
            if di == 0 {
                tx.request_done = true;
            } else {
                tx.response_done = true;
            }
        }
    }

    /// Skip the rest of a record: `rec_len` announced bytes of which `have` are here.
    pub(crate) fn set_skip(&mut self, di: usize, rec_len: u32, have: usize) {
        self.side[di].skip = u64::from(rec_len).saturating_sub(have as u64);
    }

    /// File data still to come for a record handled from its header.
    pub(crate) fn set_file_left(&mut self, di: usize, rec_len: u32, have: usize) {
        self.side[di].file_left = u64::from(rec_len).saturating_sub(have as u64);
    }

    /// Reports, for direction `di`, the events of the transactions not yet done with it.
    ///
    /// With `settle` (before this packet's data is parsed: in Suricata the data is parsed
    /// when the peer acknowledges it, so the packet is inspected with the state left by
    /// the earlier data of both directions), a transaction complete on that side is done
    /// once inspected, and transactions done both ways are freed. Without it (after the
    /// packet's own data), only the events raised so far are reported: Suricata's next
    /// inspection of that direction would see them too, and the packet may be the last
    /// one of its direction that carries data.
    fn inspect(&mut self, di: usize, settle: bool, out: &mut Vec<AppEvent>) {
        for tx in &mut self.txs {
            if tx.inspected[di] {
                continue;
            }
            let new = tx.events & !tx.reported[di];
            tx.reported[di] |= new;
            for (bit, name) in EVENT_BITS {
                if new & bit != 0 {
                    out.push(AppEvent::Anomaly(name));
                }
            }
            let complete = if di == 0 {
                tx.request_done
            } else {
                tx.response_done
            };
            if settle {
                tx.inspected[di] = complete;
            }
        }
        if settle {
            self.txs.retain(|t| {
                !(t.request_done && t.response_done && t.inspected[0] && t.inspected[1])
            });
        }
    }

    /// A new transaction (request side complete, response side unless the response
    /// direction was truncated), appended last.
    pub(crate) fn new_tx(&mut self, kind: Kind, key: Key) -> &mut Tx {
        if self.txs.len() >= MAX_TXS {
            self.txs.remove(0);
        }
        let response_done = self.side[1].trunc;
        self.txs.push(Tx {
            ver: 0,
            cmd: 0,
            kind,
            key,
            request_done: true,
            response_done,
            events: 0,
            reported: [0; 2],
            inspected: [false; 2],
            tracked: 0,
        });
        let last = self.txs.len() - 1;
        &mut self.txs[last]
    }

    /// A generic transaction of one command.
    pub(crate) fn new_generic_tx(&mut self, ver: u8, cmd: u16, key: Key) -> &mut Tx {
        let tx = self.new_tx(Kind::Generic, key);
        tx.set_cmd(ver, cmd);
        tx
    }

    /// The first transaction of this version and command under `key`.
    pub(crate) fn generic_tx(&mut self, ver: u8, cmd: u16, key: &Key) -> Option<&mut Tx> {
        self.txs
            .iter_mut()
            .find(|t| t.ver == ver && t.cmd == cmd && t.key.same(key))
    }

    /// The file transaction of a file id and direction.
    pub(crate) fn file_tx(&mut self, fuid: &[u8], to_server: bool) -> Option<&mut Tx> {
        self.txs.iter_mut().find(|t| {
            matches!(&t.kind, Kind::File { to_server: ts, fuid: f } if *ts == to_server && f == fuid)
        })
    }

    /// A new file transaction.
    pub(crate) fn new_file_tx(&mut self, fuid: Vec<u8>, to_server: bool) -> &mut Tx {
        let tx = self.new_tx(Kind::File { to_server, fuid }, Key::default());
        tx.request_done = false;
        tx.response_done = false;
        tx
    }

    /// A chunk of `len` file bytes at `offset` for the file transaction of `fuid`, created
    /// when new. A chunk starting before the bytes already tracked is a file overlap,
    /// raised (as in Suricata) on the most recent transaction.
    pub(crate) fn file_chunk(
        &mut self,
        ver: u8,
        cmd: u16,
        fuid: &[u8],
        to_server: bool,
        offset: u64,
        len: u32,
    ) {
        let tx = match self
            .txs
            .iter()
            .position(|t| matches!(&t.kind, Kind::File { to_server: ts, fuid: f } if *ts == to_server && f == fuid))
        {
            Some(i) => &mut self.txs[i],
            None => {
                let tx = self.new_file_tx(fuid.to_vec(), to_server);
                tx.set_cmd(ver, cmd);
                tx
            }
        };
        let overlap = offset < tx.tracked;
        if offset <= tx.tracked {
            tx.tracked = tx.tracked.max(offset.saturating_add(u64::from(len)));
        }
        if overlap {
            self.set_event(EV_FILE_OVERLAP);
        }
    }

    /// Sets events on the most recent transaction (Suricata's `SMBState::set_event`).
    pub(crate) fn set_event(&mut self, ev: u8) {
        if let Some(tx) = self.txs.last_mut() {
            tx.events |= ev;
        }
    }

    /// Whether a file id names a DCERPC pipe (by the name its CREATE gave it).
    pub(crate) fn is_dcerpc_guid(&self, guid: &[u8]) -> bool {
        let Some(name) = self.file_names.get(guid) else {
            return false;
        };
        let name = match name.as_slice() {
            [b'\\', rest @ ..] if !rest.is_empty() => rest,
            n => n,
        };
        matches!(
            name,
            b"svcctl"
                | b"srvsvc"
                | b"atsvc"
                | b"lsarpc"
                | b"samr"
                | b"spoolss"
                | b"winreg"
                | b"suricata::dcerpc"
        )
    }

    /// Whether (session, tree) is a pipe.
    pub(crate) fn is_pipe(&self, ssn: u64, tree: u32) -> bool {
        self.trees.get(&(ssn, tree)).copied().unwrap_or(false)
    }
}

/// Position of the next SMB header magic, Suricata's `search_smb_record`: an `SMB` tag
/// after `\xff`, `\xfe` or `\xfd`, with a NetBIOS session message type 4 bytes before
/// when there is room for one.
fn find_smb_header(d: &[u8]) -> Option<usize> {
    let mut base = 0;
    while d.len() >= base + 4 {
        let s = &d[base..];
        let index = memchr::memmem::find(s, b"SMB").unwrap_or(0);
        if index == 0 {
            return None;
        }
        if matches!(s[index - 1], 0xfd..=0xff)
            && (index < 5 || s[index - 5] == NBSS_SESSION_MESSAGE)
        {
            return Some(base + index - 1);
        }
        base += index + 3;
    }
    None
}

/// A NetBIOS record of a known type carrying an SMB header.
fn nbss_is_smb(typ: u8, data: &[u8]) -> bool {
    matches!(typ, 0x00 | 0x81..=0x85)
        && data.len() >= 4
        && matches!(data[0], 0xfd..=0xff)
        && &data[1..4] == b"SMB"
}

/// Length of an SMB3 transform record at the start of `d`.
fn smb3_transform_len(d: &[u8]) -> Option<usize> {
    let mut r = records::Rd::new(d);
    if r.take(4)? != b"\xfdSMB" {
        return None;
    }
    r.take(32)?; // signature, nonce
    let msg_size = r.u32()?;
    r.take(2 + 2 + 8)?; // reserved, flags, session id
    r.take(usize::try_from(msg_size).ok()?)?;
    Some(d.len() - r.rest().len())
}

/// Suricata's SMB probe for one direction's first bytes: on the SMB ports, or anywhere
/// an SMB header sits at offset 4. The first record is SMB, or a small NetBIOS message
/// (session request / response, keep-alive) is followed by an SMB record.
pub fn probe(data: &[u8], sport: u16, dport: u16) -> Probe {
    let on_port = PORTS.contains(&sport) || PORTS.contains(&dport);
    if !on_port && data.get(5..8) != Some(b"SMB") {
        return Probe::NotRecognized;
    }
    if data.len() < PROBE_MIN {
        return if on_port {
            Probe::NeedMore
        } else {
            Probe::NotRecognized
        };
    }
    let smb_at = |rec: &[u8]| {
        rec.first() == Some(&NBSS_SESSION_MESSAGE)
            && matches!(rec.get(4), Some(0xfd..=0xff))
            && rec.get(5..8) == Some(b"SMB")
    };
    if smb_at(data) {
        return Probe::Detected(AppProto::Smb);
    }
    let len =
        (usize::from(data[1] & 0x01) << 16) | (usize::from(data[2]) << 8) | usize::from(data[3]);
    if !matches!(data[0], 0x81..=0x85) || data[1] & 0xfe != 0 {
        return Probe::NotRecognized;
    }
    let body = &data[4..];
    if body.len() >= len + 8 {
        if smb_at(&body[len..]) {
            Probe::Detected(AppProto::Smb)
        } else {
            Probe::NotRecognized
        }
    } else if len < 256 {
        Probe::NeedMore
    } else {
        Probe::NotRecognized
    }
}

#[cfg(test)]
mod tests;
