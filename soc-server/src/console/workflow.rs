//! Console form posts of the triage workflow on alert groups: assignee, comments, bulk
//! actions from the inbox, and escalation to a case.

use super::guard::{form_user, redirect_or_page, to_page, ConsoleUser};
use crate::api::workflow::{actor, inbox_query, run_bulk, BulkAction, Selection};
use crate::api::{run_blocking, ApiError, AppState};
use crate::store::NewCase;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

/// Form fields in order, repeated keys kept (`ids=1&ids=2`).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// The first value of `key`, or "".
    pub fn str(&self, key: &str) -> &str {
        self.get(key).unwrap_or("")
    }
    /// Every value of `key` parsed as ids; the error names the bad value.
    pub fn ids(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| {
                v.parse()
                    .map_err(|_| ApiError::bad_request(format!("{key}: '{v}' is not an id")))
            })
            .collect()
    }
}

/// The signed-in user of a form post who may triage, with a valid CSRF token.
pub async fn triage_user(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    f: &Fields,
) -> Result<ConsoleUser, Response> {
    let cu = form_user(state, headers, f.str("csrf")).await?;
    if !cu.user.role.can_triage() {
        return Err(to_page(ApiError::forbidden(format!(
            "role {} cannot change alerts, cases or suppressions",
            cu.user.role
        ))));
    }
    Ok(cu)
}

/// A redirect to `back` when it is a local path, else to `default`.
pub fn back_to(back: &str, default: &str) -> Response {
    let target = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        default
    };
    Redirect::to(target).into_response()
}

/// `POST /groups/{id}/assignee` (`assignee` empty to unassign).
pub async fn assign(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let cu = match triage_user(&state, &headers, &f).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let actor = actor(&cu.user);
    let who = f.str("assignee").trim().to_string();
    let who = (!who.is_empty()).then_some(who);
    match run_blocking(&state, move |s| {
        s.assign_groups(&actor, &[id], who.as_deref())
    })
    .await
    {
        Ok(_) => back_to(f.str("back"), &format!("/groups/{id}")),
        Err(e) => to_page(e),
    }
}

/// `POST /groups/{id}/comments`.
pub async fn comment(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let cu = match triage_user(&state, &headers, &f).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let actor = actor(&cu.user);
    let body = f.str("body").to_string();
    redirect_or_page(
        run_blocking(&state, move |s| s.comment_group(&actor, id, &body)).await,
        &format!("/groups/{id}#comments"),
    )
}

/// `POST /cases`: escalates `groups` (repeated) into a new case (`title` optional) or
/// into `case_id`, then shows the case.
pub async fn escalate(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let cu = match triage_user(&state, &headers, &f).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let groups = match f.ids("groups") {
        Ok(g) => g,
        Err(e) => return to_page(e),
    };
    let case_id = match f.str("case_id") {
        "" | "new" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return to_page(ApiError::bad_request(format!("case_id: '{v}'"))),
        },
    };
    let title = f.str("title").trim().to_string();
    let actor = actor(&cu.user);
    let done = run_blocking(&state, move |s| {
        if groups.is_empty() {
            // A case opened by hand.
            let new = NewCase {
                title,
                severity: None,
                assignee: None,
            };
            return s.create_case(&actor, &new, &[]);
        }
        let action = BulkAction::Escalate {
            case_id,
            title: (!title.is_empty()).then_some(title),
        };
        let out = run_bulk(s, &actor, &action, &groups)?;
        out.case
            .ok_or_else(|| crate::store::StoreError::Invalid("escalation made no case".into()))
    })
    .await;
    match done {
        Ok(case) => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
        Err(e) => to_page(e),
    }
}

/// `POST /inbox/bulk`: `action` on the checked `ids`, or with `all=1` on every group the
/// inbox query (`q`, `status`, `suppressed`) matches.
pub async fn bulk(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let cu = match triage_user(&state, &headers, &f).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let case_id = f.str("case_id").parse::<i64>().ok();
    let action = match BulkAction::from_fields(
        f.str("action"),
        f.get("reason"),
        f.get("assignee"),
        case_id,
        f.get("title"),
    ) {
        Ok(a) => a,
        Err(e) => return to_page(ApiError::bad_request(e)),
    };
    let selection = if f.str("all") == "1" {
        match inbox_query(f.str("q"), f.str("status"), f.str("suppressed") == "1") {
            Ok(q) => Selection::Query(q),
            Err(e) => return to_page(e),
        }
    } else {
        match f.ids("ids") {
            Ok(ids) if ids.is_empty() => {
                return to_page(ApiError::bad_request(
                    "select alert groups first (or tick 'all matching')",
                ))
            }
            Ok(ids) => Selection::Ids(ids),
            Err(e) => return to_page(e),
        }
    };
    let actor = actor(&cu.user);
    let done = run_blocking(&state, move |s| {
        let ids = selection.resolve(s)?;
        run_bulk(s, &actor, &action, &ids)
    })
    .await;
    match done {
        Ok(out) => match out.case {
            Some(c) => Redirect::to(&format!("/cases/{}", c.id)).into_response(),
            None => back_to(f.str("back"), "/inbox"),
        },
        Err(e) => to_page(e),
    }
}
