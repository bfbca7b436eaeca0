//! Admin routes: users, sensors, audit log (admin role only).

use super::{require_csrf, require_user, run_blocking, ApiError, AppState};
use crate::auth::{generate_password, hash_password, hash_token, new_token, TokenKind};
use crate::store::{AuditEntry, Role, Sensor, User};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

async fn require_admin(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<(User, crate::auth::Via), ApiError> {
    let (user, via) = require_user(state, headers).await?;
    if !user.role.can_admin() {
        return Err(ApiError::forbidden(format!(
            "role {} cannot manage users or sensors",
            user.role
        )));
    }
    Ok((user, via))
}

/// `GET /api/v1/users`.
pub async fn list_users(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<User>>, ApiError> {
    require_admin(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.list_users()).await?))
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    /// Login name.
    pub name: String,
    /// Role name.
    pub role: String,
}

/// Checks a user or sensor name: 1–64 of letters, digits, `.`, `_`, `-`, `@`.
pub fn valid_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "name: expected 1-64 letters, digits, '.', '_', '-', '@'",
        ))
    }
}

/// `POST /api/v1/users` → the one-time password.
pub async fn create_user(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<NewUser>,
) -> Result<Json<Value>, ApiError> {
    let (admin, via) = require_admin(&state, &headers).await?;
    require_csrf(&via, &headers, None)?;
    valid_name(&body.name)?;
    let role: Role = body.role.parse().map_err(ApiError::bad_request)?;
    let password = generate_password();
    let hash = hash_password(&password).map_err(ApiError::internal)?;
    let actor = format!("user:{}", admin.name);
    let user = run_blocking(&state, move |s| {
        s.create_user(&actor, &body.name, role, &hash)
    })
    .await?;
    Ok(Json(json!({ "user": user, "password": password })))
}

/// `GET /api/v1/sensors`.
pub async fn list_sensors(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<Sensor>>, ApiError> {
    require_admin(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.list_sensors()).await?))
}

/// Body of `POST /api/v1/sensors`.
#[derive(Debug, Deserialize)]
pub struct NewSensor {
    /// Sensor name.
    pub name: String,
}

/// `POST /api/v1/sensors` → the sensor token, shown once.
pub async fn create_sensor(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<NewSensor>,
) -> Result<Json<Value>, ApiError> {
    let (admin, via) = require_admin(&state, &headers).await?;
    require_csrf(&via, &headers, None)?;
    valid_name(&body.name)?;
    let token = new_token(TokenKind::Sensor);
    let hash = hash_token(&token);
    let actor = format!("user:{}", admin.name);
    let sensor = run_blocking(&state, move |s| s.create_sensor(&actor, &body.name, &hash)).await?;
    Ok(Json(json!({ "sensor": sensor, "token": token })))
}

/// `GET /api/v1/audit`.
pub async fn audit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    require_admin(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.audit(500)).await?))
}

/// [`valid_name`] for the command line.
pub fn valid_name_cli(name: &str) -> anyhow::Result<()> {
    valid_name(name).map_err(|e| anyhow::anyhow!(e.message))
}
