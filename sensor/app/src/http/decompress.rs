//! Streaming, bounded gzip/deflate body decompression.

use flate2::{Decompress, FlushDecompress, Status};

/// Content encodings handled by [`BodyDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// No transformation.
    Identity,
    /// `gzip` / `x-gzip`.
    Gzip,
    /// `deflate` (zlib-wrapped or raw).
    Deflate,
}

impl Encoding {
    /// Parse a Content-Encoding header value (last listed coding wins).
    pub fn from_header(v: &[u8]) -> Encoding {
        let last = v.rsplit(|c| *c == b',').next().unwrap_or_default();
        let t = last.trim_ascii();
        if t.eq_ignore_ascii_case(b"gzip") || t.eq_ignore_ascii_case(b"x-gzip") {
            Encoding::Gzip
        } else if t.eq_ignore_ascii_case(b"deflate") || t.eq_ignore_ascii_case(b"x-deflate") {
            Encoding::Deflate
        } else {
            Encoding::Identity
        }
    }
}

#[derive(Debug)]
enum Mode {
    /// Collecting the gzip member header.
    GzipHeader,
    /// Waiting for the first two bytes to tell zlib from raw deflate.
    DeflateSniff,
    Inflate(Box<Decompress>),
    /// Decompression failed before producing output: raw passthrough.
    Passthrough,
    Done,
}

/// Outcome of one [`BodyDecoder::feed`] call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedResult {
    /// Decompression failed (Suricata: `gzip_decompression_failed`).
    pub failed: bool,
    /// Output exceeded the input by an absurd ratio (`compression_bomb`).
    pub bomb: bool,
}

/// Incremental decoder appending at most `limit` bytes of output.
#[derive(Debug)]
pub struct BodyDecoder {
    mode: Mode,
    head: Vec<u8>,
    produced: u64,
    consumed: u64,
}

const MAX_HEAD: usize = 4096;

impl BodyDecoder {
    /// New decoder for `enc` (must not be `Identity`).
    pub fn new(enc: Encoding) -> BodyDecoder {
        let mode = match enc {
            Encoding::Gzip => Mode::GzipHeader,
            _ => Mode::DeflateSniff,
        };
        BodyDecoder {
            mode,
            head: Vec::new(),
            produced: 0,
            consumed: 0,
        }
    }

    /// Feed compressed bytes; decoded output is appended to `out` until it
    /// holds `limit` bytes.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>, limit: usize) -> FeedResult {
        let mut res = FeedResult::default();
        loop {
            match &mut self.mode {
                Mode::Done => return res,
                Mode::Passthrough => {
                    push_capped(out, input, limit);
                    return res;
                }
                Mode::GzipHeader => {
                    let take = input.len().min(MAX_HEAD.saturating_sub(self.head.len()));
                    self.head
                        .extend_from_slice(input.get(..take).unwrap_or_default());
                    input = input.get(take..).unwrap_or_default();
                    match gzip_header_len(&self.head) {
                        HeaderParse::NeedMore if self.head.len() < MAX_HEAD => return res,
                        HeaderParse::Len(n) => {
                            let rest = self.head.split_off(n.min(self.head.len()));
                            self.mode = Mode::Inflate(Box::new(Decompress::new(false)));
                            let r = self.inflate_slice(&rest, out, limit);
                            res.failed |= r.failed;
                            res.bomb |= r.bomb;
                        }
                        _ => {
                            res.failed = true;
                            self.fall_back(out, limit);
                        }
                    }
                    if input.is_empty() {
                        return res;
                    }
                }
                Mode::DeflateSniff => {
                    let take = input.len().min(2usize.saturating_sub(self.head.len()));
                    self.head
                        .extend_from_slice(input.get(..take).unwrap_or_default());
                    input = input.get(take..).unwrap_or_default();
                    if self.head.len() < 2 {
                        return res;
                    }
                    let cmf = self.head.first().copied().unwrap_or(0);
                    let flg = self.head.get(1).copied().unwrap_or(0);
                    let zlib = cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
                    let head = std::mem::take(&mut self.head);
                    self.mode = Mode::Inflate(Box::new(Decompress::new(zlib)));
                    let r = self.inflate_slice(&head, out, limit);
                    res.failed |= r.failed;
                    res.bomb |= r.bomb;
                }
                Mode::Inflate(_) => {
                    let r = self.inflate_slice(input, out, limit);
                    res.failed |= r.failed;
                    res.bomb |= r.bomb;
                    return res;
                }
            }
        }
    }

    fn fall_back(&mut self, out: &mut Vec<u8>, limit: usize) {
        if self.produced == 0 {
            let head = std::mem::take(&mut self.head);
            push_capped(out, &head, limit);
            self.mode = Mode::Passthrough;
        } else {
            self.mode = Mode::Done;
        }
    }

    fn inflate_slice(&mut self, mut input: &[u8], out: &mut Vec<u8>, limit: usize) -> FeedResult {
        let mut res = FeedResult::default();
        let mut buf = [0u8; 8192];
        // keep raw prefix until output shows up, for passthrough on failure
        if self.produced == 0 && self.head.len() < MAX_HEAD {
            let take = input.len().min(MAX_HEAD - self.head.len());
            self.head
                .extend_from_slice(input.get(..take).unwrap_or_default());
        }
        while !input.is_empty() {
            let Mode::Inflate(dec) = &mut self.mode else {
                return res;
            };
            let before_in = dec.total_in();
            let before_out = dec.total_out();
            let st = dec.decompress(input, &mut buf, FlushDecompress::None);
            let used = usize::try_from(dec.total_in() - before_in).unwrap_or(input.len());
            let made = usize::try_from(dec.total_out() - before_out).unwrap_or(0);
            input = input.get(used..).unwrap_or_default();
            self.consumed += used as u64;
            self.produced += made as u64;
            push_capped(out, buf.get(..made).unwrap_or_default(), limit);
            match st {
                Ok(Status::StreamEnd) => {
                    self.mode = Mode::Done;
                    return res;
                }
                Ok(_) => {}
                Err(_) => {
                    res.failed = true;
                    self.fall_back(out, limit);
                    if matches!(self.mode, Mode::Passthrough) {
                        push_capped(out, input, limit);
                    }
                    return res;
                }
            }
            if self.produced > 0 {
                self.head = Vec::new();
            }
            if out.len() >= limit {
                self.mode = Mode::Done;
                return res;
            }
            if self.consumed > 0
                && self.produced / self.consumed.max(1) > 2048
                && self.produced > 1 << 20
            {
                res.bomb = true;
                self.mode = Mode::Done;
                return res;
            }
            if used == 0 && made == 0 {
                break;
            }
        }
        res
    }
}

fn push_capped(out: &mut Vec<u8>, data: &[u8], limit: usize) {
    let room = limit.saturating_sub(out.len());
    out.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
}

enum HeaderParse {
    NeedMore,
    Len(usize),
    Invalid,
}

fn gzip_header_len(h: &[u8]) -> HeaderParse {
    if h.len() < 10 {
        if h.first().is_some_and(|b| *b != 0x1f) || h.get(1).is_some_and(|b| *b != 0x8b) {
            return HeaderParse::Invalid;
        }
        return HeaderParse::NeedMore;
    }
    if h.first() != Some(&0x1f) || h.get(1) != Some(&0x8b) || h.get(2) != Some(&8) {
        return HeaderParse::Invalid;
    }
    let flags = h.get(3).copied().unwrap_or(0);
    let mut pos = 10usize;
    if flags & 0x04 != 0 {
        let (Some(a), Some(b)) = (h.get(pos), h.get(pos + 1)) else {
            return HeaderParse::NeedMore;
        };
        pos += 2 + (usize::from(*a) | usize::from(*b) << 8);
        if pos > h.len() {
            return HeaderParse::NeedMore;
        }
    }
    for bit in [0x08u8, 0x10] {
        if flags & bit != 0 {
            match h.get(pos..).and_then(|r| memchr::memchr(0, r)) {
                Some(z) => pos += z + 1,
                None => return HeaderParse::NeedMore,
            }
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
        if pos > h.len() {
            return HeaderParse::NeedMore;
        }
    }
    HeaderParse::Len(pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).ok();
        e.finish().unwrap_or_default()
    }

    #[test]
    fn gzip_byte_by_byte() {
        let z = gz(b"hello world hello world");
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        for b in &z {
            d.feed(std::slice::from_ref(b), &mut out, 1000);
        }
        assert_eq!(out, b"hello world hello world");
    }

    #[test]
    fn deflate_variants() {
        for zlib in [true, false] {
            let data = if zlib {
                let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
                e.write_all(b"abcabc").ok();
                e.finish().unwrap_or_default()
            } else {
                let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
                e.write_all(b"abcabc").ok();
                e.finish().unwrap_or_default()
            };
            let mut d = BodyDecoder::new(Encoding::Deflate);
            let mut out = Vec::new();
            d.feed(&data, &mut out, 100);
            assert_eq!(out, b"abcabc");
        }
    }

    #[test]
    fn invalid_gzip_passes_through() {
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        let r = d.feed(b"{\"plain\": 1}", &mut out, 100);
        assert!(r.failed);
        d.feed(b" more", &mut out, 100);
        assert_eq!(out, b"{\"plain\": 1} more");
    }

    #[test]
    fn limit_respected() {
        let big = vec![b'a'; 50_000];
        let z = gz(&big);
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        d.feed(&z, &mut out, 1000);
        assert_eq!(out.len(), 1000);
    }
}
