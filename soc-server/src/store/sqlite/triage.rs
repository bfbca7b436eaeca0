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
    let reason = match (status, reason) {
        (GroupStatus::Closed, None) => {
            return Err(StoreError::Invalid("closing needs a reason".into()));
        }
        (GroupStatus::Closed, r) => r,
        _ => None,
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before =
        read::group(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
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
        read::group(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?;
    audit::record(
        &tx,
        actor,
        "group.status",
        &format!("group:{id}"),
        &json!({"status": before.status, "close_reason": before.close_reason}),
        &json!({"status": after.status, "close_reason": after.close_reason}),
    )?;
    tx.commit()?;
    Ok(after)
}
