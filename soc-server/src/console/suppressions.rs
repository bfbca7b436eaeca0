//! Suppressions page: the list (active and expired), a create form (prefilled from an
//! alert group's "Suppress…" link) and delete buttons. Everyone signed in reads it;
//! analysts, trainers and admins change it.

use super::guard::{page_user, redirect_or_page, to_page};
use super::html::{esc, page, time};
use super::workflow::{triage_user, Fields};
use crate::api::workflow::actor;
use crate::api::{run_blocking, suppression_expiry, ApiError, AppState};
use crate::store::NewSuppression;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// Prefill of the create form.
#[derive(Debug, Deserialize, Default)]
pub struct Prefill {
    #[serde(default)]
    sid: String,
    #[serde(default)]
    src: String,
    #[serde(default)]
    dest: String,
    #[serde(default)]
    sensor: String,
}

const EXPIRIES: [(&str, &str); 5] = [
    ("1", "1 hour"),
    ("24", "24 hours"),
    ("168", "7 days"),
    ("720", "30 days"),
    ("", "never"),
];

/// `GET /suppressions`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<Prefill>,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let found = run_blocking(&state, |s| Ok((s.suppressions()?, s.list_sensors()?))).await;
    let (list, sensors) = match found {
        Ok(x) => x,
        Err(e) => return to_page(e),
    };
    let triage = cu.user.role.can_triage();
    let csrf = esc(cu.csrf());
    let dash = || "<span class=\"muted\">any</span>".to_string();
    let rows: String = list
        .iter()
        .map(|x| {
            let del = if triage {
                format!(
                    r#"<form method="post" action="/suppressions/{id}/delete" class="inline act-del"><input type="hidden" name="csrf" value="{csrf}"><button title="Delete this suppression">Delete</button></form>"#,
                    id = x.id
                )
            } else {
                String::new()
            };
            format!(
                r#"<tr data-id="{id}"><td>{id}</td><td>{sid}</td><td class="ip">{src}</td><td class="ip">{dst}</td><td>{sensor}</td><td>{reason}</td><td>{author}<div class="sub">{created}</div></td><td>{exp}</td><td>{state}</td><td class="num">{n}</td><td>{del}</td></tr>"#,
                id = x.id,
                sid = x.sid.map(|s| s.to_string()).unwrap_or_else(dash),
                src = x.src.as_deref().map(esc).unwrap_or_else(dash),
                dst = x.dest.as_deref().map(esc).unwrap_or_else(dash),
                sensor = x.sensor.as_deref().map(esc).unwrap_or_else(dash),
                reason = esc(&x.reason),
                author = esc(super::html::who(&x.author)),
                created = time(x.created),
                exp = x.expires.map(time).unwrap_or_else(|| "never".into()),
                state = if x.active {
                    r#"<span class="status st-active">active</span>"#
                } else {
                    r#"<span class="status">expired</span>"#
                },
                n = x.groups,
            )
        })
        .collect();
    let rows = if rows.is_empty() {
        r#"<tr><td colspan="11" class="empty">No suppressions.</td></tr>"#.to_string()
    } else {
        rows
    };
    let form = if triage {
        let sensor_opts: String = sensors
            .iter()
            .map(|s| {
                let sel = if s.name == p.sensor { " selected" } else { "" };
                format!(r#"<option value="{n}"{sel}>{n}</option>"#, n = esc(&s.name))
            })
            .collect();
        let exp_opts: String = EXPIRIES
            .iter()
            .map(|(v, l)| {
                let sel = if *v == "24" { " selected" } else { "" };
                format!(r#"<option value="{v}"{sel}>{l}</option>"#)
            })
            .collect();
        format!(
            r#"<section class="panel"><h2>New suppression</h2>
<p class="hint">Matching alert groups stay stored but leave the inbox (tick "show suppressed" there to see them). Every field you fill must match.</p>
<form method="post" action="/suppressions" class="supp-form"><input type="hidden" name="csrf" value="{csrf}">
<label>Signature id <input name="sid" value="{sid}" inputmode="numeric" placeholder="any"></label>
<label>Source IP / CIDR <input name="src" value="{src}" placeholder="any"></label>
<label>Destination IP / CIDR <input name="dest" value="{dst}" placeholder="any"></label>
<label>Sensor <select name="sensor"><option value="">any</option>{sensor_opts}</select></label>
<label>Expires in <select name="expires_in_hours">{exp_opts}</select></label>
<label class="wide">Reason <input name="reason" required placeholder="why these alerts are noise"></label>
<button>Create suppression</button></form></section>"#,
            sid = esc(&p.sid),
            src = esc(&p.src),
            dst = esc(&p.dest),
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<div class="head"><h1>Suppressions <small>{n}</small></h1></div>{form}
<table class="inbox supp"><thead><tr><th>#</th><th>Sid</th><th>Source</th><th>Destination</th><th>Sensor</th><th>Reason</th><th>Author</th><th>Expires</th><th>State</th><th class="num">Groups</th><th></th></tr></thead>
<tbody>{rows}</tbody></table>"#,
        n = list.len()
    );
    page("Suppressions", Some(&cu.user), cu.csrf(), &body)
}

/// `POST /suppressions`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let cu = match triage_user(&state, &headers, &f).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let parsed = (|| -> Result<NewSuppression, ApiError> {
        let opt = |k: &str| Some(f.str(k).trim().to_string()).filter(|s| !s.is_empty());
        let sid = opt("sid")
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    ApiError::bad_request(format!("signature id: '{s}' is not a number"))
                })
            })
            .transpose()?;
        let hours = opt("expires_in_hours")
            .map(|h| {
                h.parse::<u32>()
                    .map_err(|_| ApiError::bad_request(format!("expires in hours: '{h}'")))
            })
            .transpose()?;
        Ok(NewSuppression {
            sid,
            src: opt("src"),
            dest: opt("dest"),
            sensor: opt("sensor"),
            reason: f.str("reason").to_string(),
            expires: suppression_expiry(None, hours)?,
        })
    })();
    let new = match parsed {
        Ok(n) => n,
        Err(e) => return to_page(e),
    };
    let actor = actor(&cu.user);
    redirect_or_page(
        run_blocking(&state, move |s| s.create_suppression(&actor, &new)).await,
        "/suppressions",
    )
}

/// `POST /suppressions/{id}/delete`.
pub async fn delete(
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
    redirect_or_page(
        run_blocking(&state, move |s| s.delete_suppression(&actor, id)).await,
        "/suppressions",
    )
}
