//! Authentication: argon2 passwords, random tokens kept as SHA-256 hashes, session cookies
//! with a CSRF token, a login rate limit, and the resolution of a request to a principal.

mod password;
mod principal;
mod ratelimit;
mod session;
mod token;

pub use password::{generate_password, hash_password, verify_password, PasswordError};
pub use principal::{authenticate, Principal, Via};
pub use ratelimit::LoginLimiter;
pub use session::{clear_cookie, cookie_value, session_cookie, SESSION_COOKIE};
pub use token::{constant_time_eq, hash_token, new_token, TokenKind};
