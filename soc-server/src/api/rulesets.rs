//! Rulesets: admins upload versions (validated with the sensor's parser, see
//! [`crate::rulecheck`]) and publish one; sensors poll `GET /api/v1/sensor/ruleset` with
//! `If-None-Match` and get the published text (304 when they run it already).

use super::heartbeat::require_sensor;
use super::{require_csrf, require_user, run_blocking, ApiError, AppState};
use crate::rulecheck::{clean_name, prepare};
use crate::store::RulesetInfo;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Query of `POST /api/v1/rulesets`.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// File name to record (default `ruleset.rules`).
    #[serde(default)]
    pub name: String,
    /// Publish right away (`true`/`1`).
    #[serde(default)]
    pub publish: Option<String>,
}

async fn require_admin(
    state: &Arc<AppState>,
    headers: &HeaderMap,
) -> Result<(crate::store::User, crate::auth::Via), ApiError> {
    let (user, via) = require_user(state, headers).await?;
    if !user.role.can_admin() {
        return Err(ApiError::forbidden(format!(
            "role {} cannot manage rulesets",
            user.role
        )));
    }
    Ok((user, via))
}

/// The 422 answer of a refused ruleset: the message and every issue (file, line, sid,
/// keyword, reason).
pub fn refused(report: &crate::rulecheck::RulesetReport) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("ruleset refused:\n{}", report.refusal()),
    );
    e.details.insert(
        "errors".into(),
        serde_json::to_value(&report.errors).unwrap_or(Value::Null),
    );
    e
}

/// Validates and stores an upload as `actor`, publishing it when asked.
pub async fn upload_as(
    state: &Arc<AppState>,
    actor: String,
    name: &str,
    text: String,
    publish: bool,
) -> Result<(RulesetInfo, crate::rulecheck::RulesetReport), ApiError> {
    let name = clean_name(name);
    let (new, report) = match prepare(&name, &text) {
        Ok(v) => v,
        Err(report) => return Err(refused(&report)),
    };
    let info = run_blocking(state, move |s| {
        let info = s.create_ruleset(&actor, &new)?;
        if publish {
            s.publish_ruleset(&actor, info.version)
        } else {
            Ok(info)
        }
    })
    .await?;
    tracing::info!(version = info.version, name = %info.name, loaded = info.rules_loaded, skipped = info.rules_skipped, published = publish, "ruleset uploaded");
    Ok((info, report))
}

/// `POST /api/v1/rulesets?name=FILE[&publish=true]` with the rule file as the body.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (admin, via) = require_admin(&state, &headers).await?;
    require_csrf(&via, &headers, None)?;
    if body.len() > crate::rulecheck::MAX_RULESET_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "ruleset larger than 64 MiB",
        ));
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|e| ApiError::bad_request(format!("ruleset is not UTF-8: {e}")))?;
    let publish = matches!(q.publish.as_deref(), Some("1" | "true" | "yes"));
    let (info, report) = upload_as(
        &state,
        format!("user:{}", admin.name),
        &q.name,
        text,
        publish,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "ruleset": info, "report": report })),
    )
        .into_response())
}

/// `GET /api/v1/rulesets`: every version, newest first (any signed-in user).
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<RulesetInfo>>, ApiError> {
    require_user(&state, &headers).await?;
    Ok(Json(run_blocking(&state, |s| s.list_rulesets()).await?))
}

/// `POST /api/v1/rulesets/{version}/publish`.
pub async fn publish(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(version): Path<i64>,
) -> Result<Json<RulesetInfo>, ApiError> {
    let (admin, via) = require_admin(&state, &headers).await?;
    require_csrf(&via, &headers, None)?;
    let actor = format!("user:{}", admin.name);
    let info = run_blocking(&state, move |s| s.publish_ruleset(&actor, version)).await?;
    tracing::info!(version, by = %admin.name, "ruleset published");
    Ok(Json(info))
}

/// `GET /api/v1/sensor/ruleset` (sensor token): the published ruleset with `ETag: "N"`;
/// 304 when `If-None-Match` names it; 404 when none is published.
pub async fn for_sensor(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let sensor = require_sensor(&state, &headers).await?;
    let Some((info, text)) = run_blocking(&state, |s| s.active_ruleset()).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no ruleset is published",
        ));
    };
    let etag = format!("\"{}\"", info.version);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == etag)
        });
    let etag_value = HeaderValue::from_str(&etag).map_err(ApiError::internal)?;
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    tracing::info!(sensor = %sensor.name, version = info.version, "ruleset sent to sensor");
    Ok((
        StatusCode::OK,
        [
            (header::ETAG, etag_value),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
        ],
        text,
    )
        .into_response())
}
