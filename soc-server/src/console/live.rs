//! The live inbox: `GET /inbox/live?q=&status=&suppressed=` is a server-sent events
//! stream (session or API token; read-only, so no CSRF) of `group` events, each the
//! rendered row of a new or changed alert group of the first inbox page, and `gone`
//! events for rows that no longer match (closed or suppressed by someone else).
//!
//! Every second the stream asks the store for its change marker (newest event id and
//! audit id: cheap). When it moved, the first page is read again and each row whose
//! content changed since the last push is sent. The first read sends every row: the
//! page skips rows it already shows with the same version (`data-v`), so nothing that
//! changed between the page load and the stream opening is missed.

use super::guard::{page_user, ConsoleUser};
use super::inbox::{row_html, row_version};
use crate::api::workflow::inbox_statuses;
use crate::api::{ApiError, AppState};
use crate::query::parse;
use crate::store::GroupQuery;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Set when the server shuts down: every stream ends within a tick, so that graceful
/// shutdown (which waits for open responses) is not held up by open inbox tabs.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Ends every live stream (called when the server starts shutting down).
pub fn stop_all() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// Rows watched (the inbox's first page).
const WATCHED: u32 = 100;
/// How often the change marker is read.
const TICK: Duration = Duration::from_secs(1);

/// Query string (the inbox's filter).
#[derive(Debug, Deserialize, Default)]
pub struct LiveParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    suppressed: String,
}

struct Watch {
    state: Arc<AppState>,
    user: ConsoleUser,
    query: GroupQuery,
    back: String,
    sent: HashMap<i64, String>,
    marker: Option<(i64, i64)>,
    pending: VecDeque<Event>,
}

impl Watch {
    /// Reads the first page again if the store changed; queues the changed rows.
    async fn poll(&mut self) -> Result<(), ApiError> {
        let marker = crate::api::run_blocking(&self.state, |s| s.change_marker()).await?;
        if self.marker == Some(marker) {
            return Ok(());
        }
        self.marker = Some(marker);
        let q = self.query.clone();
        let page = crate::api::run_blocking(&self.state, move |s| s.groups(&q)).await?;
        // Rows sent before and missing now: pushed down by newer groups (left alone), or
        // no longer matching (closed, suppressed, dropped: `gone`, the page removes them).
        let shown: std::collections::HashSet<i64> = page.items.iter().map(|g| g.id).collect();
        let missing: Vec<i64> = self
            .sent
            .keys()
            .copied()
            .filter(|id| !shown.contains(id))
            .take(200)
            .collect();
        if !missing.is_empty() {
            let statuses = self.query.statuses.clone();
            let show_suppressed = self.query.show_suppressed;
            let gone = crate::api::run_blocking(&self.state, move |s| {
                let mut gone = Vec::new();
                for id in missing {
                    let left = match s.group(id)? {
                        None => true,
                        Some(g) => {
                            (!statuses.is_empty() && !statuses.contains(&g.status))
                                || (g.suppressed && !show_suppressed)
                        }
                    };
                    if left {
                        gone.push(id);
                    }
                }
                Ok(gone)
            })
            .await?;
            for id in gone {
                self.sent.remove(&id);
                self.pending.push_back(
                    Event::default()
                        .event("gone")
                        .data(serde_json::json!({ "id": id }).to_string()),
                );
            }
        }
        // Oldest first, so that rows inserted at the top end up newest first.
        for g in page.items.iter().rev() {
            let v = row_version(g);
            if self.sent.get(&g.id) == Some(&v) {
                continue;
            }
            let data = serde_json::json!({
                "id": g.id,
                "v": v,
                "html": row_html(g, &self.user, &self.back),
            });
            self.pending
                .push_back(Event::default().event("group").data(data.to_string()));
            self.sent.insert(g.id, v);
        }
        Ok(())
    }
}

/// `GET /inbox/live`.
pub async fn stream(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<LiveParams>,
) -> Response {
    let user = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(_) => return ApiError::unauthorized().into_response(),
    };
    let statuses = match inbox_statuses(&p.status) {
        Ok(s) => s,
        Err(e) => return ApiError::bad_request(e).into_response(),
    };
    let filter = match parse(&p.q) {
        Ok(f) => f,
        Err(e) => return ApiError::bad_request(format!("query: {e}")).into_response(),
    };
    let show_suppressed = p.suppressed == "1";
    let mut back = format!(
        "/inbox?q={}&status={}",
        super::html::url(&p.q),
        super::html::url(&p.status)
    );
    if show_suppressed {
        back.push_str("&suppressed=1");
    }
    let watch = Watch {
        state,
        user,
        query: GroupQuery {
            filter,
            statuses,
            limit: WATCHED,
            offset: 0,
            show_suppressed,
        },
        back,
        sent: HashMap::new(),
        marker: None,
        pending: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(watch, |mut w| async move {
        loop {
            if STOPPING.load(Ordering::SeqCst) {
                return None;
            }
            if let Some(ev) = w.pending.pop_front() {
                return Some((Ok::<Event, Infallible>(ev), w));
            }
            if w.marker.is_some() {
                tokio::time::sleep(TICK).await;
            }
            if let Err(e) = w.poll().await {
                tracing::warn!(error = %e.message, "live inbox: reading groups failed");
                tokio::time::sleep(TICK).await;
            }
        }
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
