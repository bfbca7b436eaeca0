//! A minimal DER reader: element headers, explicit context tags and the few universal
//! types Kerberos replies use. Every function returns `None` on malformed or short input.

/// ASN.1 class of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Universal,
    Application,
    Context,
    Private,
}

/// Identifier and length of one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub class: Class,
    pub constructed: bool,
    pub tag: u32,
    /// Content length in bytes.
    pub len: usize,
}

/// Why a header could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// The input ends inside the header.
    Incomplete,
    /// The header breaks DER (indefinite or oversized length, bad tag encoding).
    Invalid,
}

const UNIVERSAL_INTEGER: u32 = 2;
const UNIVERSAL_OCTET_STRING: u32 = 4;
const UNIVERSAL_SEQUENCE: u32 = 16;
const UNIVERSAL_GENERAL_STRING: u32 = 27;

/// Reads an element header; returns it with the bytes after it (content not checked).
pub(crate) fn header(i: &[u8]) -> Result<(Header, &[u8]), HeaderError> {
    let (&id, mut rest) = i.split_first().ok_or(HeaderError::Incomplete)?;
    let class = match id >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = id & 0x20 != 0;
    let mut tag = u32::from(id & 0x1f);
    if tag == 0x1f {
        tag = 0;
        let mut n = 0;
        loop {
            let (&b, r) = rest.split_first().ok_or(HeaderError::Incomplete)?;
            rest = r;
            n += 1;
            if n > 4 {
                return Err(HeaderError::Invalid);
            }
            tag = (tag << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&l0, r) = rest.split_first().ok_or(HeaderError::Incomplete)?;
    rest = r;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        // 0x80 is BER's indefinite length, not allowed in DER; more than 4 bytes is absurd.
        if n == 0 || n > 4 {
            return Err(HeaderError::Invalid);
        }
        let bytes = rest.get(..n).ok_or(HeaderError::Incomplete)?;
        rest = &rest[n..];
        bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b))
    };
    Ok((
        Header {
            class,
            constructed,
            tag,
            len,
        },
        rest,
    ))
}

/// Reads a whole element of the given class and tag: (content, rest).
pub(crate) fn element(i: &[u8], class: Class, tag: u32) -> Option<(&[u8], &[u8])> {
    let (h, rest) = header(i).ok()?;
    if h.class != class || h.tag != tag {
        return None;
    }
    let content = rest.get(..h.len)?;
    Some((content, &rest[h.len..]))
}

/// Content of an explicit context tag `[n]`: (content, rest).
pub(crate) fn context(i: &[u8], n: u32) -> Option<(&[u8], &[u8])> {
    element(i, Class::Context, n)
}

/// An optional explicit context tag `[n]`: absent when the next element has another tag.
pub(crate) fn opt_context(i: &[u8], n: u32) -> Option<(Option<&[u8]>, &[u8])> {
    match header(i) {
        Ok((h, _)) if h.class == Class::Context && h.tag == n => {
            let (c, rest) = context(i, n)?;
            Some((Some(c), rest))
        }
        _ => Some((None, i)),
    }
}

/// Content of a SEQUENCE: (content, rest).
pub(crate) fn sequence(i: &[u8]) -> Option<(&[u8], &[u8])> {
    element(i, Class::Universal, UNIVERSAL_SEQUENCE)
}

/// An INTEGER's two's complement value, if it fits in an `i64`.
fn integer(i: &[u8]) -> Option<(i64, &[u8])> {
    let (c, rest) = element(i, Class::Universal, UNIVERSAL_INTEGER)?;
    if c.is_empty() || c.len() > 8 {
        return None;
    }
    let neg = c[0] & 0x80 != 0;
    let v = c
        .iter()
        .fold(if neg { -1i64 } else { 0 }, |a, &b| (a << 8) | i64::from(b));
    Some((v, rest))
}

/// An INTEGER in the `i32` range (Kerberos `Int32`).
pub(crate) fn int32(i: &[u8]) -> Option<(i32, &[u8])> {
    let (v, rest) = integer(i)?;
    Some((i32::try_from(v).ok()?, rest))
}

/// An INTEGER in the `u32` range (Kerberos `UInt32`).
pub(crate) fn uint32(i: &[u8]) -> Option<(u32, &[u8])> {
    let (v, rest) = integer(i)?;
    Some((u32::try_from(v).ok()?, rest))
}

/// An OCTET STRING's content.
pub(crate) fn octet_string(i: &[u8]) -> Option<(&[u8], &[u8])> {
    element(i, Class::Universal, UNIVERSAL_OCTET_STRING)
}

/// A GeneralString holding UTF-8 text (Kerberos `KerberosString`).
pub(crate) fn general_string(i: &[u8]) -> Option<(&str, &[u8])> {
    let (c, rest) = element(i, Class::Universal, UNIVERSAL_GENERAL_STRING)?;
    Some((std::str::from_utf8(c).ok()?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_and_high_tags() {
        let (h, rest) = header(&[0x6b, 0x82, 0x01, 0x00, 0xff]).unwrap();
        assert_eq!(h.class, Class::Application);
        assert!(h.constructed);
        assert_eq!((h.tag, h.len), (11, 256));
        assert_eq!(rest, &[0xff]);
        let (h, _) = header(&[0x7f, 0x81, 0x02, 0x00]).unwrap();
        assert_eq!(h.tag, 130);
        assert_eq!(header(&[0x30, 0x80]), Err(HeaderError::Invalid));
        assert_eq!(header(&[0x30, 0x82, 0x01]), Err(HeaderError::Incomplete));
        assert_eq!(header(&[]), Err(HeaderError::Incomplete));
    }

    #[test]
    fn integers_keep_their_sign_and_range() {
        assert_eq!(int32(&[0x02, 0x01, 0xe8]).unwrap().0, -24);
        assert_eq!(int32(&[0x02, 0x01, 0x17]).unwrap().0, 23);
        assert_eq!(
            uint32(&[0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff])
                .unwrap()
                .0,
            u32::MAX
        );
        assert!(uint32(&[0x02, 0x01, 0xff]).is_none());
        assert!(int32(&[0x02, 0x00]).is_none());
    }
}
