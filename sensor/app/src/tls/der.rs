//! Minimal DER reader (definite lengths only).

/// One TLV element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// Tag byte (single-byte tags only).
    pub tag: u8,
    /// Content octets.
    pub content: &'a [u8],
    /// The whole element including header.
    pub raw: &'a [u8],
}

/// Read the element starting at `data[0]`; returns it and the remainder.
pub fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *data.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *data.get(1)?;
    let (len, hdr) = if first & 0x80 == 0 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = l << 8 | usize::from(*data.get(2 + i)?);
        }
        (l, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    let content = data.get(hdr..end)?;
    let raw = data.get(..end)?;
    Some((Tlv { tag, content, raw }, data.get(end..)?))
}

/// Iterate the elements of a constructed content.
pub fn children(mut data: &[u8]) -> impl Iterator<Item = Tlv<'_>> {
    std::iter::from_fn(move || {
        let (t, rest) = read(data)?;
        data = rest;
        Some(t)
    })
}

/// Dotted text form of an OBJECT IDENTIFIER's content.
pub fn oid_to_string(oid: &[u8]) -> String {
    let mut out = String::new();
    let mut val: u64 = 0;
    let mut first = true;
    for b in oid {
        val = (val << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (a, b) = if val < 40 {
                    (0, val)
                } else if val < 80 {
                    (1, val - 40)
                } else {
                    (2, val - 80)
                };
                out.push_str(&a.to_string());
                out.push('.');
                out.push_str(&b.to_string());
                first = false;
            } else {
                out.push('.');
                out.push_str(&val.to_string());
            }
            val = 0;
        }
        if val > u64::MAX >> 8 {
            break;
        }
    }
    out
}
