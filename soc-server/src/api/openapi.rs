//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the HTTP API, kept as a JSON
//! file beside this module (`openapi.json`) and embedded in the binary. Signed-in users
//! and API tokens may read it (it is documentation, but every route here needs a user).

use super::{require_user, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The document.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Serves [`OPENAPI_JSON`].
pub async fn openapi(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(e) = require_user(&state, &headers).await {
        return e.into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}
