//! Kerberos 5 over UDP and TCP (port 88): protocol detection and the `krb5.*` app-layer
//! events, with Suricata 7's semantics.
//!
//! Only the replies matter for events: an AS-REP or TGS-REP that decodes completely
//! opens a transaction, and one whose `enc-part` uses an encryption type other than
//! AES or Camellia raises `krb5.weak_encryption` on it. A message whose first element
//! header does not decode raises `krb5.malformed_data` on the most recent transaction of
//! the same parse call, if any (Suricata sets it on its newest live transaction; those
//! are freed after each packet, so it practically never shows); over TCP the parse error
//! also stops the parser for the flow, over UDP the next datagram is parsed again.
//!
//! Over TCP each message follows a 4-byte record mark. Suricata 7 does not step past a
//! record once parsed: it reads the record's first four bytes as the next mark, which
//! then asks for far more data than any flow sends. So only the first message of each
//! direction of a TCP connection is ever parsed; this module does the same. (That first
//! mark is always read whole: Suricata holds a direction's first bytes until its protocol
//! detection is done.)

mod der;

use crate::event::AppEvent;
use crate::probe::Probe;
use crate::proto::{AppProto, Direction};
use der::{Class, HeaderError};

/// The Kerberos port: detection runs on flows to it.
pub const PORT: u16 = 88;
/// Largest TCP record a probe accepts (implementations refuse bigger requests).
const PROBE_MAX_RECORD: u32 = 16384;
/// Bytes a TCP direction may buffer while waiting for a record (Suricata's limit).
const MAX_TCP_BUFFER: usize = 100_000;

const WEAK_ENCRYPTION: &str = "krb5.weak_encryption";

/// Encryption types Suricata considers strong: AES (RFC 3962, RFC 8009) and Camellia.
const STRONG_ETYPES: [i32; 6] = [17, 18, 19, 20, 25, 26];

/// Suricata's Kerberos probe over one UDP datagram (or a TCP record without its mark):
/// an APPLICATION element (tag at most 30) holding a SEQUENCE whose first field is the
/// INTEGER 5 (protocol version).
pub fn probe_message(data: &[u8]) -> Probe {
    if data.len() <= 10 {
        return Probe::NotRecognized;
    }
    let (h, rest) = match der::header(data) {
        Ok(v) => v,
        Err(HeaderError::Incomplete) => return Probe::NeedMore,
        Err(HeaderError::Invalid) => return Probe::NotRecognized,
    };
    if h.class != Class::Application || h.tag > 30 || rest.first() != Some(&0x30) {
        return Probe::NotRecognized;
    }
    match der::header(rest) {
        Ok((_, seq)) if seq.len() > 5 && seq[2..5] == [2, 1, 5] => Probe::Detected(AppProto::Krb5),
        _ => Probe::NotRecognized,
    }
}

/// Suricata's Kerberos probe over a TCP stream direction: more than 14 bytes, a record
/// mark of at most 16 KiB, then a message that passes [`probe_message`].
pub fn probe_tcp(data: &[u8]) -> Probe {
    if data.len() <= 14 {
        return Probe::NotRecognized;
    }
    let mark = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
    if mark > PROBE_MAX_RECORD {
        return Probe::NotRecognized;
    }
    probe_message(&data[4..])
}

/// Record framing of one TCP direction, as Suricata 7 keeps it.
#[derive(Debug, Default)]
struct TcpSide {
    /// Length of the record being waited for (0: a record mark comes next).
    record: usize,
    /// Bytes kept until the record is complete.
    buf: Vec<u8>,
}

/// Kerberos parser state of one flow.
#[derive(Debug)]
pub struct Krb5State {
    tcp: bool,
    sides: [TcpSide; 2],
    /// A parse error stopped the parser for the whole flow.
    failed: bool,
    /// Replies decoded (AS-REP and TGS-REP), for tests and statistics.
    replies: u64,
}

impl Krb5State {
    /// A new state; `tcp` selects record-mark framing.
    pub fn new(tcp: bool) -> Krb5State {
        Krb5State {
            tcp,
            sides: Default::default(),
            failed: false,
            replies: 0,
        }
    }

    /// AS-REP and TGS-REP messages decoded so far.
    pub fn replies(&self) -> u64 {
        self.replies
    }

    /// Feeds one datagram (UDP) or stream bytes (TCP) of one direction.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        if self.failed {
            return;
        }
        if !self.tcp {
            // A datagram that fails to parse does not stop the parser (only TCP's does).
            self.message(data, out);
            return;
        }
        let side = &mut self.sides[usize::from(dir == Direction::ToClient)];
        if side.record != 0 && side.buf.len() + data.len() > MAX_TCP_BUFFER {
            self.failed = true;
            return;
        }
        // Suricata buffers a direction's first bytes until its protocol detection is
        // done (8 bytes or more), so its first record mark is never split.
        let mut joined = std::mem::take(&mut side.buf);
        joined.extend_from_slice(data);
        let mut cur: &[u8] = &joined;
        while !cur.is_empty() {
            let side = &mut self.sides[usize::from(dir == Direction::ToClient)];
            if side.record == 0 {
                let Some(mark) = cur.get(..4) else {
                    side.buf.extend_from_slice(cur);
                    return;
                };
                side.record = u32::from_be_bytes([mark[0], mark[1], mark[2], mark[3]]) as usize;
                cur = &cur[4..];
            }
            if cur.len() < side.record {
                side.buf.extend_from_slice(cur);
                return;
            }
            // The record is complete; like Suricata, parse it but do not step past it.
            side.record = 0;
            if !self.message(cur, out) {
                self.failed = true;
                return;
            }
        }
    }

    /// A hole in one direction's stream: Suricata's Kerberos parser does not accept gaps.
    pub fn gap(&mut self, _dir: Direction) {
        if self.tcp {
            self.failed = true;
        }
    }

    /// Parses one message; false when its first header does not decode.
    fn message(&mut self, data: &[u8], out: &mut Vec<AppEvent>) -> bool {
        let h = match der::header(data) {
            Ok((h, _)) => h,
            // `krb5.malformed_data` would go on the newest live transaction: none
            // survives from an earlier packet, and none was opened by this call.
            Err(_) => return false,
        };
        if h.class != Class::Application {
            return true;
        }
        if matches!(h.tag, 11 | 13) {
            if let Some(etype) = kdc_rep_etype(data, h.tag) {
                self.replies += 1;
                if !STRONG_ETYPES.contains(&etype) {
                    out.push(AppEvent::Anomaly(WEAK_ENCRYPTION));
                }
            }
        }
        true
    }
}

/// A PrincipalName: `SEQUENCE { [0] Int32, [1] SEQUENCE OF KerberosString }`.
fn principal_name(i: &[u8]) -> Option<&[u8]> {
    let (body, rest) = der::sequence(i)?;
    let (t, b) = der::context(body, 0)?;
    der::int32(t)?;
    let (names, _) = der::context(b, 1)?;
    let (mut list, _) = der::sequence(names)?;
    while !list.is_empty() {
        list = der::general_string(list)?.1;
    }
    Some(rest)
}

/// EncryptedData: `SEQUENCE { [0] Int32 etype, [1] UInt32 kvno OPTIONAL, [2] OCTET STRING }`;
/// returns the etype.
fn encrypted_data(i: &[u8]) -> Option<(i32, &[u8])> {
    let (body, rest) = der::sequence(i)?;
    let (t, b) = der::context(body, 0)?;
    let (etype, _) = der::int32(t)?;
    let (kvno, b) = der::opt_context(b, 1)?;
    if let Some(k) = kvno {
        der::uint32(k)?;
    }
    let (c, _) = der::context(b, 2)?;
    der::octet_string(c)?;
    Some((etype, rest))
}

/// Ticket: `[APPLICATION 1] SEQUENCE { [0] tkt-vno 5, [1] Realm, [2] PrincipalName,
/// [3] EncryptedData }`.
fn ticket(i: &[u8]) -> Option<&[u8]> {
    let (app, rest) = der::element(i, Class::Application, 1)?;
    let (body, _) = der::sequence(app)?;
    let (v, b) = der::context(body, 0)?;
    if der::uint32(v)?.0 != 5 {
        return None;
    }
    let (r, b) = der::context(b, 1)?;
    der::general_string(r)?;
    let (p, b) = der::context(b, 2)?;
    principal_name(p)?;
    let (e, _) = der::context(b, 3)?;
    encrypted_data(e)?;
    Some(rest)
}

/// PA-DATA list: `SEQUENCE OF SEQUENCE { [1] Int32, [2] OCTET STRING }`.
fn padata(i: &[u8]) -> Option<()> {
    let (mut list, _) = der::sequence(i)?;
    while !list.is_empty() {
        let (pa, rest) = der::sequence(list)?;
        let (t, b) = der::context(pa, 1)?;
        der::int32(t)?;
        let (v, _) = der::context(b, 2)?;
        der::octet_string(v)?;
        list = rest;
    }
    Some(())
}

/// Decodes an AS-REP (`tag` 11) or TGS-REP (13) completely, as the `kerberos-parser`
/// crate Suricata uses does, and returns the encryption type of its `enc-part`.
///
/// KDC-REP ::= SEQUENCE { [0] pvno, [1] msg-type, [2] padata OPTIONAL, [3] crealm,
/// [4] cname, [5] ticket, [6] enc-part }
fn kdc_rep_etype(data: &[u8], tag: u32) -> Option<i32> {
    let (app, _) = der::element(data, Class::Application, tag)?;
    let (body, _) = der::sequence(app)?;
    let (v, b) = der::context(body, 0)?;
    der::uint32(v)?;
    let (m, b) = der::context(b, 1)?;
    der::uint32(m)?;
    let (pa, b) = der::opt_context(b, 2)?;
    if let Some(pa) = pa {
        padata(pa)?;
    }
    let (r, b) = der::context(b, 3)?;
    der::general_string(r)?;
    let (c, b) = der::context(b, 4)?;
    principal_name(c)?;
    let (t, b) = der::context(b, 5)?;
    ticket(t)?;
    let (e, _) = der::context(b, 6)?;
    Some(encrypted_data(e)?.0)
}

#[cfg(test)]
mod tests;
