//! Trainer authentication: the trainer password as an argon2id hash (the plain text is
//! dropped after hashing and never logged), sessions with their CSRF token, login rate
//! limiting per source address, and the bearer control token of the `range` CLI.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "range_trainer";
/// Session lifetime.
pub const SESSION_MS: i64 = 12 * 3600 * 1000;
/// Failed logins allowed per source address and window.
pub const LOGIN_FAILURES: u32 = 5;
/// The window of [`LOGIN_FAILURES`].
pub const LOGIN_WINDOW_MS: i64 = 60_000;
/// Sessions kept at once (the oldest goes first).
const MAX_SESSIONS: usize = 64;

/// A trainer session.
#[derive(Debug, Clone)]
struct Session {
    csrf: String,
    expires_ms: i64,
}

/// What a login attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Success: the session cookie value.
    Ok(String),
    /// Wrong password.
    Denied,
    /// Too many failures from this address: retry after this many seconds.
    Limited(u64),
    /// No trainer password configured.
    Disabled,
}

/// Trainer credentials and sessions.
pub struct TrainerAuth {
    hash: Option<String>,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, (u32, i64)>>,
}

impl std::fmt::Debug for TrainerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainerAuth")
            .field("enabled", &self.hash.is_some())
            .finish_non_exhaustive()
    }
}

/// 32 random bytes from the OS, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison of two secrets (false when either is empty).
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (x, y) in a.iter().zip(b) {
        diff |= usize::from(x ^ y);
    }
    diff == 0 && !a.is_empty()
}

impl TrainerAuth {
    /// Hashes `password` (argon2id, random salt); `None` or empty disables trainer login.
    pub fn new(password: Option<&str>) -> Result<Self, argon2::password_hash::Error> {
        let hash = match password.filter(|p| !p.is_empty()) {
            Some(p) => Some(
                Argon2::default()
                    .hash_password(p.as_bytes(), &SaltString::generate(&mut OsRng))?
                    .to_string(),
            ),
            None => None,
        };
        Ok(TrainerAuth {
            hash,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// Whether a trainer password is configured.
    pub fn enabled(&self) -> bool {
        self.hash.is_some()
    }

    /// Checks `password` from `peer` at `now_ms`; on success opens a session.
    pub fn login(&self, peer: IpAddr, password: &str, now_ms: i64) -> Login {
        let Some(hash) = &self.hash else {
            return Login::Disabled;
        };
        {
            let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            f.retain(|_, (_, start)| now_ms - *start < LOGIN_WINDOW_MS);
            if let Some((n, start)) = f.get(&peer) {
                if *n >= LOGIN_FAILURES {
                    let left = (LOGIN_WINDOW_MS - (now_ms - start)).max(1000) / 1000;
                    return Login::Limited(left as u64);
                }
            }
        }
        let ok = PasswordHash::new(hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        });
        if !ok {
            let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            let e = f.entry(peer).or_insert((0, now_ms));
            e.0 += 1;
            tracing::warn!(%peer, failures = e.0, "trainer login failed");
            return Login::Denied;
        }
        let token = random_token();
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.retain(|_, v| v.expires_ms > now_ms);
        if s.len() >= MAX_SESSIONS {
            if let Some(oldest) = s
                .iter()
                .min_by_key(|(_, v)| v.expires_ms)
                .map(|(k, _)| k.clone())
            {
                s.remove(&oldest);
            }
        }
        s.insert(
            digest(&token),
            Session {
                csrf: random_token(),
                expires_ms: now_ms + SESSION_MS,
            },
        );
        tracing::info!(%peer, "trainer logged in");
        Login::Ok(token)
    }

    /// The CSRF token of a live session, if `cookie` names one.
    pub fn session_csrf(&self, cookie: &str, now_ms: i64) -> Option<String> {
        let s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.get(&digest(cookie))
            .filter(|v| v.expires_ms > now_ms)
            .map(|v| v.csrf.clone())
    }

    /// Ends the session of `cookie`.
    pub fn logout(&self, cookie: &str) {
        let mut s = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        s.remove(&digest(cookie));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip() -> IpAddr {
        "127.0.0.1".parse().unwrap()
    }

    #[test]
    fn right_password_opens_a_session_wrong_ones_get_limited() {
        let a = TrainerAuth::new(Some("correct horse")).unwrap();
        let Login::Ok(cookie) = a.login(ip(), "correct horse", 0) else {
            panic!("login failed")
        };
        assert!(a.session_csrf(&cookie, 1).is_some());
        assert!(a.session_csrf(&cookie, SESSION_MS + 1).is_none());
        assert!(a.session_csrf("forged", 1).is_none());
        for _ in 0..LOGIN_FAILURES {
            assert_eq!(a.login(ip(), "guess", 10), Login::Denied);
        }
        assert!(matches!(
            a.login(ip(), "correct horse", 20),
            Login::Limited(_)
        ));
        assert!(matches!(
            a.login(ip(), "correct horse", 20 + LOGIN_WINDOW_MS),
            Login::Ok(_)
        ));
        a.logout(&cookie);
        assert!(a.session_csrf(&cookie, 1).is_none());
    }

    #[test]
    fn no_password_disables_login() {
        let a = TrainerAuth::new(None).unwrap();
        assert_eq!(a.login(ip(), "", 0), Login::Disabled);
        assert!(!same_secret("", ""));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
    }
}
