//! Rulesets page: versions with who uploaded them, rule counts and the validation report;
//! admins upload (validated with the sensor's parser) and publish.

use super::guard::{form_user, page_user, to_page, ConsoleUser};
use super::html::{esc, page, time};
use crate::api::{run_blocking, ApiError, AppState};
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// `GET /rulesets`.
pub async fn page_handler(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    render(&state, &cu, "").await
}

fn report_html(report_json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(report_json).unwrap_or_default();
    let items: String = v["skipped"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    format!(
                        "<li>{}:{}: sid {}: keyword <code>{}</code>: {}</li>",
                        esc(i["file"].as_str().unwrap_or("")),
                        i["line"],
                        i["sid"],
                        esc(i["keyword"].as_str().unwrap_or("")),
                        esc(i["reason"].as_str().unwrap_or(""))
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if items.is_empty() {
        "none skipped".into()
    } else {
        format!("<details><summary>skip report</summary><ul>{items}</ul></details>")
    }
}

async fn render(state: &Arc<AppState>, cu: &ConsoleUser, notice: &str) -> Response {
    let list = match run_blocking(state, |s| s.list_rulesets()).await {
        Ok(l) => l,
        Err(e) => return to_page(e),
    };
    let admin = cu.user.role.can_admin();
    let csrf = esc(cu.csrf());
    let rows: String = list
        .iter()
        .map(|r| {
            let state_cell = if r.active {
                r#"<span class="badge sev3">active</span>"#.to_string()
            } else if admin {
                format!(
                    r#"<form method="post" action="/rulesets/{}/publish" class="inline"><input type="hidden" name="csrf" value="{csrf}"><button>Publish</button></form>"#,
                    r.version
                )
            } else {
                String::new()
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.version,
                esc(&r.name),
                esc(&r.uploaded_by),
                time(r.uploaded),
                r.rules_loaded,
                r.rules_skipped,
                report_html(&r.report),
                state_cell
            )
        })
        .collect();
    let upload = if admin {
        format!(
            r#"<section><h2>Upload a ruleset</h2><p>Suricata 7 format. Refused when a rule has a syntax error or an invalid value;
rules with keywords the sensor does not support are accepted and listed in the skip report.</p>
<form method="post" action="/rulesets"><input type="hidden" name="csrf" value="{csrf}">
<input name="name" placeholder="file name" value="sensor.rules"> <label><input type="checkbox" name="publish" value="1"> publish now</label><br>
<textarea name="text" rows="12" cols="100" required placeholder="alert http any any -> any any (...)"></textarea><br><button>Upload</button></form></section>"#
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<h1>Rulesets</h1>{notice}
<table class="inbox"><thead><tr><th>Version</th><th>File</th><th>Uploaded by</th><th>When</th><th>Rules</th><th>Skipped</th><th>Report</th><th></th></tr></thead>
<tbody>{rows}</tbody></table>{upload}"#
    );
    page("Rulesets", Some(&cu.user), cu.csrf(), &body)
}

/// Upload form.
#[derive(Debug, Deserialize)]
pub struct UploadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    text: String,
    #[serde(default)]
    publish: Option<String>,
}

/// `POST /rulesets` (admin).
pub async fn upload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(f): Form<UploadForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !cu.user.role.can_admin() {
        return to_page(ApiError::forbidden(format!(
            "role {} cannot manage rulesets",
            cu.user.role
        )));
    }
    let publish = f.publish.is_some();
    let actor = format!("user:{}", cu.user.name);
    match crate::api::rulesets::upload_as(&state, actor, &f.name, f.text, publish).await {
        Ok((info, _)) => {
            let notice = format!(
                r#"<p class="notice">Version {} stored ({} rules, {} skipped){}.</p>"#,
                info.version,
                info.rules_loaded,
                info.rules_skipped,
                if publish { " and published" } else { "" }
            );
            render(&state, &cu, &notice).await
        }
        Err(e) => {
            let notice = format!(
                r#"<div class="secret"><p><b>Upload refused</b> ({}):</p><pre>{}</pre></div>"#,
                e.status.as_u16(),
                esc(&e.message)
            );
            let mut r = render(&state, &cu, &notice).await;
            *r.status_mut() = e.status;
            r
        }
    }
}

/// Publish form.
#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /rulesets/{version}/publish` (admin).
pub async fn publish(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(version): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Response {
    let cu = match form_user(&state, &headers, &f.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !cu.user.role.can_admin() {
        return to_page(ApiError::forbidden(format!(
            "role {} cannot manage rulesets",
            cu.user.role
        )));
    }
    let actor = format!("user:{}", cu.user.name);
    match run_blocking(&state, move |s| s.publish_ruleset(&actor, version)).await {
        Ok(info) => {
            let notice = format!(
                r#"<p class="notice">Version {} published; sensors pick it up at their next poll.</p>"#,
                info.version
            );
            render(&state, &cu, &notice).await
        }
        Err(e) => to_page(e),
    }
}
