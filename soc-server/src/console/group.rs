//! One alert group: its facts, triage actions and latest alerts.

use super::guard::ConsoleUser;
use super::guard::{page_user, to_page};
use super::html::{esc, page, severity, time};
use super::inbox::actions;
use super::inbox::user_options;
use crate::api::{run_blocking, AppState};
use crate::store::{AlertGroup, Case, CaseStatus, Comment, EventQuery, User};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

/// `GET /groups/{id}`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let q = EventQuery {
        filter: crate::query::Expr::All,
        event_type: None,
        group_id: Some(id),
        limit: 100,
        offset: 0,
    };
    let found = run_blocking(&state, move |s| {
        Ok((
            s.group(id)?,
            s.search_events(&q)?,
            s.group_comments(id)?,
            s.list_users()?,
            s.cases(Some(CaseStatus::Open), 100)?
                .into_iter()
                .chain(s.cases(Some(CaseStatus::InProgress), 100)?)
                .collect::<Vec<_>>(),
        ))
    })
    .await;
    let (group, alerts, comments, users, open_cases) = match found {
        Ok((Some(g), a, c, u, oc)) => (g, a, c, u, oc),
        Ok((None, ..)) => return super::html::error(StatusCode::NOT_FOUND, "no such alert group"),
        Err(e) => return to_page(e),
    };
    let mut rows = String::new();
    for ev in &alerts.items {
        let v: serde_json::Value = serde_json::from_str(&ev.json).unwrap_or_default();
        let s = |k: &str| {
            v.get(k)
                .map(|x| x.to_string().trim_matches('"').to_string())
                .unwrap_or_default()
        };
        rows.push_str(&format!(
            r#"<tr class="group" data-href="/events/{id}"><td><a href="/events/{id}">{ts}</a></td><td>{src}:{sp}</td><td>{dst}:{dp}</td><td>{proto}</td><td>{app}</td><td>{sensor}</td></tr>"#,
            id = ev.id,
            ts = esc(&s("timestamp")),
            src = esc(&s("src_ip")),
            sp = esc(&s("src_port")),
            dst = esc(&s("dest_ip")),
            dp = esc(&s("dest_port")),
            proto = esc(&s("proto")),
            app = esc(&s("app_proto")),
            sensor = esc(&ev.sensor),
        ));
    }
    let reason = group
        .close_reason
        .map(|r| format!(" ({})", r.as_str()))
        .unwrap_or_default();
    let body = format!(
        r#"<p><a href="/inbox">&larr; Inbox</a></p><h1>{sev} {sig}</h1>
<dl class="facts"><dt>Signature id</dt><dd>{sid}</dd><dt>Source</dt><dd>{src}</dd><dt>Destination</dt><dd>{dst}</dd>
<dt>Count</dt><dd>{count}</dd><dt>First seen</dt><dd>{first}</dd><dt>Last seen</dt><dd>{last}</dd>
<dt>Sensor</dt><dd>{sensor}</dd><dt>Status</dt><dd><span class="status st-{status}">{status}{reason}</span></dd>
<dt>Assignee</dt><dd class="assignee">{assignee}</dd><dt>Case</dt><dd class="case">{case}</dd></dl>
<div class="actions group-actions">{actions}</div>
{workflow}
<h2>Latest alerts <small>{n} of {total}</small></h2>
<table class="inbox"><thead><tr><th>Time</th><th>Source</th><th>Destination</th><th>Proto</th><th>App</th><th>Sensor</th></tr></thead>
<tbody>{rows}</tbody></table>
<section id="comments"><h2>Comments <small>{ncomments}</small></h2><ol class="timeline">{comments}</ol>{comment_form}</section>"#,
        sev = severity(group.severity),
        sig = esc(&group.signature),
        sid = group.sid,
        src = esc(&group.src_ip),
        dst = esc(&group.dest_ip),
        count = group.count,
        first = time(group.first_seen),
        last = time(group.last_seen),
        sensor = esc(&group.sensor),
        status = group.status.as_str(),
        actions = actions(&group, &cu, &format!("/groups/{id}")),
        n = alerts.items.len(),
        total = alerts.total,
        assignee = esc(group.assignee.as_deref().unwrap_or("nobody")),
        case = group
            .case_id
            .map(|c| format!(r#"<a href="/cases/{c}">case #{c}</a>"#))
            .unwrap_or_else(|| "none".into()),
        workflow = workflow_forms(&group, &cu, &users, &open_cases),
        ncomments = comments.len(),
        comments = comments_html(&comments),
        comment_form = comment_form(&group, &cu),
    );
    page(&group.signature, Some(&cu.user), cu.csrf(), &body)
}

/// Assign, escalate-into-case and suppress forms (triage roles only).
fn workflow_forms(g: &AlertGroup, cu: &ConsoleUser, users: &[User], cases: &[Case]) -> String {
    if !cu.user.role.can_triage() {
        return String::new();
    }
    let csrf = esc(cu.csrf());
    let me = esc(&cu.user.name);
    let case_opts: String = cases
        .iter()
        .filter(|c| Some(c.id) != g.case_id)
        .map(|c| {
            format!(
                r#"<option value="{id}">#{id} {t}</option>"#,
                id = c.id,
                t = esc(&c.title.chars().take(60).collect::<String>())
            )
        })
        .collect();
    let suppress = format!(
        "/suppressions?sid={}&src={}&dest={}",
        g.sid,
        super::html::url(&g.src_ip),
        super::html::url(&g.dest_ip)
    );
    format!(
        r#"<div class="workflow">
<form method="post" action="/groups/{id}/assignee" class="inline act-assign"><input type="hidden" name="csrf" value="{csrf}">
<select name="assignee" title="Assignee"><option value="">nobody</option>{users}</select><button>Assign</button></form>
<form method="post" action="/groups/{id}/assignee" class="inline act-assign-me"><input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="assignee" value="{me}"><button>Assign to me</button></form>
<form method="post" action="/cases" class="inline act-esc-case"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="groups" value="{id}">
<select name="case_id" title="Case"><option value="new">New case</option>{case_opts}</select><button>Escalate</button></form>
<a class="button" href="{suppress}">Suppress&hellip;</a></div>"#,
        id = g.id,
        users = user_options(users, g.assignee.as_deref()),
        suppress = esc(&suppress),
    )
}

fn comments_html(comments: &[Comment]) -> String {
    if comments.is_empty() {
        return r#"<li class="muted">No comments yet.</li>"#.to_string();
    }
    comments
        .iter()
        .map(|c| {
            format!(
                r#"<li class="tl-comment"><div class="tl-head"><b>{who}</b> <span class="muted">{when}</span></div><div class="comment-body">{body}</div></li>"#,
                who = esc(super::html::who(&c.author)),
                when = time(c.ts),
                body = esc(&c.body),
            )
        })
        .collect()
}

fn comment_form(g: &AlertGroup, cu: &ConsoleUser) -> String {
    if !cu.user.role.can_triage() {
        return String::new();
    }
    format!(
        r#"<form method="post" action="/groups/{id}/comments" class="comment-form"><input type="hidden" name="csrf" value="{csrf}">
<textarea name="body" rows="3" placeholder="Add a comment" required></textarea><button>Comment</button></form>"#,
        id = g.id,
        csrf = esc(cu.csrf()),
    )
}
