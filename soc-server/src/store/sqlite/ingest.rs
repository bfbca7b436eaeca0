//! Storing a batch: dedupe by sequence number, typed hot columns, alert groups, one
//! transaction per batch.

use super::fts;
use crate::store::{IngestBatch, IngestOutcome, StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

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
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let hwm = acked_seq(&tx, sensor_id)?;
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
    let now = crate::evetime::now_micros();
    let (mut stored, mut duplicates) = (0u64, 0u64);
    {
        let mut group_st = tx.prepare_cached(
            "INSERT INTO alert_groups (sid, signature, src_ip, dest_ip, severity, sensor_id, count, first_seen, last_seen, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8)
             ON CONFLICT (sid, signature, src_ip, dest_ip) DO UPDATE SET
                count = count + 1,
                severity = min(severity, excluded.severity),
                sensor_id = excluded.sensor_id,
                first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen)
             RETURNING id",
        )?;
        let mut event_st = tx.prepare_cached(
            "INSERT INTO events (ts, sensor_id, seq, event_type, sid, signature, severity, src_ip, src_port,
                dest_ip, dest_port, proto, app_proto, flow_id, community_id, group_id, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?;
        let mut fts_st =
            tx.prepare_cached("INSERT INTO events_fts (rowid, body) VALUES (?1, ?2)")?;
        for item in &batch.events {
            if item.seq <= hwm {
                duplicates += 1;
                continue;
            }
            let ev = &item.event;
            let alert = ev.alert.as_ref().filter(|_| ev.event_type == "alert");
            let group_id: Option<i64> = match alert {
                Some(a) => Some(group_st.query_row(
                    params![
                        a.signature_id,
                        a.signature,
                        ev.src_ip.as_deref().unwrap_or(""),
                        ev.dest_ip.as_deref().unwrap_or(""),
                        a.severity,
                        sensor_id,
                        item.ts,
                        now
                    ],
                    |r| r.get(0),
                )?),
                None => None,
            };
            event_st.execute(params![
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
            fts_st.execute(params![tx.last_insert_rowid(), fts::text_of(ev)])?;
            stored += 1;
        }
    }
    let acked = batch.last_seq.map_or(hwm, |last| last.max(hwm));
    tx.execute(
        "INSERT INTO sensor_seq (sensor_id, acked_seq) VALUES (?1, ?2)
         ON CONFLICT (sensor_id) DO UPDATE SET acked_seq = excluded.acked_seq",
        params![sensor_id, acked],
    )?;
    tx.execute(
        "UPDATE sensors SET last_seen = ?1 WHERE id = ?2",
        params![now, sensor_id],
    )?;
    tx.commit()?;
    Ok(IngestOutcome {
        acked_seq: acked,
        stored,
        duplicates,
    })
}
