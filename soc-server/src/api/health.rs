//! `GET /healthz`: 200 once the server accepts requests and the store answers.

use super::{run_blocking, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use std::sync::Arc;

/// Liveness and store reachability.
pub async fn healthz(State(state): State<Arc<AppState>>) -> (StatusCode, &'static str) {
    match run_blocking(&state, |s| s.list_sensors().map(|_| ())).await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n"),
    }
}
