//! The triage inbox: alert groups with counts, first/last seen, severity, sensor, status,
//! and acknowledge/close actions.

use super::guard::{form_user, page_user, to_page, ConsoleUser};
use super::html::{esc, page, severity, time, url};
use crate::api::workflow::inbox_statuses;
use crate::api::{run_blocking, ApiError, AppState};
use crate::query::parse;
use crate::store::{AlertGroup, CloseReason, GroupQuery, GroupStatus, User};
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
    /// `1`: also show groups hidden by suppressions.
    #[serde(default)]
    suppressed: String,
    /// Rows to skip (paging).
    #[serde(default)]
    offset: u32,
}

impl InboxParams {
    fn show_suppressed(&self) -> bool {
        self.suppressed == "1"
    }
    /// The query string of this view at `offset`.
    fn href(&self, offset: u32) -> String {
        let mut h = format!("/inbox?q={}&status={}", url(&self.q), url(&self.status));
        if self.show_suppressed() {
            h.push_str("&suppressed=1");
        }
        if offset > 0 {
            h.push_str(&format!("&offset={offset}"));
        }
        h
    }
}

/// Inbox page size.
const PAGE: u32 = 100;

/// Close reasons with their labels.
pub const REASONS: [(&str, &str); 4] = [
    ("true_positive", "True positive"),
    ("false_positive", "False positive"),
    ("benign", "Benign"),
    ("duplicate", "Duplicate"),
];

/// The close-reason `<option>`s.
pub fn reason_options() -> String {
    REASONS
        .iter()
        .map(|(v, l)| format!(r#"<option value="{v}">{l}</option>"#))
        .collect()
}

/// The acknowledge, close and escalate forms of one group (empty for read-only roles).
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
<input type="hidden" name="status" value="acknowledged"><button title="Acknowledge (a)">Ack</button></form>"#,
            id = g.id
        )
    } else {
        String::new()
    };
    let esc_form = if g.case_id.is_none() {
        format!(
            r#"<form method="post" action="/cases" class="inline act-esc">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="groups" value="{id}">
<button title="Escalate to a new case (e)">Escalate</button></form>"#,
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
    format!(
        r#"<div class="act">{ack}<form method="post" action="/groups/{id}/status" class="inline act-close">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="back" value="{back}">
<input type="hidden" name="status" value="closed"><select name="reason" title="Close reason">{opts}</select><button title="Close (c, then Enter)">Close</button></form>{esc_form}</div>"#,
        id = g.id,
        opts = reason_options(),
    )
}

/// A fingerprint of what a row shows: the live inbox replaces a row only when it changed.
pub fn row_version(g: &AlertGroup) -> String {
    format!(
        "{}-{}-{}-{}-{}-{}-{}",
        g.count,
        g.last_seen,
        g.status.as_str(),
        g.close_reason.map(|r| r.as_str()).unwrap_or(""),
        g.assignee.as_deref().unwrap_or(""),
        g.case_id.unwrap_or(0),
        u8::from(g.suppressed)
    )
}

/// One inbox row (also pushed by the live inbox).
pub fn row_html(g: &AlertGroup, cu: &ConsoleUser, back: &str) -> String {
    let reason = g
        .close_reason
        .map(|r| format!(" ({})", r.as_str()))
        .unwrap_or_default();
    let check = if cu.user.role.can_triage() {
        format!(
            r#"<td class="sel"><input type="checkbox" name="ids" value="{}" form="bulk" aria-label="select"></td>"#,
            g.id
        )
    } else {
        String::new()
    };
    let mut sub = vec![format!("sid {}", g.sid)];
    if let Some(c) = g.case_id {
        sub.push(format!(r#"<a class="tag" href="/cases/{c}">case #{c}</a>"#));
    }
    if let Some(a) = &g.assignee {
        sub.push(format!(r#"<span class="tag">@{}</span>"#, esc(a)));
    }
    if g.suppressed {
        sub.push(r#"<span class="tag tag-supp">suppressed</span>"#.to_string());
    }
    format!(
        r#"<tr class="group{supp}" data-id="{id}" data-href="/groups/{id}" data-v="{v}">{check}<td>{sev}</td><td class="sig"><a href="/groups/{id}">{sig}</a><div class="sub">{sub}</div></td>
<td class="ip">{src}</td><td class="ip">{dst}</td><td class="num">{count}</td><td class="time">{last}<div class="sub">first {first}</div></td><td class="sensor">{sensor}</td>
<td><span class="status st-{status}">{status}{reason}</span></td><td class="actions">{actions}</td></tr>"#,
        supp = if g.suppressed { " suppressed" } else { "" },
        id = g.id,
        v = row_version(g),
        sev = severity(g.severity),
        sig = esc(&g.signature),
        sub = sub.join(" · "),
        src = esc(&g.src_ip),
        dst = esc(&g.dest_ip),
        count = g.count,
        first = time(g.first_seen),
        last = time(g.last_seen),
        sensor = esc(&g.sensor),
        status = g.status.as_str(),
        actions = actions(g, cu, back),
    )
}

/// `GET /inbox?q=&status=&suppressed=&offset=`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<InboxParams>,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let statuses = match inbox_statuses(&p.status) {
        Ok(s) => s,
        Err(e) => return to_page(ApiError::bad_request(e)),
    };
    let (filter, query_error) = match parse(&p.q) {
        Ok(f) => (f, String::new()),
        Err(e) => (
            crate::query::Expr::All,
            format!(r#"<p class="error">Query: {}</p>"#, esc(&e.to_string())),
        ),
    };
    let gq = GroupQuery {
        filter,
        statuses,
        limit: PAGE,
        offset: p.offset,
        show_suppressed: p.show_suppressed(),
    };
    let found = run_blocking(&state, move |s| Ok((s.groups(&gq)?, s.list_users()?))).await;
    let (groups, users) = match found {
        Ok(g) => g,
        Err(e) if e.status.is_client_error() => {
            return inbox_html(
                &cu,
                &p,
                &format!(r#"<p class="error">{}</p>"#, esc(&e.message)),
                &[],
                0,
                &[],
            )
        }
        Err(e) => return to_page(e),
    };
    inbox_html(&cu, &p, &query_error, &groups.items, groups.total, &users)
}

/// `<option>`s of the users (for assignee selects), `selected` preselected.
pub fn user_options(users: &[User], selected: Option<&str>) -> String {
    users
        .iter()
        .map(|u| {
            let sel = if Some(u.name.as_str()) == selected {
                " selected"
            } else {
                ""
            };
            format!(r#"<option value="{n}"{sel}>{n}</option>"#, n = esc(&u.name))
        })
        .collect()
}

fn inbox_html(
    cu: &ConsoleUser,
    p: &InboxParams,
    notice: &str,
    groups: &[AlertGroup],
    total: u64,
    users: &[User],
) -> Response {
    let back = p.href(p.offset);
    let triage = cu.user.role.can_triage();
    let mut rows = String::new();
    for g in groups {
        rows.push_str(&row_html(g, cu, &back));
    }
    let cols = if triage { 10 } else { 9 };
    if groups.is_empty() {
        rows.push_str(&format!(
            r#"<tr class="empty-row"><td colspan="{cols}" class="empty">No alert groups match.</td></tr>"#
        ));
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
    let shown_to = u64::from(p.offset) + groups.len() as u64;
    let more = if shown_to < total {
        format!(
            r#"<a class="more" href="{}" data-more>Load {} more</a>"#,
            esc(&p.href(p.offset + PAGE)),
            (total - shown_to).min(u64::from(PAGE))
        )
    } else {
        String::new()
    };
    let newer = if p.offset > 0 {
        format!(
            r#"<a href="{}">&larr; Newer</a>"#,
            esc(&p.href(p.offset.saturating_sub(PAGE)))
        )
    } else {
        String::new()
    };
    let pager = format!(
        r#"<div class="pager">{newer}<span class="range">{from}&ndash;<span id="shown-to">{shown_to}</span> of {total}</span>{more}</div>"#,
        from = if groups.is_empty() {
            0
        } else {
            u64::from(p.offset) + 1
        },
    );
    let bulk = if triage {
        format!(
            r#"<form id="bulk" method="post" action="/inbox/bulk" class="bulk">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="q" value="{q}">
<input type="hidden" name="status" value="{status}"><input type="hidden" name="suppressed" value="{supp}">
<input type="hidden" name="back" value="{back}">
<label class="check"><input type="checkbox" id="select-all"> Select all</label><span id="sel-count" class="muted">0 selected</span>
<label class="check" title="Apply to every alert group this query matches, on every page"><input type="checkbox" name="all" value="1" id="bulk-all"> all {total} matching</label>
<span class="sep"></span>
<button name="action" value="acknowledge">Acknowledge</button>
<select name="reason" title="Close reason">{reasons}</select><button name="action" value="close">Close</button>
<select name="assignee" title="Assignee"><option value="">nobody</option>{users}</select><button name="action" value="assign">Assign</button>
<button name="action" value="escalate">Escalate to case</button></form>"#,
            csrf = esc(cu.csrf()),
            q = esc(&p.q),
            status = esc(&p.status),
            supp = if p.show_suppressed() { "1" } else { "" },
            back = esc(&back),
            reasons = reason_options(),
            users = user_options(users, Some(&cu.user.name)),
        )
    } else {
        String::new()
    };
    let live = if p.offset == 0 {
        let mut l = format!("/inbox/live?q={}&status={}", url(&p.q), url(&p.status));
        if p.show_suppressed() {
            l.push_str("&suppressed=1");
        }
        format!(r#" data-live="{}""#, esc(&l))
    } else {
        String::new()
    };
    let sel_head = if triage {
        r#"<th class="sel"></th>"#
    } else {
        ""
    };
    let body = format!(
        r#"<div class="head"><h1>Inbox <small>{total} groups</small></h1><span id="live" class="live" hidden>live</span></div>
<form class="search" method="get" action="/inbox"><input name="q" value="{q}" placeholder='src_ip:10.0.0.1 AND NOT signature:"ET SCAN*"'>
<select name="status">{status_opts}</select><label class="check"><input type="checkbox" name="suppressed" value="1"{supp_checked}> show suppressed</label><button>Search</button></form>{notice}
<p class="hint">Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>x</kbd> select, <kbd>Enter</kbd> open, <kbd>a</kbd> acknowledge, <kbd>c</kbd> close, <kbd>e</kbd> escalate, <kbd>/</kbd> search</p>
{bulk}
<table class="inbox groups"{live}><thead><tr>{sel_head}<th class="c-sev">Sev</th><th class="c-sig">Signature</th><th class="c-ip">Source</th><th class="c-ip">Destination</th><th class="num c-num">Count</th>
<th class="c-time">Last seen</th><th class="c-sensor">Sensor</th><th class="c-status">Status</th><th class="c-act"></th></tr></thead><tbody>{rows}</tbody></table>{pager}"#,
        q = esc(&p.q),
        supp_checked = if p.show_suppressed() { " checked" } else { "" },
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
