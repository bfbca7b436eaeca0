//! The triage inbox: alert groups with counts, first/last seen, severity, sensor, status,
//! and acknowledge/close actions.

use super::guard::{form_user, page_user, to_page, ConsoleUser};
use super::html::{esc, page, severity, time, url};
use crate::api::{run_blocking, ApiError, AppState};
use crate::query::parse;
use crate::store::{AlertGroup, CloseReason, GroupQuery, GroupStatus};
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

/// `GET /`.
pub async fn root() -> Redirect {
    Redirect::to("/inbox")
}

/// Inbox query string.
#[derive(Debug, Deserialize, Default)]
pub struct InboxParams {
    #[serde(default)]
    q: String,
    /// `open` (default), `all`, or one status.
    #[serde(default)]
    status: String,
}

const REASONS: [(&str, &str); 4] = [
    ("true_positive", "True positive"),
    ("false_positive", "False positive"),
    ("benign", "Benign"),
    ("duplicate", "Duplicate"),
];

/// The acknowledge and close forms of one group (empty for read-only roles).
pub fn actions(g: &AlertGroup, cu: &ConsoleUser, back: &str) -> String {
    if !cu.user.role.can_triage() {
        return String::new();
    }
    let csrf = esc(cu.csrf());
    let back = esc(back);
    let ack = if g.status == GroupStatus::New {
        format!(
            r#"<form method="post" action="/groups/{id}/status" class="inline act-ack">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="back" value="{back}">
<input type="hidden" name="status" value="acknowledged"><button title="a">Ack</button></form>"#,
            id = g.id
        )
    } else {
        String::new()
    };
    if g.status == GroupStatus::Closed {
        return format!(
            r#"<form method="post" action="/groups/{id}/status" class="inline">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="back" value="{back}">
<input type="hidden" name="status" value="new"><button>Reopen</button></form>"#,
            id = g.id
        );
    }
    let opts: String = REASONS
        .iter()
        .map(|(v, l)| format!(r#"<option value="{v}">{l}</option>"#))
        .collect();
    format!(
        r#"{ack}<form method="post" action="/groups/{id}/status" class="inline act-close">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="back" value="{back}">
<input type="hidden" name="status" value="closed"><select name="reason" title="close reason">{opts}</select>
<button title="c">Close</button></form>"#,
        id = g.id
    )
}

/// `GET /inbox?q=&status=`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<InboxParams>,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let statuses = match p.status.as_str() {
        "" | "open" => vec![
            GroupStatus::New,
            GroupStatus::Acknowledged,
            GroupStatus::InProgress,
        ],
        "all" => vec![],
        s => match s.parse() {
            Ok(st) => vec![st],
            Err(e) => return to_page(ApiError::bad_request(e)),
        },
    };
    let (filter, query_error) = match parse(&p.q) {
        Ok(f) => (f, String::new()),
        Err(e) => (
            crate::query::Expr::All,
            format!(r#"<p class="error">Query: {}</p>"#, esc(&e.to_string())),
        ),
    };
    let gq = GroupQuery {
        show_suppressed: false,
        filter,
        statuses,
        limit: 200,
        offset: 0,
    };
    let groups = match run_blocking(&state, move |s| s.groups(&gq)).await {
        Ok(g) => g,
        Err(e) if e.status.is_client_error() => {
            return inbox_html(
                &cu,
                &p,
                &format!(r#"<p class="error">{}</p>"#, esc(&e.message)),
                &[],
                0,
            )
        }
        Err(e) => return to_page(e),
    };
    inbox_html(&cu, &p, &query_error, &groups.items, groups.total)
}

fn inbox_html(
    cu: &ConsoleUser,
    p: &InboxParams,
    notice: &str,
    groups: &[AlertGroup],
    total: u64,
) -> Response {
    let back = format!("/inbox?q={}&status={}", url(&p.q), url(&p.status));
    let mut rows = String::new();
    for g in groups {
        let reason = g
            .close_reason
            .map(|r| format!(" ({})", r.as_str()))
            .unwrap_or_default();
        rows.push_str(&format!(
            r#"<tr class="group" data-href="/groups/{id}"><td>{sev}</td><td><a href="/groups/{id}">{sig}</a><br><small>sid {sid}</small></td>
<td>{src}</td><td>{dst}</td><td class="num">{count}</td><td>{first}</td><td>{last}</td><td>{sensor}</td>
<td><span class="status st-{status}">{status}{reason}</span></td><td class="actions">{actions}</td></tr>"#,
            id = g.id,
            sev = severity(g.severity),
            sig = esc(&g.signature),
            sid = g.sid,
            src = esc(&g.src_ip),
            dst = esc(&g.dest_ip),
            count = g.count,
            first = time(g.first_seen),
            last = time(g.last_seen),
            sensor = esc(&g.sensor),
            status = g.status.as_str(),
            actions = actions(g, cu, &back),
        ));
    }
    if groups.is_empty() {
        rows.push_str(r#"<tr><td colspan="10" class="empty">No alert groups match.</td></tr>"#);
    }
    let status_opts: String = [
        "open",
        "new",
        "acknowledged",
        "in_progress",
        "closed",
        "all",
    ]
    .iter()
    .map(|s| {
        let sel = if p.status == *s || (p.status.is_empty() && *s == "open") {
            " selected"
        } else {
            ""
        };
        format!(r#"<option{sel}>{s}</option>"#)
    })
    .collect();
    let body = format!(
        r#"<h1>Inbox <small>{total} groups</small></h1>
<form class="search" method="get" action="/inbox"><input name="q" value="{q}" placeholder='src_ip:10.0.0.1 AND NOT signature:"ET SCAN*"' size="60">
<select name="status">{status_opts}</select><button>Search</button></form>{notice}
<p class="hint">Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>a</kbd> acknowledge, <kbd>c</kbd> close, <kbd>/</kbd> search</p>
<table class="inbox"><thead><tr><th>Sev</th><th>Signature</th><th>Source</th><th>Destination</th><th>Count</th>
<th>First seen</th><th>Last seen</th><th>Sensor</th><th>Status</th><th></th></tr></thead><tbody>{rows}</tbody></table>"#,
        q = esc(&p.q),
    );
    page("Inbox", Some(&cu.user), cu.csrf(), &body)
}

/// A status form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    back: String,
}

/// `POST /groups/{id}/status` (form).
pub async fn set_status(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<StatusForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !cu.user.role.can_triage() {
        return to_page(ApiError::forbidden(format!(
            "role {} cannot change alerts",
            cu.user.role
        )));
    }
    let status: GroupStatus = match f.status.parse() {
        Ok(s) => s,
        Err(e) => return to_page(ApiError::bad_request(e)),
    };
    let reason: Option<CloseReason> = match f.reason.as_str() {
        "" => None,
        r => match r.parse() {
            Ok(r) => Some(r),
            Err(e) => return to_page(ApiError::bad_request(e)),
        },
    };
    let actor = format!("user:{}", cu.user.name);
    if let Err(e) = run_blocking(&state, move |s| {
        s.set_group_status(&actor, id, status, reason)
    })
    .await
    {
        return to_page(e);
    }
    // Only local paths: never redirect elsewhere.
    let back = if f.back.starts_with('/') && !f.back.starts_with("//") {
        f.back
    } else {
        "/inbox".into()
    };
    Redirect::to(&back).into_response()
}
