//! Suppressions: `/api/v1/suppressions` (list, create, delete).

use super::workflow::{actor, require_triage};
use super::{require_user, run_blocking, ApiError, AppState};
use crate::store::{NewSuppression, Suppression};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /api/v1/suppressions`: all not deleted (active and expired), newest first.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<Suppression>>, ApiError> {
    require_user(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.suppressions()).await?))
}

/// Body of `POST /api/v1/suppressions`: at least one of sid, src, dest, sensor.
#[derive(Debug, Deserialize)]
pub struct NewBody {
    /// Signature id.
    pub sid: Option<i64>,
    /// Source address or CIDR.
    pub src: Option<String>,
    /// Destination address or CIDR.
    pub dest: Option<String>,
    /// Sensor name.
    pub sensor: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Expiry as an RFC 3339 / EVE timestamp.
    pub expires: Option<String>,
    /// Or: expires this many hours from now.
    pub expires_in_hours: Option<u32>,
}

/// Expiry in µs from a timestamp or a number of hours (never when both are absent).
pub fn expiry(at: Option<&str>, hours: Option<u32>) -> Result<Option<i64>, ApiError> {
    match (at.map(str::trim).filter(|s| !s.is_empty()), hours) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "give 'expires' or 'expires_in_hours', not both",
        )),
        (Some(t), None) => crate::evetime::parse_timestamp(t)
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("expires: {e}"))),
        (None, Some(0)) => Err(ApiError::bad_request(
            "expires_in_hours: must be at least 1",
        )),
        (None, Some(h)) => Ok(Some(
            crate::evetime::now_micros() + i64::from(h) * 3_600_000_000,
        )),
        (None, None) => Ok(None),
    }
}

/// `POST /api/v1/suppressions`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(b): Json<NewBody>,
) -> Result<(StatusCode, Json<Suppression>), ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let new = NewSuppression {
        sid: b.sid,
        src: b.src,
        dest: b.dest,
        sensor: b.sensor,
        reason: b.reason,
        expires: expiry(b.expires.as_deref(), b.expires_in_hours)?,
    };
    let actor = actor(&user);
    let created = run_blocking(&state, move |s| s.create_suppression(&actor, &new)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/v1/suppressions/{id}`.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    run_blocking(&state, move |s| s.delete_suppression(&actor, id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
