//! Sensors page: health from the latest heartbeat of each sensor (version, ruleset,
//! packets, drops, spool, last contact, event rate, a badge for silent ones) and, for
//! admins, enrollment tokens created from the console.

use super::guard::{form_user, page_user, to_page, ConsoleUser};
use super::html::{esc, page, time};
use crate::api::{run_blocking, valid_name, ApiError, AppState};
use crate::auth::{hash_token, new_token, TokenKind};
use crate::store::SensorHealth;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /sensors`.
pub async fn page_handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    render(&state, &cu, "").await
}

fn row(h: &SensorHealth, now: i64) -> String {
    let r = h.report.as_ref();
    let dash = || "–".to_string();
    let badge = if h.silent(now) {
        r#" <span class="badge sev1" title="no contact for more than 3 heartbeat intervals">silent</span>"#
    } else {
        r#" <span class="badge sev3">ok</span>"#
    };
    let ruleset = match r {
        Some(r) => {
            let err = r
                .ruleset_error
                .as_ref()
                .map(|e| {
                    format!(
                        r#"<br><span class="badge sev2">load error</span> <small>{}</small>"#,
                        esc(e)
                    )
                })
                .unwrap_or_default();
            format!("{}{err}", esc(&r.ruleset_version))
        }
        None => dash(),
    };
    format!(
        "<tr><td>{}{badge}</td><td>{}</td><td>{ruleset}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(&h.name),
        r.map_or_else(dash, |r| esc(&r.version)),
        r.map_or_else(dash, |r| esc(&r.interface)),
        r.map_or_else(dash, |r| r.packets.to_string()),
        r.map_or_else(dash, |r| format!("{} kernel / {} internal", r.kernel_drops, r.internal_drops)),
        r.map_or_else(dash, |r| format!("{} events / {} KiB", r.spool_events, r.spool_bytes / 1024)),
        h.last_contact().map_or_else(|| "never".to_string(), time),
        h.events_per_sec.map_or_else(dash, |e| format!("{e:.1}")),
    )
}

async fn render(state: &Arc<AppState>, cu: &ConsoleUser, notice: &str) -> Response {
    let health = match run_blocking(state, |s| s.sensor_health()).await {
        Ok(h) => h,
        Err(e) => return to_page(e),
    };
    let now = crate::evetime::now_micros();
    let rows: String = health.iter().map(|h| row(h, now)).collect();
    let enroll = if cu.user.role.can_admin() {
        format!(
            r#"<section><h2>Enroll a sensor</h2><p>Creates a single-use token, valid 24 hours. On the sensor host:
<code>sensor enroll --server URL --token TOKEN</code>.</p>
<form method="post" action="/sensors/enroll"><input type="hidden" name="csrf" value="{}">
<input name="name" placeholder="sensor name" required> <button>Create enrollment token</button></form></section>"#,
            esc(cu.csrf())
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<h1>Sensors</h1>{notice}
<table class="inbox sensors"><thead><tr><th>Name</th><th>Version</th><th>Ruleset</th><th>Interface</th><th>Packets</th><th>Drops</th><th>Spool</th><th>Last contact</th><th>Events/s</th></tr></thead>
<tbody>{rows}</tbody></table>{enroll}"#
    );
    page("Sensors", Some(&cu.user), cu.csrf(), &body)
}

/// Enrollment form.
#[derive(Debug, Deserialize)]
pub struct EnrollForm {
    #[serde(default)]
    csrf: String,
    name: String,
}

/// `POST /sensors/enroll` (admin): shows the enrollment token once.
pub async fn enroll(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<EnrollForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !cu.user.role.can_admin() {
        return to_page(ApiError::forbidden(format!(
            "role {} cannot enroll sensors",
            cu.user.role
        )));
    }
    if let Err(e) = valid_name(&f.name) {
        return to_page(e);
    }
    let token = new_token(TokenKind::Enroll);
    let hash = hash_token(&token);
    let actor = format!("user:{}", cu.user.name);
    let name = f.name.clone();
    let expires = crate::evetime::now_micros() + 24 * 3_600_000_000;
    let created = run_blocking(&state, move |s| {
        if s.sensor_by_name(&name)?.is_some() {
            return Err(crate::store::StoreError::Conflict(format!(
                "sensor '{name}'"
            )));
        }
        s.create_enrollment(&actor, &name, &hash, expires)
    })
    .await;
    if let Err(e) = created {
        return to_page(e);
    }
    let notice = format!(
        r#"<p class="secret">Enrollment token for sensor <b>{}</b> (single use, 24 h, shown once): <code>{}</code></p>"#,
        esc(&f.name),
        esc(&token)
    );
    render(&state, &cu, &notice).await
}
