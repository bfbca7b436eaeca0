//! JA3 / JA3S fingerprint strings and MD5 hashes.

use super::handshake::{ClientHello, ServerHello};
use super::hex::hex;
use md5::{Digest, Md5};

/// True for RFC 8701 GREASE values (0x0a0a, 0x1a1a, ... 0xfafa).
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

fn join(out: &mut String, vals: impl Iterator<Item = u16>) {
    let mut first = true;
    for v in vals.filter(|v| !is_grease(*v)) {
        if !first {
            out.push('-');
        }
        first = false;
        out.push_str(&v.to_string());
    }
}

/// JA3 string: `version,ciphers,extensions,groups,point_formats`.
pub fn ja3_string(ch: &ClientHello) -> String {
    let mut s = ch.version.to_string();
    s.push(',');
    join(&mut s, ch.ciphers.iter().copied());
    s.push(',');
    join(&mut s, ch.extensions.iter().copied());
    s.push(',');
    join(&mut s, ch.groups.iter().copied());
    s.push(',');
    join(&mut s, ch.point_formats.iter().map(|v| u16::from(*v)));
    s
}

/// JA3S string: `version,cipher,extensions`.
pub fn ja3s_string(sh: &ServerHello) -> String {
    let mut s = sh.version.to_string();
    s.push(',');
    s.push_str(&sh.cipher.to_string());
    s.push(',');
    join(&mut s, sh.extensions.iter().copied());
    s
}

/// Lowercase hex MD5 of a fingerprint string.
pub fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()), false, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grease() {
        assert!(is_grease(0x0a0a));
        assert!(is_grease(0xfafa));
        assert!(!is_grease(0x0a1a));
        assert!(!is_grease(0x002f));
    }

    #[test]
    fn md5_known() {
        assert_eq!(
            md5_hex("769,47-53-5-10-49171-49172-49161-49162-50-56-19-4,65281-0-5-10-11,23-24,0"),
            "2201d8e006f8f005a6b415f61e677532"
        );
    }
}
