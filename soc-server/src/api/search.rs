//! Read routes: alerts, events and alert groups, filtered by the query language.

use super::{require_user, run_blocking, ApiError, AppState};
use crate::query::parse;
use crate::store::{AlertGroup, EventQuery, GroupQuery, GroupStatus, Page, StoredEvent};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Query-string parameters of the search routes.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    /// The query (empty: everything).
    #[serde(default)]
    pub q: String,
    /// Page size (default 100, at most 1000).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
    /// Event type (events route only).
    pub event_type: Option<String>,
    /// Comma-separated statuses (groups route only).
    pub status: Option<String>,
    /// Also groups hidden by a suppression (groups route only).
    pub suppressed: Option<bool>,
}

fn filter(p: &SearchParams) -> Result<crate::query::Expr, ApiError> {
    parse(&p.q).map_err(|e| ApiError::bad_request(format!("query: {e}")))
}

fn limit(p: &SearchParams) -> u32 {
    p.limit.unwrap_or(100).clamp(1, 1000)
}

/// `{"total", "total_exact", "items"}`. Unfiltered totals are exact; filtered counts stop
/// at [`COUNT_CAP`](crate::store::sqlite::COUNT_CAP) (then `total_exact` is false).
fn events_json(page: Page<StoredEvent>, unfiltered: bool) -> Value {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|e| serde_json::from_str(&e.json).unwrap_or(Value::Null))
        .collect();
    let exact = unfiltered || page.total < crate::store::sqlite::COUNT_CAP;
    json!({ "total": page.total, "total_exact": exact, "items": items })
}

/// `GET /api/v1/alerts?q=&limit=`: alert events, newest first.
pub async fn alerts(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    require_user(&state, &headers).await?;
    let q = EventQuery {
        filter: filter(&p)?,
        event_type: Some("alert".into()),
        group_id: None,
        limit: limit(&p),
        offset: p.offset.unwrap_or(0),
    };
    let unfiltered = q.filter == crate::query::Expr::All;
    Ok(Json(events_json(
        run_blocking(&state, move |s| s.search_events(&q)).await?,
        unfiltered,
    )))
}

/// `GET /api/v1/events?q=&event_type=&limit=`: any events, newest first.
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Result<Json<Value>, ApiError> {
    require_user(&state, &headers).await?;
    let q = EventQuery {
        filter: filter(&p)?,
        event_type: p.event_type.clone().filter(|t| !t.is_empty()),
        group_id: None,
        limit: limit(&p),
        offset: p.offset.unwrap_or(0),
    };
    let unfiltered = q.filter == crate::query::Expr::All
        && matches!(q.event_type.as_deref(), None | Some("alert"));
    Ok(Json(events_json(
        run_blocking(&state, move |s| s.search_events(&q)).await?,
        unfiltered,
    )))
}

/// `GET /api/v1/groups?q=&status=new,acknowledged`: the triage inbox.
pub async fn groups(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<SearchParams>,
) -> Result<Json<Page<AlertGroup>>, ApiError> {
    require_user(&state, &headers).await?;
    let statuses = parse_statuses(p.status.as_deref())?;
    let q = GroupQuery {
        filter: filter(&p)?,
        statuses,
        limit: limit(&p),
        offset: p.offset.unwrap_or(0),
        show_suppressed: p.suppressed.unwrap_or(false),
    };
    Ok(Json(run_blocking(&state, move |s| s.groups(&q)).await?))
}

/// `new,acknowledged` → statuses (empty string: all).
pub fn parse_statuses(s: Option<&str>) -> Result<Vec<GroupStatus>, ApiError> {
    s.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(ApiError::bad_request))
        .collect()
}
