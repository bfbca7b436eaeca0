//! Searches over events and alert groups.

use super::filter;
use super::suppress::suppressed_sql;
use crate::store::{AlertGroup, EventQuery, GroupQuery, Page, StoreResult, StoredEvent};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

const EVENT_COLS: &str =
    "e.id, s.name, e.group_id, e.json FROM events e JOIN sensors s ON s.id = e.sensor_id";

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

fn event_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: r.get(0)?,
        sensor: r.get(1)?,
        group_id: r.get(2)?,
        json: r.get(3)?,
    })
}

/// Events matching the query, newest first, with the total count.
pub fn search_events(conn: &Connection, q: &EventQuery) -> StoreResult<Page<StoredEvent>> {
    let mut params: Vec<Value> = Vec::new();
    let mut cond = filter::compile(&q.filter, &mut params)?;
    if let Some(t) = &q.event_type {
        cond = format!("e.event_type = ? AND {cond}");
        params.insert(0, Value::Text(t.clone()));
    }
    if let Some(g) = q.group_id {
        cond = format!("e.group_id = ? AND {cond}");
        params.insert(0, Value::Integer(g));
    }
    page(
        conn,
        &format!("SELECT COUNT(*) FROM events e WHERE {cond}"),
        &format!("SELECT {EVENT_COLS} WHERE {cond} ORDER BY e.ts DESC, e.id DESC LIMIT ? OFFSET ?"),
        params,
        (q.limit, q.offset),
        event_row,
    )
}

/// One event by id.
pub fn event(conn: &Connection, id: i64) -> StoreResult<Option<StoredEvent>> {
    Ok(conn
        .query_row(
            &format!("SELECT {EVENT_COLS} WHERE e.id = ?1"),
            params![id],
            event_row,
        )
        .optional()?)
}

/// Events of a flow, oldest first.
pub fn flow_events(conn: &Connection, flow_id: u64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLS} WHERE e.flow_id = ?1 ORDER BY e.ts, e.id LIMIT ?2"
    ))?;
    let rows = st.query_map(params![flow_id as i64, limit], event_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
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
pub fn groups(conn: &Connection, q: &GroupQuery) -> StoreResult<Page<AlertGroup>> {
    let mut params: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    if !q.statuses.is_empty() {
        let marks = vec!["?"; q.statuses.len()].join(", ");
        conds.push(format!("g.status IN ({marks})"));
        params.extend(
            q.statuses
                .iter()
                .map(|s| Value::Text(s.as_str().to_string())),
        );
    }
    if q.filter != crate::query::Expr::All {
        let c = filter::compile(&q.filter, &mut params)?;
        conds.push(format!(
            "g.id IN (SELECT e.group_id FROM events e WHERE e.event_type = 'alert' AND {c})"
        ));
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
        conn,
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
