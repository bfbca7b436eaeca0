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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Expr;
    use crate::store::sqlite::SqliteStore;
    use crate::store::{EventQuery, GroupQuery, Store};

    const DAY: i64 = 86_400_000_000;

    /// `n` alerts of one group (sid 7, 10.0.0.1 -> 10.0.0.2) in flow `flow`, then a flow
    /// record of that flow.
    fn body(n: usize, flow: u64) -> Vec<u8> {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!(
                r#"{{"timestamp":"2026-01-01T00:00:{:02}.000000+0000","event_type":"alert","flow_id":{flow},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","alert":{{"action":"allowed","gid":1,"signature_id":7,"rev":1,"signature":"CITY test","category":"x","severity":2}},"payload":"{}"}}"#,
                i % 60,
                "A".repeat(2000)
            ));
            s.push('\n');
        }
        s.push_str(&format!(
            r#"{{"timestamp":"2026-01-01T00:01:00.000000+0000","event_type":"flow","flow_id":{flow},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}}"#
        ));
        s.push('\n');
        s.into_bytes()
    }

    fn alerts(store: &SqliteStore) -> Vec<crate::store::StoredEvent> {
        store
            .search_events(&EventQuery {
                filter: Expr::All,
                event_type: Some("alert".into()),
                group_id: None,
                limit: 1000,
                offset: 0,
            })
            .unwrap()
            .items
    }

    /// A store with one sensor and a batch of 10 alerts + 1 flow on each of `days`
    /// (days before `now`), in that order; returns the store and the sensor id.
    fn store_with(days: &[i64], now: i64) -> (tempfile::TempDir, SqliteStore, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let sensor = store.create_sensor("test", "edge", "hash").unwrap();
        let mut seq = 0;
        for (i, d) in days.iter().enumerate() {
            let b = crate::ingest::parse_batch(&body(10, 100 + i as u64), seq).batch;
            seq += 11;
            store.ingest_at(sensor.id, &b, now - d * DAY).unwrap();
        }
        (dir, store, sensor.id)
    }

    #[test]
    fn old_partitions_are_dropped_whole_and_groups_keep_their_counters() {
        let now = crate::evetime::parse_timestamp("2026-03-10T12:00:00Z").unwrap();
        let (_dir, store, _) = store_with(&[5, 4, 1, 0], now);
        let parts = store.partitions().unwrap();
        let days: Vec<&str> = parts.iter().map(|p| p.day.as_str()).collect();
        assert_eq!(
            days,
            ["2026-03-10", "2026-03-09", "2026-03-06", "2026-03-05"]
        );
        assert_eq!(alerts(&store).len(), 40);
        // Ids are unique across partitions and each one resolves to its event.
        let ids: std::collections::BTreeSet<i64> = alerts(&store).iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 40);
        for id in &ids {
            assert_eq!(store.event(*id).unwrap().unwrap().id, *id);
        }

        let policy = RetentionPolicy {
            max_age_days: 3,
            max_size_mb: 0,
        };
        let dropped = store.enforce_retention(policy, now).unwrap();
        let dropped_days: Vec<&str> = dropped.iter().map(|d| d.day.as_str()).collect();
        assert_eq!(dropped_days, ["2026-03-05", "2026-03-06"]);
        assert!(dropped.iter().all(|d| d.events == 11 && d.alerts == 10));
        assert_eq!(store.partitions().unwrap().len(), 2);
        assert_eq!(alerts(&store).len(), 20);
        // The tables are gone, not emptied.
        let conn = store.connect().unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'events_[0-9]*' OR name GLOB 'events_fts_[0-9]*'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // Two partitions left: each an events table, its indexes, its FTS table and the
        // FTS shadow tables; nothing of the dropped ones.
        let left: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'events_[12]*' OR name GLOB 'events_fts_[12]*'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "partitions 1 and 2 are gone");
        assert!(tables > 2, "{tables}");
        // The view follows.
        let in_view: i64 = conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(in_view, 22);
        // The group keeps its counters.
        let g = store
            .groups(&GroupQuery {
                filter: Expr::All,
                statuses: vec![],
                limit: 10,
                offset: 0,
                show_suppressed: false,
            })
            .unwrap();
        assert_eq!((g.total, g.items[0].count), (1, 40));
        // Audited, and logged in retention_log.
        let audit = store.audit(10).unwrap();
        let drops: Vec<&str> = audit
            .iter()
            .filter(|a| a.action == "partition.drop" && a.actor == "retention")
            .map(|a| a.target.as_str())
            .collect();
        assert_eq!(drops.len(), 2, "{audit:?}");
        let logged: i64 = conn
            .query_row("SELECT count(*) FROM retention_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(logged, 2);
        // Running again changes nothing.
        assert!(store.enforce_retention(policy, now).unwrap().is_empty());
    }

    #[test]
    fn the_current_partition_is_never_dropped() {
        let now = crate::evetime::parse_timestamp("2026-03-10T12:00:00Z").unwrap();
        let (_dir, store, _) = store_with(&[30], now);
        let policy = RetentionPolicy {
            max_age_days: 1,
            max_size_mb: 1,
        };
        assert!(store.enforce_retention(policy, now).unwrap().is_empty());
        assert_eq!(alerts(&store).len(), 10);
    }

    #[test]
    fn size_limit_drops_oldest_first_until_under() {
        let now = crate::evetime::parse_timestamp("2026-03-10T12:00:00Z").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let sensor = store.create_sensor("test", "edge", "hash").unwrap();
        // Four days of ~1.2 MB each (600 alerts of ~2 KB).
        let mut seq = 0;
        for d in [3, 2, 1, 0] {
            let b = crate::ingest::parse_batch(&body(600, d as u64), seq).batch;
            seq += 601;
            store.ingest_at(sensor.id, &b, now - d * DAY).unwrap();
        }
        let conn = store.connect().unwrap();
        let before = used_bytes(&conn).unwrap();
        assert!(before > 4 << 20, "{before}");
        let policy = RetentionPolicy {
            max_age_days: 0,
            max_size_mb: 3,
        };
        let dropped = store.enforce_retention(policy, now).unwrap();
        assert!(!dropped.is_empty());
        assert!(dropped.iter().all(|d| d.reason == "max_size_mb"));
        // Oldest first: the days dropped are the earliest ones, in order.
        let days: Vec<&str> = dropped.iter().map(|d| d.day.as_str()).collect();
        let expected = ["2026-03-07", "2026-03-08", "2026-03-09"];
        assert_eq!(days, expected[..days.len()]);
        assert!(used_bytes(&conn).unwrap() <= 3 << 20 || store.partitions().unwrap().len() == 1);
        assert_eq!(store.partitions().unwrap()[0].day, "2026-03-10");
    }

    #[test]
    fn flow_events_and_search_span_partitions() {
        let now = crate::evetime::parse_timestamp("2026-03-10T12:00:00Z").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let sensor = store.create_sensor("test", "edge", "hash").unwrap();
        // The same flow id on two days.
        for (i, d) in [1i64, 0].iter().enumerate() {
            let b = crate::ingest::parse_batch(&body(2, 42), i as i64 * 3).batch;
            store.ingest_at(sensor.id, &b, now - d * DAY).unwrap();
        }
        assert_eq!(store.partitions().unwrap().len(), 2);
        assert_eq!(store.flow_events(42, 100).unwrap().len(), 6);
        let q = |filter: &str| {
            store
                .search_events(&EventQuery {
                    filter: crate::query::parse(filter).unwrap(),
                    event_type: Some("alert".into()),
                    group_id: None,
                    limit: 3,
                    offset: 1,
                })
                .unwrap()
        };
        let page = q("src_ip:10.0.0.1 AND sid:7");
        assert_eq!((page.total, page.items.len()), (4, 3));
        assert_eq!(q("src_ip:10.9.9.9").total, 0);
        assert_eq!(q("\"CITY test\"").total, 4);
    }
}
