//! `FileReader`: format auto-detection and the frame iterator.

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};

use flate2::read::MultiGzDecoder;
use std::path::Path;

use super::error::CaptureError;
use super::frame::Frame;
use super::pcap::PcapState;
use super::pcapng::PcapNgState;

/// Size of the read buffer wrapped around the input.
const READ_BUFFER: usize = 1 << 20;

/// Detected capture file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Classic libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

/// Outcome of a fixed-size read.
pub(crate) enum Fill {
    /// All bytes were read.
    Full,
    /// End of input before the first byte.
    Eof,
    /// End of input in the middle.
    Partial,
}

/// Buffered input with a byte offset.
pub(crate) struct Input<R: Read> {
    inner: BufReader<R>,
    /// Bytes consumed so far.
    pub(crate) offset: u64,
}

impl<R: Read> Input<R> {
    /// Reads exactly `dst.len()` bytes unless the input ends.
    pub(crate) fn fill(&mut self, dst: &mut [u8]) -> Result<Fill, CaptureError> {
        let mut got = 0usize;
        while got < dst.len() {
            let Some(rest) = dst.get_mut(got..) else {
                break;
            };
            match self.inner.read(rest) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(source) => {
                    return Err(CaptureError::Io {
                        offset: self.offset + got as u64,
                        source,
                    })
                }
            }
        }
        self.offset += got as u64;
        Ok(if got == dst.len() {
            Fill::Full
        } else if got == 0 {
            Fill::Eof
        } else {
            Fill::Partial
        })
    }

    /// Reads `len` bytes into `buf` (resized, reusing its allocation).
    pub(crate) fn fill_vec(&mut self, buf: &mut Vec<u8>, len: usize) -> Result<Fill, CaptureError> {
        buf.resize(len, 0);
        self.fill(buf.as_mut_slice())
    }
}

enum State {
    Pcap(PcapState),
    PcapNg(PcapNgState),
}

/// Input type used by [`FileReader::open`] (plain or gzip-compressed file).
pub type BoxedRead = Box<dyn Read + Send>;

/// Reads frames from a classic pcap or pcapng file (format auto-detected).
pub struct FileReader<R: Read = BoxedRead> {
    input: Input<R>,
    state: State,
    buf: Vec<u8>,
    frames: u64,
    truncated: u64,
    done: bool,
}

impl FileReader<BoxedRead> {
    /// Opens a capture file by path; gzip-compressed files (`.pcap.gz`) are detected by their
    /// magic and decompressed on the fly.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let io = |source| CaptureError::Io { offset: 0, source };
        let mut file = File::open(path).map_err(io)?;
        let mut magic = [0u8; 2];
        let n = file.read(&mut magic).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let input: BoxedRead = if n == 2 && magic == [0x1f, 0x8b] {
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(
                READ_BUFFER,
                file,
            )))
        } else {
            Box::new(file)
        };
        Self::new(input)
    }
}

impl<R: Read> FileReader<R> {
    /// Wraps any reader; reads and validates the file header.
    pub fn new(reader: R) -> Result<Self, CaptureError> {
        let mut input = Input {
            inner: BufReader::with_capacity(READ_BUFFER, reader),
            offset: 0,
        };
        let mut magic = [0u8; 4];
        match input.fill(&mut magic)? {
            Fill::Full => {}
            _ => {
                return Err(CaptureError::BadMagic {
                    magic: 0,
                    offset: 0,
                })
            }
        }
        let state = if u32::from_be_bytes(magic) == super::pcapng::SHB_TYPE {
            State::PcapNg(PcapNgState::start(&mut input)?)
        } else {
            State::Pcap(PcapState::start(&mut input, magic)?)
        };
        Ok(FileReader {
            input,
            state,
            buf: Vec::with_capacity(65536),
            frames: 0,
            truncated: 0,
            done: false,
        })
    }

    /// The detected file format.
    pub fn format(&self) -> FileFormat {
        match self.state {
            State::Pcap(_) => FileFormat::Pcap,
            State::PcapNg(_) => FileFormat::PcapNg,
        }
    }

    /// Link type of the file (classic pcap) or of the first interface (pcapng; 1 if none seen yet).
    pub fn linktype(&self) -> u32 {
        match &self.state {
            State::Pcap(s) => s.linktype,
            State::PcapNg(s) => s.first_linktype().unwrap_or(super::LINKTYPE_ETHERNET),
        }
    }

    /// Number of frames returned so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Number of truncated trailing records seen (0 or 1): the file ended inside a record.
    pub fn truncated_records(&self) -> u64 {
        self.truncated
    }

    /// Bytes consumed from the input so far.
    pub fn offset(&self) -> u64 {
        self.input.offset
    }

    /// Returns the next frame, `Ok(None)` at end of file (including a truncated last record).
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        if self.done {
            return Ok(None);
        }
        let res = match &mut self.state {
            State::Pcap(s) => s.next(&mut self.input, &mut self.buf)?,
            State::PcapNg(s) => s.next(&mut self.input, &mut self.buf)?,
        };
        match res {
            Next::Frame(meta) => {
                self.frames += 1;
                let data = self.buf.get(meta.start..meta.end).unwrap_or(&[]);
                Ok(Some(Frame {
                    ts: meta.ts,
                    linktype: meta.linktype,
                    data,
                    orig_len: meta.orig_len,
                }))
            }
            Next::Eof => {
                self.done = true;
                Ok(None)
            }
            Next::Truncated => {
                self.done = true;
                self.truncated += 1;
                Ok(None)
            }
        }
    }
}

/// Where a frame lies in the shared buffer.
pub(crate) struct FrameMeta {
    pub(crate) ts: super::Timestamp,
    pub(crate) linktype: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) orig_len: u32,
}

/// Result of one step of a format reader.
pub(crate) enum Next {
    Frame(FrameMeta),
    Eof,
    Truncated,
}
