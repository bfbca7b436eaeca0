//! Retention: drops whole time partitions (one `DROP TABLE` each, no row-by-row delete)
//! that are older than `max_age_days` or, oldest first, while the data exceeds
//! `max_size_mb`. The current (newest) partition is never dropped.
//!
//! Alert groups keep their counters (count, first and last seen), status, close reason
//! and triage history when their alerts are dropped: the inbox remembers what was
//! triaged, and the group page lists the alerts still retained. Every drop is recorded in
//! `retention_log`, in the audit log (actor `retention`) and in the server log.

use super::{audit, partition};
use crate::store::StoreResult;
use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;
use serde_json::json;

/// What to keep. Zero means no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Drop partitions whose day ended more than this many days ago.
    pub max_age_days: u32,
    /// Drop the oldest partitions while the data (pages in use) exceeds this many MiB.
    pub max_size_mb: u64,
}

/// A dropped partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// Partition number.
    pub partition: i64,
    /// Its UTC day of ingest.
    pub day: String,
    /// Events it held.
    pub events: i64,
    /// Alerts it held.
    pub alerts: i64,
    /// `max_age_days` or `max_size_mb`.
    pub reason: String,
}

/// Bytes of the database in use (pages not on the free list). Dropped partitions free
/// their pages for reuse; the file itself does not shrink.
pub fn used_bytes(conn: &Connection) -> StoreResult<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(((pages - free).max(0) * size) as u64)
}

/// Applies `policy` at time `now` (µs); returns what was dropped, oldest first.
pub fn enforce(
    conn: &mut Connection,
    policy: RetentionPolicy,
    now: i64,
) -> StoreResult<Vec<Dropped>> {
    let mut dropped = Vec::new();
    if policy.max_age_days > 0 {
        // A partition of day D holds nothing younger than the end of D.
        let cutoff = partition::day_of(now - i64::from(policy.max_age_days) * 86_400_000_000);
        loop {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let parts = partition::list(&tx)?;
            let Some(oldest) = parts.last().filter(|_| parts.len() > 1) else {
                break;
            };
            if oldest.day.as_str() >= cutoff.as_str() {
                break;
            }
            dropped.push(drop_one(&tx, oldest, "max_age_days", now)?);
            tx.commit()?;
        }
    }
    if policy.max_size_mb > 0 {
        let max = policy.max_size_mb.saturating_mul(1 << 20);
        loop {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if used_bytes(&tx)? <= max {
                break;
            }
            let parts = partition::list(&tx)?;
            let Some(oldest) = parts.last().filter(|_| parts.len() > 1) else {
                tracing::warn!(
                    max_size_mb = policy.max_size_mb,
                    "store above max_size_mb but only the current partition is left"
                );
                break;
            };
            dropped.push(drop_one(&tx, oldest, "max_size_mb", now)?);
            tx.commit()?;
        }
    }
    Ok(dropped)
}

fn drop_one(
    conn: &Connection,
    p: &partition::Partition,
    reason: &str,
    now: i64,
) -> StoreResult<Dropped> {
    partition::drop(conn, p.id)?;
    conn.execute(
        "INSERT INTO retention_log (ts, partition_id, day, events, alerts, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now, p.id, p.day, p.events, p.alerts, reason],
    )?;
    let d = Dropped {
        partition: p.id,
        day: p.day.clone(),
        events: p.events,
        alerts: p.alerts,
        reason: reason.to_string(),
    };
    audit::record(
        conn,
        "retention",
        "partition.drop",
        &format!("partition:{}", p.id),
        &json!({"day": p.day, "events": p.events, "alerts": p.alerts}),
        &json!({"dropped": true, "reason": reason}),
    )?;
    tracing::info!(
        partition = p.id,
        day = %p.day,
        events = p.events,
        alerts = p.alerts,
        reason,
        "retention dropped a partition"
    );
    Ok(d)
}
