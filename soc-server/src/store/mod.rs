//! Storage of events, alert groups, users, sensors, tokens, sessions and the audit log.
//!
//! Everything above this module talks to the [`Store`] trait, never to SQLite, so that
//! an Elasticsearch/OpenSearch backend can be added without touching the API or console.
//! The trait is synchronous: async callers run it on the blocking pool.

mod model;
pub mod observables;
mod rulesets;
pub mod sqlite;
mod stats;
mod workflow;

pub use model::*;
pub use rulesets::*;
pub use stats::*;
pub use workflow::*;

use crate::query::Expr;
use thiserror::Error;

/// Failures of a store operation.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The backend failed (I/O, corruption, lock timeout …).
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A name that must be unique is taken.
    #[error("{0} already exists")]
    Conflict(String),
    /// The thing to change does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// A batch starts after the sensor's next expected sequence number: storing it would
    /// acknowledge lines never received. The sensor must resend from `acked_seq + 1`.
    #[error("sequence gap: batch starts at {first_seq}, expected at most {}", acked_seq + 1)]
    SequenceGap {
        /// The sensor's high-water mark.
        acked_seq: i64,
        /// First sequence number of the refused batch.
        first_seq: i64,
    },
    /// The request is not valid for the store (bad status, unknown role …).
    #[error("invalid: {0}")]
    Invalid(String),
    /// Opening the data directory failed.
    #[error("data directory {path}: {source}")]
    Io {
        /// The directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage interface of the server.
pub trait Store: Send + Sync + WorkflowStore {
    // --- ingest ---
    /// Stores one batch of a sensor in one transaction. Lines whose sequence number is at
    /// or below the sensor's high-water mark are duplicates and skipped; the mark moves to
    /// `last_seq` (rejected lines count as delivered). A batch that would leave a gap after
    /// the mark is refused with [`StoreError::SequenceGap`] (a sensor's first batch may
    /// start anywhere).
    fn ingest(&self, sensor_id: i64, batch: &IngestBatch) -> StoreResult<IngestOutcome>;
    /// [`Store::ingest`] taking the batch, so that a backend may store it together with
    /// other sensors' batches in one transaction (group commit).
    fn ingest_owned(&self, sensor_id: i64, batch: IngestBatch) -> StoreResult<IngestOutcome> {
        self.ingest(sensor_id, &batch)
    }
    /// The sensor's high-water mark (`-1` when nothing was ever received).
    fn sensor_seq(&self, sensor_id: i64) -> StoreResult<i64>;

    // --- principals ---
    /// Creates a user with an argon2 PHC password hash.
    fn create_user(
        &self,
        actor: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> StoreResult<User>;
    /// A user and their password hash.
    fn user_credentials(&self, name: &str) -> StoreResult<Option<(User, String)>>;
    /// All users.
    fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Registers a sensor with its token hash.
    fn create_sensor(&self, actor: &str, name: &str, token_hash: &str) -> StoreResult<Sensor>;
    /// Records a single-use enrollment token (its hash) for a sensor to be named
    /// `sensor_name`, valid until `expires` (µs since the epoch).
    fn create_enrollment(
        &self,
        actor: &str,
        sensor_name: &str,
        token_hash: &str,
        expires: i64,
    ) -> StoreResult<()>;
    /// Redeems an enrollment token: registers its sensor with `sensor_token_hash` and
    /// marks the token used, atomically. `None` when the token is unknown, used or expired.
    fn redeem_enrollment(
        &self,
        token_hash: &str,
        sensor_token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<Sensor>>;
    /// A sensor by name.
    fn sensor_by_name(&self, name: &str) -> StoreResult<Option<Sensor>>;
    /// All sensors.
    fn list_sensors(&self) -> StoreResult<Vec<Sensor>>;
    /// Adds an API token (hash only) for a user.
    fn create_api_token(&self, actor: &str, user_id: i64, token_hash: &str) -> StoreResult<()>;
    /// Resolves a bearer token hash to the principal it belongs to.
    fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<TokenPrincipal>>;
    /// Creates a login session (hash of the cookie value, CSRF token, expiry).
    fn create_session(
        &self,
        user_id: i64,
        session_hash: &str,
        csrf: &str,
        expires: i64,
    ) -> StoreResult<()>;
    /// A live session: its user and CSRF token.
    fn session(&self, session_hash: &str, now: i64) -> StoreResult<Option<(User, String)>>;
    /// Ends a session.
    fn delete_session(&self, session_hash: &str) -> StoreResult<()>;

    // --- reads ---
    /// Events matching a query (optionally only one event type), newest first.
    fn search_events(&self, q: &EventQuery) -> StoreResult<Page<StoredEvent>>;
    /// One event.
    fn event(&self, id: i64) -> StoreResult<Option<StoredEvent>>;
    /// Events of one flow, oldest first.
    fn flow_events(&self, flow_id: u64, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// Alert groups for the inbox, most recently seen first.
    fn groups(&self, q: &GroupQuery) -> StoreResult<Page<AlertGroup>>;
    /// One alert group.
    fn group(&self, id: i64) -> StoreResult<Option<AlertGroup>>;
    /// The audit log, newest first.
    fn audit(&self, limit: u32) -> StoreResult<Vec<AuditEntry>>;

    // --- triage ---
    /// Changes a group's status (and close reason), recording the change in the audit log.
    fn set_group_status(
        &self,
        actor: &str,
        id: i64,
        status: GroupStatus,
        reason: Option<CloseReason>,
    ) -> StoreResult<AlertGroup>;

    // --- rulesets and sensor health ---
    /// Stores a validated ruleset as the next version (not published).
    fn create_ruleset(&self, actor: &str, new: &NewRuleset) -> StoreResult<RulesetInfo>;
    /// All versions, newest first.
    fn list_rulesets(&self) -> StoreResult<Vec<RulesetInfo>>;
    /// Makes `version` the one sensors run (audited).
    fn publish_ruleset(&self, actor: &str, version: i64) -> StoreResult<RulesetInfo>;
    /// The published version and its text.
    fn active_ruleset(&self) -> StoreResult<Option<(RulesetInfo, String)>>;
    /// Records a sensor's heartbeat (the latest is kept) at `now` (µs).
    fn record_heartbeat(
        &self,
        sensor_id: i64,
        report: &HeartbeatReport,
        now: i64,
    ) -> StoreResult<()>;
    /// Every sensor with its latest heartbeat.
    fn sensor_health(&self) -> StoreResult<Vec<SensorHealth>>;
    // --- operations ---
    /// Sizes and counts (for `/metrics`).
    fn stats(&self) -> StoreResult<StoreStats>;
    /// Alerts over time, top lists and severity mix of a time window (dashboards).
    fn dashboard(&self, q: &DashboardQuery) -> StoreResult<Dashboard>;
}

/// A query over events.
#[derive(Debug, Clone)]
pub struct EventQuery {
    /// The parsed filter.
    pub filter: Expr,
    /// Only this event type (`alert` for the alerts API).
    pub event_type: Option<String>,
    /// Only events of this alert group.
    pub group_id: Option<i64>,
    /// Page size.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

/// A query over alert groups.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// Groups that have at least one alert matching this filter.
    pub filter: Expr,
    /// Only groups in these statuses (all when empty).
    pub statuses: Vec<GroupStatus>,
    /// Page size.
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
    /// Also list groups that an active suppression hides.
    pub show_suppressed: bool,
}
