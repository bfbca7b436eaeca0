//! Time partitions of the events: one table `events_N` (and its full-text index
//! `events_fts_N`) per UTC day of ingest, listed in `partitions`. Ingest writes only to the
//! newest partition; retention drops whole partitions (`DROP TABLE`, no row-by-row
//! delete); reads visit the partitions newest first. The view `events` is the UNION ALL of
//! all partitions, kept for simple queries (`SELECT … FROM events e WHERE …`).
//!
//! Event ids stay unique across partitions: a new partition continues after the last id
//! of the previous one.
//!
//! Indexes are few on purpose: every index whose key is not time-ordered costs a random
//! B-tree insert per event and rewrites its pages at each commit, which is what limits
//! ingest. A partition has `ts` and `(event_type, ts)` (appended in time order),
//! `(group_id, ts)` for alerts and `(id >> 14, flow_id)` for the flow view. Searches on an
//! alert's signature or addresses go through the alert groups (small, indexed on those
//! keys) and then `(group_id, ts)`; see `read.rs`.
//!
//! The flow index leads with the id bucket ([`FLOW_BUCKET_SHIFT`]: 16,384 consecutive
//! events) because flow ids are random: keyed on `flow_id` alone, every event landed on a
//! random leaf and each commit rewrote most of the index (a third of the bytes written to
//! the WAL at 1 M events). Bucketed, a commit touches the current bucket's few pages; a
//! lookup by flow id probes each bucket of the partition ([`flow_buckets`]). Partitions
//! made before keep their `(flow_id)` index, which the same lookups use.

use crate::store::StoreResult;
use rusqlite::{params, Connection, OptionalExtension};

/// One partition as listed in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// `N` of `events_N` / `events_fts_N`.
    pub id: i64,
    /// UTC day of ingest, `YYYY-MM-DD`.
    pub day: String,
    /// Smallest event id the partition may hold.
    pub first_id: i64,
    /// Events stored.
    pub events: i64,
    /// Alerts stored.
    pub alerts: i64,
    /// Bytes of EVE JSON stored (the bulk of the partition's size).
    pub bytes: i64,
    /// Smallest and largest event time (µs), when not empty.
    pub min_ts: Option<i64>,
    /// See `min_ts`.
    pub max_ts: Option<i64>,
}

impl Partition {
    /// The events table.
    pub fn table(&self) -> String {
        format!("events_{}", self.id)
    }
    /// The full-text table.
    pub fn fts(&self) -> String {
        format!("events_fts_{}", self.id)
    }
}

/// The UTC day (`YYYY-MM-DD`) of a time in µs.
pub fn day_of(micros: i64) -> String {
    let t = crate::evetime::format_timestamp(micros);
    t.get(..10).unwrap_or(&t).to_string()
}

const COLS: &str = "id, day, first_id, events, alerts, bytes, min_ts, max_ts";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Partition> {
    Ok(Partition {
        id: r.get(0)?,
        day: r.get(1)?,
        first_id: r.get(2)?,
        events: r.get(3)?,
        alerts: r.get(4)?,
        bytes: r.get(5)?,
        min_ts: r.get(6)?,
        max_ts: r.get(7)?,
    })
}

/// All partitions, newest first.
pub fn list(conn: &Connection) -> StoreResult<Vec<Partition>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM partitions ORDER BY id DESC"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest partition, if any.
pub fn newest(conn: &Connection) -> StoreResult<Option<Partition>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLS} FROM partitions ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([], row)
        .optional()?)
}

/// The partition ingest writes to on `day`: the newest one when it is of that day (or of
/// a later day, should the clock go back), else a new one. Call inside the write
/// transaction.
pub fn for_ingest(conn: &Connection, day: &str, now: i64) -> StoreResult<Partition> {
    let newest = newest(conn)?;
    if let Some(p) = &newest {
        if p.day.as_str() == day || (p.day.as_str() > day && p.events > 0) {
            return Ok(p.clone());
        }
        if p.events == 0 {
            // Still empty (e.g. partition 1 of a fresh store): it becomes this day's.
            conn.execute(
                "UPDATE partitions SET day = ?1 WHERE id = ?2",
                params![day, p.id],
            )?;
            return Ok(Partition {
                day: day.to_string(),
                ..p.clone()
            });
        }
    }
    let first_id = match &newest {
        Some(p) => {
            let max: Option<i64> =
                conn.query_row(&format!("SELECT max(id) FROM {}", p.table()), [], |r| {
                    r.get(0)
                })?;
            max.unwrap_or(p.first_id - 1).max(p.first_id - 1) + 1
        }
        None => 1,
    };
    let id = newest.as_ref().map_or(1, |p| p.id + 1);
    create(conn, id, day, first_id, now)?;
    tracing::info!(partition = id, day, first_id, "new events partition");
    Ok(Partition {
        id,
        day: day.to_string(),
        first_id,
        events: 0,
        alerts: 0,
        bytes: 0,
        min_ts: None,
        max_ts: None,
    })
}

/// Creates partition `id` (tables, indexes, catalog row) and rebuilds the view.
fn create(conn: &Connection, id: i64, day: &str, first_id: i64, now: i64) -> StoreResult<()> {
    create_tables(conn, id)?;
    conn.execute(
        "INSERT INTO partitions (id, day, first_id, created) VALUES (?1, ?2, ?3, ?4)",
        params![id, day, first_id, now],
    )?;
    seed_stats(conn, id)?;
    rebuild_view(conn)
}

/// FTS5 pending-terms buffer (bytes): a commit's full-text (several batches) is flushed as
/// one segment instead of one per megabyte.
const FTS_HASH_BYTES: i64 = 64 << 20;

/// The tables and indexes of partition `id`.
fn create_tables(conn: &Connection, id: i64) -> StoreResult<()> {
    conn.execute_batch(&format!(
        r#"
CREATE TABLE events_{id} (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    sensor_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    sid INTEGER,
    signature TEXT,
    severity INTEGER,
    src_ip TEXT,
    src_port INTEGER,
    dest_ip TEXT,
    dest_port INTEGER,
    proto TEXT,
    app_proto TEXT,
    flow_id INTEGER,
    community_id TEXT,
    group_id INTEGER,
    json TEXT NOT NULL
);
CREATE INDEX events_{id}_ts ON events_{id}(ts);
CREATE INDEX events_{id}_type_ts ON events_{id}(event_type, ts);
CREATE INDEX events_{id}_group ON events_{id}(group_id, ts) WHERE group_id IS NOT NULL;
CREATE INDEX events_{id}_flowb ON events_{id}((id >> {FLOW_BUCKET_SHIFT}), flow_id)
    WHERE flow_id IS NOT NULL;
CREATE VIRTUAL TABLE events_fts_{id} USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO events_fts_{id} (events_fts_{id}, rank) VALUES ('automerge', 8);
INSERT INTO events_fts_{id} (events_fts_{id}, rank) VALUES ('hashsize', {FTS_HASH_BYTES});
"#
    ))?;
    Ok(())
}

/// Planner statistics for a new partition, so that SQLite prefers the selective indexes
/// (an address or a group) over the broad ones (an event type, a signature) before the
/// partition was ever analyzed. The numbers are shapes, not counts: rows per key.
pub fn seed_stats(conn: &Connection, id: i64) -> StoreResult<()> {
    let has_stat1: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
        [],
        |r| r.get(0),
    )?;
    if !has_stat1 {
        // Creates sqlite_stat1 (analyzing the small catalog table is cheap).
        conn.execute_batch("ANALYZE partitions")?;
    }
    let t = format!("events_{id}");
    let stats = [
        (format!("{t}_ts"), "1000000 2"),
        (format!("{t}_type_ts"), "1000000 300000 2"),
        (format!("{t}_group"), "1000000 100 2"),
        (format!("{t}_flow"), "1000000 4"),
        (format!("{t}_flowb"), "1000000 16384 4"),
    ];
    conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = ?1", params![t])?;
    for (idx, stat) in stats {
        conn.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?1, ?2, ?3)",
            params![t, idx, stat],
        )?;
    }
    conn.execute(
        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?1, NULL, '1000000')",
        params![t],
    )?;
    // Make the planner read the new statistics.
    conn.execute_batch("ANALYZE sqlite_schema")?;
    Ok(())
}

/// Events per bucket of the flow index: `id >> FLOW_BUCKET_SHIFT`.
pub const FLOW_BUCKET_SHIFT: u32 = 14;

/// SQL condition restricting `e` (a row of `table`, a partition) to the flow-index
/// buckets that exist, so that `e.flow_id = ? AND <this>` is answered by one index probe
/// per bucket (about 300 for 5 M events).
pub fn flow_buckets(table: &str) -> String {
    format!(
        "(e.id >> {FLOW_BUCKET_SHIFT}) IN (WITH RECURSIVE b(x) AS (
            SELECT (SELECT min(id) FROM {table}) >> {FLOW_BUCKET_SHIFT}
            UNION ALL SELECT x + 1 FROM b WHERE x < (SELECT max(id) FROM {table}) >> {FLOW_BUCKET_SHIFT})
         SELECT x FROM b)"
    )
}

/// Remakes empty partitions of an older layout (partition 1 of a new store comes from
/// a migration: `(flow_id)` index, foreign keys checked on every insert) with the current
/// one; partitions holding events keep theirs, which every query still reads.
pub fn renew_empty_partitions(conn: &Connection) -> StoreResult<()> {
    let tx = conn.unchecked_transaction()?;
    let conn = &*tx;
    for p in list(conn)? {
        let t = p.table();
        let current: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1)",
            params![format!("{t}_flowb")],
            |r| r.get(0),
        )?;
        let empty: bool =
            conn.query_row(&format!("SELECT NOT EXISTS (SELECT 1 FROM {t})"), [], |r| {
                r.get(0)
            })?;
        if !current && empty {
            tracing::info!(
                partition = p.id,
                "empty partition remade with the current layout"
            );
            conn.execute_batch(&format!(
                "DROP VIEW IF EXISTS events; DROP TABLE IF EXISTS {}; DROP TABLE {t};",
                p.fts()
            ))?;
            create_tables(conn, p.id)?;
            seed_stats(conn, p.id)?;
            rebuild_view(conn)?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Seeds planner statistics for partitions that have none (partition 1 made by the
/// schema migration).
pub fn seed_missing_stats(conn: &Connection) -> StoreResult<()> {
    let has_stat1: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')",
        [],
        |r| r.get(0),
    )?;
    for p in list(conn)? {
        let seeded = has_stat1
            && conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = ?1)",
                params![p.table()],
                |r| r.get::<_, bool>(0),
            )?;
        if !seeded {
            seed_stats(conn, p.id)?;
        }
    }
    Ok(())
}

/// Recreates the `events` view over the partitions listed in the catalog.
pub fn rebuild_view(conn: &Connection) -> StoreResult<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM partitions ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let body = if ids.is_empty() {
        // No partition yet: an empty relation of the right shape.
        "SELECT NULL AS id, NULL AS ts, NULL AS sensor_id, NULL AS seq, NULL AS event_type, \
         NULL AS sid, NULL AS signature, NULL AS severity, NULL AS src_ip, NULL AS src_port, \
         NULL AS dest_ip, NULL AS dest_port, NULL AS proto, NULL AS app_proto, NULL AS flow_id, \
         NULL AS community_id, NULL AS group_id, NULL AS json WHERE 0"
            .to_string()
    } else {
        ids.iter()
            .map(|id| format!("SELECT * FROM events_{id}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    };
    conn.execute_batch(&format!(
        "DROP VIEW IF EXISTS events; CREATE VIEW events AS {body};"
    ))?;
    Ok(())
}

/// Adds a stored batch to the partition's counters.
pub fn count_batch(
    conn: &Connection,
    id: i64,
    (events, alerts, bytes): (i64, i64, i64),
    (min_ts, max_ts): (i64, i64),
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE partitions SET events = events + ?2, alerts = alerts + ?3, bytes = bytes + ?4,
            min_ts = min(coalesce(min_ts, ?5), ?5), max_ts = max(coalesce(max_ts, ?6), ?6)
         WHERE id = ?1",
    )?
    .execute(params![id, events, alerts, bytes, min_ts, max_ts])?;
    Ok(())
}

/// Drops a partition: its tables, indexes, planner statistics and catalog row; rebuilds
/// the view.
pub fn drop(conn: &Connection, id: i64) -> StoreResult<()> {
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS events_fts_{id}; DROP TABLE IF EXISTS events_{id};"
    ))?;
    conn.execute("DELETE FROM partitions WHERE id = ?1", params![id])?;
    rebuild_view(conn)
}
