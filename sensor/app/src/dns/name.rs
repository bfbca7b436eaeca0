//! Domain name decoding with compression pointers and loop protection.

use crate::error::AppError;

/// Maximum labels plus pointers followed in one name (Suricata's segment limit).
const MAX_SEGMENTS: usize = 255;
/// Maximum decoded name length kept.
pub const MAX_NAME: usize = 1025;

/// Flags raised while decoding a name.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NameFlags {
    /// A compression pointer points at itself.
    pub infinite_loop: bool,
    /// Name longer than [`MAX_NAME`]; truncated.
    pub too_long: bool,
    /// More than 255 labels and pointers.
    pub too_many_labels: bool,
}

/// Decode the name at `pos` in `msg` (dotted, no trailing dot) into `out`.
/// Returns the offset just after the name in the original position.
///
/// Follows Suricata 7: a self-referencing pointer or the segment limit end
/// the name (flagged) when a pointer was already followed, and are errors
/// otherwise; over-long names are truncated and flagged; a name running
/// into the end of the message ends there.
pub fn read_name(
    msg: &[u8],
    pos: usize,
    out: &mut Vec<u8>,
    flags: &mut NameFlags,
) -> Result<usize, AppError> {
    let mut p = pos;
    // Offset after the first pointer followed.
    let mut pivot: Option<usize> = None;
    let mut segments = 0usize;
    let mut truncated = false;
    while let Some(&len) = msg.get(p) {
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    p += 1;
                    break;
                }
                let l = usize::from(len);
                let label = msg.get(p + 1..p + 1 + l).ok_or(AppError::Truncated)?;
                if !truncated {
                    if !out.is_empty() {
                        out.push(b'.');
                    }
                    out.extend_from_slice(label);
                }
                p += 1 + l;
            }
            0xc0 => {
                let lo = *msg.get(p + 1).ok_or(AppError::Truncated)?;
                let target = usize::from(len & 0x3f) << 8 | usize::from(lo);
                if target > msg.len() {
                    return Err(AppError::Malformed("dns pointer beyond message"));
                }
                if target == p {
                    flags.infinite_loop = true;
                    if pivot.is_some() {
                        break;
                    }
                    return Err(AppError::Malformed("dns compression loop"));
                }
                if pivot.is_none() {
                    pivot = Some(p + 2);
                }
                p = target;
            }
            _ => return Err(AppError::Malformed("dns label type")),
        }
        segments += 1;
        if segments > MAX_SEGMENTS {
            flags.too_many_labels = true;
            if pivot.is_some() {
                flags.too_long = true;
                break;
            }
            return Err(AppError::Malformed("dns name labels"));
        }
        if out.len() > MAX_NAME {
            out.truncate(MAX_NAME);
            truncated = true;
            flags.too_long = true;
            if pivot.is_some() {
                break;
            }
        }
    }
    Ok(pivot.unwrap_or(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_pointer() {
        let msg = b"\x03www\x07example\x03com\x00\x04mail\xc0\x04";
        let mut out = Vec::new();
        let mut f = NameFlags::default();
        assert_eq!(read_name(msg, 0, &mut out, &mut f), Ok(17));
        assert_eq!(out, b"www.example.com");
        out.clear();
        assert_eq!(read_name(msg, 17, &mut out, &mut f), Ok(24));
        assert_eq!(out, b"mail.example.com");
    }

    #[test]
    fn loop_detected() {
        let msg = b"\x01a\xc0\x00";
        let mut out = Vec::new();
        let mut f = NameFlags::default();
        assert_eq!(read_name(msg, 0, &mut out, &mut f), Ok(4));
        assert!(f.too_many_labels);
        let self_loop = b"\xc0\x00";
        let mut f = NameFlags::default();
        assert!(read_name(self_loop, 0, &mut out, &mut f).is_err());
        assert!(f.infinite_loop);
    }

    /// A self-pointer reached after following a pointer ends the name (flagged).
    #[test]
    fn self_pointer_after_pivot_ends_name() {
        let msg = b"\x01a\xc0\x02\xc0\x00";
        let mut out = Vec::new();
        let mut f = NameFlags::default();
        assert_eq!(read_name(msg, 4, &mut out, &mut f), Ok(6));
        assert!(f.infinite_loop);
        assert_eq!(out, b"a");
    }

    /// A two-pointer cycle stops at the segment limit (too many labels).
    #[test]
    fn pointer_cycle_hits_segment_limit() {
        let msg = b"\xc0\x02\xc0\x00";
        let mut out = Vec::new();
        let mut f = NameFlags::default();
        assert_eq!(read_name(msg, 0, &mut out, &mut f), Ok(2));
        assert!(f.too_many_labels);
        assert!(!f.infinite_loop);
    }
}
