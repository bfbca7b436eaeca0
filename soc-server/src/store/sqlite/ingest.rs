//! Storing a batch: dedupe by sequence number, typed hot columns, alert groups, one
//! transaction per batch, written to the current time partition.
//!
//! Cost per batch: one upsert per distinct alert group of the batch (not per alert), one
//! prepared INSERT per event into the partition table and one into its contentless
//! full-text index (alerts and application-layer events; flow and stats records carry no
//! text worth a full-text search and are found by field).

use super::{fts, partition};
use crate::store::{IngestBatch, IngestEvent, IngestOutcome, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;

/// The sensor's high-water mark, `-1` when it never sent anything.
pub fn acked_seq(conn: &Connection, sensor_id: i64) -> StoreResult<i64> {
    Ok(conn
        .query_row(
            "SELECT acked_seq FROM sensor_seq WHERE sensor_id = ?1",
            params![sensor_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(-1))
}

/// Stores the lines above the high-water mark and moves the mark to the batch's end.
pub fn ingest(
    conn: &mut Connection,
    sensor_id: i64,
    batch: &IngestBatch,
) -> StoreResult<IngestOutcome> {
    ingest_at(conn, sensor_id, batch, crate::evetime::now_micros())
}

/// [`ingest`] at time `now` (µs), which picks the partition (its UTC day).
pub fn ingest_at(
    conn: &mut Connection,
    sensor_id: i64,
    batch: &IngestBatch,
    now: i64,
) -> StoreResult<IngestOutcome> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let outcome = store_batch(&tx, sensor_id, batch, now)?;
    tx.commit()?;
    Ok(outcome)
}

/// A batch waiting for the writer, and where its outcome goes.
pub struct Job {
    /// The sending sensor.
    pub sensor_id: i64,
    /// Its batch.
    pub batch: IngestBatch,
    /// Receives the outcome once the transaction holding the batch is committed.
    pub reply: std::sync::mpsc::Sender<StoreResult<IngestOutcome>>,
}

/// Group commit: stores the batches of several sensors in one transaction. A batch
/// refused for a sequence gap is refused before it writes anything and the others go on;
/// any other failure rolls the whole transaction back and fails every batch in it (no
/// savepoints: they make SQLite journal every page a second time). Outcomes are sent
/// after the commit, so an acknowledgement always means committed.
pub fn ingest_jobs(conn: &mut Connection, jobs: Vec<Job>) {
    let now = crate::evetime::now_micros();
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let msg = e.to_string();
            for j in jobs {
                let _ = j.reply.send(Err(db_failure("begin", &msg)));
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(jobs.len());
    let mut failed: Option<String> = None;
    for j in jobs {
        if failed.is_some() {
            done.push((j.reply, None));
            continue;
        }
        match store_batch(&tx, j.sensor_id, &j.batch, now) {
            Ok(o) => done.push((j.reply, Some(Ok(o)))),
            Err(e @ StoreError::SequenceGap { .. }) => done.push((j.reply, Some(Err(e)))),
            Err(e) => {
                failed = Some(e.to_string());
                done.push((j.reply, None));
            }
        }
    }
    let result = match failed {
        Some(msg) => {
            drop(tx);
            Err(db_failure("batch", &msg))
        }
        None => tx
            .commit()
            .map_err(|e| db_failure("commit", &e.to_string())),
    };
    for (reply, r) in done {
        let _ = reply.send(match (&result, r) {
            (Ok(()), Some(r)) => r,
            (Err(e), _) => Err(db_failure("rolled back", &e.to_string())),
            (Ok(()), None) => Err(db_failure("rolled back", "an earlier batch failed")),
        });
    }
}

/// A failure of the shared transaction, for each batch in it (answered 500).
fn db_failure(what: &str, msg: &str) -> StoreError {
    StoreError::Io {
        path: format!("ingest transaction ({what})"),
        source: std::io::Error::other(msg.to_string()),
    }
}

/// Stores one batch inside the caller's transaction.
fn store_batch(
    tx: &Connection,
    sensor_id: i64,
    batch: &IngestBatch,
    now: i64,
) -> StoreResult<IngestOutcome> {
    let hwm = acked_seq(tx, sensor_id)?;
    if hwm >= 0 && batch.last_seq.is_some() && batch.first_seq > hwm + 1 {
        if !batch.declared_lost {
            return Err(StoreError::SequenceGap {
                acked_seq: hwm,
                first_seq: batch.first_seq,
            });
        }
        let lost = batch.first_seq - hwm - 1;
        tx.execute(
            "UPDATE sensors SET lost_events = lost_events + ?1 WHERE id = ?2",
            params![lost, sensor_id],
        )?;
        tracing::warn!(
            sensor_id,
            lost,
            "sensor declared events lost before this batch"
        );
    }
    let part = partition::for_ingest(tx, &partition::day_of(now), now)?;
    let new: Vec<&IngestEvent> = batch.events.iter().filter(|e| e.seq > hwm).collect();
    let duplicates = (batch.events.len() - new.len()) as u64;
    let groups = upsert_groups(tx, sensor_id, &new, now)?;
    let mut next_id: i64 = tx
        .query_row(&format!("SELECT max(id) FROM {}", part.table()), [], |r| {
            r.get::<_, Option<i64>>(0)
        })?
        .map_or(part.first_id, |m| m + 1);
    let (mut alerts, mut bytes) = (0i64, 0i64);
    let (mut min_ts, mut max_ts) = (i64::MAX, i64::MIN);
    {
        let mut event_st = tx.prepare_cached(&format!(
            "INSERT INTO {} (id, ts, sensor_id, seq, event_type, sid, signature, severity, src_ip, src_port,
                dest_ip, dest_port, proto, app_proto, flow_id, community_id, group_id, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            part.table()
        ))?;
        let mut fts_st = tx.prepare_cached(&format!(
            "INSERT INTO {} (rowid, body) VALUES (?1, ?2)",
            part.fts()
        ))?;
        let mut text = String::with_capacity(4096);
        for (item, group_id) in new.iter().zip(&groups) {
            let ev = &item.event;
            let alert = alert_of(ev);
            event_st.execute(params![
                next_id,
                item.ts,
                sensor_id,
                item.seq,
                ev.event_type,
                alert.map(|a| a.signature_id),
                alert.map(|a| a.signature.as_str()),
                alert.map(|a| a.severity),
                ev.src_ip,
                ev.src_port,
                ev.dest_ip,
                ev.dest_port,
                ev.proto,
                ev.app_proto,
                ev.flow_id.map(|f| f as i64),
                ev.community_id,
                group_id,
                item.raw
            ])?;
            if fts::text_into(ev, &mut text) {
                fts_st.execute(params![next_id, text.as_str()])?;
            }
            next_id += 1;
            alerts += i64::from(alert.is_some());
            bytes += item.raw.len() as i64;
            min_ts = min_ts.min(item.ts);
            max_ts = max_ts.max(item.ts);
        }
    }
    let stored = new.len() as u64;
    if stored > 0 {
        partition::count_batch(
            tx,
            part.id,
            (stored as i64, alerts, bytes),
            (min_ts, max_ts),
        )?;
    }
    let acked = batch.last_seq.map_or(hwm, |last| last.max(hwm));
    tx.prepare_cached(
        "INSERT INTO sensor_seq (sensor_id, acked_seq) VALUES (?1, ?2)
         ON CONFLICT (sensor_id) DO UPDATE SET acked_seq = excluded.acked_seq",
    )?
    .execute(params![sensor_id, acked])?;
    tx.prepare_cached("UPDATE sensors SET last_seen = ?1 WHERE id = ?2")?
        .execute(params![now, sensor_id])?;
    Ok(IngestOutcome {
        acked_seq: acked,
        stored,
        duplicates,
    })
}

/// The alert object of an alert event.
fn alert_of(ev: &eve::Event) -> Option<&eve::Alert> {
    ev.alert.as_ref().filter(|_| ev.event_type == "alert")
}

/// An alert group's key: signature id and text, source, destination.
type Key<'a> = (u32, &'a str, &'a str, &'a str);

fn key(e: &IngestEvent) -> Option<Key<'_>> {
    alert_of(&e.event).map(|a| {
        (
            a.signature_id,
            a.signature.as_str(),
            e.event.src_ip.as_deref().unwrap_or(""),
            e.event.dest_ip.as_deref().unwrap_or(""),
        )
    })
}

/// Accumulated alerts of one group within a batch.
struct GroupAcc {
    count: i64,
    severity: u32,
    first: i64,
    last: i64,
    id: i64,
}

/// Upserts the alert groups of the batch's alerts, one statement per distinct group;
/// returns the group id of each event (`None` for non-alerts), in order.
fn upsert_groups(
    conn: &Connection,
    sensor_id: i64,
    events: &[&IngestEvent],
    now: i64,
) -> StoreResult<Vec<Option<i64>>> {
    let mut acc: HashMap<Key<'_>, GroupAcc> = HashMap::new();
    let mut order: Vec<Key<'_>> = Vec::new();
    for e in events {
        let (Some(k), Some(a)) = (key(e), alert_of(&e.event)) else {
            continue;
        };
        let g = acc.entry(k).or_insert_with(|| {
            order.push(k);
            GroupAcc {
                count: 0,
                severity: a.severity,
                first: e.ts,
                last: e.ts,
                id: 0,
            }
        });
        g.count += 1;
        g.severity = g.severity.min(a.severity);
        g.first = g.first.min(e.ts);
        g.last = g.last.max(e.ts);
    }
    let mut st = conn.prepare_cached(
        "INSERT INTO alert_groups (sid, signature, src_ip, dest_ip, severity, sensor_id, count, first_seen, last_seen, updated)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (sid, signature, src_ip, dest_ip) DO UPDATE SET
            count = count + excluded.count,
            severity = min(severity, excluded.severity),
            sensor_id = excluded.sensor_id,
            first_seen = min(first_seen, excluded.first_seen),
            last_seen = max(last_seen, excluded.last_seen)
         RETURNING id",
    )?;
    for k in &order {
        if let Some(g) = acc.get_mut(k) {
            g.id = st.query_row(
                params![k.0, k.1, k.2, k.3, g.severity, sensor_id, g.count, g.first, g.last, now],
                |r| r.get(0),
            )?;
        }
    }
    Ok(events
        .iter()
        .map(|e| key(e).and_then(|k| acc.get(&k)).map(|g| g.id))
        .collect())
}
