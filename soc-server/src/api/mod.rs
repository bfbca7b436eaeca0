//! The HTTP API (`/api/v1/…`, `/healthz`) and the router that also mounts the console.

mod admin;
mod cases;
mod enroll;
mod error;
mod guard;
mod health;
mod heartbeat;
mod ingest;
mod ingest_rate;
mod metrics;
mod openapi;
pub mod rulesets;
mod search;
mod state;
mod suppressions;
mod triage;
pub mod workflow;

pub use admin::{valid_name, valid_name_cli};
pub use cases::parse_status as cases_status;
pub use error::ApiError;
pub use guard::{require_csrf, require_user, run_blocking};
pub use ingest_rate::IngestRate;
pub use metrics::{metrics_router, Metrics};
pub use state::AppState;
pub use suppressions::expiry as suppression_expiry;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
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
        .route(
            "/api/v1/rulesets",
            get(rulesets::list).post(rulesets::upload),
        )
        .route(
            "/api/v1/rulesets/{version}/publish",
            post(rulesets::publish),
        )
        .route("/api/v1/sensor/ruleset", get(rulesets::for_sensor))
        .route("/api/v1/sensor/heartbeat", post(heartbeat::heartbeat))
        .route("/api/v1/sensors/health", get(heartbeat::list))
        // Triage workflow: assignees, comments, bulk actions, cases, suppressions.
        .route("/api/v1/groups/bulk", post(workflow::bulk))
        .route("/api/v1/groups/{id}/assignee", post(workflow::assign))
        .route(
            "/api/v1/groups/{id}/comments",
            get(workflow::comments).post(workflow::add_comment),
        )
        .route("/api/v1/cases", get(cases::list).post(cases::create))
        .route("/api/v1/cases/{id}", get(cases::get).patch(cases::update))
        .route("/api/v1/cases/{id}/groups", post(cases::add_groups))
        .route("/api/v1/cases/{id}/comments", post(cases::comment))
        .route(
            "/api/v1/cases/{id}/observables",
            post(cases::add_observable),
        )
        .route(
            "/api/v1/suppressions",
            get(suppressions::list).post(suppressions::create),
        )
        .route("/api/v1/suppressions/{id}", delete(suppressions::delete))
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
