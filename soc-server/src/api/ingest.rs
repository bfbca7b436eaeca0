//! `POST /api/v1/ingest`: a sensor's batch of EVE lines.

use super::{run_blocking, ApiError, AppState};
use crate::auth::{authenticate, Principal};
use crate::ingest::{decode_body, parse_batch, BodyError, Rejected};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// The answer to a batch.
#[derive(Debug, Serialize)]
pub struct IngestResponse {
    /// Every line up to this sequence number is durable.
    pub acked_seq: i64,
    /// Newly stored events.
    pub stored: u64,
    /// Events skipped because they were stored before.
    pub duplicates: u64,
    /// Lines refused, with their line number in the body.
    pub rejected: Vec<Rejected>,
}

/// Stores a batch: sensor token, optional gzip, `X-Sensor-Seq` of the first line.
///
/// The body is read only after the token is checked and an ingest slot is free, so
/// unauthenticated or throttled callers cost no more than their headers.
pub async fn ingest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestResponse>, ApiError> {
    let h = headers.clone();
    let sensor = match run_blocking(&state, move |s| authenticate(s, &h)).await? {
        Some(Principal::Sensor(s)) => s,
        Some(Principal::User { .. }) => {
            return Err(ApiError::forbidden("ingest needs a sensor token"))
        }
        None => return Err(ApiError::unauthorized()),
    };
    let permit = state
        .ingest_slots
        .clone()
        .try_acquire_owned()
        .ok()
        .filter(|_| state.ingest_rate.try_take());
    let Some(permit) = permit else {
        state.metrics.ingest_throttled.fetch_add(1, Relaxed);
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "ingest over capacity, retry later",
        );
        e.retry_after = Some(state.config.retry_after_secs);
        return Err(e);
    };
    let max_body = state.config.max_body_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds {max_body} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max_body) {
        return Err(too_large());
    }
    let body = axum::body::to_bytes(body, max_body)
        .await
        .map_err(|_| too_large())?;
    let first_seq = match headers.get("x-sensor-seq") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::bad_request("X-Sensor-Seq: expected a non-negative integer")
            })?,
        None => sensor.acked_seq + 1,
    };
    // The sensor says the numbers before `first_seq` were dropped on its side.
    let declared_lost = headers
        .get("x-sensor-lost")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .is_some_and(|n| n > 0);
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let max = state.config.max_decompressed_bytes;
    let wire_bytes = body.len() as u64;
    let sensor_id = sensor.id;
    let result = run_blocking(&state, move |store| {
        let _permit = permit;
        let decoded = match decode_body(encoding.as_deref(), &body, max) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        let mut parsed = parse_batch(&decoded, first_seq);
        parsed.batch.declared_lost = declared_lost;
        let outcome = store.ingest_owned(sensor_id, parsed.batch)?;
        Ok(Ok((outcome, parsed.rejected)))
    })
    .await?;
    match result {
        Ok((o, rejected)) => {
            let m = &state.metrics;
            m.ingest_events.fetch_add(o.stored, Relaxed);
            m.ingest_duplicates.fetch_add(o.duplicates, Relaxed);
            m.ingest_batches.fetch_add(1, Relaxed);
            m.ingest_bytes.fetch_add(wire_bytes, Relaxed);
            m.ingest_rejected_lines
                .fetch_add(rejected.len() as u64, Relaxed);
            tracing::debug!(sensor = %sensor.name, stored = o.stored, duplicates = o.duplicates, rejected = rejected.len(), "batch");
            Ok(Json(IngestResponse {
                acked_seq: o.acked_seq,
                stored: o.stored,
                duplicates: o.duplicates,
                rejected,
            }))
        }
        Err(e @ BodyError::TooLarge(_)) => {
            Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()))
        }
        Err(e @ BodyError::UnsupportedEncoding(_)) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            e.to_string(),
        )),
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}
