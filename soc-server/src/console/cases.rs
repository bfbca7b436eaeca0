//! Cases in the console: the list, one case (alert groups, observables, timeline,
//! comments) and its forms.

use super::guard::{page_user, redirect_or_page, to_page, ConsoleUser};
use super::html::{esc, page, severity, time};
use super::inbox::user_options;
use super::workflow::{triage_user, Fields};
use crate::api::workflow::actor;
use crate::api::{run_blocking, ApiError, AppState};
use crate::store::{Case, CaseDetail, CaseStatus, CaseUpdate, ObservableKind, User};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

const STATUSES: [CaseStatus; 3] = [CaseStatus::Open, CaseStatus::InProgress, CaseStatus::Closed];

fn status_badge(s: CaseStatus) -> String {
    format!(r#"<span class="status cst-{s}">{s}</span>"#)
}

/// Query string of the list.
#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    status: String,
}

/// `GET /cases?status=`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<ListParams>,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let status = match crate::api::cases_status(Some(&p.status)) {
        Ok(s) => s,
        Err(e) => return to_page(e),
    };
    let cases = match run_blocking(&state, move |s| s.cases(status, 500)).await {
        Ok(c) => c,
        Err(e) => return to_page(e),
    };
    let rows: String = cases.iter().map(case_row).collect();
    let rows = if rows.is_empty() {
        r#"<tr><td colspan="8" class="empty">No cases. Escalate an alert group from the inbox (<kbd>e</kbd>).</td></tr>"#.to_string()
    } else {
        rows
    };
    let filters: String = ["all", "open", "in_progress", "closed"]
        .iter()
        .map(|s| {
            let on = p.status == *s || (p.status.is_empty() && *s == "all");
            format!(
                r#"<a class="chip{}" href="/cases?status={s}">{s}</a>"#,
                if on { " on" } else { "" }
            )
        })
        .collect();
    let body = format!(
        r#"<div class="head"><h1>Cases <small>{n}</small></h1><div class="chips">{filters}</div></div>
<table class="inbox cases"><thead><tr><th>#</th><th>Sev</th><th>Title</th><th>Status</th><th>Assignee</th><th class="num">Groups</th><th class="num">Observables</th><th>Updated</th></tr></thead>
<tbody>{rows}</tbody></table>"#,
        n = cases.len()
    );
    page("Cases", Some(&cu.user), cu.csrf(), &body)
}

fn case_row(c: &Case) -> String {
    format!(
        r#"<tr class="group" data-href="/cases/{id}"><td>{id}</td><td>{sev}</td><td><a href="/cases/{id}">{title}</a></td><td>{st}</td><td>{who}</td><td class="num">{g}</td><td class="num">{o}</td><td>{upd}</td></tr>"#,
        id = c.id,
        sev = severity(c.severity),
        title = esc(&c.title),
        st = status_badge(c.status),
        who = esc(c.assignee.as_deref().unwrap_or("—")),
        g = c.groups,
        o = c.observables,
        upd = time(c.updated),
    )
}

/// `GET /cases/{id}`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let found = run_blocking(&state, move |s| Ok((s.case(id)?, s.list_users()?))).await;
    match found {
        Ok((Some(d), users)) => render(&cu, &d, &users),
        Ok((None, _)) => super::html::error(StatusCode::NOT_FOUND, "no such case"),
        Err(e) => to_page(e),
    }
}

fn render(cu: &ConsoleUser, d: &CaseDetail, users: &[User]) -> Response {
    let c = &d.case;
    let csrf = esc(cu.csrf());
    let triage = cu.user.role.can_triage();
    let groups: String = d
        .alert_groups
        .iter()
        .map(|g| {
            format!(
                r#"<tr class="group" data-href="/groups/{id}"><td>{sev}</td><td><a href="/groups/{id}">{sig}</a><div class="sub">sid {sid}</div></td><td class="ip">{src}</td><td class="ip">{dst}</td><td class="num">{n}</td><td>{last}</td><td><span class="status st-{st}">{st}</span></td></tr>"#,
                id = g.id,
                sev = severity(g.severity),
                sig = esc(&g.signature),
                sid = g.sid,
                src = esc(&g.src_ip),
                dst = esc(&g.dest_ip),
                n = g.count,
                last = time(g.last_seen),
                st = g.status.as_str(),
            )
        })
        .collect();
    let groups = if groups.is_empty() {
        r#"<tr><td colspan="7" class="empty">No alert groups yet.</td></tr>"#.to_string()
    } else {
        groups
    };
    let observables: String = d
        .observable_list
        .iter()
        .map(|o| {
            let q = match o.kind {
                ObservableKind::Ip => format!("ip:{}", o.value),
                _ => format!("\"{}\"", o.value.replace('"', "")),
            };
            let pivot = format!(
                r#"<a class="pivot" href="/inbox?status=all&amp;q={}">alerts</a>"#,
                super::html::url(&q)
            );
            format!(
                r#"<tr><td><span class="kind kind-{k}">{k}</span></td><td class="obs"><code>{v}</code></td><td class="muted">{src}</td><td>{pivot}</td></tr>"#,
                k = o.kind,
                v = esc(&o.value),
                src = esc(&o.source),
            )
        })
        .collect();
    let observables = if observables.is_empty() {
        r#"<tr><td colspan="4" class="empty">No observables.</td></tr>"#.to_string()
    } else {
        observables
    };
    let timeline: String = d
        .timeline
        .iter()
        .rev()
        .map(|t| {
            let detail = if t.kind == "comment" {
                format!(r#"<div class="comment-body">{}</div>"#, esc(&t.detail))
            } else {
                esc(&t.detail)
            };
            format!(
                r#"<li class="tl-{k}"><div class="tl-head"><span class="tl-kind">{k}</span> <b>{who}</b> <span class="muted">{when}</span></div>{detail}</li>"#,
                k = esc(&t.kind),
                who = esc(super::html::who(&t.actor)),
                when = time(t.ts),
            )
        })
        .collect();
    let edit = if triage {
        let st_opts: String = STATUSES
            .iter()
            .map(|s| {
                format!(
                    r#"<option value="{s}"{}>{s}</option>"#,
                    if *s == c.status { " selected" } else { "" }
                )
            })
            .collect();
        let sev_opts: String = (1..=4)
            .map(|n| {
                format!(
                    r#"<option{}>{n}</option>"#,
                    if n == c.severity { " selected" } else { "" }
                )
            })
            .collect();
        format!(
            r#"<form method="post" action="/cases/{id}" class="case-edit">
<input type="hidden" name="csrf" value="{csrf}">
<label>Status <select name="status">{st_opts}</select></label>
<label>Severity <select name="severity">{sev_opts}</select></label>
<label>Assignee <select name="assignee"><option value="">nobody</option>{users}</select></label>
<button>Save</button></form>"#,
            id = c.id,
            users = user_options(users, c.assignee.as_deref()),
        )
    } else {
        String::new()
    };
    let add_obs = if triage {
        format!(
            r#"<form method="post" action="/cases/{id}/observables" class="row-form">
<input type="hidden" name="csrf" value="{csrf}"><select name="kind"><option>ip</option><option>domain</option><option>hash</option><option>url</option></select>
<input name="value" placeholder="value" required><button>Add observable</button></form>"#,
            id = c.id
        )
    } else {
        String::new()
    };
    let add_comment = if triage {
        format!(
            r#"<form method="post" action="/cases/{id}/comments" class="comment-form">
<input type="hidden" name="csrf" value="{csrf}"><textarea name="body" rows="3" placeholder="Add a comment to the timeline" required></textarea>
<button>Comment</button></form>"#,
            id = c.id
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<p><a href="/cases">&larr; Cases</a></p>
<div class="head"><h1>{sev} Case #{id}: {title}</h1>{st}</div>
<dl class="facts"><dt>Assignee</dt><dd>{who}</dd><dt>Opened</dt><dd>{created} by {author}</dd><dt>Updated</dt><dd>{updated}</dd></dl>
{edit}
<div class="cols"><div class="col-main">
<section><h2>Alert groups <small>{ng}</small></h2><table class="inbox"><thead><tr><th>Sev</th><th>Signature</th><th>Source</th><th>Destination</th><th class="num">Count</th><th>Last seen</th><th>Status</th></tr></thead><tbody>{groups}</tbody></table></section>
<section id="observables"><h2>Observables <small>{no}</small></h2><table class="inbox observables"><thead><tr><th>Kind</th><th>Value</th><th>Source</th><th></th></tr></thead><tbody>{observables}</tbody></table>{add_obs}</section>
</div><div class="col-side"><section id="timeline"><h2>Timeline</h2>{add_comment}<ol class="timeline">{timeline}</ol></section></div></div>"#,
        sev = severity(c.severity),
        id = c.id,
        title = esc(&c.title),
        st = status_badge(c.status),
        who = esc(c.assignee.as_deref().unwrap_or("nobody")),
        created = time(c.created),
        author = esc(super::html::who(&c.author)),
        updated = time(c.updated),
        ng = d.alert_groups.len(),
        no = d.observable_list.len(),
    );
    page(&format!("Case #{}", c.id), Some(&cu.user), cu.csrf(), &body)
}

/// `POST /cases/{id}`: status, severity, assignee (and title when given).
pub async fn update(
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
    let parsed = (|| -> Result<CaseUpdate, ApiError> {
        Ok(CaseUpdate {
            title: f.get("title").map(str::to_string),
            status: f
                .get("status")
                .map(str::parse)
                .transpose()
                .map_err(ApiError::bad_request)?,
            severity: f
                .get("severity")
                .map(|s| {
                    s.parse::<i64>()
                        .map_err(|_| ApiError::bad_request(format!("severity: '{s}'")))
                })
                .transpose()?,
            assignee: f
                .get("assignee")
                .map(|a| Some(a.to_string()).filter(|a| !a.trim().is_empty())),
        })
    })();
    let u = match parsed {
        Ok(u) => u,
        Err(e) => return to_page(e),
    };
    let actor = actor(&cu.user);
    redirect_or_page(
        run_blocking(&state, move |s| s.update_case(&actor, id, &u)).await,
        &format!("/cases/{id}"),
    )
}

/// `POST /cases/{id}/comments`.
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
        run_blocking(&state, move |s| s.comment_case(&actor, id, &body)).await,
        &format!("/cases/{id}#timeline"),
    )
}

/// `POST /cases/{id}/observables`.
pub async fn add_observable(
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
    let kind: ObservableKind = match f.str("kind").parse() {
        Ok(k) => k,
        Err(e) => return to_page(ApiError::bad_request(e)),
    };
    let actor = actor(&cu.user);
    let value = f.str("value").to_string();
    redirect_or_page(
        run_blocking(&state, move |s| s.add_observable(&actor, id, kind, &value)).await,
        &format!("/cases/{id}#observables"),
    )
}
