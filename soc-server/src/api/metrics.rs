//! `/metrics` in the Prometheus text format (version 0.0.4).
//!
//! On the main listener it needs a user's API token (any role: `Authorization: Bearer`,
//! Prometheus' `authorization` setting) or a console session; with `metrics_listen` set
//! it is also served, without authentication, on that separate address, meant for a
//! loopback or management network only.

use super::{require_user, run_blocking, AppState};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds (seconds) of the request latency histogram.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters kept by the handlers.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Events newly stored by ingest.
    pub ingest_events: AtomicU64,
    /// Events skipped as duplicates.
    pub ingest_duplicates: AtomicU64,
    /// Batches stored.
    pub ingest_batches: AtomicU64,
    /// Request body bytes of stored batches (as received, before decompression).
    pub ingest_bytes: AtomicU64,
    /// Lines rejected (malformed).
    pub ingest_rejected_lines: AtomicU64,
    /// Batches answered 429.
    pub ingest_throttled: AtomicU64,
    /// Request latency by (method, route) and answers by status code.
    requests: Mutex<BTreeMap<(String, String), Histogram>>,
    responses: Mutex<BTreeMap<u16, u64>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut map = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let h = map
            .entry((method.to_string(), route.to_string()))
            .or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
        drop(map);
        *self
            .responses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status)
            .or_default() += 1;
    }
}

/// Middleware: times every request under its route pattern (`/groups/{id}`, never the
/// raw path, so that label values stay few).
pub async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

/// `GET /metrics` on the main listener (API token or session).
pub async fn metrics(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(e) = require_user(&state, &headers).await {
        return e.into_response();
    }
    exposition(state).await
}

/// The router of the separate, unauthenticated metrics listener.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(s): State<Arc<AppState>>| exposition(s)),
        )
        .with_state(state)
}

async fn exposition(state: Arc<AppState>) -> Response {
    match run_blocking(&state, |s| s.stats()).await {
        Ok(stats) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            render(&state.metrics, &stats, crate::evetime::now_micros()),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The exposition text.
pub fn render(m: &Metrics, s: &crate::store::StoreStats, now: i64) -> String {
    let mut o = String::new();
    let mut one = |name: &str, kind: &str, help: &str, v: f64| {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
    };
    let get = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64;
    one(
        "soc_ingest_events_total",
        "counter",
        "Events stored by ingest.",
        get(&m.ingest_events),
    );
    one(
        "soc_ingest_duplicate_events_total",
        "counter",
        "Events skipped as already stored.",
        get(&m.ingest_duplicates),
    );
    one(
        "soc_ingest_batches_total",
        "counter",
        "Ingest batches stored.",
        get(&m.ingest_batches),
    );
    one(
        "soc_ingest_bytes_total",
        "counter",
        "Bytes of ingest bodies stored (as received).",
        get(&m.ingest_bytes),
    );
    one(
        "soc_ingest_rejected_lines_total",
        "counter",
        "Malformed ingest lines rejected.",
        get(&m.ingest_rejected_lines),
    );
    one(
        "soc_ingest_throttled_total",
        "counter",
        "Ingest batches answered 429 (over capacity).",
        get(&m.ingest_throttled),
    );
    one(
        "soc_store_file_bytes",
        "gauge",
        "Size of the database and WAL files.",
        s.file_bytes as f64,
    );
    one(
        "soc_store_used_bytes",
        "gauge",
        "Bytes of the database in use (retention max_size_mb applies to this).",
        s.used_bytes as f64,
    );
    one(
        "soc_store_events",
        "gauge",
        "Events stored.",
        s.events as f64,
    );
    one(
        "soc_store_alerts",
        "gauge",
        "Alerts stored.",
        s.alerts as f64,
    );
    one(
        "soc_alert_groups",
        "gauge",
        "Alert groups.",
        s.groups as f64,
    );
    one(
        "soc_store_partitions",
        "gauge",
        "Time partitions of the events.",
        s.partitions as f64,
    );
    let _ = writeln!(o, "# HELP soc_sensor_last_seen_seconds Time of the sensor's last ingest (Unix seconds).\n# TYPE soc_sensor_last_seen_seconds gauge");
    for x in &s.sensors {
        if let Some(t) = x.last_seen {
            let _ = writeln!(
                o,
                "soc_sensor_last_seen_seconds{{sensor=\"{}\"}} {}",
                label(&x.name),
                t as f64 / 1e6
            );
        }
    }
    let _ = writeln!(o, "# HELP soc_sensor_silent_seconds Seconds since the sensor's last ingest.\n# TYPE soc_sensor_silent_seconds gauge");
    for x in &s.sensors {
        if let Some(t) = x.last_seen {
            let _ = writeln!(
                o,
                "soc_sensor_silent_seconds{{sensor=\"{}\"}} {}",
                label(&x.name),
                ((now - t).max(0)) as f64 / 1e6
            );
        }
    }
    let _ = writeln!(o, "# HELP soc_sensor_acked_seq The sensor's acknowledged sequence number.\n# TYPE soc_sensor_acked_seq gauge");
    for x in &s.sensors {
        let _ = writeln!(
            o,
            "soc_sensor_acked_seq{{sensor=\"{}\"}} {}",
            label(&x.name),
            x.acked_seq
        );
    }
    let _ = writeln!(o, "# HELP soc_sensor_lost_events_total Events the sensor declared lost (spool overflow).\n# TYPE soc_sensor_lost_events_total counter");
    for x in &s.sensors {
        let _ = writeln!(
            o,
            "soc_sensor_lost_events_total{{sensor=\"{}\"}} {}",
            label(&x.name),
            x.lost_events
        );
    }
    let _ = writeln!(o, "# HELP soc_http_request_duration_seconds HTTP request latency by route.\n# TYPE soc_http_request_duration_seconds histogram");
    let reqs = m.requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for ((method, route), h) in &reqs {
        let l = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                o,
                "soc_http_request_duration_seconds_bucket{{{l},le=\"{b}\"}} {}",
                h.counts[i]
            );
        }
        let _ = writeln!(
            o,
            "soc_http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(o, "soc_http_request_duration_seconds_sum{{{l}}} {}", h.sum);
        let _ = writeln!(
            o,
            "soc_http_request_duration_seconds_count{{{l}}} {}",
            h.count
        );
    }
    let _ = writeln!(o, "# HELP soc_http_responses_total HTTP answers by status code.\n# TYPE soc_http_responses_total counter");
    let resps = m
        .responses
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for (code, n) in resps {
        let _ = writeln!(o, "soc_http_responses_total{{code=\"{code}\"}} {n}");
    }
    o
}
