//! Base64 decoding for base64_decode (RFC 4648, stops at the first invalid byte).

fn val(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => u32::from(b - b'A'),
        b'a'..=b'z' => u32::from(b - b'a') + 26,
        b'0'..=b'9' => u32::from(b - b'0') + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// Decode `input` into `out` (cleared first), stopping at padding or an invalid byte.
pub(crate) fn decode(input: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut acc: u32 = 0;
    let mut n = 0;
    for &b in input {
        let Some(v) = val(b) else { break };
        acc = (acc << 6) | v;
        n += 1;
        if n == 4 {
            out.push((acc >> 16) as u8);
            out.push((acc >> 8) as u8);
            out.push(acc as u8);
            acc = 0;
            n = 0;
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => {
            out.push((acc >> 10) as u8);
            out.push((acc >> 2) as u8);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64() {
        let mut o = Vec::new();
        decode(b"aGVsbG8gd29ybGQ=", &mut o);
        assert_eq!(o, b"hello world");
        decode(b"aGk", &mut o);
        assert_eq!(o, b"hi");
        decode(b"aGVs bG8", &mut o);
        assert_eq!(o, b"hel");
    }
}
