//! Storing batches: dedupe by sequence number, typed hot columns, alert groups, the
//! batches of concurrent sensors in one transaction (group commit), written to the
//! current time partition.
//!
//! Cost per batch: one upsert per distinct alert group of the batch (not per alert), one
//! prepared INSERT per event into the partition table and one into its contentless
//! full-text index (alerts and application-layer events; flow and stats records carry no
//! text worth a full-text search and are found by field). The full-text of every batch
//! of a transaction is written last (see [`ingest_jobs`]).

use super::partition;
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
    let prepared = prepare_batch(&tx, sensor_id, batch, now)?;
    insert_events(&tx, sensor_id, batch, &prepared)?;
    tx.commit()?;
    Ok(prepared.outcome)
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
///
/// Returns the batches so that the caller frees them (thousands of parsed records) after
/// it has released the writer.
pub fn ingest_jobs(conn: &mut Connection, jobs: Vec<Job>) -> Vec<IngestBatch> {
    let now = crate::evetime::now_micros();
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let msg = e.to_string();
            return jobs
                .into_iter()
                .map(|j| {
                    let _ = j.reply.send(Err(db_failure("begin", &msg)));
                    j.batch
                })
                .collect();
        }
    };
    // Two passes: first the small tables (sequence marks, groups, counters) of every
    // batch, then the events and their full-text. Statements on the small tables open
    // statement savepoints, and a savepoint makes FTS5 flush its pending terms to a new
    // segment: writing all full-text last makes that one flush per commit instead of one
    // per batch (fewer, larger segments; less merging).
    let mut done = Vec::with_capacity(jobs.len());
    let mut prepared = Vec::with_capacity(jobs.len());
    let mut failed: Option<String> = None;
    for j in &jobs {
        let outcome = match failed {
            Some(_) => None,
            None => match prepare_batch(&tx, j.sensor_id, &j.batch, now) {
                Ok(p) => {
                    let o = p.outcome;
                    prepared.push(Some(p));
                    Some(Ok(o))
                }
                Err(e @ StoreError::SequenceGap { .. }) => {
                    prepared.push(None);
                    Some(Err(e))
                }
                Err(e) => {
                    failed = Some(e.to_string());
                    None
                }
            },
        };
        done.push(outcome);
    }
    if failed.is_none() {
        for (j, p) in jobs.iter().zip(&prepared) {
            if let Some(p) = p {
                if let Err(e) = insert_events(&tx, j.sensor_id, &j.batch, p) {
                    failed = Some(e.to_string());
                    break;
                }
            }
        }
    }
    let mut batches = Vec::with_capacity(jobs.len());
    let mut replies = Vec::with_capacity(jobs.len());
    for j in jobs {
        batches.push(j.batch);
        replies.push(j.reply);
    }
    let done: Vec<_> = replies.into_iter().zip(done).collect();
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
    batches
}

/// A failure of the shared transaction, for each batch in it (answered 500).
fn db_failure(what: &str, msg: &str) -> StoreError {
    StoreError::Io {
        path: format!("ingest transaction ({what})"),
        source: std::io::Error::other(msg.to_string()),
    }
}

/// A batch whose small-table writes are done, ready for its events.
struct Prepared {
    /// What storing the batch changes (sent once committed).
    outcome: IngestOutcome,
    /// The partition the events go to.
    part: partition::Partition,
    /// Index in the batch and alert group of each event above the high-water mark.
    new: Vec<(usize, Option<i64>)>,
}

/// First pass over a batch inside the caller's transaction: sequence check (a gap is
/// refused before anything is written), alert groups, partition counters, high-water mark
/// and last-seen time. The events themselves are written by [`insert_events`].
fn prepare_batch(
    tx: &Connection,
    sensor_id: i64,
    batch: &IngestBatch,
    now: i64,
) -> StoreResult<Prepared> {
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
    let new: Vec<usize> = (0..batch.events.len())
        .filter(|&i| batch.events[i].seq > hwm)
        .collect();
    let duplicates = (batch.events.len() - new.len()) as u64;
    let events: Vec<&IngestEvent> = new.iter().map(|&i| &batch.events[i]).collect();
    let groups = upsert_groups(tx, sensor_id, &events, now)?;
    let (mut alerts, mut bytes) = (0i64, 0i64);
    let (mut min_ts, mut max_ts) = (i64::MAX, i64::MIN);
    for item in &events {
        alerts += i64::from(alert_of(&item.event).is_some());
        bytes += item.raw.len() as i64;
        min_ts = min_ts.min(item.ts);
        max_ts = max_ts.max(item.ts);
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
    Ok(Prepared {
        outcome: IngestOutcome {
            acked_seq: acked,
            stored,
            duplicates,
        },
        part,
        new: new.into_iter().zip(groups).collect(),
    })
}

/// Second pass: the batch's new events into the partition and its full-text index, ids
/// continuing after the partition's largest.
fn insert_events(
    tx: &Connection,
    sensor_id: i64,
    batch: &IngestBatch,
    prepared: &Prepared,
) -> StoreResult<()> {
    if prepared.new.is_empty() {
        return Ok(());
    }
    let part = &prepared.part;
    let first_id: i64 = tx
        .prepare_cached(&format!("SELECT max(id) FROM {}", part.table()))?
        .query_row([], |r| r.get::<_, Option<i64>>(0))?
        .map_or(part.first_id, |m| m + 1);
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
    for (id, &(i, group_id)) in (first_id..).zip(&prepared.new) {
        let item = &batch.events[i];
        let ev = &item.event;
        let alert = alert_of(ev);
        event_st.execute(params![
            id,
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
            batch.raw(item)
        ])?;
        if let Some(text) = batch.fts(item) {
            fts_st.execute(params![id, text])?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Expr;
    use crate::store::sqlite::SqliteStore;
    use crate::store::{EventQuery, GroupQuery, Store};

    fn alert(ts: &str, sid: u32, src: &str, severity: u32, flow: u64) -> String {
        format!(
            r#"{{"timestamp":"{ts}","event_type":"alert","flow_id":{flow},"src_ip":"{src}","dest_ip":"10.9.9.9","proto":"TCP","alert":{{"action":"allowed","gid":1,"signature_id":{sid},"rev":1,"signature":"CITY sig {sid}","category":"x","severity":{severity}}}}}"#
        )
    }

    fn batch(lines: &[String], first_seq: i64) -> IngestBatch {
        crate::ingest::parse_batch(format!("{}\n", lines.join("\n")).as_bytes(), first_seq).batch
    }

    fn all_groups(store: &SqliteStore) -> Vec<crate::store::AlertGroup> {
        let mut g = store
            .groups(&GroupQuery {
                filter: Expr::All,
                statuses: vec![],
                limit: 100,
                offset: 0,
                show_suppressed: true,
            })
            .unwrap()
            .items;
        g.sort_by_key(|g| (g.sid, g.src_ip.clone()));
        g
    }

    fn micros(ts: &str) -> i64 {
        crate::evetime::parse_timestamp(ts).unwrap()
    }

    #[test]
    fn groups_aggregate_within_a_batch_across_batches_and_in_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let a = store.create_sensor("test", "a", "ha").unwrap();
        let b = store.create_sensor("test", "b", "hb").unwrap();
        // One batch: group (1, 10.0.0.1) three times, out of time order, severities 3, 1, 2;
        // group (2, 10.0.0.1) once.
        let first = batch(
            &[
                alert("2026-01-01T00:00:05Z", 1, "10.0.0.1", 3, 1),
                alert("2026-01-01T00:00:01Z", 1, "10.0.0.1", 1, 1),
                alert("2026-01-01T00:00:09Z", 1, "10.0.0.1", 2, 1),
                alert("2026-01-01T00:00:03Z", 2, "10.0.0.1", 3, 2),
            ],
            0,
        );
        store.ingest(a.id, &first).unwrap();
        let g = all_groups(&store);
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].count, g[0].severity, g[0].first_seen, g[0].last_seen),
            (
                3,
                1,
                micros("2026-01-01T00:00:01Z"),
                micros("2026-01-01T00:00:09Z")
            )
        );
        assert_eq!((g[1].count, g[1].severity), (1, 3));
        // Two batches of two sensors in one transaction (group commit), both touching
        // group (1, 10.0.0.1): an earlier first alert, a later last one, a lower severity
        // that must not replace the highest.
        let (tx_a, rx_a) = std::sync::mpsc::channel();
        let (tx_b, rx_b) = std::sync::mpsc::channel();
        let jobs = vec![
            Job {
                sensor_id: a.id,
                batch: batch(
                    &[
                        alert("2026-01-01T00:00:00Z", 1, "10.0.0.1", 3, 1),
                        alert("2026-01-01T00:00:20Z", 3, "10.0.0.2", 2, 3),
                    ],
                    4,
                ),
                reply: tx_a,
            },
            Job {
                sensor_id: b.id,
                batch: batch(
                    &[
                        alert("2026-01-01T00:00:30Z", 1, "10.0.0.1", 2, 4),
                        alert("2026-01-01T00:00:10Z", 3, "10.0.0.2", 1, 3),
                    ],
                    0,
                ),
                reply: tx_b,
            },
        ];
        ingest_jobs(&mut store.writer.lock().unwrap(), jobs);
        assert_eq!(rx_a.recv().unwrap().unwrap().stored, 2);
        assert_eq!(rx_b.recv().unwrap().unwrap().stored, 2);
        let g = all_groups(&store);
        assert_eq!(g.len(), 3);
        assert_eq!(
            (g[0].sid, g[0].count, g[0].severity),
            (1, 5, 1),
            "{:?}",
            g[0]
        );
        assert_eq!(g[0].first_seen, micros("2026-01-01T00:00:00Z"));
        assert_eq!(g[0].last_seen, micros("2026-01-01T00:00:30Z"));
        assert_eq!(g[0].sensor, "b", "sensor of the latest batch");
        assert_eq!(
            (g[2].sid, g[2].count, g[2].severity),
            (3, 2, 1),
            "{:?}",
            g[2]
        );
        assert_eq!(
            (g[2].first_seen, g[2].last_seen),
            (
                micros("2026-01-01T00:00:10Z"),
                micros("2026-01-01T00:00:20Z")
            )
        );
        // Every event points at its group; a replayed batch changes nothing.
        store.ingest(a.id, &first).unwrap();
        let events = store
            .search_events(&EventQuery {
                filter: Expr::All,
                event_type: Some("alert".into()),
                group_id: Some(g[0].id),
                limit: 100,
                offset: 0,
            })
            .unwrap();
        assert_eq!(events.total, 5);
        assert_eq!(all_groups(&store)[0].count, 5);
    }

    #[test]
    fn flows_are_found_across_index_buckets_and_old_layout_partitions() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let s = store.create_sensor("test", "a", "ha").unwrap();
        // Partition 1 of a new store was remade with the bucketed flow index.
        let index: bool = store
            .writer
            .lock()
            .unwrap()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'events_1_flowb')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(index);
        // More than two buckets of events; flow 7 has one event in each third.
        let n = (3usize << partition::FLOW_BUCKET_SHIFT) + 10;
        let mut seq = 0;
        let now = micros("2026-01-01T12:00:00Z");
        for chunk in (0..n).collect::<Vec<_>>().chunks(5000) {
            let lines: Vec<String> = chunk
                .iter()
                .map(|&i| {
                    let flow = if i % (n / 3) == 5 { 7 } else { 1000 + i as u64 };
                    format!(
                        r#"{{"timestamp":"2026-01-01T00:00:00Z","event_type":"flow","flow_id":{flow},"src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}}"#
                    )
                })
                .collect();
            store.ingest_at(s.id, &batch(&lines, seq), now).unwrap();
            seq += lines.len() as i64;
        }
        assert_eq!(store.flow_events(7, 100).unwrap().len(), 3);
        assert_eq!(store.flow_events(1000 + 6, 100).unwrap().len(), 1);
        let q = |filter: &str| {
            store
                .search_events(&EventQuery {
                    filter: crate::query::parse(filter).unwrap(),
                    event_type: None,
                    group_id: None,
                    limit: 100,
                    offset: 0,
                })
                .unwrap()
                .total
        };
        assert_eq!(q("flow_id:7"), 3);
        assert_eq!(q("flow_id:1001"), 1);
        assert_eq!(q("flow_id:99999999"), 0);
        // A partition of the former layout (`(flow_id)` index) holding events is kept as
        // it is and still found.
        {
            let c = store.writer.lock().unwrap();
            c.execute_batch(
                "DROP INDEX events_1_flowb;
                 CREATE INDEX events_1_flow ON events_1(flow_id) WHERE flow_id IS NOT NULL;",
            )
            .unwrap();
        }
        drop(store);
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.flow_events(7, 100).unwrap().len(), 3);
        let kept: bool = store
            .writer
            .lock()
            .unwrap()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'events_1_flow')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(kept);
    }
}
