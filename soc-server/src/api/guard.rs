//! Checks shared by handlers: who is calling, may they, and CSRF for cookie sessions.

use super::{ApiError, AppState};
use crate::auth::{authenticate, constant_time_eq, Principal, Via};
use crate::store::{Store, StoreResult, User};
use axum::http::HeaderMap;
use std::sync::Arc;

/// Runs a store call on the blocking pool.
pub async fn run_blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&dyn Store) -> StoreResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// The calling user: 401 without valid credentials, 403 for a sensor token.
pub async fn require_user(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<(User, Via), ApiError> {
    let headers = headers.clone();
    match run_blocking(state, move |s| authenticate(s, &headers)).await? {
        Some(Principal::User { user, via }) => Ok((user, via)),
        Some(Principal::Sensor(_)) => Err(ApiError::forbidden("sensor tokens may only ingest")),
        None => Err(ApiError::unauthorized()),
    }
}

/// For cookie sessions, the CSRF token must be presented (`X-CSRF-Token` header or the
/// form's `csrf` field); API tokens need none.
pub fn require_csrf(
    via: &Via,
    headers: &HeaderMap,
    form_value: Option<&str>,
) -> Result<(), ApiError> {
    let Via::Session { csrf, .. } = via else {
        return Ok(());
    };
    let given = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .or(form_value)
        .unwrap_or("");
    if !given.is_empty() && constant_time_eq(given.as_bytes(), csrf.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::forbidden("missing or wrong CSRF token"))
    }
}
