//! Capture writers: classic pcap (microsecond) and a minimal pcapng writer.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::Timestamp;

/// Snap length written in file headers.
const SNAPLEN: u32 = 262_144;

/// Writes a classic little-endian, microsecond pcap file.
pub struct PcapWriter<W: Write = BufWriter<File>> {
    out: W,
    linktype: u32,
}

impl PcapWriter<BufWriter<File>> {
    /// Creates (truncates) a file at `path`.
    pub fn create(path: impl AsRef<Path>, linktype: u32) -> io::Result<Self> {
        Self::new(BufWriter::new(File::create(path)?), linktype)
    }
}

impl<W: Write> PcapWriter<W> {
    /// Wraps a writer and writes the global header.
    pub fn new(mut out: W, linktype: u32) -> io::Result<Self> {
        let mut hdr = [0u8; 24];
        hdr[0..4].copy_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        hdr[4..6].copy_from_slice(&2u16.to_le_bytes());
        hdr[6..8].copy_from_slice(&4u16.to_le_bytes());
        hdr[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        hdr[20..24].copy_from_slice(&linktype.to_le_bytes());
        out.write_all(&hdr)?;
        Ok(PcapWriter { out, linktype })
    }

    /// The link type written in the header.
    pub fn linktype(&self) -> u32 {
        self.linktype
    }

    /// Appends one record (captured length = original length = `data.len()`).
    pub fn write_packet(&mut self, ts: Timestamp, data: &[u8]) -> io::Result<()> {
        let len = u32::try_from(data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet too large"))?;
        let mut hdr = [0u8; 16];
        hdr[0..4].copy_from_slice(&(ts.secs as u32).to_le_bytes());
        hdr[4..8].copy_from_slice(&ts.usecs.to_le_bytes());
        hdr[8..12].copy_from_slice(&len.to_le_bytes());
        hdr[12..16].copy_from_slice(&len.to_le_bytes());
        self.out.write_all(&hdr)?;
        self.out.write_all(data)
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes a minimal little-endian pcapng file (one SHB, IDBs, EPBs). Mostly for tests.
pub struct PcapNgWriter<W: Write> {
    out: W,
}

impl<W: Write> PcapNgWriter<W> {
    /// Wraps a writer and writes the section header block.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut b = Vec::with_capacity(28);
        b.extend_from_slice(&0x0A0D_0D0Au32.to_le_bytes());
        b.extend_from_slice(&28u32.to_le_bytes());
        b.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&28u32.to_le_bytes());
        out.write_all(&b)?;
        Ok(PcapNgWriter { out })
    }

    /// Declares an interface; `tsresol` is the raw if_tsresol value (6 = microseconds, 9 = nanoseconds).
    /// Interfaces are numbered from 0 in declaration order.
    pub fn add_interface(&mut self, linktype: u16, tsresol: u8) -> io::Result<()> {
        let mut b = Vec::with_capacity(32);
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&32u32.to_le_bytes());
        b.extend_from_slice(&linktype.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&SNAPLEN.to_le_bytes());
        b.extend_from_slice(&9u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[tsresol, 0, 0, 0]);
        b.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        b.extend_from_slice(&32u32.to_le_bytes());
        self.out.write_all(&b)
    }

    /// Writes an enhanced packet block; `ts_units` is in the interface's resolution.
    pub fn write_packet(&mut self, iface: u32, ts_units: u64, data: &[u8]) -> io::Result<()> {
        let len = u32::try_from(data.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet too large"))?;
        let padded = (data.len() + 3) & !3;
        let total = u32::try_from(32 + padded)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet too large"))?;
        let mut b = Vec::with_capacity(total as usize);
        b.extend_from_slice(&6u32.to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        b.extend_from_slice(&iface.to_le_bytes());
        b.extend_from_slice(&((ts_units >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(ts_units as u32).to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(&len.to_le_bytes());
        b.extend_from_slice(data);
        b.resize(28 + padded, 0);
        b.extend_from_slice(&total.to_le_bytes());
        self.out.write_all(&b)
    }

    /// Writes an arbitrary (unknown-type) block, to test that readers skip it.
    pub fn write_raw_block(&mut self, block_type: u32, body: &[u8]) -> io::Result<()> {
        let padded = (body.len() + 3) & !3;
        let total = u32::try_from(12 + padded)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "block too large"))?;
        let mut b = Vec::with_capacity(total as usize);
        b.extend_from_slice(&block_type.to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        b.extend_from_slice(body);
        b.resize(8 + padded, 0);
        b.extend_from_slice(&total.to_le_bytes());
        self.out.write_all(&b)
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
