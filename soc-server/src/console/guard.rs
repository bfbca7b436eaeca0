//! Console access: a session (or API token) user, else a redirect to the login page.

use crate::api::{require_csrf, require_user, ApiError, AppState};
use crate::auth::Via;
use crate::store::User;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// The signed-in user and their CSRF token (empty for API-token callers).
pub struct ConsoleUser {
    /// The user.
    pub user: User,
    /// How they authenticated.
    pub via: Via,
}

impl ConsoleUser {
    /// CSRF token to embed in forms.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::ApiToken => "",
        }
    }
}

/// For pages: the user, or a redirect to `/login`.
pub async fn page_user(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<ConsoleUser, Response> {
    match require_user(state, headers).await {
        Ok((user, via)) => Ok(ConsoleUser { user, via }),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Err(Redirect::to("/login").into_response())
        }
        Err(e) => Err(super::html::error(e.status, &e.message)),
    }
}

/// For form posts: the user with a valid CSRF token, else 401/403.
pub async fn form_user(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<ConsoleUser, Response> {
    let (user, via) = require_user(state, headers).await.map_err(to_page)?;
    require_csrf(&via, headers, Some(csrf)).map_err(to_page)?;
    Ok(ConsoleUser { user, via })
}

/// An API error as an HTML page.
pub fn to_page(e: ApiError) -> Response {
    super::html::error(e.status, &e.message)
}

/// The answer to a console form that changed something: a redirect to `to`, or the error
/// page when the change failed.
pub fn redirect_or_page<T>(done: Result<T, ApiError>, to: &str) -> Response {
    match done {
        Ok(_) => Redirect::to(to).into_response(),
        Err(e) => to_page(e),
    }
}
