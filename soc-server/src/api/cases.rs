//! Cases: `/api/v1/cases` (list, open, read, change, escalate into, comment, observables).

use super::workflow::{actor, require_triage};
use super::{require_user, run_blocking, ApiError, AppState};
use crate::store::{
    Case, CaseDetail, CaseStatus, CaseUpdate, NewCase, Observable, StoreError, TimelineEntry,
};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;

/// Query string of the case list.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// `open`, `in_progress`, `closed` (all when absent).
    pub status: Option<String>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// Parses an optional case status (empty or `all`: none).
pub fn parse_status(s: Option<&str>) -> Result<Option<CaseStatus>, ApiError> {
    match s.map(str::trim) {
        None | Some("") | Some("all") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(ApiError::bad_request),
    }
}

/// `GET /api/v1/cases?status=`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Case>>, ApiError> {
    require_user(&state, &headers).await?;
    let status = parse_status(p.status.as_deref())?;
    let limit = p.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(
        run_blocking(&state, move |s| s.cases(status, limit)).await?,
    ))
}

/// Body of `POST /api/v1/cases`.
#[derive(Debug, Deserialize)]
pub struct NewCaseBody {
    /// Title.
    pub title: String,
    /// Severity 1-4 (default: the most severe escalated group).
    pub severity: Option<i64>,
    /// Assignee user name.
    pub assignee: Option<String>,
    /// Alert groups to escalate into it.
    #[serde(default)]
    pub groups: Vec<i64>,
}

/// `POST /api/v1/cases`: opens a case, escalating `groups` into it.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(b): Json<NewCaseBody>,
) -> Result<Json<Case>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    let new = NewCase {
        title: b.title,
        severity: b.severity,
        assignee: b.assignee,
    };
    Ok(Json(
        run_blocking(&state, move |s| s.create_case(&actor, &new, &b.groups)).await?,
    ))
}

/// `GET /api/v1/cases/{id}`: the case with its groups, observables and timeline.
pub async fn get(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<CaseDetail>, ApiError> {
    require_user(&state, &headers).await?;
    run_blocking(&state, move |s| s.case(id))
        .await?
        .map(Json)
        .ok_or_else(|| StoreError::NotFound(format!("case {id}")).into())
}

/// Body of `PATCH /api/v1/cases/{id}`; absent fields stay.
#[derive(Debug, Deserialize)]
pub struct UpdateBody {
    /// New title.
    pub title: Option<String>,
    /// `open`, `in_progress`, `closed`.
    pub status: Option<String>,
    /// 1-4.
    pub severity: Option<i64>,
    /// User name; empty string unassigns.
    pub assignee: Option<String>,
}

/// `PATCH /api/v1/cases/{id}`.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(b): Json<UpdateBody>,
) -> Result<Json<Case>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    let u = CaseUpdate {
        title: b.title,
        status: b
            .status
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(ApiError::bad_request)?,
        severity: b.severity,
        assignee: b.assignee.map(|a| Some(a).filter(|a| !a.trim().is_empty())),
    };
    Ok(Json(
        run_blocking(&state, move |s| s.update_case(&actor, id, &u)).await?,
    ))
}

/// Body of `POST /api/v1/cases/{id}/groups`.
#[derive(Debug, Deserialize)]
pub struct GroupsBody {
    /// Alert groups to escalate into the case.
    pub groups: Vec<i64>,
}

/// `POST /api/v1/cases/{id}/groups`: escalates more groups into the case.
pub async fn add_groups(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(b): Json<GroupsBody>,
) -> Result<Json<Case>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    Ok(Json(
        run_blocking(&state, move |s| s.escalate(&actor, id, &b.groups)).await?,
    ))
}

/// `POST /api/v1/cases/{id}/comments` (body `{"body": "..."}`).
pub async fn comment(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(b): Json<super::workflow::CommentBody>,
) -> Result<Json<TimelineEntry>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    Ok(Json(
        run_blocking(&state, move |s| s.comment_case(&actor, id, &b.body)).await?,
    ))
}

/// Body of `POST /api/v1/cases/{id}/observables`.
#[derive(Debug, Deserialize)]
pub struct ObservableBody {
    /// `ip`, `domain`, `hash`, `url`.
    pub kind: String,
    /// The value.
    pub value: String,
}

/// `POST /api/v1/cases/{id}/observables`: adds one by hand.
pub async fn add_observable(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(b): Json<ObservableBody>,
) -> Result<Json<Observable>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    let kind = b.kind.parse().map_err(ApiError::bad_request)?;
    Ok(Json(
        run_blocking(&state, move |s| {
            s.add_observable(&actor, id, kind, &b.value)
        })
        .await?,
    ))
}
