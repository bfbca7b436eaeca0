//! Who is making a request: a bearer token (API or sensor) or a session cookie.

use super::session::{cookie_value, SESSION_COOKIE};
use super::token::hash_token;
use crate::store::{Sensor, Store, StoreResult, TokenPrincipal, User};
use axum::http::HeaderMap;

/// How a user authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// `Authorization: Bearer` API token (no CSRF check: not sent by browsers on their own).
    ApiToken,
    /// Session cookie; state changes must present this CSRF token.
    Session {
        /// The session's CSRF token.
        csrf: String,
        /// Hash of the session cookie.
        session_hash: String,
    },
}

/// The authenticated party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person (or their script).
    User {
        /// The user.
        user: User,
        /// How.
        via: Via,
    },
    /// A sensor (ingest only).
    Sensor(Sensor),
}

/// Resolves the request's credentials. A bearer token wins over a cookie; an unknown token
/// yields `None` (not a fallback to the cookie).
pub fn authenticate(store: &dyn Store, headers: &HeaderMap) -> StoreResult<Option<Principal>> {
    if let Some(auth) = headers.get(axum::http::header::AUTHORIZATION) {
        let Some(token) = auth.to_str().ok().and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| rest.trim().to_string())
        }) else {
            return Ok(None);
        };
        return Ok(store
            .principal_by_token(&hash_token(&token))?
            .map(|p| match p {
                TokenPrincipal::User(user) => Principal::User {
                    user,
                    via: Via::ApiToken,
                },
                TokenPrincipal::Sensor(s) => Principal::Sensor(s),
            }));
    }
    if let Some(cookie) = cookie_value(headers, SESSION_COOKIE).filter(|c| !c.is_empty()) {
        let session_hash = hash_token(&cookie);
        return Ok(store
            .session(&session_hash, crate::evetime::now_micros())?
            .map(|(user, csrf)| Principal::User {
                user,
                via: Via::Session { csrf, session_hash },
            }));
    }
    Ok(None)
}
