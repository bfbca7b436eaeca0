//! The HTTP API (`/api/v1/…`, `/healthz`) and the router that also mounts the console.

mod admin;
mod enroll;
mod error;
mod guard;
mod health;
mod ingest;
mod metrics;
mod openapi;
mod search;
mod state;
mod triage;

pub use admin::{valid_name, valid_name_cli};
pub use error::ApiError;
pub use guard::{require_csrf, require_user, run_blocking};
pub use metrics::{metrics_router, Metrics};
pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The whole application: API, console and static assets.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.config.max_body_bytes;
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/ingest", post(ingest::ingest))
        .route("/api/v1/enroll", post(enroll::enroll))
        .route("/api/v1/alerts", get(search::alerts))
        .route("/api/v1/events", get(search::events))
        .route("/api/v1/groups", get(search::groups))
        .route("/api/v1/groups/{id}/status", post(triage::set_status))
        .route(
            "/api/v1/users",
            get(admin::list_users).post(admin::create_user),
        )
        .route(
            "/api/v1/sensors",
            get(admin::list_sensors).post(admin::create_sensor),
        )
        .route("/api/v1/audit", get(admin::audit))
        .route("/metrics", get(metrics::metrics))
        .route("/api/openapi.json", get(openapi::openapi));
    api.merge(crate::console::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
