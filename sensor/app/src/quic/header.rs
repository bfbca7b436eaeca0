//! QUIC packet headers as Suricata 7 reads them: IETF long and short headers, Google
//! QUIC's long headers (Q043 to Q046) and its older public header.

/// gQUIC versions whose long header carries packed connection id lengths.
const Q043: u32 = 0x5130_3433;
const Q044: u32 = 0x5130_3434;
const Q045: u32 = 0x5130_3435;
const Q046: u32 = 0x5130_3436;

/// Public header flags of gQUIC's short (pre-IETF) form.
const FLAG_MULTIPATH: u8 = 0x40;
const FLAG_DCID: u8 = 0x08;
const FLAG_NONCE: u8 = 0x04;
const FLAG_VERSION: u8 = 0x01;

fn is_gquic(version: u32) -> bool {
    matches!(version, Q043 | Q044 | Q045 | Q046)
}

/// Packet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PacketType {
    Initial,
    ZeroRtt,
    Handshake,
    Retry,
    VersionNegotiation,
    Short,
}

/// The fields of a header the parser uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub ty: PacketType,
    pub version: u32,
    pub dcid: Vec<u8>,
    /// Bytes of the packet after the header (packet number and payload), as announced
    /// by its length field, or everything left.
    pub length: usize,
}

/// Reads `n` bytes.
fn take(i: &[u8], n: usize) -> Option<(&[u8], &[u8])> {
    (i.len() >= n).then(|| i.split_at(n))
}

fn be_u32(i: &[u8]) -> Option<(u32, &[u8])> {
    let (b, rest) = take(i, 4)?;
    Some((u32::from_be_bytes([b[0], b[1], b[2], b[3]]), rest))
}

/// A QUIC variable-length integer (RFC 9000 section 16).
pub(crate) fn varint(i: &[u8]) -> Option<(u64, &[u8])> {
    let first = *i.first()?;
    let n = 1usize << (first >> 6);
    let (b, rest) = take(i, n)?;
    let v = b[1..]
        .iter()
        .fold(u64::from(first & 0x3f), |a, &x| (a << 8) | u64::from(x));
    Some((v, rest))
}

/// The whole rest as payload; fails past 65,535 bytes (Suricata keeps the length in a u16).
fn rest_length(rest: &[u8]) -> Option<usize> {
    u16::try_from(rest.len()).ok().map(usize::from)
}

/// Parses a header at the start of `input`; returns it with the bytes after it.
pub(crate) fn parse(input: &[u8]) -> Option<(Header, &[u8])> {
    let (&first, rest) = input.split_first()?;
    let long = first & 0x80 != 0;
    if !long && first & FLAG_MULTIPATH == 0 {
        return gquic_public(first, rest);
    }
    if !long {
        let length = rest_length(rest)?;
        let h = Header {
            ty: PacketType::Short,
            version: 0,
            dcid: Vec::new(),
            length,
        };
        return Some((h, rest));
    }
    let (version, rest) = be_u32(rest)?;
    let ty = if version == 0 {
        PacketType::VersionNegotiation
    } else if is_gquic(version) && version != Q046 {
        match first & 0x7f {
            0x7f => PacketType::Initial,
            0x7e => PacketType::Retry,
            0x7d => PacketType::Handshake,
            0x7c => PacketType::ZeroRtt,
            _ => return None,
        }
    } else {
        match (first & 0x30) >> 4 {
            0 => PacketType::Initial,
            1 => PacketType::ZeroRtt,
            2 => PacketType::Handshake,
            _ => PacketType::Retry,
        }
    };
    let (dcid, rest) = if is_gquic(version) {
        let (&lens, rest) = rest.split_first()?;
        let cid_len = |n: u8| if n == 0 { 0 } else { usize::from(n) + 3 };
        let (dcid, rest) = take(rest, cid_len(lens >> 4))?;
        let (_scid, rest) = take(rest, cid_len(lens & 0x0f))?;
        (dcid, rest)
    } else {
        let (&dl, rest) = rest.split_first()?;
        let (dcid, rest) = take(rest, usize::from(dl))?;
        let (&sl, rest) = rest.split_first()?;
        let (_scid, rest) = take(rest, usize::from(sl))?;
        (dcid, rest)
    };
    let (rest, has_length) = match ty {
        PacketType::Initial if is_gquic(version) => {
            let (_pkt_num, rest) = be_u32(rest)?;
            let (_auth_hash, rest) = take(rest, 12)?;
            (rest, false)
        }
        PacketType::Initial => {
            let (token_len, rest) = varint(rest)?;
            let (_token, rest) = take(rest, usize::try_from(token_len).ok()?)?;
            (rest, true)
        }
        _ => (rest, false),
    };
    let (length, rest) = if has_length {
        let (len, rest) = varint(rest)?;
        if len > rest.len() as u64 {
            return None;
        }
        (usize::from(u16::try_from(len).ok()?), rest)
    } else {
        (rest_length(rest)?, rest)
    };
    let h = Header {
        ty,
        version,
        dcid: dcid.to_vec(),
        length,
    };
    Some((h, rest))
}

/// gQUIC's public header: optional 8-byte connection id, nonce, version, packet number
/// and message authentication hash; a version makes it an Initial packet.
fn gquic_public(flags: u8, rest: &[u8]) -> Option<(Header, &[u8])> {
    let (dcid, mut rest) = if flags & FLAG_DCID != 0 {
        take(rest, 8)?
    } else {
        (&rest[..0], rest)
    };
    if flags & FLAG_NONCE != 0 && flags & FLAG_DCID == 0 {
        rest = take(rest, 32)?.1;
    }
    let mut version = 0;
    if flags & FLAG_VERSION != 0 {
        let (v, r) = be_u32(rest)?;
        version = v;
        rest = r;
    }
    let pkt_num_len = 1 + usize::from((flags & 0x30) >> 4);
    rest = take(rest, pkt_num_len)?.1;
    if flags & FLAG_DCID != 0 {
        rest = take(rest, 12)?.1;
    }
    let ty = if flags & FLAG_VERSION != 0 {
        PacketType::Initial
    } else {
        PacketType::Short
    };
    let h = Header {
        ty,
        version,
        dcid: dcid.to_vec(),
        length: rest_length(rest)?,
    };
    Some((h, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_of_each_size() {
        assert_eq!(varint(&[0x25]), Some((37, &[][..])));
        assert_eq!(varint(&[0x7b, 0xbd]), Some((15293, &[][..])));
        assert_eq!(
            varint(&[0x9d, 0x7f, 0x3e, 0x7d]),
            Some((494_878_333, &[][..]))
        );
        assert_eq!(varint(&[0x40]), None);
    }

    #[test]
    fn ietf_initial_with_token_and_length() {
        let mut p = vec![0xc3, 0, 0, 0, 1, 4, 1, 2, 3, 4, 0, 0, 0x05];
        p.extend_from_slice(&[9; 5]);
        p.extend_from_slice(&[7; 3]);
        let (h, rest) = parse(&p).unwrap();
        assert_eq!(h.ty, PacketType::Initial);
        assert_eq!((h.version, h.length), (1, 5));
        assert_eq!(h.dcid, vec![1, 2, 3, 4]);
        assert_eq!(rest.len(), 8);
        // announced length beyond the datagram
        p[12] = 0x20;
        assert!(parse(&p).is_none());
    }

    #[test]
    fn short_and_public_headers() {
        assert_eq!(parse(&[0x40]).unwrap().0.ty, PacketType::Short);
        // gQUIC public header: connection id and version flags
        let mut p = vec![0x09];
        p.extend_from_slice(&[1; 8]);
        p.extend_from_slice(b"Q033");
        p.push(1); // packet number
        p.extend_from_slice(&[0; 12]);
        p.extend_from_slice(&[0xa0, 0, 0]);
        let (h, rest) = parse(&p).unwrap();
        assert_eq!((h.ty, h.version), (PacketType::Initial, 0x5130_3333));
        assert_eq!(rest, &[0xa0, 0, 0]);
        assert!(parse(&p[..10]).is_none());
    }
}
