//! Small hex formatting helpers.

const LOWER: &[u8; 16] = b"0123456789abcdef";
const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Hex encode with an optional separator between bytes.
pub fn hex(data: &[u8], upper: bool, sep: Option<u8>) -> String {
    let digits = if upper { UPPER } else { LOWER };
    let mut out = Vec::with_capacity(data.len() * 3);
    for (i, b) in data.iter().enumerate() {
        if i > 0 {
            if let Some(s) = sep {
                out.push(s);
            }
        }
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 0x0f)]);
    }
    String::from_utf8(out).unwrap_or_default()
}
