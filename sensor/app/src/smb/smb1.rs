//! SMB1: the header, the AndX chain and the commands whose decoding can raise
//! `smb.malformed_data` or the negotiate events, with Suricata 7's record layouts.

use super::dcerpc;
use super::records::Rd;
use super::{Key, KeyType, Kind, SmbState, EV_BAD_DIALECTS, EV_DUP_NEGOTIATE, EV_MALFORMED};

pub(crate) const HEADER_SIZE: usize = 32;

const RENAME: u8 = 0x07;
const CLOSE: u8 = 0x04;
const WRITE: u8 = 0x0b;
const LOCKING_ANDX: u8 = 0x24;
const TRANS: u8 = 0x25;
const WRITE_AND_CLOSE: u8 = 0x2c;
const OPEN_ANDX: u8 = 0x2d;
pub(crate) const READ_ANDX: u8 = 0x2e;
pub(crate) const WRITE_ANDX: u8 = 0x2f;
const TRANS2: u8 = 0x32;
const TRANS2_SECONDARY: u8 = 0x33;
const TREE_DISCONNECT: u8 = 0x71;
const NEGOTIATE: u8 = 0x72;
const SESSION_SETUP_ANDX: u8 = 0x73;
const LOGOFF_ANDX: u8 = 0x74;
const TREE_CONNECT_ANDX: u8 = 0x75;
const NT_CREATE_ANDX: u8 = 0xa2;
const NT_CANCEL: u8 = 0xa4;
const NO_ANDX: u8 = 0xff;

const STATUS_SUCCESS: u32 = 0;
const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;

/// An SMB1 header and the bytes after it.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    pub cmd: u8,
    pub status: u32,
    pub flags: u8,
    pub flags2: u16,
    pub tree: u16,
    pub uid: u16,
    pub mid: u16,
    pub data: &'a [u8],
}

impl<'a> Record<'a> {
    /// Parses the 32-byte header.
    pub(crate) fn parse(d: &'a [u8]) -> Option<Record<'a>> {
        let mut r = Rd::new(d);
        if r.take(4)? != b"\xffSMB" {
            return None;
        }
        let cmd = r.u8()?;
        let status = r.u32()?;
        let flags = r.u8()?;
        let flags2 = r.u16()?;
        r.take(2 + 8 + 2)?; // pid high, signature, reserved
        let tree = r.u16()?;
        r.u16()?; // pid
        let uid = r.u16()?;
        let mid = r.u16()?;
        Some(Record {
            cmd,
            status,
            flags,
            flags2,
            tree,
            uid,
            mid,
            data: r.rest(),
        })
    }

    pub(crate) fn is_request(&self) -> bool {
        self.flags & 0x80 == 0
    }

    fn unicode(&self) -> bool {
        self.flags2 & 0x8000 != 0
    }

    /// Suricata's `SMBCommonHdr::from1`.
    fn key(&self, typ: KeyType) -> Key {
        Key {
            typ,
            ssn: u64::from(self.uid),
            tree: if typ == KeyType::Tree {
                0
            } else {
                u32::from(self.tree)
            },
            msg: if typ == KeyType::Share {
                0
            } else {
                u64::from(self.mid)
            },
        }
    }

    /// The parameter block at `andx_offset` (from the SMB header).
    fn at(&self, andx_offset: usize) -> &'a [u8] {
        self.data.get(andx_offset - HEADER_SIZE..).unwrap_or(&[])
    }

    /// File id + session id, Suricata's "frankenfid".
    fn fuid(&self, fid: &[u8]) -> Vec<u8> {
        let mut v = fid.to_vec();
        v.extend_from_slice(&u32::from(self.uid).to_be_bytes());
        v
    }
}

/// Commands that create a transaction of their own unless handled otherwise.
fn creates_tx(cmd: u8) -> bool {
    !matches!(cmd, READ_ANDX | WRITE_ANDX | TRANS | TRANS2)
}

/// Commands whose response looks for the generic transaction of its request.
fn checks_tx(cmd: u8) -> bool {
    !matches!(cmd, READ_ANDX | WRITE_ANDX | TRANS)
}

fn is_andx(cmd: u8) -> bool {
    matches!(
        cmd,
        LOCKING_ANDX
            | OPEN_ANDX
            | READ_ANDX
            | SESSION_SETUP_ANDX
            | LOGOFF_ANDX
            | TREE_CONNECT_ANDX
            | NT_CREATE_ANDX
            | WRITE_ANDX
    )
}

/// Runs `one` on each command of the AndX chain.
fn andx_chain(
    state: &mut SmbState,
    r: &Record<'_>,
    one: fn(&mut SmbState, &Record<'_>, u8, usize),
) {
    let mut offset = HEADER_SIZE;
    let mut cmd = r.cmd;
    loop {
        one(state, r, cmd, offset);
        if is_andx(cmd) {
            let mut h = Rd::new(r.at(offset));
            let next = (|| {
                h.u8()?;
                let c = h.u8()?;
                h.take(1)?;
                Some((c, usize::from(h.u16()?)))
            })();
            if let Some((c, off)) = next {
                if off > offset && c != NO_ANDX && off - HEADER_SIZE < r.data.len() {
                    offset = off;
                    cmd = c;
                    continue;
                }
            }
        }
        break;
    }
}

/// A request record.
pub(crate) fn request(state: &mut SmbState, r: &Record<'_>) {
    andx_chain(state, r, request_one);
}

/// A response record.
pub(crate) fn response(state: &mut SmbState, r: &Record<'_>) {
    andx_chain(state, r, response_one);
}

fn request_one(state: &mut SmbState, r: &Record<'_>, cmd: u8, ax: usize) {
    let mut events = 0u8;
    let mut no_response = false;
    let have_tx = match cmd {
        RENAME => {
            if rename_ok(r.data) {
                new_tx(state, Kind::Rename, r.key(KeyType::GenericTx), RENAME);
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        TRANS2 => match trans2(r.data) {
            Some(Trans2Outcome::Tx) => {
                new_tx(state, Kind::SetInfo, r.key(KeyType::GenericTx), TRANS2);
                true
            }
            Some(Trans2Outcome::NoTx) => false,
            None => {
                events |= EV_MALFORMED;
                false
            }
        },
        READ_ANDX => {
            match read_andx_request(r.at(ax)) {
                Some((fid, offset)) => {
                    let fuid = r.fuid(fid);
                    state
                        .read_offsets
                        .insert(r.key(KeyType::Offset), (fuid, offset));
                }
                None => events |= EV_MALFORMED,
            }
            false
        }
        WRITE_ANDX | WRITE | WRITE_AND_CLOSE => {
            write_request(state, r, ax, cmd);
            true
        }
        TRANS => {
            let events = match trans_request(r) {
                Some((fid, data)) => {
                    if let Some(fid) = fid {
                        state.trans_fids.insert(r.key(KeyType::None), fid.to_vec());
                        if state.is_dcerpc_guid(&r.fuid(fid)) {
                            let hdr = r.key(KeyType::Header);
                            dcerpc::write(state, 1, u16::from(r.cmd), hdr, data);
                        }
                    }
                    0
                }
                None => EV_MALFORMED,
            };
            request_generic(state, r, events);
            true
        }
        NEGOTIATE => match negotiate_dialects(r.data) {
            Some((count, bad)) => {
                let existing = state
                    .txs
                    .iter_mut()
                    .find(|t| matches!(t.kind, Kind::Negotiate { ver: 1, .. }));
                match existing {
                    Some(tx) => tx.events |= EV_DUP_NEGOTIATE,
                    None => {
                        let tx = state.new_tx(
                            Kind::Negotiate {
                                ver: 1,
                                dialects: count,
                            },
                            Key::default(),
                        );
                        tx.set_cmd(1, u16::from(NEGOTIATE));
                        if bad {
                            tx.events |= EV_BAD_DIALECTS;
                        }
                    }
                }
                true
            }
            None => {
                events |= EV_MALFORMED;
                false
            }
        },
        NT_CREATE_ANDX => {
            if let Some(name) = create_request_name(r.at(ax), r.unicode()) {
                state.pending_names.insert(r.key(KeyType::FileName), name);
                new_tx(state, Kind::Create, r.key(KeyType::GenericTx), cmd);
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        SESSION_SETUP_ANDX => {
            if session_setup_request_ok(r.at(ax)) {
                let key = Key {
                    typ: KeyType::Header,
                    ssn: u64::from(r.uid),
                    tree: 0,
                    msg: u64::from(r.mid),
                };
                new_tx(state, Kind::SessionSetup, key, cmd);
            }
            true
        }
        TREE_CONNECT_ANDX => {
            if tree_connect_request_ok(r.at(ax), r.unicode()) {
                new_tx(state, Kind::TreeConnect, r.key(KeyType::Tree), cmd);
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        TREE_DISCONNECT => {
            state.trees.remove(&(u64::from(r.uid), u32::from(r.tree)));
            false
        }
        CLOSE => {
            let mut rd = Rd::new(r.data);
            match rd.take(1).and_then(|_| rd.take(2)) {
                Some(fid) => {
                    let fuid = r.fuid(fid);
                    close_file(state, &fuid, true);
                }
                None => events |= EV_MALFORMED,
            }
            false
        }
        NT_CANCEL | TRANS2_SECONDARY | LOCKING_ANDX => {
            no_response = true;
            false
        }
        _ => false,
    };
    if !have_tx && creates_tx(cmd) {
        let tx = state.new_generic_tx(1, u16::from(cmd), r.key(KeyType::GenericTx));
        tx.events |= events;
        if no_response {
            tx.response_done = true;
        }
    }
}

fn new_tx(state: &mut SmbState, kind: Kind, key: Key, cmd: u8) {
    let tx = state.new_tx(kind, key);
    tx.set_cmd(1, u16::from(cmd));
}

/// `smb1_request_record_generic`: a transaction for commands that always get one, or to
/// carry events.
fn request_generic(state: &mut SmbState, r: &Record<'_>, events: u8) {
    if creates_tx(r.cmd) || events != 0 {
        let tx = state.new_generic_tx(1, u16::from(r.cmd), r.key(KeyType::GenericTx));
        tx.events |= events;
    }
}

/// `smb1_response_record_generic`: completes the request's transaction, or creates one
/// to carry events.
fn response_generic(state: &mut SmbState, r: &Record<'_>, events: u8) {
    let key = r.key(KeyType::GenericTx);
    if let Some(tx) = state.generic_tx(1, u16::from(r.cmd), &key) {
        tx.request_done = true;
        tx.response_done = true;
        tx.events |= events;
        return;
    }
    if events != 0 {
        let tx = state.new_generic_tx(1, u16::from(r.cmd), key);
        tx.request_done = true;
        tx.response_done = true;
        tx.events |= events;
    }
}

fn close_file(state: &mut SmbState, fuid: &[u8], to_server: bool) {
    if let Some(tx) = state.file_tx(fuid, to_server) {
        if !tx.request_done {
            tx.request_done = true;
            tx.response_done = true;
        }
    }
}

/// WRITE, WRITE_ANDX and WRITE_AND_CLOSE requests (also from a partial record).
pub(crate) fn write_request(state: &mut SmbState, r: &Record<'_>, ax: usize, cmd: u8) {
    let parsed = match cmd {
        WRITE_ANDX => write_andx_request(r.at(ax), ax),
        WRITE => write_plain_request(r.data),
        _ => write_and_close_request(r.data),
    };
    let mut events = 0;
    match parsed {
        Some(w) => {
            let fuid = r.fuid(w.fid);
            if state.file_tx(&fuid, true).is_none()
                && state.is_pipe(u64::from(r.uid), u32::from(r.tree))
            {
                dcerpc::write(state, 1, u16::from(cmd), r.key(KeyType::Header), w.data);
            } else {
                state.file_chunk(1, u16::from(WRITE_ANDX), &fuid, true, w.offset, w.len);
            }
            state.set_file_left(0, w.len, w.data.len());
            if cmd == WRITE_AND_CLOSE {
                close_file(state, &fuid, true);
            }
        }
        None => events |= EV_MALFORMED,
    }
    request_generic(state, r, events);
}

/// READ_ANDX responses (also from a partial record).
pub(crate) fn read_response(state: &mut SmbState, r: &Record<'_>, ax: usize) {
    let mut events = 0;
    if r.status == STATUS_SUCCESS {
        match read_andx_response(r.at(ax)) {
            Some((len, data)) => {
                let have = data.len();
                let Some((fuid, offset)) = state.read_offsets.remove(&r.key(KeyType::Offset))
                else {
                    state.set_skip(1, len, have);
                    return;
                };
                if state.is_pipe(u64::from(r.uid), u32::from(r.tree)) {
                    let fid = fuid.get(..2).unwrap_or(&[]).to_vec();
                    let hdr = r.key(KeyType::Header);
                    dcerpc::read(state, 1, u16::from(READ_ANDX), 0, hdr, &fid, data);
                } else {
                    state.file_chunk(1, u16::from(READ_ANDX), &fuid, false, offset, len);
                }
                state.set_file_left(1, len, have);
            }
            None => events |= EV_MALFORMED,
        }
    }
    response_generic(state, r, events);
}

fn response_one(state: &mut SmbState, r: &Record<'_>, cmd: u8, ax: usize) {
    let mut events = 0u8;
    let mut tx_sync = false;
    let have_tx = match cmd {
        READ_ANDX => {
            read_response(state, r, ax);
            true
        }
        NEGOTIATE => match negotiate_response_dialect(r.data) {
            Some(idx) => {
                let tx = state
                    .txs
                    .iter_mut()
                    .find(|t| matches!(t.kind, Kind::Negotiate { ver: 1, .. }));
                match tx {
                    Some(tx) => {
                        tx.response_done = true;
                        if let Kind::Negotiate { dialects, .. } = tx.kind {
                            if usize::from(idx) >= dialects {
                                tx.events |= EV_BAD_DIALECTS;
                            }
                        }
                        true
                    }
                    None => false,
                }
            }
            None => {
                events |= EV_MALFORMED;
                false
            }
        },
        TREE_CONNECT_ANDX => {
            let key = r.key(KeyType::Tree);
            if r.status != STATUS_SUCCESS {
                if let Some(tx) = tree_connect_tx(state, &key) {
                    tx.response_done = true;
                }
                return;
            }
            match tree_connect_response_service(r.at(ax)) {
                Some(is_pipe) => match tree_connect_tx(state, &key) {
                    Some(tx) => {
                        tx.key = r.key(KeyType::Header);
                        tx.response_done = true;
                        state
                            .trees
                            .insert((u64::from(r.uid), u32::from(r.tree)), is_pipe);
                        true
                    }
                    None => false,
                },
                None => {
                    events |= EV_MALFORMED;
                    false
                }
            }
        }
        TREE_DISCONNECT => {
            state.trees.remove(&(u64::from(r.uid), u32::from(r.tree)));
            false
        }
        NT_CREATE_ANDX if r.status == STATUS_SUCCESS => {
            if let Some(fid) = create_response_fid(r.at(ax)) {
                if let Some(mut name) = state.pending_names.remove(&r.key(KeyType::FileName)) {
                    name.retain(|&b| b != 0);
                    state.file_names.insert(r.fuid(fid), name);
                }
                let key = r.key(KeyType::GenericTx);
                if let Some(tx) = state.generic_tx(1, u16::from(cmd), &key) {
                    tx.response_done = true;
                }
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        NT_CREATE_ANDX => false,
        CLOSE => false,
        TRANS => {
            let events = match trans_response(r.data) {
                Some(data) => {
                    let fid = state
                        .trans_fids
                        .remove(&r.key(KeyType::None))
                        .unwrap_or_default();
                    let frag_key = (u64::from(r.uid), u32::from(r.tree), fid.clone());
                    if r.status == STATUS_BUFFER_OVERFLOW {
                        state.trans_frags.insert(frag_key, data.to_vec());
                    } else if state.is_dcerpc_guid(&r.fuid(&fid)) {
                        let hdr = r.key(KeyType::Header);
                        dcerpc::read(state, 1, u16::from(r.cmd), r.status, hdr, &fid, data);
                    }
                    0
                }
                None => EV_MALFORMED,
            };
            response_generic(state, r, events);
            true
        }
        SESSION_SETUP_ANDX => {
            session_setup_response(state, r, ax);
            true
        }
        LOGOFF_ANDX => {
            tx_sync = true;
            false
        }
        _ => false,
    };
    if !have_tx && tx_sync {
        if let Some(tx) = state.txs.last_mut() {
            if tx.ver == 1 && tx.cmd == u16::from(cmd) {
                tx.response_done = true;
                tx.events |= events;
            }
        }
    } else if !have_tx && checks_tx(cmd) {
        let key = r.key(KeyType::GenericTx);
        if let Some(tx) = state.generic_tx(1, u16::from(cmd), &key) {
            tx.request_done = true;
            tx.response_done = true;
            tx.events |= events;
        }
    }
}

fn tree_connect_tx<'s>(state: &'s mut SmbState, key: &Key) -> Option<&'s mut super::Tx> {
    state
        .txs
        .iter_mut()
        .find(|t| t.kind == Kind::TreeConnect && t.key.same(key))
}

fn session_setup_response(state: &mut SmbState, r: &Record<'_>, ax: usize) {
    let key = |ssn: u16| Key {
        typ: KeyType::Header,
        ssn: u64::from(ssn),
        tree: 0,
        msg: u64::from(r.mid),
    };
    let find = |state: &SmbState, k: Key| {
        state
            .txs
            .iter()
            .position(|t| t.kind == Kind::SessionSetup && t.key.same(&k))
    };
    let mut at = None;
    if r.uid != 0 {
        at = find(state, key(r.uid));
    }
    if at.is_none() {
        at = find(state, key(0));
    }
    let Some(i) = at else {
        return;
    };
    let ok = session_setup_response_ok(r.at(ax));
    let tx = &mut state.txs[i];
    if !ok {
        tx.events |= EV_MALFORMED;
    }
    tx.key = r.key(KeyType::Header);
    tx.response_done = true;
}

// ---- record layouts -------------------------------------------------------------------

fn rename_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.u8()?;
        r.u16()?;
        r.u16()?;
        r.u8()?;
        r.unicode()?;
        r.u8()?;
        r.take(1)?;
        r.unicode()
    })()
    .is_some()
}

enum Trans2Outcome {
    /// SET_PATH_INFO / SET_FILE_INFO with a rename or disposition: a transaction.
    Tx,
    /// Parsed, nothing to track.
    NoTx,
}

/// TRANS2 request: `None` when it (or the SET_*_INFO parameters it carries) is malformed.
fn trans2(d: &[u8]) -> Option<Trans2Outcome> {
    let mut r = Rd::new(d);
    r.u8()?;
    r.take(2 + 2 + 2 + 2 + 1 + 1 + 2 + 4 + 2)?;
    let param_cnt = r.u16()?;
    let param_offset = r.u16()?;
    if param_offset > u16::MAX - param_cnt {
        return None;
    }
    let data_cnt = r.u16()?;
    let data_offset = r.u16()?;
    r.u8()?;
    r.take(1)?;
    let subcmd = r.u16()?;
    r.u16()?;
    r.take(3)?;
    let setup = r.take(usize::from(param_cnt))?;
    let end = param_offset + param_cnt;
    if data_offset > end {
        r.take(usize::from(data_offset - end))?;
    }
    let data = r.take(usize::from(data_cnt))?;
    let loi = match subcmd {
        6 => {
            let mut p = Rd::new(setup);
            let loi = p.u16()?;
            p.take(4)?;
            p.unicode()?;
            loi
        }
        8 => {
            let mut p = Rd::new(setup);
            p.take(2)?;
            p.u16()?
        }
        _ => return Some(Trans2Outcome::NoTx),
    };
    let mut dr = Rd::new(data);
    match loi {
        1013 => {
            dr.u8()?;
        }
        1010 => {
            dr.take(1 + 3 + 4)?;
            let n = dr.u32()?;
            dr.take(usize::try_from(n).ok()?)?;
        }
        _ => return Some(Trans2Outcome::NoTx),
    }
    Some(Trans2Outcome::Tx)
}

/// READ_ANDX request: (fid, file offset; 0 without the high offset word, as Suricata).
fn read_andx_request(d: &[u8]) -> Option<(&[u8], u64)> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(1 + 1 + 2)?;
    let fid = r.take(2)?;
    let low = r.u32()?;
    r.take(2 + 2 + 4 + 2)?;
    let offset = if wct == 12 {
        u64::from(r.u32()?) << 32 | u64::from(low)
    } else {
        0
    };
    Some((fid, offset))
}

struct Write<'a> {
    fid: &'a [u8],
    /// File offset.
    offset: u64,
    /// Announced data length.
    len: u32,
    /// The data bytes present.
    data: &'a [u8],
}

fn write_plain_request(d: &[u8]) -> Option<Write<'_>> {
    let mut r = Rd::new(d);
    r.u8()?;
    let fid = r.take(2)?;
    r.u16()?;
    let offset = u64::from(r.u32()?);
    r.take(2 + 2 + 1)?;
    let len = r.u16()?;
    let data = r.take(usize::from(len))?;
    Some(Write {
        fid,
        offset,
        len: u32::from(len),
        data,
    })
}

/// WRITE_ANDX request: the data offset (from the SMB header) must point past the
/// parameter block (at least 0x3c, and not before this AndX block).
fn write_andx_request(d: &[u8], ax: usize) -> Option<Write<'_>> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(1 + 1 + 2)?;
    let fid = r.take(2)?;
    let low = r.u32()?;
    r.take(4 + 2 + 2)?;
    let len_high = r.u16()?;
    let len_low = r.u16()?;
    let data_offset = usize::from(r.u16()?);
    if data_offset < 0x3c || data_offset < ax {
        return None;
    }
    let high = if wct == 14 { r.u32()? } else { 0 };
    r.u16()?; // bcc
    let mut data = Rd::new(d);
    data.take(data_offset - ax)?;
    let len = u32::from(len_high) << 16 | u32::from(len_low);
    let have = data.rest().len().min(usize::try_from(len).ok()?);
    Some(Write {
        fid,
        offset: u64::from(high) << 32 | u64::from(low),
        len,
        data: data.take(have)?,
    })
}

fn write_and_close_request(d: &[u8]) -> Option<Write<'_>> {
    let mut r = Rd::new(d);
    r.u8()?;
    let fid = r.take(2)?;
    let count = r.u16()?;
    let offset = u64::from(r.u32()?);
    r.take(4)?;
    let bcc = r.u16()?;
    if bcc > count {
        r.take(usize::from(bcc - count))?;
    }
    let data = r.take(usize::from(count))?;
    Some(Write {
        fid,
        offset,
        len: u32::from(count),
        data,
    })
}

/// READ_ANDX response: (announced length, the data present).
fn read_andx_response(d: &[u8]) -> Option<(u32, &[u8])> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(1 + 1 + 2 + 6)?;
    let len_low = r.u16()?;
    let data_offset = r.u16()?;
    let len_high = r.u32()?;
    r.take(6)?;
    let bcc = r.u16()?;
    if bcc > len_low {
        r.take(usize::from(bcc - len_low))?;
    }
    let param_end = 36u16.wrapping_add(2u16.wrapping_mul(u16::from(wct)));
    if data_offset > param_end {
        r.take(usize::from(data_offset - param_end))?;
    }
    Some(((len_high << 16) | u32::from(len_low), r.rest()))
}

/// TRANS request: parameters, name, and the data block when there is one. Returns the
/// pipe fid (when the setup words name one) and the data.
fn trans_request<'a>(rec: &Record<'a>) -> Option<(Option<&'a [u8]>, &'a [u8])> {
    let d = rec.data;
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(2 + 2 + 2 + 2 + 1 + 1 + 2 + 4 + 2)?;
    let param_cnt = r.u16()?;
    let param_offset = r.u16()?;
    let data_cnt = r.u16()?;
    let data_offset = r.u16()?;
    let setup_cnt = r.u8()?;
    r.take(1)?;
    let mut fid = None;
    if wct == 16 && setup_cnt == 2 && data_cnt > 0 {
        r.u16()?;
        fid = Some(r.take(2)?);
    }
    r.u16()?; // bcc
    let params_end = r;
    let mut offset = HEADER_SIZE + (d.len() - params_end.rest().len());
    r.smb1_string(rec.unicode(), offset)?;
    offset += params_end.rest().len() - r.rest().len();
    let pad1 = if offset == usize::from(param_offset) || offset == usize::from(data_offset) {
        0
    } else {
        offset % 4
    };
    offset += pad1 + usize::from(param_cnt);
    let mut data: &[u8] = &[];
    if data_cnt > 0 {
        let pad2 = if offset == usize::from(data_offset) {
            0
        } else {
            offset % 4
        };
        r.take(pad1)?;
        r.take(usize::from(param_cnt))?;
        r.take(pad2)?;
        data = r.take(usize::from(data_cnt))?;
    }
    Some((fid, data))
}

/// TRANS response: an error record (wct 0) or a regular one; returns its data block.
fn trans_response(d: &[u8]) -> Option<&[u8]> {
    let mut r = Rd::new(d);
    let wct = r.peek_u8()?;
    if wct == 0 {
        r.u8()?;
        r.u16()?;
        return Some(&[]);
    }
    r.u8()?;
    r.take(2 + 2 + 2 + 2 + 2 + 2)?;
    let data_cnt = r.u16()?;
    let data_offset = r.u16()?;
    r.take(2 + 1 + 1)?;
    r.u16()?; // bcc
    r.take(1)?;
    let param_end = 36u16.wrapping_add(2u16.wrapping_mul(u16::from(wct)));
    if data_offset > param_end {
        r.take(usize::from(data_offset - param_end))?;
    }
    r.take(usize::from(data_cnt))
}

/// NEGOTIATE request: (dialect count, a dialect was empty or lacked its string).
fn negotiate_dialects(d: &[u8]) -> Option<(usize, bool)> {
    let mut r = Rd::new(d);
    r.u8()?;
    r.u16()?;
    let mut count = 0;
    let mut bad = false;
    let mut any = false;
    while let Some(s) = r.until_nul() {
        any = true;
        if s.is_empty() {
            bad = true;
            continue;
        }
        if s.len() == 1 {
            bad = true;
        }
        count += 1;
    }
    any.then_some((count, bad))
}

/// NEGOTIATE response: the chosen dialect index (0 for an error record).
fn negotiate_response_dialect(d: &[u8]) -> Option<u16> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    if wct == 0 {
        r.u16()?;
        return Some(0);
    }
    let idx = r.u16()?;
    r.take(1 + 16 + 4 + 8 + 2 + 1)?;
    let bcc = r.u16()?;
    if bcc >= 16 {
        r.take(16)?;
    }
    Some(idx)
}

/// NT_CREATE_ANDX request: the file name (empty when the byte count is short).
fn create_request_name(d: &[u8], unicode: bool) -> Option<Vec<u8>> {
    let mut r = Rd::new(d);
    r.take(6)?;
    let name_len = r.u16()?;
    r.take(28 + 4 + 4 + 5)?;
    let bcc = r.u16()?;
    if bcc >= name_len {
        return r.smb1_string(unicode, usize::from(bcc - name_len));
    }
    Some(Vec::new())
}

/// NT_CREATE_ANDX response: the fid.
fn create_response_fid(d: &[u8]) -> Option<&[u8]> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(1 + 1 + 2 + 1)?;
    let fid = r.take(2)?;
    r.take(4 + 8 * 4 + 4 + 8 + 8 + 2 + 2 + 1)?;
    if wct == 42 {
        r.take(32)?;
    }
    r.u16()?;
    Some(fid)
}

fn session_setup_request_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.take(15)?;
        let blob = r.u16()?;
        r.take(8)?;
        r.u16()?;
        r.take(usize::from(blob))?;
        Some(())
    })()
    .is_some()
}

fn session_setup_response_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        match r.peek_u8()? {
            0 => {
                r.u8()?;
                r.u16()?;
            }
            3 => {
                r.take(7)?;
                r.u16()?;
            }
            _ => {
                r.take(7)?;
                let blob = r.u16()?;
                r.u16()?;
                r.take(usize::from(blob))?;
            }
        }
        Some(())
    })()
    .is_some()
}

fn tree_connect_request_ok(d: &[u8], unicode: bool) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.take(7)?;
        let pwlen = r.u16()?;
        r.u16()?;
        r.take(usize::from(pwlen))?;
        r.smb1_string(unicode, 11 + usize::from(pwlen))?;
        r.until_nul()?;
        Some(())
    })()
    .is_some()
}

/// TREE_CONNECT_ANDX response: whether the service is a pipe (`IPC`).
fn tree_connect_response_service(d: &[u8]) -> Option<bool> {
    let mut r = Rd::new(d);
    let wct = r.u8()?;
    r.take(1 + 1 + 2)?;
    if wct >= 3 {
        r.take(2)?;
    }
    if wct == 7 {
        r.take(8)?;
    }
    r.u16()?;
    let service = r.until_nul()?;
    r.until_nul()?;
    Some(service == b"IPC")
}
