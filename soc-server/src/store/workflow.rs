//! The triage workflow beyond statuses: cases (escalation, observables, timeline),
//! assignees and comments on alert groups, bulk changes, and suppressions.
//!
//! Kept as its own trait ([`WorkflowStore`], a supertrait of [`super::Store`]) so that a
//! second backend implements it in one place.

use super::{AlertGroup, CloseReason, GroupStatus, StoreResult};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Most groups one bulk action (or one escalation) may touch.
pub const MAX_BULK: u32 = 5000;

/// Status of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened, not yet worked on.
    Open,
    /// Being investigated.
    InProgress,
    /// Done.
    Closed,
}

impl CaseStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Closed => "closed",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "open" => Ok(CaseStatus::Open),
            "in_progress" => Ok(CaseStatus::InProgress),
            "closed" => Ok(CaseStatus::Closed),
            other => Err(format!(
                "unknown case status '{other}' (open, in_progress, closed)"
            )),
        }
    }
}

/// What an observable is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObservableKind {
    /// An IPv4 or IPv6 address.
    Ip,
    /// A DNS name.
    Domain,
    /// A file hash (MD5, SHA-1 or SHA-256, hex).
    Hash,
    /// A URL.
    Url,
}

impl ObservableKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ObservableKind::Ip => "ip",
            ObservableKind::Domain => "domain",
            ObservableKind::Hash => "hash",
            ObservableKind::Url => "url",
        }
    }
}

impl fmt::Display for ObservableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ObservableKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ip" => Ok(ObservableKind::Ip),
            "domain" => Ok(ObservableKind::Domain),
            "hash" => Ok(ObservableKind::Hash),
            "url" => Ok(ObservableKind::Url),
            other => Err(format!(
                "unknown observable kind '{other}' (ip, domain, hash, url)"
            )),
        }
    }
}

/// A case: escalated alert groups under investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Row id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Status.
    pub status: CaseStatus,
    /// Severity (1 is the most severe, like alerts).
    pub severity: i64,
    /// User name of the assignee.
    pub assignee: Option<String>,
    /// Who opened it (`user:alice`).
    pub author: String,
    /// Opened (µs).
    pub created: i64,
    /// Last change (µs).
    pub updated: i64,
    /// Alert groups in the case.
    pub groups: i64,
    /// Observables of the case.
    pub observables: i64,
}

/// An observable of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observable {
    /// Row id.
    pub id: i64,
    /// Kind.
    pub kind: ObservableKind,
    /// The value (normalized: lower-case names and hashes).
    pub value: String,
    /// `auto` (extracted from escalated alerts) or `manual`.
    pub source: String,
    /// Who added it.
    pub actor: String,
    /// When (µs).
    pub added: i64,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Row id.
    pub id: i64,
    /// When (µs).
    pub ts: i64,
    /// Who.
    pub actor: String,
    /// `created`, `escalation`, `comment`, `status`, `severity`, `assignee`, `title`,
    /// `observable`.
    pub kind: String,
    /// Human-readable detail (the comment text for comments).
    pub detail: String,
}

/// A case with everything shown on its page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// Its alert groups.
    pub alert_groups: Vec<AlertGroup>,
    /// Its observables.
    pub observable_list: Vec<Observable>,
    /// Its timeline, oldest first.
    pub timeline: Vec<TimelineEntry>,
}

/// A new case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Title (1–200 characters).
    pub title: String,
    /// Severity 1–4; `None`: the most severe of the escalated groups.
    pub severity: Option<i64>,
    /// Assignee user name.
    pub assignee: Option<String>,
}

/// Changes to a case; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseUpdate {
    /// New title.
    pub title: Option<String>,
    /// New status.
    pub status: Option<CaseStatus>,
    /// New severity.
    pub severity: Option<i64>,
    /// New assignee (`Some(None)` unassigns).
    pub assignee: Option<Option<String>>,
}

/// A comment on an alert group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Row id.
    pub id: i64,
    /// When (µs).
    pub ts: i64,
    /// Who (`user:alice`).
    pub author: String,
    /// Text.
    pub body: String,
}

/// A suppression: matching alert groups are hidden from the inbox (still stored).
/// Every given criterion must match (a combination narrows); at least one is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// Row id.
    pub id: i64,
    /// Signature id.
    pub sid: Option<i64>,
    /// Source address or CIDR.
    pub src: Option<String>,
    /// Destination address or CIDR.
    pub dest: Option<String>,
    /// Sensor name.
    pub sensor: Option<String>,
    /// Why.
    pub reason: String,
    /// Who (`user:alice`).
    pub author: String,
    /// Created (µs).
    pub created: i64,
    /// Expiry (µs); `None`: never.
    pub expires: Option<i64>,
    /// Not expired and not deleted.
    pub active: bool,
    /// Alert groups it matches (hidden while it is active).
    pub groups: i64,
}

/// A suppression to create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewSuppression {
    /// Signature id.
    pub sid: Option<i64>,
    /// Source address or CIDR.
    pub src: Option<String>,
    /// Destination address or CIDR.
    pub dest: Option<String>,
    /// Sensor name (must exist).
    pub sensor: Option<String>,
    /// Why (required).
    pub reason: String,
    /// Expiry (µs); `None`: never.
    pub expires: Option<i64>,
}

/// Storage of the triage workflow.
pub trait WorkflowStore {
    // --- cases ---
    /// Opens a case holding `groups` (escalation): the groups move to `in_progress`,
    /// observables are extracted from their alerts; audited and on the timeline.
    fn create_case(&self, actor: &str, new: &NewCase, groups: &[i64]) -> StoreResult<Case>;
    /// Escalates more groups into an existing case.
    fn escalate(&self, actor: &str, case_id: i64, groups: &[i64]) -> StoreResult<Case>;
    /// Cases, most recently changed first (all statuses when `status` is `None`).
    fn cases(&self, status: Option<CaseStatus>, limit: u32) -> StoreResult<Vec<Case>>;
    /// One case with its groups, observables and timeline.
    fn case(&self, id: i64) -> StoreResult<Option<CaseDetail>>;
    /// Changes title, status, severity or assignee.
    fn update_case(&self, actor: &str, id: i64, update: &CaseUpdate) -> StoreResult<Case>;
    /// Adds a comment to the case's timeline.
    fn comment_case(&self, actor: &str, id: i64, body: &str) -> StoreResult<TimelineEntry>;
    /// Adds an observable by hand (validated for its kind).
    fn add_observable(
        &self,
        actor: &str,
        id: i64,
        kind: ObservableKind,
        value: &str,
    ) -> StoreResult<Observable>;

    // --- alert groups ---
    /// Sets (or clears) the assignee of groups; one audit entry per changed group.
    fn assign_groups(
        &self,
        actor: &str,
        ids: &[i64],
        assignee: Option<&str>,
    ) -> StoreResult<Vec<AlertGroup>>;
    /// Sets the status of many groups in one transaction; one audit entry per group.
    fn set_groups_status(
        &self,
        actor: &str,
        ids: &[i64],
        status: GroupStatus,
        reason: Option<CloseReason>,
    ) -> StoreResult<Vec<AlertGroup>>;
    /// Comments on a group.
    fn comment_group(&self, actor: &str, id: i64, body: &str) -> StoreResult<Comment>;
    /// A group's comments, oldest first.
    fn group_comments(&self, id: i64) -> StoreResult<Vec<Comment>>;

    // --- suppressions ---
    /// All suppressions not deleted (active and expired), newest first.
    fn suppressions(&self) -> StoreResult<Vec<Suppression>>;
    /// Creates a suppression.
    fn create_suppression(&self, actor: &str, new: &NewSuppression) -> StoreResult<Suppression>;
    /// Deletes (ends) a suppression; the row stays for the record.
    fn delete_suppression(&self, actor: &str, id: i64) -> StoreResult<()>;

    // --- live ---
    /// A value that changes whenever events arrive or anything is audited (the live
    /// inbox polls it cheaply before re-reading groups).
    fn change_marker(&self) -> StoreResult<(i64, i64)>;
}
