//! Streaming, bounded gzip/deflate body decompression with libhtp's failure semantics.
//!
//! Suricata's `http.gzip_decompression_failed` comes from libhtp's decompressor, which
//! runs zlib (gzip mode: `inflateInit2(15 + 32)`, gzip or zlib header, trailer checked;
//! deflate mode: raw) and logs a failure on every inflate error, then restarts with the
//! other mode before falling back to passing the data through. So a body still decodes
//! after, e.g., a gzip header with reserved flag bits, a wrong CRC, or zlib framing under
//! `Content-Encoding: deflate`, and the failure is reported all the same.
//! `Content-Encoding` values other than a plain coding are split into layers (`,` and
//! space), each token containing `gzip` or `deflate` adding a decoder; the first listed
//! decodes first, as libhtp chains them.

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Content encodings handled by [`BodyDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// No transformation.
    Identity,
    /// `gzip` / `x-gzip`.
    Gzip,
    /// `deflate` (raw; zlib framing is recovered but reported).
    Deflate,
}

impl Encoding {
    /// The decoding layers of a Content-Encoding header value, first to apply first
    /// (libhtp order), at most `limit` tokens considered.
    pub fn layers(v: &[u8], limit: usize) -> Vec<Encoding> {
        let plain: Vec<u8> = v.iter().copied().filter(|c| *c != 0).collect();
        let is = |n: &[u8]| plain.eq_ignore_ascii_case(n);
        if is(b"gzip") || is(b"x-gzip") {
            return vec![Encoding::Gzip];
        }
        if is(b"deflate") || is(b"x-deflate") {
            return vec![Encoding::Deflate];
        }
        v.split(|c| *c == b',' || *c == b' ')
            .filter(|t| !t.is_empty())
            .take(limit)
            .filter_map(|t| {
                let lower = t.to_ascii_lowercase();
                let has = |n: &[u8]| lower.windows(n.len()).any(|w| w == n);
                if has(b"gzip") {
                    Some(Encoding::Gzip)
                } else if has(b"deflate") {
                    Some(Encoding::Deflate)
                } else {
                    None
                }
            })
            .collect()
    }
}

#[derive(Debug)]
enum Mode {
    /// Collecting the first bytes to tell gzip, zlib and raw deflate apart.
    Sniff,
    /// Collecting the gzip member header.
    GzipHeader,
    Inflate(Box<Decompress>),
    /// Collecting the 8-byte gzip trailer (CRC32, ISIZE).
    GzipTrailer,
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

impl FeedResult {
    fn merge(&mut self, o: FeedResult) {
        self.failed |= o.failed;
        self.bomb |= o.bomb;
    }
}

/// Incremental decoder appending at most `limit` bytes of output. Inflating goes on past
/// the limit (without keeping the output) so that a bad trailer is still noticed.
#[derive(Debug)]
pub struct BodyDecoder {
    enc: Encoding,
    mode: Mode,
    head: Vec<u8>,
    produced: u64,
    consumed: u64,
    gzip: bool,
    crc: Crc,
    /// The next layer, fed with this layer's output.
    next: Option<Box<BodyDecoder>>,
    /// This layer's output waiting for the next layer.
    staged: Vec<u8>,
}

const MAX_HEAD: usize = 4096;

impl BodyDecoder {
    /// New decoder for `enc` (must not be `Identity`).
    pub fn new(enc: Encoding) -> BodyDecoder {
        BodyDecoder {
            enc,
            mode: Mode::Sniff,
            head: Vec::new(),
            produced: 0,
            consumed: 0,
            gzip: false,
            crc: Crc::new(),
            next: None,
            staged: Vec::new(),
        }
    }

    /// A chain of decoders, the first layer decoding first; `None` without layers.
    pub fn chain(layers: &[Encoding]) -> Option<BodyDecoder> {
        let mut it = layers.iter().rev().filter(|e| **e != Encoding::Identity);
        let mut d = BodyDecoder::new(*it.next()?);
        for e in it {
            let mut outer = BodyDecoder::new(*e);
            outer.next = Some(Box::new(d));
            d = outer;
        }
        Some(d)
    }

    /// Feed compressed bytes; decoded output is appended to `out` until it
    /// holds `limit` bytes.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>, limit: usize) -> FeedResult {
        let Some(mut next) = self.next.take() else {
            return self.feed_layer(input, out, limit);
        };
        let mut staged = std::mem::take(&mut self.staged);
        staged.clear();
        let mut res = self.feed_layer(input, &mut staged, usize::MAX);
        if matches!(self.mode, Mode::Passthrough) {
            // libhtp hands a failed layer's raw data straight to the body.
            push_capped(out, &staged, limit);
        } else if !staged.is_empty() {
            res.merge(next.feed(&staged, out, limit));
        }
        self.staged = staged;
        self.next = Some(next);
        res
    }

    fn feed_layer(&mut self, mut input: &[u8], out: &mut Vec<u8>, limit: usize) -> FeedResult {
        let mut res = FeedResult::default();
        loop {
            match &mut self.mode {
                Mode::Done => return res,
                Mode::Passthrough => {
                    push_capped(out, input, limit);
                    return res;
                }
                Mode::Sniff => {
                    let take = input.len().min(2usize.saturating_sub(self.head.len()));
                    self.head
                        .extend_from_slice(input.get(..take).unwrap_or_default());
                    input = input.get(take..).unwrap_or_default();
                    if self.head.len() < 2 {
                        return res;
                    }
                    let (b0, b1) = (self.head[0], self.head[1]);
                    let zlib = b0 & 0x0f == 8 && (u16::from(b0) << 8 | u16::from(b1)) % 31 == 0;
                    if b0 == 0x1f && b1 == 0x8b {
                        // Raw inflate of a gzip header fails first under deflate.
                        res.failed |= self.enc == Encoding::Deflate;
                        self.mode = Mode::GzipHeader;
                        let head = std::mem::take(&mut self.head);
                        res.merge(self.feed_layer(&head, out, limit));
                    } else if !zlib && self.enc == Encoding::Gzip {
                        // Neither gzip nor zlib: the body is most likely not compressed
                        // at all; passed through as it is.
                        res.failed = true;
                        self.fall_back(out, limit);
                    } else {
                        // zlib framing is fine in gzip mode (15 + 32) but a failure for
                        // raw deflate, after which libhtp restarts in gzip/zlib mode.
                        res.failed |= zlib && self.enc == Encoding::Deflate;
                        self.mode = Mode::Inflate(Box::new(Decompress::new(zlib)));
                        let head = std::mem::take(&mut self.head);
                        res.merge(self.inflate_slice(&head, out, limit));
                    }
                    if input.is_empty() {
                        return res;
                    }
                }
                Mode::GzipHeader => {
                    let take = input.len().min(MAX_HEAD.saturating_sub(self.head.len()));
                    self.head
                        .extend_from_slice(input.get(..take).unwrap_or_default());
                    input = input.get(take..).unwrap_or_default();
                    match gzip_header_len(&self.head) {
                        HeaderParse::NeedMore if self.head.len() < MAX_HEAD => return res,
                        HeaderParse::Len(n, reserved) => {
                            // zlib rejects reserved flag bits; libhtp restarts past the
                            // header and decodes.
                            res.failed |= reserved;
                            let rest = self.head.split_off(n.min(self.head.len()));
                            self.gzip = true;
                            self.mode = Mode::Inflate(Box::new(Decompress::new(false)));
                            res.merge(self.inflate_slice(&rest, out, limit));
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
                Mode::GzipTrailer => {
                    let take = input.len().min(8usize.saturating_sub(self.head.len()));
                    self.head
                        .extend_from_slice(input.get(..take).unwrap_or_default());
                    if self.head.len() == 8 {
                        let crc = u32::from_le_bytes([
                            self.head[0],
                            self.head[1],
                            self.head[2],
                            self.head[3],
                        ]);
                        let size = u32::from_le_bytes([
                            self.head[4],
                            self.head[5],
                            self.head[6],
                            self.head[7],
                        ]);
                        res.failed |= crc != self.crc.sum() || size != self.produced as u32;
                        self.mode = Mode::Done;
                    }
                    return res;
                }
                Mode::Inflate(_) => {
                    res.merge(self.inflate_slice(input, out, limit));
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
            let chunk = buf.get(..made).unwrap_or_default();
            if self.gzip {
                self.crc.update(chunk);
            }
            push_capped(out, chunk, limit);
            match st {
                Ok(Status::StreamEnd) => {
                    if self.gzip {
                        self.head.clear();
                        self.mode = Mode::GzipTrailer;
                        return self.feed_layer(input, out, limit);
                    }
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
    /// Header length, and whether reserved flag bits are set.
    Len(usize, bool),
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
    HeaderParse::Len(pos, flags & 0xe0 != 0)
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
    fn gzip_reserved_flags_decode_but_fail() {
        let mut z = gz(b"eicar body");
        z[3] |= 0x80;
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        assert!(d.feed(&z, &mut out, 100).failed);
        assert_eq!(out, b"eicar body");
    }

    #[test]
    fn gzip_bad_trailer_fails() {
        let good = gz(b"eicar body");
        let mut d = BodyDecoder::new(Encoding::Gzip);
        assert!(!d.feed(&good, &mut Vec::new(), 100).failed);
        let mut z = good.clone();
        let n = z.len();
        z[n - 4] ^= 0xff;
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        assert!(d.feed(&z, &mut out, 100).failed);
        assert_eq!(out, b"eicar body");
    }

    #[test]
    fn zlib_framing_under_deflate_fails_but_decodes() {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(b"abcabc").ok();
        let data = e.finish().unwrap_or_default();
        let mut d = BodyDecoder::new(Encoding::Deflate);
        let mut out = Vec::new();
        assert!(d.feed(&data, &mut out, 100).failed);
        assert_eq!(out, b"abcabc");
        // Under gzip, zlib framing is accepted (zlib's 15 + 32 window bits).
        let mut d = BodyDecoder::new(Encoding::Gzip);
        let mut out = Vec::new();
        assert!(!d.feed(&data, &mut out, 100).failed);
        assert_eq!(out, b"abcabc");
    }

    #[test]
    fn layers_follow_libhtp() {
        use Encoding::*;
        assert_eq!(Encoding::layers(b"GZIP", 2), [Gzip]);
        assert_eq!(Encoding::layers(b"gzip, gzip", 2), [Gzip, Gzip]);
        assert_eq!(Encoding::layers(b"gzip_x", 2), [Gzip]);
        assert_eq!(Encoding::layers(b"deflate,", 2), [Deflate]);
        assert!(Encoding::layers(b"identity", 2).is_empty());
        // Listed twice, applied once: the second layer fails.
        let z = gz(b"once");
        let mut d = BodyDecoder::chain(&Encoding::layers(b"gzip, gzip", 2)).unwrap();
        assert!(d.feed(&z, &mut Vec::new(), 100).failed);
        // Applied in the listed order: decodes, no failure.
        let mut d = BodyDecoder::chain(&[Gzip, Gzip]).unwrap();
        let mut out = Vec::new();
        assert!(!d.feed(&gz(&z), &mut out, 100).failed);
        assert_eq!(out, b"once");
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
