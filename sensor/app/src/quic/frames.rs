//! The frame grammar of Suricata 7's QUIC parser, which decides `quic.error_on_data`:
//! frames are read until one fails, and the payload is in error unless every byte was
//! consumed. Frame types the parser does not know swallow the rest of the payload.

use super::header::varint;

/// What the frames of one payload carried that the state needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Frames {
    /// A complete TLS ClientHello or ServerHello was seen.
    pub hello: bool,
    /// CRYPTO data that is not (yet) a complete hello: (offset, bytes).
    pub crypto_frags: Vec<(u64, Vec<u8>)>,
}

/// Outcome of parsing the TLS handshake message at the start of CRYPTO data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hello {
    /// A ClientHello or ServerHello.
    Complete,
    /// The message is longer than the data.
    Incomplete,
    /// Another message, or a malformed one.
    Invalid,
}

fn take(i: &[u8], n: u64) -> Option<(&[u8], &[u8])> {
    let n = usize::try_from(n).ok()?;
    (i.len() >= n).then(|| i.split_at(n))
}

fn u8_len(i: &[u8]) -> Option<&[u8]> {
    let (&n, rest) = i.split_first()?;
    Some(take(rest, u64::from(n))?.1)
}

fn u16_len(i: &[u8]) -> Option<(&[u8], &[u8])> {
    let (b, rest) = take(i, 2)?;
    take(rest, u64::from(u16::from_be_bytes([b[0], b[1]])))
}

/// Checks the body of a ClientHello (`client`) or ServerHello up to its extensions,
/// which are optional and never make the message invalid.
fn hello_body(body: &[u8], client: bool) -> Option<()> {
    let (_version_random, rest) = take(body, 34)?;
    let rest = u8_len(rest)?; // session id
    if client {
        let (_ciphers, rest) = u16_len(rest)?;
        u8_len(rest)?; // compression methods
    } else {
        take(rest, 3)?; // cipher suite, compression method
    }
    Some(())
}

/// Reads the TLS handshake message at the start of `data` as `tls-parser` does.
pub(crate) fn tls_hello(data: &[u8]) -> Hello {
    let Some((hdr, body)) = take(data, 4) else {
        return Hello::Incomplete;
    };
    let len = u64::from(u32::from_be_bytes([0, hdr[1], hdr[2], hdr[3]]));
    let Some((msg, _)) = take(body, len) else {
        return Hello::Incomplete;
    };
    // tls-parser reads the body with streaming parsers: a short body is incomplete.
    let ok = match hdr[0] {
        1 => hello_body(msg, true),
        2 => hello_body(msg, false),
        _ => return Hello::Invalid,
    };
    if ok.is_some() {
        Hello::Complete
    } else {
        Hello::Incomplete
    }
}

/// ACK (0x02) and ACK with ECN counts (0x03).
fn ack(i: &[u8], ecn: bool) -> Option<&[u8]> {
    let (_largest, rest) = varint(i)?;
    let (_delay, rest) = varint(rest)?;
    let (count, rest) = varint(rest)?;
    let (_first, mut rest) = varint(rest)?;
    for _ in 0..count {
        let (_gap, r) = varint(rest)?;
        let (_len, r) = varint(r)?;
        rest = r;
    }
    if ecn {
        for _ in 0..3 {
            rest = varint(rest)?.1;
        }
    }
    Some(rest)
}

/// CRYPTO (0x06): data at offset 0 must be a hello (or its beginning).
fn crypto<'a>(i: &'a [u8], out: &mut Frames) -> Option<&'a [u8]> {
    let (offset, rest) = varint(i)?;
    let (length, rest) = varint(rest)?;
    let (data, rest) = take(rest, length)?;
    if offset > 0 {
        out.crypto_frags.push((offset, data.to_vec()));
        return Some(rest);
    }
    match tls_hello(data) {
        Hello::Complete => out.hello = true,
        Hello::Incomplete => out.crypto_frags.push((0, data.to_vec())),
        Hello::Invalid => return None,
    }
    Some(rest)
}

/// gQUIC STREAM frame (type bit 0x80): stream id, offset and optional data length sizes
/// come from the type byte.
fn gquic_stream(i: &[u8], ty: u8) -> Option<&[u8]> {
    let has_len = ty & 0x20 != 0;
    let mut off_len = (ty & 0x1c) >> 2;
    if off_len != 0 {
        off_len += 1;
    }
    let id_len = (ty & 0x03) + 1;
    let (_id, rest) = take(i, u64::from(id_len))?;
    let (_off, rest) = take(rest, u64::from(off_len))?;
    let (len, rest) = if has_len {
        let (b, rest) = take(rest, 2)?;
        (u64::from(u16::from_be_bytes([b[0], b[1]])), rest)
    } else {
        (rest.len() as u64, rest)
    };
    Some(take(rest, len)?.1)
}

/// gQUIC crypto stream frame (0x08).
fn gquic_crypto_stream(i: &[u8]) -> Option<&[u8]> {
    let (_offset, rest) = varint(i)?;
    let (len, rest) = varint(rest)?;
    if len > u64::from(u32::MAX) {
        return None;
    }
    Some(take(rest, len)?.1)
}

/// One frame; `None` when it does not parse.
fn frame<'a>(i: &'a [u8], out: &mut Frames) -> Option<&'a [u8]> {
    let (&ty, rest) = i.split_first()?;
    if ty & 0x80 != 0 {
        return gquic_stream(rest, ty);
    }
    match ty {
        0x00 => Some(&rest[rest.iter().take_while(|&&b| b == 0).count()..]),
        0x01 => Some(rest),
        0x02 => ack(rest, false),
        0x03 => ack(rest, true),
        0x06 => crypto(rest, out),
        0x08 => gquic_crypto_stream(rest),
        // Unknown frame types take the rest of the payload.
        _ => Some(&rest[rest.len()..]),
    }
}

/// Parses the frames of a (decrypted) payload; `None` is `quic.error_on_data`.
pub(crate) fn parse(payload: &[u8]) -> Option<Frames> {
    let mut out = Frames::default();
    let mut rest = payload;
    while !rest.is_empty() {
        rest = frame(rest, &mut out)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_hello() -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend_from_slice(&[0x11; 32]);
        body.push(0); // session id
        body.extend_from_slice(&[0, 2, 0x13, 0x01]); // ciphers
        body.extend_from_slice(&[1, 0]); // compression
        body.extend_from_slice(&[0, 4, 0, 0x2b, 0, 0]); // one empty extension
        let mut m = vec![1, 0, 0, body.len() as u8];
        m.extend_from_slice(&body);
        m
    }

    fn crypto_frame(offset: u8, data: &[u8]) -> Vec<u8> {
        let mut f = vec![
            0x06,
            offset,
            0x40 | (data.len() >> 8) as u8,
            data.len() as u8,
        ];
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn hello_padding_and_acks_parse() {
        let mut p = crypto_frame(0, &client_hello());
        p.extend_from_slice(&[0x02, 1, 0, 0, 0, 0x03, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        p.extend_from_slice(&[0; 20]);
        let f = parse(&p).unwrap();
        assert!(f.hello);
    }

    #[test]
    fn split_hello_is_kept_as_fragments() {
        let ch = client_hello();
        let f = parse(&crypto_frame(0, &ch[..20])).unwrap();
        assert!(!f.hello);
        assert_eq!(f.crypto_frags, vec![(0, ch[..20].to_vec())]);
        let f = parse(&crypto_frame(20, &ch[20..])).unwrap();
        assert_eq!(f.crypto_frags.len(), 1);
    }

    #[test]
    fn errors_come_from_truncated_or_foreign_frames() {
        // CRYPTO longer than the payload
        assert!(parse(&[0x06, 0, 0x10, 1, 2]).is_none());
        // CRYPTO at offset 0 that is not a hello
        assert!(parse(&crypto_frame(0, &[11, 0, 0, 1, 0])).is_none());
        // a STREAM frame with a data length past the end
        assert!(parse(&[0xa0, 1, 0, 9, 1]).is_none());
        // an unknown type swallows what follows, even garbage
        assert!(parse(&[0x1c, 0x06, 0xff]).is_some());
        // a STREAM frame without length takes the rest
        assert!(parse(&[0x80, 1, 0x06, 0xff]).is_some());
    }
}
