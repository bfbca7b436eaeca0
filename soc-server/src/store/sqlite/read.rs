//! Searches over events and alert groups.
//!
//! Event searches visit the time partitions newest first, each answering its own
//! "newest `offset + limit`" from an index ending in `ts`, and merge; a partition whose
//! newest event is older than the page's last row is skipped. All of it runs in one read
//! transaction, so that retention dropping a partition meanwhile is never seen half-way.
//!
//! Totals: unfiltered counts come from the partition catalog (exact, free); filtered
//! counts are exact up to [`COUNT_CAP`] matches and stop there (the API says
//! `total_exact: false`), so that a query matching millions of events still answers in
//! milliseconds.

use super::filter;
use super::partition::{self, Partition};
use super::suppress::suppressed_sql;
use crate::query::Expr;
use crate::store::{AlertGroup, EventQuery, GroupQuery, Page, StoreResult, StoredEvent};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// Filtered counts stop at this many matches.
pub const COUNT_CAP: u64 = 100_000;

/// One page of a filtered list: the total matching (`count_sql`), then the rows of
/// `select_sql`, which ends with `LIMIT ? OFFSET ?`; both take `params` first.
fn page<T>(
    conn: &Connection,
    count_sql: &str,
    select_sql: &str,
    mut params: Vec<Value>,
    (limit, offset): (u32, u32),
    row: fn(&Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Page<T>> {
    let total: i64 = conn.query_row(count_sql, params_from_iter(params.iter()), |r| r.get(0))?;
    params.push(Value::Integer(i64::from(limit)));
    params.push(Value::Integer(i64::from(offset)));
    let mut st = conn.prepare(select_sql)?;
    let items = st
        .query_map(params_from_iter(params.iter()), row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        total: total.max(0) as u64,
        items,
    })
}

fn sensor_names(conn: &Connection) -> StoreResult<HashMap<i64, String>> {
    let mut st = conn.prepare_cached("SELECT id, name FROM sensors")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A row of a partition before the merge: (ts, id, sensor id, group id, json).
type Raw = (i64, i64, i64, Option<i64>, String);

fn raw_row(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn stored(names: &HashMap<i64, String>, (_, id, sensor, group_id, json): Raw) -> StoredEvent {
    StoredEvent {
        id,
        sensor: names.get(&sensor).cloned().unwrap_or_default(),
        group_id,
        json,
    }
}

/// The condition of `q` over partition `p` (alias `e`).
fn condition(q: &EventQuery, p: &Partition, params: &mut Vec<Value>) -> StoreResult<String> {
    let mut conds = Vec::new();
    if let Some(g) = q.group_id {
        conds.push("e.group_id = ?".to_string());
        params.push(Value::Integer(g));
    }
    if let Some(t) = &q.event_type {
        conds.push("e.event_type = ?".to_string());
        params.push(Value::Text(t.clone()));
        if t == "alert" {
            conds.extend(filter::group_prefilter(&q.filter, params)?);
        }
    }
    if q.filter != Expr::All {
        conds.push(filter::compile_in(&q.filter, params, Some(p))?);
    }
    Ok(if conds.is_empty() {
        "1".into()
    } else {
        conds.join(" AND ")
    })
}

/// Events matching the query, newest first, with the total count.
pub fn search_events(conn: &Connection, q: &EventQuery) -> StoreResult<Page<StoredEvent>> {
    let tx = conn.unchecked_transaction()?;
    let parts = partition::list(&tx)?;
    let need = (u64::from(q.offset) + u64::from(q.limit)) as usize;
    let mut rows: Vec<Raw> = Vec::new();
    for p in &parts {
        if p.events == 0 {
            continue;
        }
        if rows.len() >= need && p.max_ts.is_some_and(|m| m < rows[need - 1].0) {
            continue;
        }
        let mut params = Vec::new();
        let cond = condition(q, p, &mut params)?;
        params.push(Value::Integer(need as i64));
        let mut st = tx.prepare(&format!(
            "SELECT e.ts, e.id, e.sensor_id, e.group_id, e.json FROM {} e WHERE {cond}
             ORDER BY e.ts DESC, e.id DESC LIMIT ?",
            p.table()
        ))?;
        for r in st.query_map(params_from_iter(params.iter()), raw_row)? {
            rows.push(r?);
        }
        rows.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
        rows.truncate(need);
    }
    let total = count_events(&tx, q, &parts)?;
    let names = sensor_names(&tx)?;
    let items = rows
        .into_iter()
        .skip(q.offset as usize)
        .map(|r| stored(&names, r))
        .collect();
    Ok(Page { total, items })
}

/// Matching events: from the catalog when unfiltered, else counted up to [`COUNT_CAP`].
fn count_events(conn: &Connection, q: &EventQuery, parts: &[Partition]) -> StoreResult<u64> {
    if q.filter == Expr::All && q.group_id.is_none() {
        match q.event_type.as_deref() {
            None => return Ok(parts.iter().map(|p| p.events.max(0) as u64).sum()),
            Some("alert") => return Ok(parts.iter().map(|p| p.alerts.max(0) as u64).sum()),
            Some(_) => {}
        }
    }
    let mut total = 0u64;
    for p in parts {
        if p.events == 0 {
            continue;
        }
        let mut params = Vec::new();
        let cond = condition(q, p, &mut params)?;
        params.push(Value::Integer((COUNT_CAP + 1 - total) as i64));
        let n: i64 = tx_count(
            conn,
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM {} e WHERE {cond} LIMIT ?)",
                p.table()
            ),
            &params,
        )?;
        total += n.max(0) as u64;
        if total > COUNT_CAP {
            return Ok(COUNT_CAP);
        }
    }
    Ok(total)
}

fn tx_count(conn: &Connection, sql: &str, params: &[Value]) -> StoreResult<i64> {
    Ok(conn.query_row(sql, params_from_iter(params.iter()), |r| r.get(0))?)
}

/// The partition that holds event `id`.
fn partition_of(conn: &Connection, id: i64) -> StoreResult<Option<Partition>> {
    Ok(partition::list(conn)?
        .into_iter()
        .find(|p| p.first_id <= id))
}

/// One event by id.
pub fn event(conn: &Connection, id: i64) -> StoreResult<Option<StoredEvent>> {
    let tx = conn.unchecked_transaction()?;
    let Some(p) = partition_of(&tx, id)? else {
        return Ok(None);
    };
    let raw = tx
        .query_row(
            &format!(
                "SELECT e.ts, e.id, e.sensor_id, e.group_id, e.json FROM {} e WHERE e.id = ?1",
                p.table()
            ),
            params![id],
            raw_row,
        )
        .optional()?;
    let names = sensor_names(&tx)?;
    Ok(raw.map(|r| stored(&names, r)))
}

/// Events of a flow, oldest first.
pub fn flow_events(conn: &Connection, flow_id: u64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
    let tx = conn.unchecked_transaction()?;
    let mut rows: Vec<Raw> = Vec::new();
    for p in partition::list(&tx)? {
        let mut st = tx.prepare_cached(&format!(
            "SELECT e.ts, e.id, e.sensor_id, e.group_id, e.json FROM {} e
             WHERE e.flow_id = ?1 AND {} ORDER BY e.ts, e.id LIMIT ?2",
            p.table(),
            partition::flow_buckets(&p.table())
        ))?;
        for r in st.query_map(params![flow_id as i64, limit], raw_row)? {
            rows.push(r?);
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));
    rows.truncate(limit as usize);
    let names = sensor_names(&tx)?;
    Ok(rows.into_iter().map(|r| stored(&names, r)).collect())
}

pub(super) const GROUP_COLS: &str = concat!(
    "g.id, g.sid, g.signature, g.src_ip, g.dest_ip, g.severity, s.name, g.count,
    g.first_seen, g.last_seen, g.status, g.close_reason, g.assignee, g.case_id, ",
    suppressed_sql!(),
    " FROM alert_groups g JOIN sensors s ON s.id = g.sensor_id"
);

pub(super) fn group_row(r: &Row<'_>) -> rusqlite::Result<AlertGroup> {
    let status: String = r.get(10)?;
    let reason: Option<String> = r.get(11)?;
    Ok(AlertGroup {
        id: r.get(0)?,
        sid: r.get(1)?,
        signature: r.get(2)?,
        src_ip: r.get(3)?,
        dest_ip: r.get(4)?,
        severity: r.get(5)?,
        sensor: r.get(6)?,
        count: r.get(7)?,
        first_seen: r.get(8)?,
        last_seen: r.get(9)?,
        status: status.parse().unwrap_or(crate::store::GroupStatus::New),
        close_reason: reason.and_then(|s| s.parse().ok()),
        assignee: r.get(12)?,
        case_id: r.get(13)?,
        suppressed: r.get(14)?,
    })
}

/// Alert groups, most recently seen first.
///
/// A filter on the group's own key (signature, addresses) is applied to the groups
/// directly; any other filter selects the groups with at least one matching alert,
/// searched partition by partition.
pub fn groups(conn: &Connection, q: &GroupQuery) -> StoreResult<Page<AlertGroup>> {
    let tx = conn.unchecked_transaction()?;
    let mut params: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    if !q.statuses.is_empty() {
        let marks = vec!["?"; q.statuses.len()].join(", ");
        // With several statuses, walking the last_seen index and checking the status
        // (`+` keeps the planner off the status index) is faster than sorting them all.
        let col = if q.statuses.len() > 1 {
            "+g.status"
        } else {
            "g.status"
        };
        conds.push(format!("{col} IN ({marks})"));
        params.extend(
            q.statuses
                .iter()
                .map(|s| Value::Text(s.as_str().to_string())),
        );
    }
    if q.filter != Expr::All {
        if let Some(c) = filter::compile_groups(&q.filter, &mut params)? {
            conds.push(c);
        } else {
            let mut arms = Vec::new();
            for p in partition::list(&tx)? {
                if p.alerts == 0 {
                    continue;
                }
                let c = filter::compile_in(&q.filter, &mut params, Some(&p))?;
                arms.push(format!(
                    "SELECT e.group_id FROM {} e WHERE e.event_type = 'alert' AND {c}",
                    p.table()
                ));
            }
            if arms.is_empty() {
                conds.push("0".into());
            } else {
                conds.push(format!("g.id IN ({})", arms.join(" UNION ALL ")));
            }
        }
    }
    if !q.show_suppressed {
        conds.push(concat!("NOT ", suppressed_sql!()).to_string());
    }
    let cond = if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    };
    page(
        &tx,
        &format!("SELECT COUNT(*) FROM alert_groups g WHERE {cond}"),
        &format!(
            "SELECT {GROUP_COLS} WHERE {cond} ORDER BY g.last_seen DESC, g.id DESC LIMIT ? OFFSET ?"
        ),
        params,
        (q.limit, q.offset),
        group_row,
    )
}

/// One group.
pub fn group(conn: &Connection, id: i64) -> StoreResult<Option<AlertGroup>> {
    Ok(conn
        .query_row(
            &format!("SELECT {GROUP_COLS} WHERE g.id = ?1"),
            params![id],
            group_row,
        )
        .optional()?)
}
