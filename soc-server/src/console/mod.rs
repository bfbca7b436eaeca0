//! The analyst console: server-rendered HTML, a little embedded JS/CSS, no CDN.

mod admin;
mod assets;
mod dashboard;
mod event;
mod group;
mod guard;
mod html;
mod inbox;
mod login;

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
        .route("/static/app.js", get(assets::js))
        .route("/static/app.css", get(assets::css))
}
