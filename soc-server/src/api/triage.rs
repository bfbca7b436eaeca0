//! `POST /api/v1/groups/{id}/status`: acknowledge, start, close (with reason), reopen.

use super::{require_csrf, require_user, run_blocking, ApiError, AppState};
use crate::store::{AlertGroup, CloseReason, GroupStatus};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// Body of a status change.
#[derive(Debug, Deserialize)]
pub struct StatusChange {
    /// `new`, `acknowledged`, `in_progress` or `closed`.
    pub status: String,
    /// Close reason (required to close).
    pub reason: Option<String>,
}

/// Changes a group's status; triage roles only; audited.
pub async fn set_status(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<StatusChange>,
) -> Result<Json<AlertGroup>, ApiError> {
    let (user, via) = require_user(&state, &headers).await?;
    require_csrf(&via, &headers, None)?;
    if !user.role.can_triage() {
        return Err(ApiError::forbidden(format!(
            "role {} cannot change alerts",
            user.role
        )));
    }
    let status: GroupStatus = body.status.parse().map_err(ApiError::bad_request)?;
    let reason: Option<CloseReason> = body
        .reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(str::parse)
        .transpose()
        .map_err(ApiError::bad_request)?;
    let actor = format!("user:{}", user.name);
    Ok(Json(
        run_blocking(&state, move |s| {
            s.set_group_status(&actor, id, status, reason)
        })
        .await?,
    ))
}
