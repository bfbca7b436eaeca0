//! Admin page: users, sensors (secrets shown once), and the audit log.

use super::guard::{form_user, page_user, to_page, ConsoleUser};
use super::html::{esc, page, time};
use crate::api::{run_blocking, valid_name, ApiError, AppState};
use crate::auth::{generate_password, hash_password, hash_token, new_token, TokenKind};
use crate::store::Role;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// The 403 page for non-admins, `None` for admins.
fn refuse_non_admin(cu: &ConsoleUser) -> Option<Response> {
    (!cu.user.role.can_admin()).then(|| {
        to_page(ApiError::forbidden(format!(
            "role {} cannot manage users or sensors",
            cu.user.role
        )))
    })
}

/// `GET /admin`.
pub async fn page_handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Some(r) = refuse_non_admin(&cu) {
        return r;
    }
    render(&state, &cu, "").await
}

async fn render(state: &Arc<AppState>, cu: &ConsoleUser, notice: &str) -> Response {
    let data = run_blocking(state, |s| {
        Ok((s.list_users()?, s.list_sensors()?, s.audit(200)?))
    })
    .await;
    let (users, sensors, audit) = match data {
        Ok(d) => d,
        Err(e) => return to_page(e),
    };
    let csrf = esc(cu.csrf());
    let users_html: String = users
        .iter()
        .map(|u| format!("<tr><td>{}</td><td>{}</td></tr>", esc(&u.name), u.role))
        .collect();
    let sensors_html: String = sensors
        .iter()
        .map(|s| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.name),
                s.last_seen.map(time).unwrap_or_else(|| "never".into()),
                s.acked_seq
            )
        })
        .collect();
    let audit_html: String = audit
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                time(a.ts),
                esc(&a.actor),
                esc(&a.action),
                esc(&a.target),
                esc(&a.before),
                esc(&a.after)
            )
        })
        .collect();
    let roles: String = ["analyst", "viewer", "trainer", "admin"]
        .iter()
        .map(|r| format!("<option>{r}</option>"))
        .collect();
    let body = format!(
        r#"<h1>Administration</h1>{notice}
<section><h2>Users</h2><table class="inbox"><thead><tr><th>Name</th><th>Role</th></tr></thead><tbody>{users_html}</tbody></table>
<form method="post" action="/admin/users"><input type="hidden" name="csrf" value="{csrf}">
<input name="name" placeholder="name" required> <select name="role">{roles}</select> <button>Add user</button></form></section>
<section><h2>Sensors</h2><table class="inbox"><thead><tr><th>Name</th><th>Last seen</th><th>Acked seq</th></tr></thead><tbody>{sensors_html}</tbody></table>
<form method="post" action="/admin/sensors"><input type="hidden" name="csrf" value="{csrf}">
<input name="name" placeholder="name" required> <button>Register sensor</button></form></section>
<section><h2>Audit log</h2><table class="inbox audit"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Target</th><th>Before</th><th>After</th></tr></thead>
<tbody>{audit_html}</tbody></table></section>"#
    );
    page("Administration", Some(&cu.user), cu.csrf(), &body)
}

/// Add-user form.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    name: String,
    role: String,
}

/// `POST /admin/users`: shows the one-time password once.
pub async fn add_user(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<UserForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Some(r) = refuse_non_admin(&cu) {
        return r;
    }
    if let Err(e) = valid_name(&f.name) {
        return to_page(e);
    }
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(e) => return to_page(ApiError::bad_request(e)),
    };
    let password = generate_password();
    let hash = match hash_password(&password) {
        Ok(h) => h,
        Err(e) => return to_page(ApiError::internal(e)),
    };
    let actor = format!("user:{}", cu.user.name);
    let name = f.name.clone();
    if let Err(e) = run_blocking(&state, move |s| s.create_user(&actor, &name, role, &hash)).await {
        return to_page(e);
    }
    let notice = format!(
        r#"<p class="secret">User <b>{}</b> created. One-time password (shown once): <code>{}</code></p>"#,
        esc(&f.name),
        esc(&password)
    );
    render(&state, &cu, &notice).await
}

/// Register-sensor form.
#[derive(Debug, Deserialize)]
pub struct SensorForm {
    #[serde(default)]
    csrf: String,
    name: String,
}

/// `POST /admin/sensors`: shows the sensor token once.
pub async fn add_sensor(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<SensorForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Some(r) = refuse_non_admin(&cu) {
        return r;
    }
    if let Err(e) = valid_name(&f.name) {
        return to_page(e);
    }
    let token = new_token(TokenKind::Sensor);
    let hash = hash_token(&token);
    let actor = format!("user:{}", cu.user.name);
    let name = f.name.clone();
    if let Err(e) = run_blocking(&state, move |s| s.create_sensor(&actor, &name, &hash)).await {
        return to_page(e);
    }
    let notice = format!(
        r#"<p class="secret">Sensor <b>{}</b> registered. Ingest token (shown once): <code>{}</code></p>"#,
        esc(&f.name),
        esc(&token)
    );
    render(&state, &cu, &notice).await
}
