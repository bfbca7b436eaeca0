//! `POST /api/v1/enroll`: a sensor trades a single-use enrollment token for its own
//! ingest token. The enrollment token is the only credential; it is consumed.

use super::{run_blocking, ApiError, AppState};
use crate::auth::{hash_token, new_token, TokenKind};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::Serialize;
use std::sync::Arc;

/// What an enrolled sensor receives (once).
#[derive(Debug, Serialize)]
pub struct EnrollResponse {
    /// The name the admin gave the sensor.
    pub sensor: String,
    /// The sensor's ingest token.
    pub token: String,
}

/// Redeems the bearer enrollment token.
pub async fn enroll(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<EnrollResponse>, ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("soce_"))
        .ok_or_else(ApiError::unauthorized)?;
    let enroll_hash = hash_token(presented);
    let token = new_token(TokenKind::Sensor);
    let token_hash = hash_token(&token);
    let now = crate::evetime::now_micros();
    let sensor = run_blocking(&state, move |s| {
        s.redeem_enrollment(&enroll_hash, &token_hash, now)
    })
    .await?
    .ok_or_else(ApiError::unauthorized)?;
    tracing::info!(sensor = %sensor.name, "sensor enrolled");
    Ok(Json(EnrollResponse {
        sensor: sensor.name,
        token,
    }))
}
