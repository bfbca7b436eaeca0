//! The append-only audit log (triggers refuse UPDATE and DELETE).

use crate::store::{AuditEntry, StoreResult};
use rusqlite::{params, Connection};

/// Appends an entry; call inside the transaction that makes the change.
pub fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    target: &str,
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO audit (ts, actor, action, target, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![crate::evetime::now_micros(), actor, action, target, before.to_string(), after.to_string()],
    )?;
    Ok(())
}

/// Newest entries first.
pub fn list(conn: &Connection, limit: u32) -> StoreResult<Vec<AuditEntry>> {
    let mut st = conn.prepare_cached(
        "SELECT id, ts, actor, action, target, before, after FROM audit ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = st.query_map(params![limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            ts: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
