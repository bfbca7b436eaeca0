//! Cases: escalation of alert groups, observables (extracted and by hand), the timeline
//! and comments. Every change is audited and put on the case's timeline in the same
//! transaction.

use super::{audit, partition, read};
use crate::store::observables;
use crate::store::{
    AlertGroup, Case, CaseDetail, CaseStatus, CaseUpdate, GroupStatus, NewCase, Observable,
    ObservableKind, StoreError, StoreResult, TimelineEntry, MAX_BULK,
};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;
use std::collections::BTreeSet;

/// Alerts (and fileinfo events of their flows) read per escalated group for observables.
const SCAN_PER_GROUP: u32 = 500;
/// Most observables extracted automatically in one escalation.
const MAX_AUTO_OBSERVABLES: usize = 1000;

const CASE_COLS: &str =
    "c.id, c.title, c.status, c.severity, c.assignee, c.author, c.created, c.updated,
    (SELECT COUNT(*) FROM alert_groups g WHERE g.case_id = c.id),
    (SELECT COUNT(*) FROM case_observables o WHERE o.case_id = c.id)
    FROM cases c";

fn case_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    let status: String = r.get(2)?;
    Ok(Case {
        id: r.get(0)?,
        title: r.get(1)?,
        status: status.parse().unwrap_or(CaseStatus::Open),
        severity: r.get(3)?,
        assignee: r.get(4)?,
        author: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        groups: r.get(8)?,
        observables: r.get(9)?,
    })
}

fn one(conn: &Connection, id: i64) -> StoreResult<Case> {
    conn.query_row(
        &format!("SELECT {CASE_COLS} WHERE c.id = ?1"),
        params![id],
        case_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
}

fn check_title(title: &str) -> StoreResult<String> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(StoreError::Invalid(
            "title: expected 1-200 characters".into(),
        ));
    }
    Ok(t.to_string())
}

fn check_severity(sev: i64) -> StoreResult<i64> {
    if (1..=4).contains(&sev) {
        Ok(sev)
    } else {
        Err(StoreError::Invalid(format!(
            "severity: expected 1-4, got {sev}"
        )))
    }
}

/// Checks that a user of that name exists (assignees are users).
pub fn check_user(conn: &Connection, name: &str) -> StoreResult<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1)",
        params![name],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "assignee: no user named '{name}'"
        )))
    }
}

/// Checks a comment text.
pub fn check_comment(body: &str) -> StoreResult<String> {
    let b = body.trim();
    if b.is_empty() || b.chars().count() > 10_000 {
        return Err(StoreError::Invalid(
            "comment: expected 1-10000 characters".into(),
        ));
    }
    Ok(b.to_string())
}

fn timeline(
    conn: &Connection,
    case_id: i64,
    actor: &str,
    kind: &str,
    detail: &str,
) -> StoreResult<i64> {
    let now = crate::evetime::now_micros();
    conn.execute(
        "INSERT INTO case_timeline (case_id, ts, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, now, actor, kind, detail],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "UPDATE cases SET updated = ?1 WHERE id = ?2",
        params![now, case_id],
    )?;
    Ok(id)
}

fn groups_of(conn: &Connection, ids: &[i64]) -> StoreResult<Vec<AlertGroup>> {
    if ids.is_empty() {
        return Err(StoreError::Invalid("no alert groups given".into()));
    }
    if ids.len() > MAX_BULK as usize {
        return Err(StoreError::Invalid(format!(
            "at most {MAX_BULK} alert groups at once"
        )));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for &id in ids {
        if seen.insert(id) {
            out.push(
                read::group(conn, id)?
                    .ok_or_else(|| StoreError::NotFound(format!("alert group {id}")))?,
            );
        }
    }
    Ok(out)
}

/// Adds `groups` to the case inside the caller's transaction: each group moves to
/// `in_progress` with the case id (audited per group), the case's timeline gets an
/// escalation entry per group, and the alerts' observables are added.
fn add_groups(
    tx: &Connection,
    actor: &str,
    case_id: i64,
    groups: &[AlertGroup],
) -> StoreResult<()> {
    let now = crate::evetime::now_micros();
    let mut found = BTreeSet::new();
    for g in groups {
        tx.execute(
            "UPDATE alert_groups SET case_id = ?1, status = 'in_progress', close_reason = NULL, updated = ?2 WHERE id = ?3",
            params![case_id, now, g.id],
        )?;
        audit::record(
            tx,
            actor,
            "group.escalate",
            &format!("group:{}", g.id),
            &json!({"status": g.status, "close_reason": g.close_reason, "case_id": g.case_id}),
            &json!({"status": GroupStatus::InProgress, "close_reason": null, "case_id": case_id}),
        )?;
        let moved = match g.case_id {
            Some(old) if old != case_id => format!(" (moved from case {old})"),
            _ => String::new(),
        };
        timeline(
            tx,
            case_id,
            actor,
            "escalation",
            &format!(
                "alert group {}: {} {} \u{2192} {} ({} alerts){moved}",
                g.id, g.signature, g.src_ip, g.dest_ip, g.count
            ),
        )?;
        extract_from_group(tx, g.id, &mut found)?;
    }
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO case_observables (case_id, kind, value, source, actor, added)
         VALUES (?1, ?2, ?3, 'auto', ?4, ?5)",
    )?;
    for (kind, value) in found.iter().take(MAX_AUTO_OBSERVABLES) {
        st.execute(params![case_id, kind.as_str(), value, actor, now])?;
    }
    Ok(())
}

/// Observables of a group's latest alerts and of the fileinfo events on their flows.
fn extract_from_group(
    conn: &Connection,
    group_id: i64,
    out: &mut BTreeSet<(ObservableKind, String)>,
) -> StoreResult<()> {
    let mut st = conn
        .prepare_cached("SELECT json FROM events WHERE group_id = ?1 ORDER BY ts DESC LIMIT ?2")?;
    let alerts = st.query_map(params![group_id, SCAN_PER_GROUP], |r| r.get::<_, String>(0))?;
    for json in alerts {
        if let Ok(v) = serde_json::from_str(&json?) {
            observables::extract(&v, out);
        }
    }
    let flows: Vec<i64> = conn
        .prepare_cached(
            "SELECT flow_id FROM events WHERE group_id = ?1 AND flow_id IS NOT NULL
             ORDER BY ts DESC LIMIT ?2",
        )?
        .query_map(params![group_id, SCAN_PER_GROUP], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if flows.is_empty() {
        return Ok(());
    }
    let list = flows
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Partition by partition, through the flow index (bucketed, see partition.rs).
    let mut left = SCAN_PER_GROUP as usize;
    for p in partition::list(conn)? {
        if left == 0 {
            break;
        }
        let mut st = conn.prepare(&format!(
            "SELECT e.json FROM {} e WHERE e.event_type = 'fileinfo' AND e.flow_id IN ({list})
                AND {} LIMIT ?1",
            p.table(),
            partition::flow_buckets(&p.table())
        ))?;
        let files = st.query_map(params![left as i64], |r| r.get::<_, String>(0))?;
        for json in files {
            left = left.saturating_sub(1);
            if let Ok(v) = serde_json::from_str(&json?) {
                observables::extract(&v, out);
            }
        }
    }
    Ok(())
}

/// Opens a case with the escalated groups.
pub fn create(
    conn: &mut Connection,
    actor: &str,
    new: &NewCase,
    group_ids: &[i64],
) -> StoreResult<Case> {
    let title = check_title(&new.title)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A case may also be opened by hand, without alert groups.
    let groups = if group_ids.is_empty() {
        Vec::new()
    } else {
        groups_of(&tx, group_ids)?
    };
    let severity = match new.severity {
        Some(s) => check_severity(s)?,
        None => groups
            .iter()
            .map(|g| g.severity)
            .min()
            .unwrap_or(3)
            .clamp(1, 4),
    };
    let assignee = new
        .assignee
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    if let Some(a) = assignee {
        check_user(&tx, a)?;
    }
    let now = crate::evetime::now_micros();
    tx.execute(
        "INSERT INTO cases (title, status, severity, assignee, author, created, updated)
         VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?5)",
        params![title, severity, assignee, actor, now],
    )?;
    let id = tx.last_insert_rowid();
    timeline(&tx, id, actor, "created", &format!("case opened: {title}"))?;
    add_groups(&tx, actor, id, &groups)?;
    let case = one(&tx, id)?;
    audit::record(
        &tx,
        actor,
        "case.create",
        &format!("case:{id}"),
        &serde_json::Value::Null,
        &json!({"title": case.title, "status": case.status, "severity": case.severity,
                "assignee": case.assignee, "groups": groups.iter().map(|g| g.id).collect::<Vec<_>>(),
                "observables": case.observables}),
    )?;
    tx.commit()?;
    Ok(case)
}

/// Escalates more groups into an existing case.
pub fn escalate(
    conn: &mut Connection,
    actor: &str,
    case_id: i64,
    group_ids: &[i64],
) -> StoreResult<Case> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = one(&tx, case_id)?;
    let groups = groups_of(&tx, group_ids)?;
    add_groups(&tx, actor, case_id, &groups)?;
    let after = one(&tx, case_id)?;
    audit::record(
        &tx,
        actor,
        "case.escalate",
        &format!("case:{case_id}"),
        &json!({"groups": before.groups, "observables": before.observables}),
        &json!({"groups": after.groups, "observables": after.observables,
                "added": groups.iter().map(|g| g.id).collect::<Vec<_>>()}),
    )?;
    tx.commit()?;
    Ok(after)
}

/// Cases, most recently changed first.
pub fn list(conn: &Connection, status: Option<CaseStatus>, limit: u32) -> StoreResult<Vec<Case>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {CASE_COLS} WHERE ?1 IS NULL OR c.status = ?1 ORDER BY c.updated DESC, c.id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![status.map(|s| s.as_str()), limit], case_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One case with its groups, observables and timeline.
pub fn detail(conn: &Connection, id: i64) -> StoreResult<Option<CaseDetail>> {
    let case = match one(conn, id) {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut st = conn.prepare_cached(&format!(
        "SELECT {} WHERE g.case_id = ?1 ORDER BY g.last_seen DESC LIMIT 1000",
        read::GROUP_COLS
    ))?;
    let alert_groups = st
        .query_map(params![id], read::group_row)?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare_cached(
        "SELECT id, kind, value, source, actor, added FROM case_observables WHERE case_id = ?1
         ORDER BY kind, value",
    )?;
    let observable_list = st
        .query_map(params![id], |r| {
            let kind: String = r.get(1)?;
            Ok(Observable {
                id: r.get(0)?,
                kind: kind.parse().unwrap_or(ObservableKind::Url),
                value: r.get(2)?,
                source: r.get(3)?,
                actor: r.get(4)?,
                added: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare_cached(
        "SELECT id, ts, actor, kind, detail FROM case_timeline WHERE case_id = ?1 ORDER BY id",
    )?;
    let timeline = st
        .query_map(params![id], |r| {
            Ok(TimelineEntry {
                id: r.get(0)?,
                ts: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(CaseDetail {
        case,
        alert_groups,
        observable_list,
        timeline,
    }))
}

/// Applies an update; one timeline entry per changed field, one audit entry.
pub fn update(conn: &mut Connection, actor: &str, id: i64, u: &CaseUpdate) -> StoreResult<Case> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = one(&tx, id)?;
    if let Some(t) = &u.title {
        let t = check_title(t)?;
        if t != before.title {
            tx.execute("UPDATE cases SET title = ?1 WHERE id = ?2", params![t, id])?;
            timeline(
                &tx,
                id,
                actor,
                "title",
                &format!("title: {} \u{2192} {t}", before.title),
            )?;
        }
    }
    if let Some(s) = u.status {
        if s != before.status {
            tx.execute(
                "UPDATE cases SET status = ?1 WHERE id = ?2",
                params![s.as_str(), id],
            )?;
            timeline(
                &tx,
                id,
                actor,
                "status",
                &format!("status: {} \u{2192} {s}", before.status),
            )?;
        }
    }
    if let Some(sev) = u.severity {
        let sev = check_severity(sev)?;
        if sev != before.severity {
            tx.execute(
                "UPDATE cases SET severity = ?1 WHERE id = ?2",
                params![sev, id],
            )?;
            timeline(
                &tx,
                id,
                actor,
                "severity",
                &format!("severity: {} \u{2192} {sev}", before.severity),
            )?;
        }
    }
    if let Some(a) = &u.assignee {
        let a = a.as_deref().map(str::trim).filter(|a| !a.is_empty());
        if let Some(name) = a {
            check_user(&tx, name)?;
        }
        if a != before.assignee.as_deref() {
            tx.execute(
                "UPDATE cases SET assignee = ?1 WHERE id = ?2",
                params![a, id],
            )?;
            timeline(
                &tx,
                id,
                actor,
                "assignee",
                &format!(
                    "assignee: {} \u{2192} {}",
                    before.assignee.as_deref().unwrap_or("nobody"),
                    a.unwrap_or("nobody")
                ),
            )?;
        }
    }
    let after = one(&tx, id)?;
    if after != before {
        let view = |c: &Case| json!({"title": c.title, "status": c.status, "severity": c.severity, "assignee": c.assignee});
        audit::record(
            &tx,
            actor,
            "case.update",
            &format!("case:{id}"),
            &view(&before),
            &view(&after),
        )?;
    }
    tx.commit()?;
    Ok(after)
}

/// A comment on the case's timeline.
pub fn comment(
    conn: &mut Connection,
    actor: &str,
    id: i64,
    body: &str,
) -> StoreResult<TimelineEntry> {
    let body = check_comment(body)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    one(&tx, id)?;
    let entry = timeline(&tx, id, actor, "comment", &body)?;
    audit::record(
        &tx,
        actor,
        "case.comment",
        &format!("case:{id}"),
        &serde_json::Value::Null,
        &json!({"comment": body}),
    )?;
    let e = tx.query_row(
        "SELECT id, ts, actor, kind, detail FROM case_timeline WHERE id = ?1",
        params![entry],
        |r| {
            Ok(TimelineEntry {
                id: r.get(0)?,
                ts: r.get(1)?,
                actor: r.get(2)?,
                kind: r.get(3)?,
                detail: r.get(4)?,
            })
        },
    )?;
    tx.commit()?;
    Ok(e)
}

/// An observable added by hand.
pub fn add_observable(
    conn: &mut Connection,
    actor: &str,
    id: i64,
    kind: ObservableKind,
    value: &str,
) -> StoreResult<Observable> {
    let value = observables::normalize(kind, value).map_err(StoreError::Invalid)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    one(&tx, id)?;
    let now = crate::evetime::now_micros();
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO case_observables (case_id, kind, value, source, actor, added)
         VALUES (?1, ?2, ?3, 'manual', ?4, ?5)",
        params![id, kind.as_str(), value, actor, now],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!("observable {kind} {value}")));
    }
    let obs_id = tx.last_insert_rowid();
    timeline(
        &tx,
        id,
        actor,
        "observable",
        &format!("{kind} {value} added"),
    )?;
    audit::record(
        &tx,
        actor,
        "case.observable",
        &format!("case:{id}"),
        &serde_json::Value::Null,
        &json!({"kind": kind, "value": value}),
    )?;
    tx.commit()?;
    Ok(Observable {
        id: obs_id,
        kind,
        value,
        source: "manual".into(),
        actor: actor.to_string(),
        added: now,
    })
}
