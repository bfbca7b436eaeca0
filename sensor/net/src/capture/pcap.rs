//! Classic libpcap format (both byte orders, microsecond and nanosecond magic).

use std::io::Read;

use super::error::CaptureError;
use super::reader::{Fill, FrameMeta, Input, Next};
use super::{Timestamp, MAX_RECORD_LEN};

const MAGIC_USEC: u32 = 0xa1b2_c3d4;
const MAGIC_NSEC: u32 = 0xa1b2_3c4d;

/// Parsing state of a classic pcap file.
pub(crate) struct PcapState {
    big_endian: bool,
    nsec: bool,
    pub(crate) linktype: u32,
}

fn u32_at(b: &[u8], off: usize, be: bool) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(off..off + 4) {
        a.copy_from_slice(s);
    }
    if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

impl PcapState {
    /// Reads the rest of the 24-byte global header after the magic.
    pub(crate) fn start<R: Read>(
        input: &mut Input<R>,
        magic: [u8; 4],
    ) -> Result<Self, CaptureError> {
        let be_magic = u32::from_be_bytes(magic);
        let le_magic = u32::from_le_bytes(magic);
        let (big_endian, nsec) = match (be_magic, le_magic) {
            (MAGIC_USEC, _) => (true, false),
            (MAGIC_NSEC, _) => (true, true),
            (_, MAGIC_USEC) => (false, false),
            (_, MAGIC_NSEC) => (false, true),
            _ => {
                return Err(CaptureError::BadMagic {
                    magic: be_magic,
                    offset: 0,
                })
            }
        };
        let mut hdr = [0u8; 20];
        match input.fill(&mut hdr)? {
            Fill::Full => {}
            _ => {
                return Err(CaptureError::BadLength {
                    what: "pcap file header",
                    len: input.offset,
                    offset: 0,
                })
            }
        }
        let snaplen = u32_at(&hdr, 12, big_endian);
        if snaplen > MAX_RECORD_LEN {
            return Err(CaptureError::BadLength {
                what: "snaplen",
                len: u64::from(snaplen),
                offset: 16,
            });
        }
        // upper bits of the link type field carry FCS information
        let linktype = u32_at(&hdr, 16, big_endian) & 0x0fff_ffff;
        Ok(PcapState {
            big_endian,
            nsec,
            linktype,
        })
    }

    /// Reads the next record into `buf`.
    pub(crate) fn next<R: Read>(
        &mut self,
        input: &mut Input<R>,
        buf: &mut Vec<u8>,
    ) -> Result<Next, CaptureError> {
        let rec_off = input.offset;
        let mut hdr = [0u8; 16];
        match input.fill(&mut hdr)? {
            Fill::Full => {}
            Fill::Eof => return Ok(Next::Eof),
            Fill::Partial => return Ok(Next::Truncated),
        }
        let be = self.big_endian;
        let secs = u32_at(&hdr, 0, be);
        let frac = u32_at(&hdr, 4, be);
        let incl = u32_at(&hdr, 8, be);
        let orig = u32_at(&hdr, 12, be);
        if incl > MAX_RECORD_LEN {
            return Err(CaptureError::BadLength {
                what: "record length",
                len: u64::from(incl),
                offset: rec_off,
            });
        }
        match input.fill_vec(buf, incl as usize)? {
            Fill::Full => {}
            Fill::Eof | Fill::Partial => {
                if incl == 0 {
                    // zero-length record at the very end
                } else {
                    return Ok(Next::Truncated);
                }
            }
        }
        let usecs = if self.nsec { frac / 1000 } else { frac };
        Ok(Next::Frame(FrameMeta {
            ts: Timestamp::new(i64::from(secs), usecs),
            linktype: self.linktype,
            start: 0,
            end: incl as usize,
            orig_len: orig,
        }))
    }
}
