//! One alert group: its facts, triage actions and latest alerts.

use super::guard::{page_user, to_page};
use super::html::{esc, page, severity, time};
use super::inbox::actions;
use crate::api::{run_blocking, AppState};
use crate::store::EventQuery;
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
    let found = run_blocking(&state, move |s| Ok((s.group(id)?, s.search_events(&q)?))).await;
    let (group, alerts) = match found {
        Ok((Some(g), a)) => (g, a),
        Ok((None, _)) => return super::html::error(StatusCode::NOT_FOUND, "no such alert group"),
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
<dt>Sensor</dt><dd>{sensor}</dd><dt>Status</dt><dd><span class="status st-{status}">{status}{reason}</span></dd></dl>
<div class="actions">{actions}</div>
<h2>Latest alerts <small>{n} of {total}</small></h2>
<table class="inbox"><thead><tr><th>Time</th><th>Source</th><th>Destination</th><th>Proto</th><th>App</th><th>Sensor</th></tr></thead>
<tbody>{rows}</tbody></table>"#,
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
    );
    page(&group.signature, Some(&cu.user), cu.csrf(), &body)
}
