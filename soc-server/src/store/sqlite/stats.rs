//! Store statistics for `/metrics` and the dashboard aggregates.

use super::{partition, retention};
use crate::store::{Dashboard, DashboardQuery, SensorStat, StoreResult, StoreStats, TopEntry};
use rusqlite::{params, Connection};
use std::path::Path;

/// Counts and sizes; `db` is the database file (its `-wal` sits beside it).
pub fn stats(conn: &Connection, db: &Path) -> StoreResult<StoreStats> {
    let tx = conn.unchecked_transaction()?;
    let parts = partition::list(&tx)?;
    let file = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let groups: i64 = tx.query_row("SELECT count(*) FROM alert_groups", [], |r| r.get(0))?;
    let mut st = tx.prepare_cached(
        "SELECT s.name, s.last_seen, coalesce(q.acked_seq, -1), s.lost_events
         FROM sensors s LEFT JOIN sensor_seq q ON q.sensor_id = s.id ORDER BY s.name",
    )?;
    let sensors = st
        .query_map([], |r| {
            Ok(SensorStat {
                name: r.get(0)?,
                last_seen: r.get(1)?,
                acked_seq: r.get(2)?,
                lost_events: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(StoreStats {
        file_bytes: file(db) + file(Path::new(&wal)),
        used_bytes: retention::used_bytes(&tx)?,
        events: parts.iter().map(|p| p.events.max(0) as u64).sum(),
        alerts: parts.iter().map(|p| p.alerts.max(0) as u64).sum(),
        groups: groups.max(0) as u64,
        partitions: parts.len() as u64,
        sensors,
    })
}

/// Alerts over time, top lists and severity mix for a time window.
///
/// Each partition whose time range meets the window is aggregated with its
/// `(event_type, ts)` index; the work grows with the alerts in the window.
pub fn dashboard(conn: &Connection, q: &DashboardQuery) -> StoreResult<Dashboard> {
    let tx = conn.unchecked_transaction()?;
    let bucket = q.bucket.max(1);
    let n_buckets = ((q.until - q.since + bucket - 1) / bucket).max(1) as usize;
    let mut series = vec![0u64; n_buckets];
    let mut sigs: std::collections::HashMap<(i64, String), u64> = Default::default();
    let mut srcs: std::collections::HashMap<String, u64> = Default::default();
    let mut dsts: std::collections::HashMap<String, u64> = Default::default();
    let mut sensors: std::collections::HashMap<i64, u64> = Default::default();
    let mut sevs: std::collections::BTreeMap<i64, u64> = Default::default();
    let mut total = 0u64;
    for p in partition::list(&tx)? {
        let overlaps = p.alerts > 0
            && p.min_ts.is_some_and(|t| t < q.until)
            && p.max_ts.is_some_and(|t| t >= q.since);
        if !overlaps {
            continue;
        }
        let mut st = tx.prepare(&format!(
            "SELECT (e.ts - ?1) / ?3, e.sid, e.signature, e.src_ip, e.dest_ip, e.sensor_id, e.severity, count(*)
             FROM {} e WHERE e.event_type = 'alert' AND e.ts >= ?1 AND e.ts < ?2
             GROUP BY 1, 2, 3, 4, 5, 6, 7",
            p.table()
        ))?;
        let mut rows = st.query(params![q.since, q.until, bucket])?;
        while let Some(r) = rows.next()? {
            let b: i64 = r.get(0)?;
            let n: i64 = r.get(7)?;
            let n = n.max(0) as u64;
            if let Some(slot) = usize::try_from(b).ok().and_then(|b| series.get_mut(b)) {
                *slot += n;
            }
            let sid: Option<i64> = r.get(1)?;
            let sig: Option<String> = r.get(2)?;
            *sigs
                .entry((sid.unwrap_or(0), sig.unwrap_or_default()))
                .or_default() += n;
            let src: Option<String> = r.get(3)?;
            *srcs.entry(src.unwrap_or_default()).or_default() += n;
            let dst: Option<String> = r.get(4)?;
            *dsts.entry(dst.unwrap_or_default()).or_default() += n;
            *sensors.entry(r.get(5)?).or_default() += n;
            let sev: Option<i64> = r.get(6)?;
            *sevs.entry(sev.unwrap_or(0)).or_default() += n;
            total += n;
        }
    }
    let names: std::collections::HashMap<i64, String> = tx
        .prepare_cached("SELECT id, name FROM sensors")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let top = q.top as usize;
    let top_of = |m: std::collections::HashMap<String, u64>| -> Vec<TopEntry> {
        let mut v: Vec<TopEntry> = m
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(key, count)| TopEntry {
                key,
                sid: None,
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        v.truncate(top);
        v
    };
    let mut signatures: Vec<TopEntry> = sigs
        .into_iter()
        .map(|((sid, key), count)| TopEntry {
            key,
            sid: Some(sid),
            count,
        })
        .collect();
    signatures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.sid.cmp(&b.sid)));
    signatures.truncate(top);
    let sensors = top_of(
        sensors
            .into_iter()
            .map(|(id, n)| (names.get(&id).cloned().unwrap_or_else(|| id.to_string()), n))
            .collect(),
    );
    Ok(Dashboard {
        total,
        series: series
            .into_iter()
            .enumerate()
            .map(|(i, n)| (q.since + i as i64 * bucket, n))
            .collect(),
        signatures,
        sources: top_of(srcs),
        destinations: top_of(dsts),
        sensors,
        severities: sevs.into_iter().collect(),
    })
}
