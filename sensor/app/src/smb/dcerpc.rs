//! DCERPC carried over SMB pipes, only as far as Suricata's SMB parser raises
//! `smb.malformed_data` on it: the record header, request/bind/response layouts, and the
//! DCERPC transactions (one per call id) those events land on.

use super::records::Rd;
use super::{Key, KeyType, Kind, SmbState, EV_MALFORMED};

const TYPE_REQUEST: u8 = 0;
const TYPE_RESPONSE: u8 = 2;
const TYPE_BIND: u8 = 11;
const TYPE_BINDACK: u8 = 12;

const STATUS_SUCCESS: u32 = 0;
const STATUS_BUFFER_OVERFLOW: u32 = 0x8000_0005;

/// A DCERPC record header and the bytes after it.
struct Record<'a> {
    ptype: u8,
    first_frag: bool,
    last_frag: bool,
    little: bool,
    frag_len: u16,
    call_id: u32,
    data: &'a [u8],
}

fn parse_record(d: &[u8]) -> Option<Record<'_>> {
    let mut r = Rd::new(d);
    r.u8()?;
    r.u8()?;
    let ptype = r.u8()?;
    let flags = r.u8()?;
    let rep = r.take(4)?;
    let little = rep[0] & 0x10 != 0;
    let u16e = |b: &[u8]| {
        if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        }
    };
    let frag_len = u16e(r.take(2)?);
    r.take(2)?;
    let c = r.take(4)?;
    let call_id = if little {
        u32::from_le_bytes([c[0], c[1], c[2], c[3]])
    } else {
        u32::from_be_bytes([c[0], c[1], c[2], c[3]])
    };
    Some(Record {
        ptype,
        first_frag: flags & 0x01 != 0,
        last_frag: flags & 0x02 != 0,
        little,
        frag_len,
        call_id,
        data: r.rest(),
    })
}

fn request_ok(d: &[u8], frag_len: u16) -> bool {
    if frag_len < 24 {
        return false;
    }
    let mut r = Rd::new(d);
    r.take(8)
        .and_then(|_| r.take(usize::from(frag_len - 24)))
        .is_some()
}

fn bind_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.take(2 + 2 + 4)?;
        let n = r.u8()?;
        r.take(3)?;
        r.take(44 * usize::from(n))?;
        Some(())
    })()
    .is_some()
}

fn bindack_ok(d: &[u8]) -> bool {
    let mut r = Rd::new(d);
    (|| {
        r.take(2 + 2 + 4)?;
        let sec = r.u16()?;
        r.take(usize::from(sec))?;
        let m = (u32::from(sec) + 2) % 4;
        if m != 0 {
            r.take(usize::try_from(4 - m).ok()?)?;
        }
        let n = r.u8()?;
        r.take(3)?;
        r.take(24 * usize::from(n))?;
        Some(())
    })()
    .is_some()
}

/// The key a DCERPC transaction is found by: session and tree, plus the message id for
/// SMB2 (SMB1 requests and responses of one call differ in their multiplex id).
fn dcerpc_key(ver: u8, hdr: &Key) -> Key {
    Key {
        typ: KeyType::Dcerpc,
        ssn: hdr.ssn,
        tree: hdr.tree,
        msg: if ver == 2 { hdr.msg } else { 0 },
    }
}

fn find_tx(state: &SmbState, ver: u8, hdr: &Key, call_id: u32) -> Option<usize> {
    let want = dcerpc_key(ver, hdr);
    state.txs.iter().position(|t| {
        matches!(t.kind, Kind::Dcerpc { call_id: c } if c == call_id)
            && dcerpc_key(ver, &t.key) == want
    })
}

fn new_tx(state: &mut SmbState, ver: u8, cmd: u16, hdr: Key, call_id: u32) -> usize {
    let tx = state.new_tx(Kind::Dcerpc { call_id }, hdr);
    tx.set_cmd(ver, cmd);
    tx.request_done = false;
    tx.response_done = false;
    state.txs.len() - 1
}

/// DCERPC request data of a WRITE, TRANS or IOCTL record to a pipe.
pub(crate) fn write(state: &mut SmbState, ver: u8, cmd: u16, hdr: Key, data: &[u8]) {
    let Some(rec) = parse_record(data) else {
        state.set_event(EV_MALFORMED);
        return;
    };
    if rec.ptype == TYPE_REQUEST && !rec.first_frag {
        if !request_ok(rec.data, rec.frag_len) {
            state.set_event(EV_MALFORMED);
            return;
        }
        if let Some(i) = find_tx(state, ver, &hdr, rec.call_id) {
            if rec.last_frag {
                state.txs[i].request_done = true;
            }
        }
        return;
    }
    let i = new_tx(state, ver, cmd, hdr, rec.call_id);
    let tx = &mut state.txs[i];
    match rec.ptype {
        TYPE_REQUEST => {
            if request_ok(rec.data, rec.frag_len) {
                if rec.last_frag {
                    tx.request_done = true;
                }
            } else {
                tx.events |= EV_MALFORMED;
                tx.request_done = true;
            }
        }
        TYPE_BIND => {
            // The big-endian layout has the same sizes.
            if !bind_ok(rec.data) {
                tx.events |= EV_MALFORMED;
            }
            tx.request_done = true;
        }
        21..=255 => {
            tx.events |= EV_MALFORMED;
            tx.request_done = true;
        }
        _ => tx.request_done = true,
    }
    let _ = rec.little;
}

/// DCERPC response data of a READ, TRANS or IOCTL response from a pipe; `guid` is the
/// file id the data belongs to (fragments of one TRANS response are joined by it).
pub(crate) fn read(
    state: &mut SmbState,
    ver: u8,
    cmd: u16,
    status: u32,
    hdr: Key,
    guid: &[u8],
    indata: &[u8],
) {
    if status != STATUS_SUCCESS && status != STATUS_BUFFER_OVERFLOW {
        let key = hdr;
        if let Some(tx) = state.generic_tx(ver, cmd, &key) {
            tx.response_done = true;
        }
        return;
    }
    let frag_key = (hdr.ssn, hdr.tree, guid.to_vec());
    let mut data = state.trans_frags.remove(&frag_key).unwrap_or_default();
    data.extend_from_slice(indata);
    if data.is_empty() {
        return;
    }
    let Some(rec) = parse_record(&data) else {
        state.set_event(EV_MALFORMED);
        return;
    };
    if status == STATUS_BUFFER_OVERFLOW && data.len() < usize::from(rec.frag_len) {
        let keep = data.clone();
        state.trans_frags.insert(frag_key, keep);
        return;
    }
    if rec.ptype == TYPE_BINDACK {
        if bindack_ok(rec.data) {
            if let Some(i) = find_tx(state, ver, &hdr, rec.call_id) {
                state.txs[i].response_done = true;
            }
        } else {
            state.set_event(EV_MALFORMED);
        }
        return;
    }
    let i = match find_tx(state, ver, &hdr, rec.call_id) {
        Some(i) => i,
        None => new_tx(state, ver, cmd, hdr, rec.call_id),
    };
    let tx = &mut state.txs[i];
    match rec.ptype {
        TYPE_RESPONSE => {
            let ok = rec.frag_len >= 24 && {
                let mut r = Rd::new(rec.data);
                r.take(8)
                    .and_then(|_| r.take(usize::from(rec.frag_len - 24)))
                    .is_some()
            };
            if ok {
                tx.response_done = rec.last_frag;
            } else {
                tx.events |= EV_MALFORMED;
            }
        }
        21..=255 => {
            tx.response_done = true;
            tx.events |= EV_MALFORMED;
        }
        _ => tx.response_done = true,
    }
}
