//! HMAC-SHA256-signed flags: checking one needs no database.
//!
//! Format: `PREFIX{` + 32 characters of RFC 4648 base32 (no padding) + `}`. The 20 encoded
//! bytes are a 9-byte payload (team u16, service u16, tick u32, store u8, big endian) and the
//! first 11 bytes of HMAC-SHA256(key, payload). Example: `FLAG{AAAQAAAAAAAAKAQ7K2OXNE3S6XQDNCUA}`.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

const PAYLOAD: usize = 9;
const TAG: usize = 11;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// What a flag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlagId {
    /// Owner team index.
    pub team: u16,
    /// Service index.
    pub service: u16,
    /// Tick it was put in.
    pub tick: u32,
    /// Flag store of the service.
    pub store: u8,
}

/// Why a string is not a valid flag.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FlagError {
    /// Not `PREFIX{32 base32 chars}`.
    #[error("not a flag of this game")]
    Format,
    /// The signature does not match.
    #[error("bad signature")]
    Signature,
}

/// The game's secret key.
#[derive(Clone, PartialEq, Eq)]
pub struct FlagKey(pub [u8; 32]);

impl std::fmt::Debug for FlagKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FlagKey(..)")
    }
}

impl FlagId {
    fn payload(&self) -> [u8; PAYLOAD] {
        let mut p = [0u8; PAYLOAD];
        p[0..2].copy_from_slice(&self.team.to_be_bytes());
        p[2..4].copy_from_slice(&self.service.to_be_bytes());
        p[4..8].copy_from_slice(&self.tick.to_be_bytes());
        p[8] = self.store;
        p
    }
}

impl FlagKey {
    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!())
    }

    /// The flag string for `id`.
    pub fn sign(&self, prefix: &str, id: FlagId) -> String {
        let payload = id.payload();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        let mut raw = [0u8; PAYLOAD + TAG];
        raw[..PAYLOAD].copy_from_slice(&payload);
        raw[PAYLOAD..].copy_from_slice(&tag[..TAG]);
        format!("{prefix}{{{}}}", base32(&raw))
    }

    /// A stable submission token for a team without one in the scenario: the first 12 bytes
    /// of HMAC-SHA256(key, "team-token:" + name), hex (survives restarts, needs no storage).
    pub fn team_token(&self, team: &str) -> String {
        let mut mac = self.mac();
        mac.update(b"team-token:");
        mac.update(team.as_bytes());
        mac.finalize().into_bytes()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Checks the format and signature of `flag` and returns what it names.
    pub fn verify(&self, prefix: &str, flag: &str) -> Result<FlagId, FlagError> {
        let body = flag
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('{'))
            .and_then(|r| r.strip_suffix('}'))
            .ok_or(FlagError::Format)?;
        let raw = unbase32(body).ok_or(FlagError::Format)?;
        let mut mac = self.mac();
        mac.update(&raw[..PAYLOAD]);
        mac.verify_truncated_left(&raw[PAYLOAD..])
            .map_err(|_| FlagError::Signature)?;
        Ok(FlagId {
            team: u16::from_be_bytes([raw[0], raw[1]]),
            service: u16::from_be_bytes([raw[2], raw[3]]),
            tick: u32::from_be_bytes([raw[4], raw[5], raw[6], raw[7]]),
            store: raw[8],
        })
    }
}

fn base32(raw: &[u8; PAYLOAD + TAG]) -> String {
    let mut out = String::with_capacity(32);
    for chunk in raw.chunks(5) {
        let mut v = 0u64;
        for b in chunk {
            v = (v << 8) | u64::from(*b);
        }
        for i in (0..8).rev() {
            out.push(char::from(ALPHABET[((v >> (i * 5)) & 31) as usize]));
        }
    }
    out
}

fn unbase32(s: &str) -> Option<[u8; PAYLOAD + TAG]> {
    let b = s.as_bytes();
    if b.len() != 32 {
        return None;
    }
    let mut raw = [0u8; PAYLOAD + TAG];
    for (ci, chunk) in b.chunks(8).enumerate() {
        let mut v = 0u64;
        for c in chunk {
            let d = ALPHABET.iter().position(|a| a == c)? as u64;
            v = (v << 5) | d;
        }
        for i in 0..5 {
            raw[ci * 5 + i] = (v >> (8 * (4 - i))) as u8;
        }
    }
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> FlagId {
        FlagId {
            team: 3,
            service: 1,
            tick: 4242,
            store: 2,
        }
    }

    #[test]
    fn signed_flag_verifies_to_the_same_id() {
        let k = FlagKey([7; 32]);
        let f = k.sign("FLAG", id());
        assert_eq!(f.len(), "FLAG{}".len() + 32);
        assert_eq!(k.verify("FLAG", &f), Ok(id()));
    }

    #[test]
    fn any_changed_character_fails_verification() {
        let k = FlagKey([7; 32]);
        let f = k.sign("FLAG", id());
        for i in 5..f.len() - 1 {
            let mut b = f.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let s = String::from_utf8(b).unwrap();
            assert!(k.verify("FLAG", &s).is_err(), "{s}");
        }
    }

    #[test]
    fn other_key_or_prefix_or_garbage_is_rejected() {
        let f = FlagKey([7; 32]).sign("FLAG", id());
        assert_eq!(
            FlagKey([8; 32]).verify("FLAG", &f),
            Err(FlagError::Signature)
        );
        assert_eq!(FlagKey([7; 32]).verify("CTF", &f), Err(FlagError::Format));
        assert_eq!(
            FlagKey([7; 32]).verify("FLAG", "FLAG{é}"),
            Err(FlagError::Format)
        );
        assert_eq!(FlagKey([7; 32]).verify("FLAG", ""), Err(FlagError::Format));
    }
}
