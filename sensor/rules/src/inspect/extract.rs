//! Number extraction shared by byte_test, byte_jump, byte_extract and byte_math.

use crate::ops::{Endian, NumBase};

/// Extract `nbytes` bytes at the start of `data` as a number.
/// Returns the value and the number of bytes consumed (for strings: digits parsed).
pub(crate) fn extract(
    data: &[u8],
    nbytes: u8,
    endian: Endian,
    base: NumBase,
) -> Option<(u64, usize)> {
    let n = usize::from(nbytes);
    let bytes = data.get(..n)?;
    if n == 0 {
        return None;
    }
    match base {
        NumBase::Binary => {
            let mut v: u64 = 0;
            match endian {
                Endian::Big => {
                    for &b in bytes {
                        v = (v << 8) | u64::from(b);
                    }
                }
                Endian::Little => {
                    for &b in bytes.iter().rev() {
                        v = (v << 8) | u64::from(b);
                    }
                }
            }
            Some((v, n))
        }
        NumBase::Dec => parse_str(bytes, 10),
        NumBase::Hex => parse_str(bytes, 16),
        NumBase::Oct => parse_str(bytes, 8),
    }
}

/// strtoull-like parse: leading whitespace, optional sign, optional 0x for hex.
fn parse_str(s: &[u8], radix: u32) -> Option<(u64, usize)> {
    let mut i = 0;
    while s.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i += 1;
        }
    }
    if radix == 16
        && s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x') | Some(b'X'))
        && s.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit())
    {
        i += 2;
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
        i += 1;
    }
    if i == start {
        return None;
    }
    Some((if neg { v.wrapping_neg() } else { v }, i))
}

/// Apply a bitmask the way Suricata does: AND, then shift right by the mask's trailing zeros.
pub(crate) fn apply_bitmask(v: u64, mask: Option<u64>) -> u64 {
    match mask {
        Some(m) if m != 0 => {
            let x = v & m;
            if x != 0 {
                x >> m.trailing_zeros()
            } else {
                0
            }
        }
        _ => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction() {
        assert_eq!(
            extract(&[1, 2], 2, Endian::Big, NumBase::Binary),
            Some((0x102, 2))
        );
        assert_eq!(
            extract(&[1, 2], 2, Endian::Little, NumBase::Binary),
            Some((0x201, 2))
        );
        assert_eq!(extract(&[1], 2, Endian::Big, NumBase::Binary), None);
        assert_eq!(
            extract(b"12ab", 4, Endian::Big, NumBase::Dec),
            Some((12, 2))
        );
        assert_eq!(extract(b"ff", 2, Endian::Big, NumBase::Hex), Some((255, 2)));
        assert_eq!(
            extract(b"0x1f", 4, Endian::Big, NumBase::Hex),
            Some((31, 4))
        );
        assert_eq!(extract(b"17", 2, Endian::Big, NumBase::Oct), Some((15, 2)));
        assert_eq!(extract(b"zz", 2, Endian::Big, NumBase::Dec), None);
        assert_eq!(apply_bitmask(0x07, Some(0xf8)), 0);
        assert_eq!(apply_bitmask(0xf0, Some(0xf0)), 0x0f);
    }
}
