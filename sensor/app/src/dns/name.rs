//! Domain name decoding with compression pointers and loop protection.

use crate::error::AppError;

/// Maximum pointer jumps followed while decoding one name.
const MAX_JUMPS: usize = 64;
/// Maximum labels in one name.
const MAX_LABELS: usize = 255;
/// Maximum decoded name length kept.
pub const MAX_NAME: usize = 1025;

/// Flags raised while decoding a name.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NameFlags {
    /// Too many pointer jumps (compression loop).
    pub infinite_loop: bool,
    /// Name longer than [`MAX_NAME`]; truncated.
    pub too_long: bool,
    /// More than 255 labels.
    pub too_many_labels: bool,
}

/// Decode the name at `pos` in `msg` (dotted, no trailing dot) into `out`.
/// Returns the offset just after the name in the original position.
pub fn read_name(
    msg: &[u8],
    pos: usize,
    out: &mut Vec<u8>,
    flags: &mut NameFlags,
) -> Result<usize, AppError> {
    let mut p = pos;
    let mut end: Option<usize> = None;
    let mut jumps = 0usize;
    let mut labels = 0usize;
    loop {
        let len = *msg.get(p).ok_or(AppError::Truncated)?;
        match len & 0xc0 {
            0x00 => {
                if len == 0 {
                    return Ok(end.unwrap_or(p + 1));
                }
                let l = usize::from(len);
                let label = msg.get(p + 1..p + 1 + l).ok_or(AppError::Truncated)?;
                labels += 1;
                if labels > MAX_LABELS {
                    flags.too_many_labels = true;
                    return Err(AppError::Malformed("dns name labels"));
                }
                if out.len() < MAX_NAME {
                    if !out.is_empty() {
                        out.push(b'.');
                    }
                    out.extend_from_slice(label);
                    if out.len() > MAX_NAME {
                        out.truncate(MAX_NAME);
                        flags.too_long = true;
                    }
                } else {
                    flags.too_long = true;
                }
                p += 1 + l;
            }
            0xc0 => {
                let lo = *msg.get(p + 1).ok_or(AppError::Truncated)?;
                let target = usize::from(len & 0x3f) << 8 | usize::from(lo);
                if end.is_none() {
                    end = Some(p + 2);
                }
                jumps += 1;
                if jumps > MAX_JUMPS {
                    flags.infinite_loop = true;
                    return Err(AppError::Malformed("dns compression loop"));
                }
                p = target;
            }
            _ => return Err(AppError::Malformed("dns label type")),
        }
    }
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
        assert!(read_name(msg, 0, &mut out, &mut f).is_err());
        assert!(f.infinite_loop);
        let self_loop = b"\xc0\x00";
        assert!(read_name(self_loop, 0, &mut out, &mut f).is_err());
    }
}
