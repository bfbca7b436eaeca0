//! pcapng format: SHB (both endians), IDB (per-interface link type and if_tsresol), EPB, SPB, obsolete PB.

use std::io::Read;

use super::error::CaptureError;
use super::reader::{Fill, FrameMeta, Input, Next};
use super::{Timestamp, MAX_RECORD_LEN};

/// Section header block type (palindromic).
pub(crate) const SHB_TYPE: u32 = 0x0A0D_0D0A;
const BOM: u32 = 0x1A2B_3C4D;
const IDB_TYPE: u32 = 1;
const PB_TYPE: u32 = 2;
const SPB_TYPE: u32 = 3;
const EPB_TYPE: u32 = 6;

/// One interface description.
struct Iface {
    linktype: u32,
    /// Timestamp units per second.
    units_per_sec: u64,
    /// Seconds to add to every timestamp (if_tsoffset).
    ts_offset: i64,
}

/// Parsing state of a pcapng file.
pub(crate) struct PcapNgState {
    big_endian: bool,
    ifaces: Vec<Iface>,
    first_linktype: Option<u32>,
}

fn rd_u16(b: &[u8], off: usize, be: bool) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    let a = [*s.first()?, *s.get(1)?];
    Some(if be {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    })
}

fn rd_u32(b: &[u8], off: usize, be: bool) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    })
}

impl PcapNgState {
    /// Starts parsing after the first SHB block type has been read.
    pub(crate) fn start<R: Read>(input: &mut Input<R>) -> Result<Self, CaptureError> {
        let mut st = PcapNgState {
            big_endian: false,
            ifaces: Vec::new(),
            first_linktype: None,
        };
        let mut scratch = Vec::new();
        match st.read_shb(input, 0, &mut scratch)? {
            Fill::Full => Ok(st),
            _ => Err(CaptureError::Malformed {
                reason: "truncated section header block",
                offset: 0,
            }),
        }
    }

    /// Link type of the first interface seen.
    pub(crate) fn first_linktype(&self) -> Option<u32> {
        self.first_linktype
    }

    /// Reads an SHB whose type field (at `blk_off`) has already been consumed.
    fn read_shb<R: Read>(
        &mut self,
        input: &mut Input<R>,
        blk_off: u64,
        buf: &mut Vec<u8>,
    ) -> Result<Fill, CaptureError> {
        let mut hdr = [0u8; 8];
        match input.fill(&mut hdr)? {
            Fill::Full => {}
            other => return Ok(other),
        }
        let be = match (rd_u32(&hdr, 4, true), rd_u32(&hdr, 4, false)) {
            (Some(BOM), _) => true,
            (_, Some(BOM)) => false,
            _ => {
                return Err(CaptureError::Malformed {
                    reason: "bad byte-order magic in section header block",
                    offset: blk_off + 8,
                })
            }
        };
        let total = rd_u32(&hdr, 0, be).unwrap_or(0);
        if !(28..=MAX_RECORD_LEN).contains(&total) {
            return Err(CaptureError::BadLength {
                what: "section header block length",
                len: u64::from(total),
                offset: blk_off,
            });
        }
        self.big_endian = be;
        self.ifaces.clear();
        // remaining: total - 12 bytes already read
        match input.fill_vec(buf, (total - 12) as usize)? {
            Fill::Full => Ok(Fill::Full),
            _ => Ok(Fill::Partial),
        }
    }

    /// Parses an interface description block body.
    fn add_iface(&mut self, body: &[u8]) {
        let be = self.big_endian;
        let linktype = u32::from(rd_u16(body, 0, be).unwrap_or(1));
        let mut units_per_sec = 1_000_000u64;
        let mut ts_offset = 0i64;
        let mut off = 8usize;
        // options end 4 bytes before the end (trailing block length)
        let end = body.len().saturating_sub(4);
        while off + 4 <= end {
            let code = rd_u16(body, off, be).unwrap_or(0);
            let len = usize::from(rd_u16(body, off + 2, be).unwrap_or(0));
            let val_off = off + 4;
            if code == 0 || val_off + len > end {
                break;
            }
            match (code, len) {
                (9, 1) => {
                    let v = body.get(val_off).copied().unwrap_or(6);
                    units_per_sec = if v & 0x80 != 0 {
                        1u64.checked_shl(u32::from(v & 0x7f)).unwrap_or(1_000_000)
                    } else {
                        10u64.checked_pow(u32::from(v)).unwrap_or(1_000_000)
                    };
                    if units_per_sec == 0 {
                        units_per_sec = 1_000_000;
                    }
                }
                (14, 8) => {
                    let hi = rd_u32(body, val_off, be).unwrap_or(0);
                    let lo = rd_u32(body, val_off + 4, be).unwrap_or(0);
                    let v = if be {
                        (u64::from(hi) << 32) | u64::from(lo)
                    } else {
                        (u64::from(lo) << 32) | u64::from(hi)
                    };
                    ts_offset = v as i64;
                }
                _ => {}
            }
            off = val_off + ((len + 3) & !3);
        }
        if self.first_linktype.is_none() {
            self.first_linktype = Some(linktype);
        }
        self.ifaces.push(Iface {
            linktype,
            units_per_sec,
            ts_offset,
        });
    }

    fn timestamp(iface: &Iface, hi: u32, lo: u32) -> Timestamp {
        let units = (u64::from(hi) << 32) | u64::from(lo);
        let ups = iface.units_per_sec.max(1);
        let secs = units / ups;
        let frac = units % ups;
        let usecs = (u128::from(frac) * 1_000_000 / u128::from(ups)) as u32;
        Timestamp::new((secs as i64).saturating_add(iface.ts_offset), usecs)
    }

    /// Reads blocks until a packet block is found.
    pub(crate) fn next<R: Read>(
        &mut self,
        input: &mut Input<R>,
        buf: &mut Vec<u8>,
    ) -> Result<Next, CaptureError> {
        loop {
            let blk_off = input.offset;
            let mut hdr = [0u8; 4];
            match input.fill(&mut hdr)? {
                Fill::Full => {}
                Fill::Eof => return Ok(Next::Eof),
                Fill::Partial => return Ok(Next::Truncated),
            }
            let be = self.big_endian;
            let btype = if be {
                u32::from_be_bytes(hdr)
            } else {
                u32::from_le_bytes(hdr)
            };
            if btype == SHB_TYPE {
                match self.read_shb(input, blk_off, buf)? {
                    Fill::Full => continue,
                    Fill::Eof | Fill::Partial => return Ok(Next::Truncated),
                }
            }
            match input.fill(&mut hdr)? {
                Fill::Full => {}
                _ => return Ok(Next::Truncated),
            }
            let total = if be {
                u32::from_be_bytes(hdr)
            } else {
                u32::from_le_bytes(hdr)
            };
            if !(12..=MAX_RECORD_LEN).contains(&total) {
                return Err(CaptureError::BadLength {
                    what: "block length",
                    len: u64::from(total),
                    offset: blk_off,
                });
            }
            match input.fill_vec(buf, (total - 8) as usize)? {
                Fill::Full => {}
                _ => return Ok(Next::Truncated),
            }
            let body_len = buf.len().saturating_sub(4);
            match btype {
                IDB_TYPE => self.add_iface(buf),
                EPB_TYPE | PB_TYPE => {
                    let (if_id, base) = if btype == EPB_TYPE {
                        (rd_u32(buf, 0, be), 4)
                    } else {
                        (rd_u16(buf, 0, be).map(u32::from), 4)
                    };
                    let (Some(if_id), Some(hi), Some(lo), Some(cap), Some(orig)) = (
                        if_id,
                        rd_u32(buf, base, be),
                        rd_u32(buf, base + 4, be),
                        rd_u32(buf, base + 8, be),
                        rd_u32(buf, base + 12, be),
                    ) else {
                        return Err(CaptureError::Malformed {
                            reason: "packet block too short",
                            offset: blk_off,
                        });
                    };
                    let Some(iface) = self.ifaces.get(if_id as usize) else {
                        return Err(CaptureError::Malformed {
                            reason: "packet block for an undeclared interface",
                            offset: blk_off,
                        });
                    };
                    let start = base + 16;
                    let end = start.saturating_add(cap as usize);
                    if end > body_len {
                        return Err(CaptureError::BadLength {
                            what: "captured length",
                            len: u64::from(cap),
                            offset: blk_off,
                        });
                    }
                    return Ok(Next::Frame(FrameMeta {
                        ts: Self::timestamp(iface, hi, lo),
                        linktype: iface.linktype,
                        start,
                        end,
                        orig_len: orig,
                    }));
                }
                SPB_TYPE => {
                    let Some(iface) = self.ifaces.first() else {
                        return Err(CaptureError::Malformed {
                            reason: "simple packet block without an interface",
                            offset: blk_off,
                        });
                    };
                    let orig = rd_u32(buf, 0, be).unwrap_or(0);
                    let start = 4usize;
                    let end = start.saturating_add(orig as usize).min(body_len).max(start);
                    return Ok(Next::Frame(FrameMeta {
                        ts: Timestamp::default(),
                        linktype: iface.linktype,
                        start,
                        end,
                        orig_len: orig,
                    }));
                }
                _ => {} // unknown / uninteresting block: skipped
            }
        }
    }
}
