//! Login and logout. The login form carries its own CSRF token (double-submit cookie),
//! failed attempts are rate limited per user name and per client address.

use super::guard::{form_user, to_page};
use super::html::{error, esc, page};
use crate::api::{run_blocking, ApiError, AppState};
use crate::auth::{
    clear_cookie, constant_time_eq, cookie_value, generate_password, hash_password, hash_token,
    new_token, session_cookie, verify_password, TokenKind, Via,
};
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

const LOGIN_COOKIE: &str = "soc_login";

/// A valid argon2 hash of a random password, verified against for unknown user names.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&generate_password()).unwrap_or_default())
}

fn login_form(state: &AppState, message: &str) -> Response {
    let token = new_token(TokenKind::Csrf);
    let msg = if message.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="error">{}</p>"#, esc(message))
    };
    let body = format!(
        r#"<section class="login"><h1>Sign in</h1>{msg}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{t}">
<label>User <input name="username" autocomplete="username" autofocus required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></section>"#,
        t = esc(&token)
    );
    let secure = if state.config.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let mut r = page("Sign in", None, "", &body);
    if let Ok(v) =
        format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{secure}").parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// `GET /login`.
pub async fn page_handler(State(state): State<Arc<AppState>>) -> Response {
    login_form(&state, "")
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /login`.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return error(
            StatusCode::FORBIDDEN,
            "missing or wrong CSRF token: reload the login page",
        );
    }
    let user_key = format!("u:{}", form.username);
    let ip_key = format!("ip:{}", peer.ip());
    let keys = [user_key.as_str(), ip_key.as_str()];
    if !state.login_limiter.allowed(&keys) {
        let mut r = login_form(&state, "Too many failed sign-ins. Wait a few minutes.");
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return r;
    }
    let name = form.username.clone();
    let password = form.password.clone();
    let checked = run_blocking(&state, move |s| {
        match s.user_credentials(&name)? {
            Some((user, hash)) => Ok(verify_password(&password, &hash).then_some(user)),
            None => {
                // Same work as for a real user, so timing does not reveal which names exist.
                verify_password(&password, dummy_hash());
                Ok(None)
            }
        }
    })
    .await;
    let user = match checked {
        Ok(Some(u)) => u,
        Ok(None) => {
            state.login_limiter.failed(&keys);
            tracing::warn!(user = %form.username, peer = %peer, "failed sign-in");
            let mut r = login_form(&state, "Wrong user name or password.");
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            return r;
        }
        Err(e) => return to_page(e),
    };
    state.login_limiter.succeeded(&user_key);
    let session = new_token(TokenKind::Session);
    let csrf = new_token(TokenKind::Csrf);
    let ttl = state.config.session_ttl_secs;
    let expires = crate::evetime::now_micros() + ttl * 1_000_000;
    let (hash, uid) = (hash_token(&session), user.id);
    if let Err(e) = run_blocking(&state, move |s| {
        s.create_session(uid, &hash, &csrf, expires)
    })
    .await
    {
        return to_page(e);
    }
    tracing::info!(user = %user.name, "signed in");
    let mut r = Redirect::to("/inbox").into_response();
    match session_cookie(&session, ttl, state.config.cookie_secure).parse() {
        Ok(v) => {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        Err(_) => return to_page(ApiError::internal("session cookie")),
    }
    r
}

/// The logout form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &form.csrf).await {
        Ok(cu) => cu,
        Err(r) => return r,
    };
    if let Via::Session { session_hash, .. } = cu.via {
        if let Err(e) = run_blocking(&state, move |s| s.delete_session(&session_hash)).await {
            return to_page(e);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = clear_cookie(state.config.cookie_secure).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
