//! Bearer tokens: 32 random bytes, base64url, with a prefix naming their kind; only the
//! SHA-256 hash is stored.

use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A user's API token.
    Api,
    /// A sensor's ingest token.
    Sensor,
    /// A single-use sensor enrollment token.
    Enroll,
    /// A session cookie value.
    Session,
    /// A CSRF token.
    Csrf,
}

/// A new random token.
pub fn new_token(kind: TokenKind) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let prefix = match kind {
        TokenKind::Api => "soca_",
        TokenKind::Sensor => "socs_",
        TokenKind::Enroll => "soce_",
        TokenKind::Session | TokenKind::Csrf => "",
    };
    format!("{prefix}{body}")
}

/// SHA-256 of the token, lower-case hex: the only form that is stored.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_hash_to_hex() {
        let a = new_token(TokenKind::Sensor);
        assert!(a.starts_with("socs_"));
        assert_ne!(a, new_token(TokenKind::Sensor));
        let h = hash_token(&a);
        assert_eq!(h.len(), 64);
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
