//! Sensor health: `POST /api/v1/sensor/heartbeat` (sensor token) keeps each sensor's
//! latest report; `GET /api/v1/sensors/health` lists them for the console and scripts.

use super::{require_user, run_blocking, ApiError, AppState};
use crate::auth::{authenticate, Principal};
use crate::store::{HeartbeatReport, Sensor, SensorHealth};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use std::sync::Arc;

/// The calling sensor: 401 without a valid token, 403 for a user.
pub async fn require_sensor(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<Sensor, ApiError> {
    let h = headers.clone();
    match run_blocking(state, move |s| authenticate(s, &h)).await? {
        Some(Principal::Sensor(s)) => Ok(s),
        Some(Principal::User { .. }) => Err(ApiError::forbidden("this route needs a sensor token")),
        None => Err(ApiError::unauthorized()),
    }
}

/// `POST /api/v1/sensor/heartbeat`.
pub async fn heartbeat(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(mut report): Json<HeartbeatReport>,
) -> Result<StatusCode, ApiError> {
    let sensor = require_sensor(&state, &headers).await?;
    // A sensor's words are kept short: they are shown on the console.
    for (field, max) in [
        (&mut report.version, 64),
        (&mut report.ruleset_version, 64),
        (&mut report.interface, 64),
    ] {
        truncate(field, max);
    }
    if let Some(e) = report.ruleset_error.as_mut() {
        truncate(e, 2000);
    }
    let now = crate::evetime::now_micros();
    tracing::debug!(sensor = %sensor.name, ruleset = %report.ruleset_version, packets = report.packets, "heartbeat");
    if let Some(e) = &report.ruleset_error {
        tracing::warn!(sensor = %sensor.name, error = %e, "sensor reports a ruleset that failed to load");
    }
    run_blocking(&state, move |s| s.record_heartbeat(sensor.id, &report, now)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/sensors/health` (any signed-in user).
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<SensorHealth>>, ApiError> {
    require_user(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.sensor_health()).await?))
}

fn truncate(s: &mut String, max_chars: usize) {
    if let Some((i, _)) = s.char_indices().nth(max_chars) {
        s.truncate(i);
    }
}
