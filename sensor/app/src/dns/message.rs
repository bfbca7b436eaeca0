//! DNS message parsing (header, question, answer and authority sections).

use super::name::{read_name, NameFlags};
use crate::error::AppError;

/// One question entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuery {
    /// Name in dotted form without trailing dot.
    pub name: Vec<u8>,
    /// Record type.
    pub rrtype: u16,
    /// Record class.
    pub rrclass: u16,
}

/// Decoded record data for the types Suricata logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsRdata {
    /// IPv4 address.
    A([u8; 4]),
    /// IPv6 address.
    Aaaa([u8; 16]),
    /// A domain name (CNAME, NS, PTR, MX exchange, DNAME).
    Name(Vec<u8>),
    /// First character-string of a TXT record.
    Txt(Vec<u8>),
    /// SOA record.
    Soa {
        /// Primary name server.
        mname: Vec<u8>,
        /// Responsible mailbox.
        rname: Vec<u8>,
        /// Zone serial.
        serial: u32,
        /// Refresh interval.
        refresh: u32,
        /// Retry interval.
        retry: u32,
        /// Expire limit.
        expire: u32,
        /// Minimum TTL.
        minimum: u32,
    },
    /// SRV record.
    Srv {
        /// Priority.
        priority: u16,
        /// Weight.
        weight: u16,
        /// Port.
        port: u16,
        /// Target name.
        name: Vec<u8>,
    },
    /// Anything else (not logged).
    Other,
}

/// One resource record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// Owner name.
    pub name: Vec<u8>,
    /// Record type.
    pub rrtype: u16,
    /// Record class.
    pub rrclass: u16,
    /// Time to live.
    pub ttl: u32,
    /// Decoded data.
    pub rdata: DnsRdata,
}

/// A parsed DNS message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnsMessage {
    /// Message id.
    pub id: u16,
    /// Raw 16-bit flags word.
    pub flags: u16,
    /// Question section.
    pub queries: Vec<DnsQuery>,
    /// Answer section.
    pub answers: Vec<DnsAnswer>,
    /// Authority section.
    pub authorities: Vec<DnsAnswer>,
    /// Name decoding problems seen.
    pub name_flags: NameFlags,
    /// Records after the question section failed to parse.
    pub malformed: bool,
}

impl DnsMessage {
    /// QR bit: message is a response.
    pub fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }
    /// Opcode (4 bits).
    pub fn opcode(&self) -> u8 {
        ((self.flags >> 11) & 0x0f) as u8
    }
    /// Response code (4 bits).
    pub fn rcode(&self) -> u16 {
        self.flags & 0x000f
    }
}

struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, AppError> {
        let v = *self.msg.get(self.pos).ok_or(AppError::Truncated)?;
        self.pos += 1;
        Ok(v)
    }
    fn u16(&mut self) -> Result<u16, AppError> {
        Ok(u16::from(self.u8()?) << 8 | u16::from(self.u8()?))
    }
    fn u32(&mut self) -> Result<u32, AppError> {
        Ok(u32::from(self.u16()?) << 16 | u32::from(self.u16()?))
    }
    fn name(&mut self, flags: &mut NameFlags) -> Result<Vec<u8>, AppError> {
        let mut out = Vec::new();
        self.pos = read_name(self.msg, self.pos, &mut out, flags)?;
        Ok(out)
    }
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], AppError> {
        let b = self
            .msg
            .get(self.pos..self.pos + n)
            .ok_or(AppError::Truncated)?;
        self.pos += n;
        Ok(b)
    }
}

/// Parse one DNS message (without the TCP length prefix).
///
/// `max_records` bounds each section. Errors only when the header or the
/// question section is unusable; later failures set `malformed`.
pub fn parse_message(msg: &[u8], max_records: usize) -> Result<DnsMessage, AppError> {
    let mut r = Reader { msg, pos: 0 };
    let id = r.u16()?;
    let flags = r.u16()?;
    let qd = r.u16()?;
    let an = r.u16()?;
    let ns = r.u16()?;
    let _ar = r.u16()?;
    let mut m = DnsMessage {
        id,
        flags,
        ..DnsMessage::default()
    };
    for _ in 0..usize::from(qd).min(max_records) {
        let name = r.name(&mut m.name_flags)?;
        let rrtype = r.u16()?;
        let rrclass = r.u16()?;
        m.queries.push(DnsQuery {
            name,
            rrtype,
            rrclass,
        });
    }
    let mut nf = m.name_flags;
    let res = (|| -> Result<(), AppError> {
        for _ in 0..usize::from(an).min(max_records) {
            m.answers.push(parse_rr(&mut r, &mut nf)?);
        }
        for _ in 0..usize::from(ns).min(max_records) {
            m.authorities.push(parse_rr(&mut r, &mut nf)?);
        }
        Ok(())
    })();
    m.name_flags = nf;
    if res.is_err() {
        m.malformed = true;
    }
    Ok(m)
}

fn parse_rr(r: &mut Reader<'_>, nf: &mut NameFlags) -> Result<DnsAnswer, AppError> {
    let name = r.name(nf)?;
    let rrtype = r.u16()?;
    let rrclass = r.u16()?;
    let ttl = r.u32()?;
    let rdlen = usize::from(r.u16()?);
    let start = r.pos;
    let data = r.bytes(rdlen)?;
    let mut sub = Reader {
        msg: r.msg,
        pos: start,
    };
    let rdata = match rrtype {
        1 if rdlen == 4 => {
            let mut a = [0u8; 4];
            a.copy_from_slice(data);
            DnsRdata::A(a)
        }
        28 if rdlen == 16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(data);
            DnsRdata::Aaaa(a)
        }
        2 | 5 | 12 | 39 => DnsRdata::Name(sub.name(nf)?),
        15 => {
            sub.u16()?;
            DnsRdata::Name(sub.name(nf)?)
        }
        16 => {
            let l = usize::from(*data.first().unwrap_or(&0));
            DnsRdata::Txt(
                data.get(1..1 + l)
                    .unwrap_or(data.get(1..).unwrap_or_default())
                    .to_vec(),
            )
        }
        6 => {
            let mname = sub.name(nf)?;
            let rname = sub.name(nf)?;
            DnsRdata::Soa {
                mname,
                rname,
                serial: sub.u32()?,
                refresh: sub.u32()?,
                retry: sub.u32()?,
                expire: sub.u32()?,
                minimum: sub.u32()?,
            }
        }
        33 => DnsRdata::Srv {
            priority: sub.u16()?,
            weight: sub.u16()?,
            port: sub.u16()?,
            name: sub.name(nf)?,
        },
        _ => DnsRdata::Other,
    };
    Ok(DnsAnswer {
        name,
        rrtype,
        rrclass,
        ttl,
        rdata,
    })
}
