//! The records the store hands out and takes in.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A user role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users and sensors.
    Admin,
    /// Triage and investigation.
    Analyst,
    /// Runs exercises; may triage.
    Trainer,
    /// Read only.
    Viewer,
}

impl Role {
    /// Whether the role may change alerts (status, close).
    pub fn can_triage(self) -> bool {
        matches!(self, Role::Admin | Role::Analyst | Role::Trainer)
    }
    /// Whether the role may manage users and sensors.
    pub fn can_admin(self) -> bool {
        self == Role::Admin
    }
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Trainer => "trainer",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(Role::Admin),
            "analyst" => Ok(Role::Analyst),
            "trainer" => Ok(Role::Trainer),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!(
                "unknown role '{other}' (admin, analyst, trainer, viewer)"
            )),
        }
    }
}

/// Triage status of an alert group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// Not looked at.
    New,
    /// Seen by an analyst.
    Acknowledged,
    /// Being worked on.
    InProgress,
    /// Done (with a reason).
    Closed,
}

impl GroupStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::New => "new",
            GroupStatus::Acknowledged => "acknowledged",
            GroupStatus::InProgress => "in_progress",
            GroupStatus::Closed => "closed",
        }
    }
}

impl FromStr for GroupStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "new" => Ok(GroupStatus::New),
            "acknowledged" => Ok(GroupStatus::Acknowledged),
            "in_progress" => Ok(GroupStatus::InProgress),
            "closed" => Ok(GroupStatus::Closed),
            other => Err(format!(
                "unknown status '{other}' (new, acknowledged, in_progress, closed)"
            )),
        }
    }
}

/// Why a group was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// A real attack.
    TruePositive,
    /// The rule misfired.
    FalsePositive,
    /// Real but harmless.
    Benign,
    /// Already handled elsewhere.
    Duplicate,
}

impl CloseReason {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::TruePositive => "true_positive",
            CloseReason::FalsePositive => "false_positive",
            CloseReason::Benign => "benign",
            CloseReason::Duplicate => "duplicate",
        }
    }
}

impl FromStr for CloseReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "true_positive" => Ok(CloseReason::TruePositive),
            "false_positive" => Ok(CloseReason::FalsePositive),
            "benign" => Ok(CloseReason::Benign),
            "duplicate" => Ok(CloseReason::Duplicate),
            other => Err(format!(
                "unknown close reason '{other}' (true_positive, false_positive, benign, duplicate)"
            )),
        }
    }
}

/// A console/API user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
}

/// A registered sensor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sensor {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Last ingest (µs since the epoch), if any.
    pub last_seen: Option<i64>,
    /// Sequence high-water mark (`-1` when nothing received).
    pub acked_seq: i64,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPrincipal {
    /// A user's API token.
    User(User),
    /// A sensor's ingest token.
    Sensor(Sensor),
}

/// One parsed ingest line ready to store. Its text and full-text live in the batch's
/// buffers ([`IngestBatch::raw`], [`IngestBatch::fts`]): one buffer per batch instead of two
/// allocations per line.
#[derive(Debug, Clone)]
pub struct IngestEvent {
    /// Sequence number of the line.
    pub seq: i64,
    /// Event time, µs since the epoch.
    pub ts: i64,
    /// The parsed record (hot fields).
    pub event: eve::Event,
    /// Byte range of the line as received (stored verbatim) in [`IngestBatch::lines`].
    pub raw: std::ops::Range<usize>,
    /// Byte range of its full-text in [`IngestBatch::fts_text`]; `None` for event types
    /// without a full-text entry.
    pub fts: Option<std::ops::Range<usize>>,
}

/// A batch of one sensor: its parsed events and the sequence range it covers.
#[derive(Debug, Clone, Default)]
pub struct IngestBatch {
    /// Valid events, in order.
    pub events: Vec<IngestEvent>,
    /// Sequence number of the first line of the batch.
    pub first_seq: i64,
    /// Sequence number of the last line of the batch (valid or not); `None` for an empty body.
    pub last_seq: Option<i64>,
    /// The sensor declares (`X-Sensor-Lost`) that the numbers between its high-water mark
    /// and `first_seq` were dropped on its side (spool full) and will never come: the gap
    /// is accepted and counted as lost instead of refused.
    pub declared_lost: bool,
    /// The valid lines' text, which [`IngestEvent::raw`] points into.
    pub lines: String,
    /// The events' full-text (built while parsing, outside the store's write lock), which
    /// [`IngestEvent::fts`] points into.
    pub fts_text: String,
}

impl IngestBatch {
    /// The line of `e` as received.
    pub fn raw(&self, e: &IngestEvent) -> &str {
        self.lines.get(e.raw.clone()).unwrap_or_default()
    }
    /// The full-text of `e`, if it has one.
    pub fn fts(&self, e: &IngestEvent) -> Option<&str> {
        e.fts.clone().and_then(|r| self.fts_text.get(r))
    }
}

/// What a stored batch changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IngestOutcome {
    /// Everything up to this sequence number is durable.
    pub acked_seq: i64,
    /// Events newly stored.
    pub stored: u64,
    /// Events skipped as already stored.
    pub duplicates: u64,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    /// Row id.
    pub id: i64,
    /// Sensor name.
    pub sensor: String,
    /// Alert group, for alerts.
    pub group_id: Option<i64>,
    /// The EVE record as received.
    pub json: String,
}

/// An alert group (signature + source + destination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertGroup {
    /// Row id.
    pub id: i64,
    /// Signature id.
    pub sid: i64,
    /// Signature text.
    pub signature: String,
    /// Source address (empty for decoder alerts).
    pub src_ip: String,
    /// Destination address.
    pub dest_ip: String,
    /// Highest severity seen (1 is the most severe).
    pub severity: i64,
    /// Sensor of the latest alert.
    pub sensor: String,
    /// Alerts in the group.
    pub count: i64,
    /// First alert time (µs).
    pub first_seen: i64,
    /// Last alert time (µs).
    pub last_seen: i64,
    /// Triage status.
    pub status: GroupStatus,
    /// Close reason, when closed.
    pub close_reason: Option<CloseReason>,
    /// User name of the assignee.
    pub assignee: Option<String>,
    /// The case it was escalated to.
    pub case_id: Option<i64>,
    /// An active suppression hides it from the inbox.
    pub suppressed: bool,
}

/// One page of results and the total count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// Rows matching in all.
    pub total: u64,
    /// This page.
    pub items: Vec<T>,
}

/// An audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When (µs).
    pub ts: i64,
    /// Who (`user:alice`, `cli`, …).
    pub actor: String,
    /// What (`group.status`, `user.create` …).
    pub action: String,
    /// Which object (`group:12`).
    pub target: String,
    /// JSON before the change (`null` for creations).
    pub before: String,
    /// JSON after the change.
    pub after: String,
}
