//! Ruleset versions (one published at a time) and the latest heartbeat per sensor.

use super::audit;
use crate::store::{
    HeartbeatReport, NewRuleset, RulesetInfo, SensorHealth, StoreError, StoreResult,
};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;

const INFO_COLS: &str = "r.version, r.name, r.uploaded_by, r.uploaded, r.sha256, r.rules_loaded,
    r.rules_skipped, r.report, r.published,
    r.version = (SELECT version FROM ruleset_active WHERE id = 1)";

fn info_row(r: &Row<'_>) -> rusqlite::Result<RulesetInfo> {
    Ok(RulesetInfo {
        version: r.get(0)?,
        name: r.get(1)?,
        uploaded_by: r.get(2)?,
        uploaded: r.get(3)?,
        sha256: r.get(4)?,
        rules_loaded: r.get(5)?,
        rules_skipped: r.get(6)?,
        report: r.get(7)?,
        published: r.get(8)?,
        active: r.get::<_, Option<bool>>(9)?.unwrap_or(false),
    })
}

fn info(conn: &Connection, version: i64) -> StoreResult<Option<RulesetInfo>> {
    Ok(conn
        .query_row(
            &format!("SELECT {INFO_COLS} FROM rulesets r WHERE r.version = ?1"),
            params![version],
            info_row,
        )
        .optional()?)
}

/// Stores the next version and audits it.
pub fn create(conn: &mut Connection, actor: &str, new: &NewRuleset) -> StoreResult<RulesetInfo> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO rulesets (name, text, sha256, rules_loaded, rules_skipped, report, uploaded_by, uploaded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            new.name,
            new.text,
            new.sha256,
            new.rules_loaded,
            new.rules_skipped,
            new.report,
            actor,
            crate::evetime::now_micros()
        ],
    )?;
    let version = tx.last_insert_rowid();
    let created = info(&tx, version)?.ok_or_else(|| StoreError::NotFound("ruleset".into()))?;
    audit::record(
        &tx,
        actor,
        "ruleset.upload",
        &format!("ruleset:{version}"),
        &json!(null),
        &json!({"name": created.name, "sha256": created.sha256, "rules_loaded": created.rules_loaded, "rules_skipped": created.rules_skipped}),
    )?;
    tx.commit()?;
    Ok(created)
}

/// Every version, newest first.
pub fn list(conn: &Connection) -> StoreResult<Vec<RulesetInfo>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {INFO_COLS} FROM rulesets r ORDER BY r.version DESC"
    ))?;
    let rows = st.query_map([], info_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Makes `version` the active one and audits the change (before: the previous version).
pub fn publish(conn: &mut Connection, actor: &str, version: i64) -> StoreResult<RulesetInfo> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if info(&tx, version)?.is_none() {
        return Err(StoreError::NotFound(format!("ruleset version {version}")));
    }
    let before: Option<i64> = tx
        .query_row("SELECT version FROM ruleset_active WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let now = crate::evetime::now_micros();
    tx.execute(
        "INSERT INTO ruleset_active (id, version, published) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, published = excluded.published",
        params![version, now],
    )?;
    tx.execute(
        "UPDATE rulesets SET published = ?1 WHERE version = ?2",
        params![now, version],
    )?;
    audit::record(
        &tx,
        actor,
        "ruleset.publish",
        "ruleset:active",
        &json!({ "version": before }),
        &json!({ "version": version }),
    )?;
    let out = info(&tx, version)?.ok_or_else(|| StoreError::NotFound("ruleset".into()))?;
    tx.commit()?;
    Ok(out)
}

/// The active version with its text.
pub fn active(conn: &Connection) -> StoreResult<Option<(RulesetInfo, String)>> {
    let v: Option<i64> = conn
        .query_row("SELECT version FROM ruleset_active WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(v) = v else { return Ok(None) };
    let Some(i) = info(conn, v)? else {
        return Ok(None);
    };
    let text: String = conn.query_row(
        "SELECT text FROM rulesets WHERE version = ?1",
        params![v],
        |r| r.get(0),
    )?;
    Ok(Some((i, text)))
}

/// Keeps the latest heartbeat and the one before it (for the event rate).
pub fn record_heartbeat(
    conn: &mut Connection,
    sensor_id: i64,
    report: &HeartbeatReport,
    now: i64,
) -> StoreResult<()> {
    let json = serde_json::to_string(report).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let events = i64::try_from(report.events).unwrap_or(i64::MAX);
    conn.execute(
        "INSERT INTO sensor_health (sensor_id, received, report, events, prev_received, prev_events)
         VALUES (?1, ?2, ?3, ?4, NULL, NULL)
         ON CONFLICT(sensor_id) DO UPDATE SET
            prev_received = sensor_health.received, prev_events = sensor_health.events,
            received = excluded.received, report = excluded.report, events = excluded.events",
        params![sensor_id, now, json, events],
    )?;
    Ok(())
}

/// Every sensor with its latest heartbeat, by name.
pub fn sensor_health(conn: &Connection) -> StoreResult<Vec<SensorHealth>> {
    let mut st = conn.prepare_cached(
        "SELECT s.name, s.last_seen, COALESCE(q.acked_seq, -1), h.received, h.report, h.events,
                h.prev_received, h.prev_events
         FROM sensors s
         LEFT JOIN sensor_seq q ON q.sensor_id = s.id
         LEFT JOIN sensor_health h ON h.sensor_id = s.id
         ORDER BY s.name",
    )?;
    let rows = st.query_map([], |r| {
        let report: Option<String> = r.get(4)?;
        let received: Option<i64> = r.get(3)?;
        let events: Option<i64> = r.get(5)?;
        let prev_received: Option<i64> = r.get(6)?;
        let prev_events: Option<i64> = r.get(7)?;
        let events_per_sec = match (received, events, prev_received, prev_events) {
            (Some(t), Some(e), Some(pt), Some(pe)) if t > pt && e >= pe => {
                Some((e - pe) as f64 / ((t - pt) as f64 / 1e6))
            }
            _ => None,
        };
        Ok(SensorHealth {
            name: r.get(0)?,
            last_seen: r.get(1)?,
            acked_seq: r.get(2)?,
            last_heartbeat: received,
            report: report.and_then(|j| serde_json::from_str(&j).ok()),
            events_per_sec,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
