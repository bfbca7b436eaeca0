//! Status changes of alert groups, audited with before and after.

use super::{audit, read};
use crate::store::{AlertGroup, CloseReason, GroupStatus, StoreError, StoreResult};
use rusqlite::{params, Connection, TransactionBehavior};
use serde_json::json;

/// Sets status and close reason (a reason is required to close and cleared otherwise).
pub fn set_group_status(
    conn: &mut Connection,
    actor: &str,
    id: i64,
    status: GroupStatus,
    reason: Option<CloseReason>,
) -> StoreResult<AlertGroup> {
    let reason = check_reason(status, reason)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let after = apply_status(&tx, actor, id, status, reason)?;
    tx.commit()?;
    Ok(after)
}

/// A reason is required to close and cleared otherwise.
pub fn check_reason(
    status: GroupStatus,
    reason: Option<CloseReason>,
) -> StoreResult<Option<CloseReason>> {
    match (status, reason) {
        (GroupStatus::Closed, None) => Err(StoreError::Invalid("closing needs a reason".into())),
        (GroupStatus::Closed, r) => Ok(r),
        _ => Ok(None),
    }
}

/// The status change of one group inside the caller's transaction (`reason` already
/// checked), with its audit entry.
pub fn apply_status(
    tx: &Connection,
    actor: &str,
    id: i64,
    status: GroupStatus,
    reason: Option<CloseReason>,
) -> StoreResult<AlertGroup> {
    let before =
        read::group(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
    tx.execute(
        "UPDATE alert_groups SET status = ?1, close_reason = ?2, updated = ?3 WHERE id = ?4",
        params![
            status.as_str(),
            reason.map(|r| r.as_str()),
            crate::evetime::now_micros(),
            id
        ],
    )?;
    let after =
        read::group(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
    audit::record(
        tx,
        actor,
        "group.status",
        &format!("group:{id}"),
        &json!({"status": before.status, "close_reason": before.close_reason}),
        &json!({"status": after.status, "close_reason": after.close_reason}),
    )?;
    Ok(after)
}
