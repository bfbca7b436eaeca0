//! The Docker events of an exercise's containers: health changes, deaths, starts, OOM kills.
//! Standalone Docker never restarts an unhealthy container; the range reports these events
//! (the checker, not the health check, decides the score).

use std::collections::HashMap;

use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::StreamExt;
use serde::Serialize;

use super::plan::{LABEL, LABEL_SERVICE, LABEL_TEAM};
use super::{Engine, OrchestrateError};

/// One container event.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerEvent {
    /// Unix seconds.
    pub time: i64,
    /// Team.
    pub team: String,
    /// Service.
    pub service: String,
    /// Container name.
    pub container: String,
    /// `health_status`, `die`, `start`, `oom`, `stop`.
    pub action: String,
    /// For `health_status`: `healthy` / `unhealthy`; for `die`: the exit code.
    pub detail: String,
}

/// Streams the events of `exercise`'s containers into `on_event` until the engine closes
/// the stream (or `on_event` returns false).
pub fn watch(
    engine: &Engine,
    exercise: &str,
    mut on_event: impl FnMut(ContainerEvent) -> bool,
) -> Result<(), OrchestrateError> {
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        ("label".to_string(), vec![format!("{LABEL}={exercise}")]),
        (
            "event".to_string(),
            ["health_status", "die", "start", "oom", "stop"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
    ]);
    let mut stream = engine.docker().events(Some(
        EventsOptionsBuilder::default().filters(&filters).build(),
    ));
    engine.block_on(async {
        while let Some(ev) = stream.next().await {
            let ev = ev.map_err(OrchestrateError::api("reading Docker events"))?;
            let attrs = ev
                .actor
                .as_ref()
                .and_then(|a| a.attributes.clone())
                .unwrap_or_default();
            let action = ev.action.clone().unwrap_or_default();
            // "health_status: healthy" is how the engine spells health changes.
            let (action, detail) = match action.split_once(": ") {
                Some((a, d)) => (a.to_string(), d.to_string()),
                None => {
                    let detail = attrs.get("exitCode").cloned().unwrap_or_default();
                    (action, detail)
                }
            };
            let e = ContainerEvent {
                time: ev.time.unwrap_or(0),
                team: attrs.get(LABEL_TEAM).cloned().unwrap_or_default(),
                service: attrs.get(LABEL_SERVICE).cloned().unwrap_or_default(),
                container: attrs.get("name").cloned().unwrap_or_default(),
                action,
                detail,
            };
            if !on_event(e) {
                break;
            }
        }
        Ok(())
    })
}
