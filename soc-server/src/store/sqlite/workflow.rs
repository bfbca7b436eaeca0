//! [`WorkflowStore`] for SQLite: cases, assignees, comments, bulk status changes,
//! suppressions. Bulk changes run in one transaction and write one audit entry per
//! alert group (the same entry a single change writes), so a group's history is
//! complete whichever way it was changed.

use super::{audit, cases, read, suppress, triage, SqliteStore};
use crate::store::{
    AlertGroup, Case, CaseDetail, CaseStatus, CaseUpdate, CloseReason, Comment, GroupStatus,
    NewCase, NewSuppression, Observable, ObservableKind, StoreError, StoreResult, Suppression,
    TimelineEntry, WorkflowStore, MAX_BULK,
};
use rusqlite::{params, Connection, TransactionBehavior};
use serde_json::json;

fn check_ids(ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Err(StoreError::Invalid("no alert groups given".into()));
    }
    if ids.len() > MAX_BULK as usize {
        return Err(StoreError::Invalid(format!(
            "at most {MAX_BULK} alert groups at once"
        )));
    }
    Ok(())
}

fn assign(
    conn: &mut Connection,
    actor: &str,
    ids: &[i64],
    assignee: Option<&str>,
) -> StoreResult<Vec<AlertGroup>> {
    check_ids(ids)?;
    let assignee = assignee.map(str::trim).filter(|a| !a.is_empty());
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(name) = assignee {
        cases::check_user(&tx, name)?;
    }
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let before = read::group(&tx, id)?
            .ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
        if before.assignee.as_deref() == assignee {
            out.push(before);
            continue;
        }
        tx.execute(
            "UPDATE alert_groups SET assignee = ?1, updated = ?2 WHERE id = ?3",
            params![assignee, crate::evetime::now_micros(), id],
        )?;
        audit::record(
            &tx,
            actor,
            "group.assign",
            &format!("group:{id}"),
            &json!({"assignee": before.assignee}),
            &json!({"assignee": assignee}),
        )?;
        out.push(
            read::group(&tx, id)?
                .ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?,
        );
    }
    tx.commit()?;
    Ok(out)
}

fn set_status(
    conn: &mut Connection,
    actor: &str,
    ids: &[i64],
    status: GroupStatus,
    reason: Option<CloseReason>,
) -> StoreResult<Vec<AlertGroup>> {
    check_ids(ids)?;
    let reason = triage::check_reason(status, reason)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        out.push(triage::apply_status(&tx, actor, id, status, reason)?);
    }
    tx.commit()?;
    Ok(out)
}

fn comment_group(conn: &mut Connection, actor: &str, id: i64, body: &str) -> StoreResult<Comment> {
    let body = cases::check_comment(body)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    read::group(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
    let ts = crate::evetime::now_micros();
    tx.execute(
        "INSERT INTO group_comments (group_id, ts, author, body) VALUES (?1, ?2, ?3, ?4)",
        params![id, ts, actor, body],
    )?;
    let cid = tx.last_insert_rowid();
    audit::record(
        &tx,
        actor,
        "group.comment",
        &format!("group:{id}"),
        &serde_json::Value::Null,
        &json!({"comment": body}),
    )?;
    tx.commit()?;
    Ok(Comment {
        id: cid,
        ts,
        author: actor.to_string(),
        body,
    })
}

fn group_comments(conn: &Connection, id: i64) -> StoreResult<Vec<Comment>> {
    let mut st = conn.prepare_cached(
        "SELECT id, ts, author, body FROM group_comments WHERE group_id = ?1 ORDER BY id LIMIT 1000",
    )?;
    let rows = st.query_map(params![id], |r| {
        Ok(Comment {
            id: r.get(0)?,
            ts: r.get(1)?,
            author: r.get(2)?,
            body: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn change_marker(conn: &Connection) -> StoreResult<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT IFNULL(MAX(id), 0) FROM events), (SELECT IFNULL(MAX(id), 0) FROM audit)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

impl WorkflowStore for SqliteStore {
    fn create_case(&self, actor: &str, new: &NewCase, groups: &[i64]) -> StoreResult<Case> {
        self.write(|c| cases::create(c, actor, new, groups))
    }
    fn escalate(&self, actor: &str, case_id: i64, groups: &[i64]) -> StoreResult<Case> {
        self.write(|c| cases::escalate(c, actor, case_id, groups))
    }
    fn cases(&self, status: Option<CaseStatus>, limit: u32) -> StoreResult<Vec<Case>> {
        self.read(|c| cases::list(c, status, limit))
    }
    fn case(&self, id: i64) -> StoreResult<Option<CaseDetail>> {
        self.read(|c| cases::detail(c, id))
    }
    fn update_case(&self, actor: &str, id: i64, update: &CaseUpdate) -> StoreResult<Case> {
        self.write(|c| cases::update(c, actor, id, update))
    }
    fn comment_case(&self, actor: &str, id: i64, body: &str) -> StoreResult<TimelineEntry> {
        self.write(|c| cases::comment(c, actor, id, body))
    }
    fn add_observable(
        &self,
        actor: &str,
        id: i64,
        kind: ObservableKind,
        value: &str,
    ) -> StoreResult<Observable> {
        self.write(|c| cases::add_observable(c, actor, id, kind, value))
    }
    fn assign_groups(
        &self,
        actor: &str,
        ids: &[i64],
        assignee: Option<&str>,
    ) -> StoreResult<Vec<AlertGroup>> {
        self.write(|c| assign(c, actor, ids, assignee))
    }
    fn set_groups_status(
        &self,
        actor: &str,
        ids: &[i64],
        status: GroupStatus,
        reason: Option<CloseReason>,
    ) -> StoreResult<Vec<AlertGroup>> {
        self.write(|c| set_status(c, actor, ids, status, reason))
    }
    fn comment_group(&self, actor: &str, id: i64, body: &str) -> StoreResult<Comment> {
        self.write(|c| comment_group(c, actor, id, body))
    }
    fn group_comments(&self, id: i64) -> StoreResult<Vec<Comment>> {
        self.read(|c| group_comments(c, id))
    }
    fn suppressions(&self) -> StoreResult<Vec<Suppression>> {
        self.read(suppress::list)
    }
    fn create_suppression(&self, actor: &str, new: &NewSuppression) -> StoreResult<Suppression> {
        self.write(|c| suppress::create(c, actor, new))
    }
    fn delete_suppression(&self, actor: &str, id: i64) -> StoreResult<()> {
        self.write(|c| suppress::delete(c, actor, id))
    }
    fn change_marker(&self) -> StoreResult<(i64, i64)> {
        self.read(change_marker)
    }
}
