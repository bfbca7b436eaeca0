//! Exercise events as EVE-style JSON: `event_type: "range"`, a Suricata timestamp, and a
//! `range` object `{exercise, kind, team, service, status, tick, ...}` with
//! `kind` one of `tick_started`, `service_status`, `flag_captured`, `control` (with
//! `status` = the action and `actor` = `trainer` or `cli`).

use serde_json::{json, Map, Value};

use crate::game::journal::Record;
use crate::game::GameConfig;

/// An exercise event before it is stamped.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeEvent {
    /// `tick_started`, `service_status`, `flag_captured` or `control`.
    pub kind: &'static str,
    /// The team concerned (for captures: the attacker).
    pub team: Option<String>,
    /// The service concerned.
    pub service: Option<String>,
    /// SLA status or control action.
    pub status: Option<String>,
    /// The game tick.
    pub tick: Option<u32>,
    /// Further fields of the `range` object.
    pub extra: Map<String, Value>,
}

impl RangeEvent {
    /// An event of `kind` with nothing else set.
    pub fn new(kind: &'static str) -> Self {
        RangeEvent {
            kind,
            team: None,
            service: None,
            status: None,
            tick: None,
            extra: Map::new(),
        }
    }

    /// The EVE record of this event of `exercise` at `now_ms`.
    pub fn to_eve(&self, exercise: &str, now_ms: i64) -> Value {
        let mut r = Map::new();
        r.insert("exercise".into(), json!(exercise));
        r.insert("kind".into(), json!(self.kind));
        if let Some(t) = &self.team {
            r.insert("team".into(), json!(t));
        }
        if let Some(s) = &self.service {
            r.insert("service".into(), json!(s));
        }
        if let Some(s) = &self.status {
            r.insert("status".into(), json!(s));
        }
        if let Some(t) = self.tick {
            r.insert("tick".into(), json!(t));
        }
        for (k, v) in &self.extra {
            r.insert(k.clone(), v.clone());
        }
        json!({
            "timestamp": eve::format_timestamp(now_ms.saturating_mul(1000)),
            "event_type": "range",
            "range": Value::Object(r),
        })
    }
}

fn name(list: &[String], i: u16) -> Option<String> {
    list.get(usize::from(i)).cloned()
}

/// The event of a journal record (`None` for records that are not exercise events).
pub fn from_record(cfg: &GameConfig, r: &Record) -> Option<RangeEvent> {
    match r {
        Record::Status {
            tick,
            team,
            service,
            status,
        } => {
            let mut e = RangeEvent::new("service_status");
            e.team = name(&cfg.teams, *team);
            e.service = name(&cfg.services, *service);
            e.status = serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            e.tick = Some(*tick);
            Some(e)
        }
        Record::Capture {
            attacker,
            flag,
            tick,
        } => {
            let mut e = RangeEvent::new("flag_captured");
            e.team = name(&cfg.teams, *attacker);
            e.service = name(&cfg.services, flag.service);
            e.tick = Some(*tick);
            e.extra
                .insert("victim".into(), json!(name(&cfg.teams, flag.team)));
            e.extra.insert("flag_tick".into(), json!(flag.tick));
            e.extra.insert("flag_store".into(), json!(flag.store));
            Some(e)
        }
        // Pause and resume reach the SOC as control events from the control API, which
        // knows who did it (every pause goes through it).
        Record::Pause { .. } | Record::Resume | Record::Game(_) | Record::Put { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eve_shape_and_timestamp() {
        let mut e = RangeEvent::new("tick_started");
        e.tick = Some(3);
        let v = e.to_eve("ad-basic", 1_700_000_000_123);
        assert_eq!(v["event_type"], "range");
        assert_eq!(v["timestamp"], "2023-11-14T22:13:20.123000+0000");
        assert_eq!(
            v["range"],
            json!({"exercise": "ad-basic", "kind": "tick_started", "tick": 3})
        );
    }
}
