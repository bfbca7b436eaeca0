//! The analyst console: server-rendered HTML, a little embedded JS/CSS, no CDN.

mod admin;
mod assets;
mod cases;
mod dashboard;
mod event;
mod group;
mod guard;
mod html;
mod inbox;
mod live;
mod login;
mod rulesets;
mod sensors;
mod suppressions;
mod workflow;

pub use live::stop_all as stop_live_streams;

use crate::api::AppState;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Console routes (merged into the application router).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(inbox::root))
        .route("/login", get(login::page_handler).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/inbox", get(inbox::page_handler))
        .route("/dashboard", get(dashboard::page_handler))
        .route("/groups/{id}", get(group::page_handler))
        .route("/groups/{id}/status", post(inbox::set_status))
        .route("/events/{id}", get(event::page_handler))
        .route("/admin", get(admin::page_handler))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/sensors", post(admin::add_sensor))
        .route("/sensors", get(sensors::page_handler))
        .route("/sensors/enroll", post(sensors::enroll))
        .route(
            "/rulesets",
            get(rulesets::page_handler).post(rulesets::upload),
        )
        .route("/rulesets/{version}/publish", post(rulesets::publish))
        // Triage workflow: bulk actions, live inbox, assignee, comments, cases, suppressions.
        .route("/inbox/bulk", post(workflow::bulk))
        .route("/inbox/live", get(live::stream))
        .route("/groups/{id}/assignee", post(workflow::assign))
        .route("/groups/{id}/comments", post(workflow::comment))
        .route("/cases", get(cases::list).post(workflow::escalate))
        .route("/cases/{id}", get(cases::show).post(cases::update))
        .route("/cases/{id}/comments", post(cases::comment))
        .route("/cases/{id}/observables", post(cases::add_observable))
        .route(
            "/suppressions",
            get(suppressions::list).post(suppressions::create),
        )
        .route("/suppressions/{id}/delete", post(suppressions::delete))
        .route("/static/app.js", get(assets::js))
        .route("/static/app.css", get(assets::css))
}
