//! Buffer transforms (`to_lowercase`, `url_decode`, `to_md5`, ...).

use crate::ops::Transform;
use md5::Digest;

impl Transform {
    /// Apply this transform to `input`, writing the result to `out` (cleared first).
    pub fn apply(&self, input: &[u8], out: &mut Vec<u8>) {
        out.clear();
        match self {
            Transform::Dotprefix => {
                out.push(b'.');
                out.extend_from_slice(input);
            }
            Transform::StripWhitespace => {
                out.extend(input.iter().copied().filter(|b| !is_space(*b)));
            }
            Transform::CompressWhitespace => {
                let mut prev_space = false;
                for &b in input {
                    if is_space(b) {
                        if !prev_space {
                            out.push(b);
                        }
                        prev_space = true;
                    } else {
                        out.push(b);
                        prev_space = false;
                    }
                }
            }
            Transform::ToLowercase => out.extend(input.iter().map(u8::to_ascii_lowercase)),
            Transform::ToUppercase => out.extend(input.iter().map(u8::to_ascii_uppercase)),
            Transform::ToMd5 => out.extend_from_slice(&md5::Md5::digest(input)),
            Transform::ToSha1 => out.extend_from_slice(&sha1::Sha1::digest(input)),
            Transform::ToSha256 => out.extend_from_slice(&sha2::Sha256::digest(input)),
            Transform::UrlDecode => url_decode(input, out),
            Transform::Xor(key) => {
                if key.is_empty() {
                    out.extend_from_slice(input);
                } else {
                    out.extend(input.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
                }
            }
            Transform::HeaderLowercase => {
                // Lowercase header names only (up to ':' on each line).
                let mut in_name = true;
                for &b in input {
                    if b == b'\n' {
                        in_name = true;
                        out.push(b);
                    } else if in_name && b == b':' {
                        in_name = false;
                        out.push(b);
                    } else if in_name {
                        out.push(b.to_ascii_lowercase());
                    } else {
                        out.push(b);
                    }
                }
            }
            Transform::StripPseudoHeaders => out.extend_from_slice(input),
            Transform::Pcrexform(re) => {
                if let Ok(Some(caps)) = re.captures(input) {
                    if let Some(m) = caps.get(1) {
                        out.extend_from_slice(m.as_bytes());
                        return;
                    }
                }
                out.extend_from_slice(input);
            }
        }
    }

    /// The keyword name of this transform.
    pub fn name(&self) -> &'static str {
        match self {
            Transform::Dotprefix => "dotprefix",
            Transform::StripWhitespace => "strip_whitespace",
            Transform::CompressWhitespace => "compress_whitespace",
            Transform::ToLowercase => "to_lowercase",
            Transform::ToUppercase => "to_uppercase",
            Transform::ToMd5 => "to_md5",
            Transform::ToSha1 => "to_sha1",
            Transform::ToSha256 => "to_sha256",
            Transform::UrlDecode => "url_decode",
            Transform::Xor(_) => "xor",
            Transform::HeaderLowercase => "header_lowercase",
            Transform::StripPseudoHeaders => "strip_pseudo_headers",
            Transform::Pcrexform(_) => "pcrexform",
        }
    }
}

/// Apply `transforms` in order. Returns `input` itself when there are none; else the
/// result, using `a`/`b` as scratch space (no allocation once they have grown).
pub fn apply_transforms<'a>(
    transforms: &[Transform],
    input: &'a [u8],
    a: &'a mut Vec<u8>,
    b: &'a mut Vec<u8>,
) -> &'a [u8] {
    if transforms.is_empty() {
        return input;
    }
    let mut src_is_a = false;
    for (i, t) in transforms.iter().enumerate() {
        if i == 0 {
            t.apply(input, a);
            src_is_a = true;
        } else if src_is_a {
            t.apply(a, b);
            src_is_a = false;
        } else {
            t.apply(b, a);
            src_is_a = true;
        }
    }
    if src_is_a {
        a
    } else {
        b
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn url_decode(input: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&c) = input.get(i) {
        if c == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hexval),
                input.get(i + 2).copied().and_then(hexval),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
            out.push(c);
        } else if c == b'+' {
            out.push(b' ');
        } else {
            out.push(c);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: Transform, s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        t.apply(s, &mut out);
        out
    }

    #[test]
    fn transforms() {
        assert_eq!(run(Transform::Dotprefix, b"a.com"), b".a.com");
        assert_eq!(run(Transform::StripWhitespace, b" a b\t"), b"ab");
        assert_eq!(run(Transform::CompressWhitespace, b"a   b"), b"a b");
        assert_eq!(run(Transform::ToLowercase, b"AbC"), b"abc");
        assert_eq!(run(Transform::ToUppercase, b"AbC"), b"ABC");
        assert_eq!(run(Transform::UrlDecode, b"%41+b%zz"), b"A b%zz");
        assert_eq!(run(Transform::Xor(vec![1]), b"\x00\x01"), b"\x01\x00");
        assert_eq!(run(Transform::ToMd5, b"").len(), 16);
        assert_eq!(run(Transform::ToSha1, b"").len(), 20);
        assert_eq!(run(Transform::ToSha256, b"").len(), 32);
        assert_eq!(
            run(Transform::HeaderLowercase, b"Host: AB\r\n"),
            b"host: AB\r\n"
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let r = apply_transforms(
            &[
                Transform::ToLowercase,
                Transform::Dotprefix,
                Transform::StripWhitespace,
            ],
            b"A B",
            &mut a,
            &mut b,
        );
        assert_eq!(r, b".ab");
    }
}
