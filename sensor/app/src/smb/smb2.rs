//! SMB2/3: the header (chained records) and the commands whose decoding raises
//! `smb.malformed_data`, with Suricata 7's record layouts and transaction handling.
//! DCERPC over pipes is not followed: such requests get no transaction.

use super::dcerpc;
use super::records::Rd;
use super::{Key, KeyType, Kind, SmbState, EV_MALFORMED};

const NEGOTIATE: u16 = 0;
const SESSION_SETUP: u16 = 1;
const TREE_CONNECT: u16 = 3;
const TREE_DISCONNECT: u16 = 4;
const CREATE: u16 = 5;
const CLOSE: u16 = 6;
pub(crate) const READ: u16 = 8;
pub(crate) const WRITE: u16 = 9;
const IOCTL: u16 = 11;
const GET_INFO: u16 = 16;
const SET_INFO: u16 = 17;

const STATUS_SUCCESS: u32 = 0;
const STATUS_PENDING: u32 = 0x0000_0103;
const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;
const STATUS_END_OF_FILE: u32 = 0xc000_0011;
/// FSCTL_PIPE_TRANSCEIVE.
const FSCTL_PIPE_TRANSCEIVE: u32 = 0x0011_c017;

/// An SMB2 header and the bytes of its command.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    response: bool,
    pub cmd: u16,
    status: u32,
    msg: u64,
    tree: u32,
    ssn: u64,
    data: &'a [u8],
}

impl<'a> Record<'a> {
    /// Parses one record of a direction (`di` 0 = request layout); returns it and the
    /// chained records after it.
    pub(crate) fn parse(d: &'a [u8], di: usize) -> Option<(Record<'a>, &'a [u8])> {
        let mut r = Rd::new(d);
        if r.take(4)? != b"\xfeSMB" {
            return None;
        }
        let hlen = r.u16()?;
        r.u16()?; // credit charge
        let status = if di == 1 {
            r.u32()?
        } else {
            r.take(4)?; // channel sequence, reserved
            0
        };
        let cmd = r.u16()?;
        r.u16()?; // credits
        let flags = r.u32()?;
        let chain = r.u32()?;
        let msg = r.u64()?;
        let asynch = di == 1 && flags & 0x2 != 0;
        let tree = if asynch {
            r.u64()?;
            0
        } else {
            r.u32()?; // process id
            r.u32()?
        };
        let ssn = r.u64()?;
        r.take(16)?; // signature
        let data = if chain > u32::from(hlen) {
            r.take(usize::try_from(chain - u32::from(hlen)).ok()?)?
        } else {
            let rest = r.rest();
            r.take(rest.len())?
        };
        Some((
            Record {
                response: flags & 0x1 != 0,
                cmd,
                status,
                msg,
                tree,
                ssn,
                data,
            },
            r.rest(),
        ))
    }

    pub(crate) fn is_request(&self) -> bool {
        !self.response
    }

    /// Whether the record's tree is a pipe.
    pub(crate) fn on_pipe(&self, state: &SmbState) -> bool {
        state.is_pipe(self.ssn, self.tree)
    }

    /// Suricata's `SMBCommonHdr::from2`.
    fn key(&self, typ: KeyType) -> Key {
        Key {
            typ,
            ssn: self.ssn,
            tree: if typ == KeyType::Tree { 0 } else { self.tree },
            msg: if typ == KeyType::Share { 0 } else { self.msg },
        }
    }

    /// The key pairing a READ with its response: no tree, as async responses have none.
    fn offset_key(&self) -> Key {
        Key {
            typ: KeyType::Offset,
            ssn: self.ssn,
            tree: 0,
            msg: self.msg,
        }
    }

    /// The key of the file name a CREATE request stores (no tree).
    fn name_key(&self) -> Key {
        Key {
            typ: KeyType::FileName,
            ssn: self.ssn,
            tree: 0,
            msg: self.msg,
        }
    }
}

/// Commands that get a generic transaction when nothing else handled them.
fn creates_tx(cmd: u16) -> bool {
    !matches!(cmd, READ | WRITE | GET_INFO | SET_INFO)
}

fn new_tx(state: &mut SmbState, kind: Kind, key: Key, cmd: u16) {
    let tx = state.new_tx(kind, key);
    tx.set_cmd(2, cmd);
}

/// A request record.
pub(crate) fn request(state: &mut SmbState, r: &Record<'_>) {
    let mut events = 0u8;
    let have_tx = match r.cmd {
        SET_INFO if setinfo_tracked(r.data) == Some(true) => {
            new_tx(state, Kind::SetInfo, r.key(KeyType::GenericTx), SET_INFO);
            true
        }
        SET_INFO => false,
        IOCTL => {
            let key = r.key(KeyType::Header);
            match ioctl_request(r.data) {
                Some((func, guid, data)) => {
                    if func == FSCTL_PIPE_TRANSCEIVE && state.is_dcerpc_guid(guid) {
                        dcerpc::write(state, 2, IOCTL, key, data);
                    } else {
                        new_tx(state, Kind::Ioctl, key, IOCTL);
                    }
                }
                None => {
                    let tx = state.new_generic_tx(2, IOCTL, key);
                    tx.events |= EV_MALFORMED;
                }
            }
            true
        }
        TREE_DISCONNECT => {
            state.trees.remove(&(r.ssn, r.tree));
            false
        }
        NEGOTIATE => {
            if negotiate_request_ok(r.data) {
                if !state
                    .txs
                    .iter()
                    .any(|t| matches!(t.kind, Kind::Negotiate { ver: 2, .. }))
                {
                    let tx = state.new_tx(
                        Kind::Negotiate {
                            ver: 2,
                            dialects: 0,
                        },
                        Key::default(),
                    );
                    tx.set_cmd(2, NEGOTIATE);
                }
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        SESSION_SETUP => {
            if session_setup_request_ok(r.data) {
                new_tx(
                    state,
                    Kind::SessionSetup,
                    r.key(KeyType::Header),
                    SESSION_SETUP,
                );
            }
            true
        }
        TREE_CONNECT => {
            if r.data.len() >= 6 {
                new_tx(state, Kind::TreeConnect, r.key(KeyType::Tree), TREE_CONNECT);
                true
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        READ => {
            match read_request(r.data) {
                Some((guid, offset)) => {
                    state
                        .read_offsets
                        .insert(r.offset_key(), (guid.to_vec(), offset));
                }
                None => events |= EV_MALFORMED,
            }
            false
        }
        CREATE => match create_request_name(r.data) {
            Some(name) => {
                let mut n = name.to_vec();
                n.retain(|&b| b != 0);
                state.pending_names.insert(r.name_key(), n);
                new_tx(state, Kind::Create, r.key(KeyType::GenericTx), CREATE);
                true
            }
            None => {
                events |= EV_MALFORMED;
                false
            }
        },
        WRITE => {
            write_request(state, r);
            true
        }
        CLOSE => {
            let mut rd = Rd::new(r.data);
            match rd.take(8).and_then(|_| rd.take(16)) {
                Some(guid) => {
                    for ts in [true, false] {
                        if let Some(tx) = state.file_tx(guid, ts) {
                            tx.request_done = true;
                            tx.response_done = true;
                        }
                    }
                }
                None => events |= EV_MALFORMED,
            }
            false
        }
        _ => false,
    };
    if !have_tx && creates_tx(r.cmd) {
        let tx = state.new_generic_tx(2, r.cmd, r.key(KeyType::GenericTx));
        tx.events |= events;
    }
}

/// A response record.
pub(crate) fn response(state: &mut SmbState, r: &Record<'_>) {
    let mut events = 0u8;
    let have_tx = match r.cmd {
        IOCTL => {
            let key = r.key(KeyType::Header);
            let parsed = ioctl_response(r.data);
            let pipe_data = parsed.and_then(|(func, guid, data)| {
                (func == FSCTL_PIPE_TRANSCEIVE && state.is_dcerpc_guid(guid)).then_some(data)
            });
            if let Some(data) = pipe_data {
                dcerpc::read(state, 2, IOCTL, r.status, key, &[], data);
            } else {
                if let Some(tx) = state.generic_tx(2, IOCTL, &key) {
                    if r.status != STATUS_PENDING {
                        tx.response_done = true;
                    }
                    if parsed.is_none() && r.status == STATUS_SUCCESS {
                        tx.events |= EV_MALFORMED;
                    }
                }
            }
            true
        }
        SESSION_SETUP => {
            let key = r.key(KeyType::Header);
            let found = state
                .txs
                .iter_mut()
                .find(|t| t.kind == Kind::SessionSetup && t.key.same(&key));
            if let Some(tx) = found {
                if r.status != STATUS_PENDING {
                    tx.response_done = true;
                }
            }
            true
        }
        WRITE => {
            if r.status == STATUS_SUCCESS && Rd::new(r.data).take(14).is_none() {
                events |= EV_MALFORMED;
            }
            false
        }
        READ => {
            if r.status == STATUS_SUCCESS || r.status == STATUS_BUFFER_OVERFLOW {
                read_response(state, r);
            } else if r.status == STATUS_END_OF_FILE {
                let (guid, _) = state
                    .read_offsets
                    .remove(&r.offset_key())
                    .unwrap_or_default();
                if let Some(tx) = state.file_tx(&guid, false) {
                    tx.request_done = true;
                }
            }
            false
        }
        CREATE if r.status == STATUS_SUCCESS => {
            if let Some(guid) = create_response_guid(r.data) {
                if let Some(name) = state.pending_names.remove(&r.name_key()) {
                    state.file_names.insert(guid.to_vec(), name);
                }
                let key = r.key(KeyType::GenericTx);
                if let Some(tx) = state.generic_tx(2, CREATE, &key) {
                    tx.response_done = true;
                }
            }
            true
        }
        CREATE => false,
        TREE_DISCONNECT => {
            state.trees.remove(&(r.ssn, r.tree));
            false
        }
        TREE_CONNECT => {
            let key = r.key(KeyType::Tree);
            let find = |state: &mut SmbState| {
                state
                    .txs
                    .iter_mut()
                    .position(|t| t.kind == Kind::TreeConnect && t.key.same(&key))
            };
            if r.status == STATUS_SUCCESS {
                match tree_connect_share_type(r.data) {
                    Some(share_type) => {
                        if let Some(i) = find(state) {
                            let tx = &mut state.txs[i];
                            tx.key = r.key(KeyType::Header);
                            tx.response_done = true;
                            state.trees.insert((r.ssn, r.tree), share_type == 2);
                        }
                        true
                    }
                    None => {
                        events |= EV_MALFORMED;
                        false
                    }
                }
            } else {
                match find(state) {
                    Some(i) => {
                        state.txs[i].response_done = true;
                        true
                    }
                    None => false,
                }
            }
        }
        NEGOTIATE => {
            let need = if r.status == STATUS_SUCCESS { 36 } else { 4 };
            if r.data.len() >= need {
                let mut found = false;
                for ver in [2, 1] {
                    if let Some(tx) = state
                        .txs
                        .iter_mut()
                        .find(|t| matches!(t.kind, Kind::Negotiate { ver: v, .. } if v == ver))
                    {
                        tx.response_done = true;
                        found = true;
                        break;
                    }
                }
                found
            } else {
                events |= EV_MALFORMED;
                false
            }
        }
        _ => false,
    };
    if !have_tx {
        let key = r.key(KeyType::GenericTx);
        if let Some(tx) = state.generic_tx(2, r.cmd, &key) {
            if r.status != STATUS_PENDING {
                tx.response_done = true;
            }
            tx.events |= events;
        }
    }
}

/// WRITE requests (also from a partial record): the file data is skipped as it comes.
pub(crate) fn write_request(state: &mut SmbState, r: &Record<'_>) {
    let mut rd = Rd::new(r.data);
    let parsed = (|| {
        rd.take(4)?;
        let len = rd.u32()?;
        let offset = rd.u64()?;
        let guid = rd.take(16)?;
        rd.take(16)?;
        let have = rd.rest().len().min(usize::try_from(len).ok()?);
        Some((len, offset, guid, have))
    })();
    let Some((len, offset, guid, have)) = parsed else {
        state.set_event(EV_MALFORMED);
        return;
    };
    let data = &rd.rest()[..have];
    track_file(state, r, guid, data, true, (offset, len));
    state.set_file_left(0, len, have);
}

/// READ responses (also from a partial record).
pub(crate) fn read_response(state: &mut SmbState, r: &Record<'_>) {
    let mut rd = Rd::new(r.data);
    let parsed = (|| {
        rd.u16()?;
        rd.u16()?;
        let len = rd.u32()?;
        rd.u32()?;
        rd.take(4)?;
        let have = rd.rest().len().min(usize::try_from(len).ok()?);
        Some((len, have))
    })();
    let Some((len, have)) = parsed else {
        state.set_event(EV_MALFORMED);
        return;
    };
    if r.status != STATUS_BUFFER_OVERFLOW && r.status != STATUS_SUCCESS {
        state.set_skip(1, len, have);
        return;
    }
    let Some((guid, offset)) = state.read_offsets.remove(&r.offset_key()) else {
        state.set_skip(1, len, have);
        return;
    };
    let data = &rd.rest()[..have];
    track_file(state, r, &guid, data, false, (offset, len));
    state.set_file_left(1, len, have);
}

/// The data of a read or write: DCERPC on a pipe, else file data (its transaction is
/// created when new).
fn track_file(
    state: &mut SmbState,
    r: &Record<'_>,
    guid: &[u8],
    data: &[u8],
    to_server: bool,
    (offset, len): (u64, u32),
) {
    let cmd = if to_server { WRITE } else { READ };
    if state.file_tx(guid, to_server).is_some() {
        state.file_chunk(2, cmd, guid, to_server, offset, len);
        return;
    }
    let known_tree = state.trees.contains_key(&(r.ssn, r.tree));
    let mut is_pipe = state.is_pipe(r.ssn, r.tree);
    let mut is_dcerpc = (is_pipe || !known_tree) && state.is_dcerpc_guid(guid);
    if !known_tree && looks_like_dcerpc(data) {
        state.trees.insert((r.ssn, r.tree), true);
        if !is_dcerpc {
            state
                .file_names
                .insert(guid.to_vec(), b"suricata::dcerpc".to_vec());
        }
        is_pipe = true;
        is_dcerpc = true;
    }
    let hdr = r.key(KeyType::Header);
    if is_pipe && is_dcerpc {
        if to_server {
            dcerpc::write(state, 2, WRITE, hdr, data);
        } else {
            dcerpc::read(state, 2, READ, r.status, hdr, guid, data);
        }
    } else if !is_pipe {
        state.file_chunk(2, cmd, guid, to_server, offset, len);
    }
}

/// Suricata's DCERPC probe on pipe data: version 5.0-5.2, a fragment length, a known
/// packet type.
fn looks_like_dcerpc(d: &[u8]) -> bool {
    if d.len() < 16 {
        return false;
    }
    let little = d[4] & 0x10 != 0;
    let frag_len = if little {
        u16::from_le_bytes([d[8], d[9]])
    } else {
        u16::from_be_bytes([d[8], d[9]])
    };
    d[0] == 5 && d[1] < 3 && frag_len > 0 && d[2] <= 20
}

// ---- record layouts -------------------------------------------------------------------

/// SET_INFO request: `Some(true)` for a rename or disposition (a transaction), `None`
/// when malformed.
fn setinfo_tracked(d: &[u8]) -> Option<bool> {
    let mut r = Rd::new(d);
    r.u16()?;
    let class = r.u8()?;
    let level = r.u8()?;
    let size = r.u32()?;
    r.take(2 + 2 + 4 + 16)?;
    let body = r.take(usize::try_from(size).ok()?)?;
    let mut b = Rd::new(body);
    if class == 1 && level == 10 {
        b.take(1 + 7 + 8)?;
        let n = b.u32()?;
        b.take(usize::try_from(n).ok()?)?;
        return Some(true);
    }
    if class == 1 && level == 0xd {
        b.u8()?;
        return Some(true);
    }
    Some(false)
}

/// IOCTL request: (function, file id, input data).
fn ioctl_request(d: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let mut r = Rd::new(d);
    r.take(4)?;
    let func = r.u32()?;
    let guid = r.take(16)?;
    r.u32()?;
    let in_len = r.u32()?;
    r.take(4 + 4 + 4 + 12)?;
    let data = r.take(usize::try_from(in_len).ok()?)?;
    Some((func, guid, data))
}

/// IOCTL response: (function, file id, output data).
fn ioctl_response(d: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let mut r = Rd::new(d);
    r.take(4)?;
    let func = r.u32()?;
    let guid = r.take(16)?;
    r.u32()?;
    let in_len = r.u32()?;
    r.u32()?;
    let out_len = r.u32()?;
    r.take(8)?;
    r.take(usize::try_from(in_len).ok()?)?;
    let data = r.take(usize::try_from(out_len).ok()?)?;
    Some((func, guid, data))
}

fn negotiate_request_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.u16()?;
        let count = r.u16()?;
        r.take(2 + 2 + 4 + 16 + 4 + 2 + 2)?;
        r.take(2 * usize::from(count))?;
        Some(())
    })()
    .is_some()
}

fn session_setup_request_ok(d: &[u8]) -> bool {
    d.len() >= 24
}

/// READ request: (file id, file offset).
fn read_request(d: &[u8]) -> Option<(&[u8], u64)> {
    let mut r = Rd::new(d);
    r.take(4 + 4)?;
    let offset = r.u64()?;
    let guid = r.take(16)?;
    r.take(4 + 4 + 4 + 4)?;
    Some((guid, offset))
}

fn create_request_name(d: &[u8]) -> Option<&[u8]> {
    let mut r = Rd::new(d);
    r.take(36 + 4 + 4 + 2)?;
    let len = r.u16()?;
    r.take(8)?;
    r.take(usize::from(len))
}

fn create_response_guid(d: &[u8]) -> Option<&[u8]> {
    let mut r = Rd::new(d);
    r.take(2 + 1 + 1 + 4 + 8 * 4 + 8 + 8 + 4 + 4)?;
    let guid = r.take(16)?;
    r.take(8)?;
    Some(guid)
}

fn tree_connect_share_type(d: &[u8]) -> Option<u8> {
    let mut r = Rd::new(d);
    r.take(2)?;
    let t = r.u8()?;
    r.take(12)?;
    Some(t)
}
