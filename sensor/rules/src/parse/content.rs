//! Decoding of `content` strings (`|hex|` sections and escapes).

use crate::error::RuleError;

/// Decode a content value (without the surrounding quotes).
pub(crate) fn decode_content(s: &str, keyword: &str) -> Result<Vec<u8>, RuleError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_hex = false;
    let mut nibble: Option<u8> = None;
    while let Some(&c) = b.get(i) {
        if in_hex {
            match c {
                b'|' => {
                    if nibble.is_some() {
                        return Err(RuleError::invalid(keyword, "odd number of hex digits"));
                    }
                    in_hex = false;
                }
                b' ' | b'\t' => {}
                _ => {
                    let v = (c as char).to_digit(16).ok_or_else(|| {
                        RuleError::invalid(keyword, format!("invalid hex byte `{}`", c as char))
                    })? as u8;
                    match nibble.take() {
                        Some(h) => out.push(h << 4 | v),
                        None => nibble = Some(v),
                    }
                }
            }
            i += 1;
            continue;
        }
        match c {
            b'|' => in_hex = true,
            b'\\' => {
                i += 1;
                match b.get(i) {
                    Some(&n) => out.push(n),
                    None => return Err(RuleError::invalid(keyword, "trailing backslash")),
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if in_hex {
        return Err(RuleError::invalid(keyword, "unterminated hex section"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode() {
        assert_eq!(
            decode_content("uid=0|28|root|29|", "content").unwrap(),
            b"uid=0(root)"
        );
        assert_eq!(
            decode_content(r#"a\;b\"c\\"#, "content").unwrap(),
            b"a;b\"c\\"
        );
        assert_eq!(
            decode_content("|de ad BE EF|", "content").unwrap(),
            [0xde, 0xad, 0xbe, 0xef]
        );
        assert!(decode_content("|0|", "content").is_err());
        assert!(decode_content("|zz|", "content").is_err());
        assert!(decode_content("|00", "content").is_err());
    }
}
