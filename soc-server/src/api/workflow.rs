//! Alert-group workflow routes: assignee, comments, bulk actions; and the selection and
//! bulk logic the console shares.
//!
//! Bulk actions apply to a list of group ids or to everything an inbox query matches
//! (resolved on the server, at most [`MAX_BULK`] groups). They run in one transaction
//! and write one audit entry per group, exactly what a single change writes.

use super::{require_csrf, require_user, run_blocking, ApiError, AppState};
use crate::auth::Via;
use crate::query::parse;
use crate::store::{
    AlertGroup, Case, CloseReason, Comment, GroupQuery, GroupStatus, NewCase, Store, StoreError,
    StoreResult, User, MAX_BULK,
};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// The caller, if they may triage (analyst, trainer, admin) and, for cookie sessions,
/// presented the CSRF token.
pub async fn require_triage(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    csrf_field: Option<&str>,
) -> Result<(User, Via), ApiError> {
    let (user, via) = require_user(state, headers).await?;
    require_csrf(&via, headers, csrf_field)?;
    if !user.role.can_triage() {
        return Err(ApiError::forbidden(format!(
            "role {} cannot change alerts, cases or suppressions",
            user.role
        )));
    }
    Ok((user, via))
}

/// The audit actor of a user.
pub fn actor(user: &User) -> String {
    format!("user:{}", user.name)
}

/// Statuses of an inbox status filter: `open` (or empty) = new, acknowledged,
/// in progress; `all`; or one status.
pub fn inbox_statuses(s: &str) -> Result<Vec<GroupStatus>, String> {
    match s {
        "" | "open" => Ok(vec![
            GroupStatus::New,
            GroupStatus::Acknowledged,
            GroupStatus::InProgress,
        ]),
        "all" => Ok(vec![]),
        s => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect(),
    }
}

/// What a bulk action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// Set a status (a reason to close).
    Status(GroupStatus, Option<CloseReason>),
    /// Set or clear the assignee.
    Assign(Option<String>),
    /// Escalate into a case: an existing one, or a new one (title optional).
    Escalate {
        /// Existing case.
        case_id: Option<i64>,
        /// Title of a new case.
        title: Option<String>,
    },
}

impl BulkAction {
    /// From its form/JSON fields: `acknowledge`, `start`, `close` (+`reason`), `reopen`,
    /// `assign` (+`assignee`, empty to clear), `escalate` (+`case_id` or `title`).
    pub fn from_fields(
        action: &str,
        reason: Option<&str>,
        assignee: Option<&str>,
        case_id: Option<i64>,
        title: Option<&str>,
    ) -> Result<BulkAction, String> {
        Ok(match action {
            "acknowledge" => BulkAction::Status(GroupStatus::Acknowledged, None),
            "start" => BulkAction::Status(GroupStatus::InProgress, None),
            "reopen" => BulkAction::Status(GroupStatus::New, None),
            "close" => {
                let r = nonempty(reason).ok_or("close needs a reason")?;
                BulkAction::Status(GroupStatus::Closed, Some(r.parse()?))
            }
            "assign" => BulkAction::Assign(nonempty(assignee).map(str::to_string)),
            "escalate" => BulkAction::Escalate {
                case_id,
                title: nonempty(title).map(str::to_string),
            },
            other => {
                return Err(format!(
                    "unknown action '{other}' (acknowledge, start, close, reopen, assign, escalate)"
                ))
            }
        })
    }
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// What a bulk action changed.
#[derive(Debug, Clone, Serialize)]
pub struct BulkOutcome {
    /// Groups changed.
    pub groups: usize,
    /// The case escalated to.
    pub case: Option<Case>,
}

/// The groups a bulk action applies to.
#[derive(Debug, Clone)]
pub enum Selection {
    /// These groups.
    Ids(Vec<i64>),
    /// Every group this inbox query matches (resolved on the server).
    Query(GroupQuery),
}

impl Selection {
    /// The group ids.
    pub fn resolve(self, s: &dyn Store) -> StoreResult<Vec<i64>> {
        match self {
            Selection::Ids(ids) => Ok(ids),
            Selection::Query(q) => query_ids(s, q),
        }
    }
}

/// Ids of the groups an inbox query matches; refused above [`MAX_BULK`].
pub fn query_ids(s: &dyn Store, mut q: GroupQuery) -> StoreResult<Vec<i64>> {
    q.limit = MAX_BULK;
    q.offset = 0;
    let page = s.groups(&q)?;
    if page.total > u64::from(MAX_BULK) {
        return Err(StoreError::Invalid(format!(
            "the query matches {} alert groups; bulk actions take at most {MAX_BULK}",
            page.total
        )));
    }
    Ok(page.items.into_iter().map(|g| g.id).collect())
}

/// Title of a case opened from these groups.
fn default_title(s: &dyn Store, ids: &[i64]) -> StoreResult<String> {
    let first = match ids.first() {
        Some(&id) => s.group(id)?,
        None => None,
    };
    let sig = first.map(|g| g.signature).unwrap_or_default();
    let t = match ids.len() {
        0 => "New case".to_string(),
        1 => sig,
        n => format!("{sig} and {} more alert groups", n - 1),
    };
    Ok(t.chars().take(200).collect())
}

/// Applies a bulk action to `ids`.
pub fn run_bulk(
    s: &dyn Store,
    actor: &str,
    action: &BulkAction,
    ids: &[i64],
) -> StoreResult<BulkOutcome> {
    if ids.is_empty() {
        return Err(StoreError::Invalid("no alert groups selected".into()));
    }
    Ok(match action {
        BulkAction::Status(st, reason) => BulkOutcome {
            groups: s.set_groups_status(actor, ids, *st, *reason)?.len(),
            case: None,
        },
        BulkAction::Assign(who) => BulkOutcome {
            groups: s.assign_groups(actor, ids, who.as_deref())?.len(),
            case: None,
        },
        BulkAction::Escalate { case_id, title } => {
            let case = match case_id {
                Some(id) => s.escalate(actor, *id, ids)?,
                None => {
                    let title = match title {
                        Some(t) => t.clone(),
                        None => default_title(s, ids)?,
                    };
                    let new = NewCase {
                        title,
                        severity: None,
                        assignee: None,
                    };
                    s.create_case(actor, &new, ids)?
                }
            };
            BulkOutcome {
                groups: ids.len(),
                case: Some(case),
            }
        }
    })
}

/// Body of `POST /api/v1/groups/{id}/assignee`.
#[derive(Debug, Deserialize)]
pub struct AssignBody {
    /// User name; `null` or empty to unassign.
    pub assignee: Option<String>,
}

/// `POST /api/v1/groups/{id}/assignee`.
pub async fn assign(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<AssignBody>,
) -> Result<Json<AlertGroup>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    let mut groups = run_blocking(&state, move |s| {
        s.assign_groups(&actor, &[id], body.assignee.as_deref())
    })
    .await?;
    groups
        .pop()
        .map(Json)
        .ok_or_else(|| ApiError::internal("assign returned no group"))
}

/// `GET /api/v1/groups/{id}/comments`.
pub async fn comments(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<Vec<Comment>>, ApiError> {
    require_user(&state, &headers).await?;
    let found = run_blocking(&state, move |s| {
        Ok(match s.group(id)? {
            Some(_) => Some(s.group_comments(id)?),
            None => None,
        })
    })
    .await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::from(StoreError::NotFound(format!("alert group {id}"))))
}

/// Body of a comment.
#[derive(Debug, Deserialize)]
pub struct CommentBody {
    /// Text.
    pub body: String,
}

/// `POST /api/v1/groups/{id}/comments`.
pub async fn add_comment(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Json(body): Json<CommentBody>,
) -> Result<Json<Comment>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let actor = actor(&user);
    Ok(Json(
        run_blocking(&state, move |s| s.comment_group(&actor, id, &body.body)).await?,
    ))
}

/// The inbox query of a bulk action ("everything this query matches").
#[derive(Debug, Deserialize)]
pub struct BulkQuery {
    /// Query language text.
    #[serde(default)]
    pub q: String,
    /// `open` (default), `all`, or comma-separated statuses.
    #[serde(default)]
    pub status: String,
    /// Include suppressed groups.
    #[serde(default)]
    pub suppressed: bool,
}

/// Body of `POST /api/v1/groups/bulk`: exactly one of `ids` and `query`.
#[derive(Debug, Deserialize)]
pub struct BulkBody {
    /// `acknowledge`, `start`, `close`, `reopen`, `assign`, `escalate`.
    pub action: String,
    /// The selected groups.
    pub ids: Option<Vec<i64>>,
    /// Or every group this query matches.
    pub query: Option<BulkQuery>,
    /// Close reason.
    pub reason: Option<String>,
    /// Assignee (empty or absent clears).
    pub assignee: Option<String>,
    /// Escalate into this case.
    pub case_id: Option<i64>,
    /// Title of the new case.
    pub title: Option<String>,
}

/// A group query from the inbox fields.
pub fn inbox_query(q: &str, status: &str, suppressed: bool) -> Result<GroupQuery, ApiError> {
    Ok(GroupQuery {
        filter: parse(q).map_err(|e| ApiError::bad_request(format!("query: {e}")))?,
        statuses: inbox_statuses(status).map_err(ApiError::bad_request)?,
        limit: MAX_BULK,
        offset: 0,
        show_suppressed: suppressed,
    })
}

/// `POST /api/v1/groups/bulk`.
pub async fn bulk(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<BulkBody>,
) -> Result<Json<Value>, ApiError> {
    let (user, _) = require_triage(&state, &headers, None).await?;
    let action = BulkAction::from_fields(
        &body.action,
        body.reason.as_deref(),
        body.assignee.as_deref(),
        body.case_id,
        body.title.as_deref(),
    )
    .map_err(ApiError::bad_request)?;
    let selection = match (body.ids, body.query) {
        (Some(ids), None) => Selection::Ids(ids),
        (None, Some(q)) => Selection::Query(inbox_query(&q.q, &q.status, q.suppressed)?),
        _ => {
            return Err(ApiError::bad_request(
                "give exactly one of 'ids' and 'query'",
            ))
        }
    };
    let actor = actor(&user);
    let out = run_blocking(&state, move |s| {
        let ids = selection.resolve(s)?;
        run_bulk(s, &actor, &action, &ids)
    })
    .await?;
    Ok(Json(
        json!({ "action": body.action, "groups": out.groups, "case": out.case }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_actions_parse_from_their_fields() {
        assert_eq!(
            BulkAction::from_fields("close", Some("benign"), None, None, None),
            Ok(BulkAction::Status(
                GroupStatus::Closed,
                Some(CloseReason::Benign)
            ))
        );
        assert!(BulkAction::from_fields("close", None, None, None, None).is_err());
        assert_eq!(
            BulkAction::from_fields("assign", None, Some(" "), None, None),
            Ok(BulkAction::Assign(None))
        );
        assert!(BulkAction::from_fields("delete", None, None, None, None)
            .unwrap_err()
            .contains("unknown action"));
        assert_eq!(inbox_statuses("open").unwrap().len(), 3);
        assert!(inbox_statuses("all").unwrap().is_empty());
        assert!(inbox_statuses("bogus").is_err());
    }
}
