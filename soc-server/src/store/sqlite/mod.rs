//! The embedded SQLite backend: one writer connection, a few reader connections, WAL mode.

mod audit;
mod cases;
mod filter;
mod fts;
mod ingest;
mod migrations;
mod principals;
mod read;
mod rulesets;
mod suppress;
mod triage;
mod workflow;

use super::{
    AlertGroup, AuditEntry, CloseReason, EventQuery, GroupQuery, GroupStatus, IngestBatch,
    IngestOutcome, Page, Role, Sensor, Store, StoreError, StoreResult, StoredEvent, TokenPrincipal,
    User,
};
use super::{HeartbeatReport, NewRuleset, RulesetInfo, SensorHealth};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Number of reader connections.
const READERS: usize = 4;

/// The SQLite store in `DATA/soc.db`.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(15))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir`, applying migrations.
    pub fn open(data_dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.display().to_string(),
            source,
        })?;
        let path = data_dir.join("soc.db");
        let mut writer = Connection::open(&path)?;
        configure(&writer)?;
        suppress::register_functions(&writer)?;
        migrations::migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?;
            r.busy_timeout(Duration::from_secs(15))?;
            suppress::register_functions(&r)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            path,
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the writer connection (writes are serialized).
    fn write<T>(&self, f: impl FnOnce(&mut Connection) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = lock(&self.writer);
        f(&mut conn)
    }

    /// Runs `f` on a free reader connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(conn) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return f(&conn);
            }
        }
        let conn = lock(&self.readers[start % self.readers.len()]);
        f(&conn)
    }
}

impl Store for SqliteStore {
    fn ingest(&self, sensor_id: i64, batch: &IngestBatch) -> StoreResult<IngestOutcome> {
        self.write(|c| ingest::ingest(c, sensor_id, batch))
    }
    fn sensor_seq(&self, sensor_id: i64) -> StoreResult<i64> {
        self.read(|c| ingest::acked_seq(c, sensor_id))
    }
    fn create_user(
        &self,
        actor: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> StoreResult<User> {
        self.write(|c| principals::create_user(c, actor, name, role, password_hash))
    }
    fn user_credentials(&self, name: &str) -> StoreResult<Option<(User, String)>> {
        self.read(|c| principals::user_credentials(c, name))
    }
    fn list_users(&self) -> StoreResult<Vec<User>> {
        self.read(principals::list_users)
    }
    fn create_sensor(&self, actor: &str, name: &str, token_hash: &str) -> StoreResult<Sensor> {
        self.write(|c| principals::create_sensor(c, actor, name, token_hash))
    }
    fn create_enrollment(
        &self,
        actor: &str,
        sensor_name: &str,
        token_hash: &str,
        expires: i64,
    ) -> StoreResult<()> {
        self.write(|c| principals::create_enrollment(c, actor, sensor_name, token_hash, expires))
    }
    fn redeem_enrollment(
        &self,
        token_hash: &str,
        sensor_token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<Sensor>> {
        self.write(|c| principals::redeem_enrollment(c, token_hash, sensor_token_hash, now))
    }
    fn sensor_by_name(&self, name: &str) -> StoreResult<Option<Sensor>> {
        self.read(|c| principals::sensor_by_name(c, name))
    }
    fn list_sensors(&self) -> StoreResult<Vec<Sensor>> {
        self.read(principals::list_sensors)
    }
    fn create_api_token(&self, actor: &str, user_id: i64, token_hash: &str) -> StoreResult<()> {
        self.write(|c| principals::create_api_token(c, actor, user_id, token_hash))
    }
    fn principal_by_token(&self, token_hash: &str) -> StoreResult<Option<TokenPrincipal>> {
        self.read(|c| principals::principal_by_token(c, token_hash))
    }
    fn create_session(
        &self,
        user_id: i64,
        session_hash: &str,
        csrf: &str,
        expires: i64,
    ) -> StoreResult<()> {
        self.write(|c| principals::create_session(c, user_id, session_hash, csrf, expires))
    }
    fn session(&self, session_hash: &str, now: i64) -> StoreResult<Option<(User, String)>> {
        self.read(|c| principals::session(c, session_hash, now))
    }
    fn delete_session(&self, session_hash: &str) -> StoreResult<()> {
        self.write(|c| principals::delete_session(c, session_hash))
    }
    fn search_events(&self, q: &EventQuery) -> StoreResult<Page<StoredEvent>> {
        self.read(|c| read::search_events(c, q))
    }
    fn event(&self, id: i64) -> StoreResult<Option<StoredEvent>> {
        self.read(|c| read::event(c, id))
    }
    fn flow_events(&self, flow_id: u64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        self.read(|c| read::flow_events(c, flow_id, limit))
    }
    fn groups(&self, q: &GroupQuery) -> StoreResult<Page<AlertGroup>> {
        self.read(|c| read::groups(c, q))
    }
    fn group(&self, id: i64) -> StoreResult<Option<AlertGroup>> {
        self.read(|c| read::group(c, id))
    }
    fn audit(&self, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        self.read(|c| audit::list(c, limit))
    }
    fn set_group_status(
        &self,
        actor: &str,
        id: i64,
        status: GroupStatus,
        reason: Option<CloseReason>,
    ) -> StoreResult<AlertGroup> {
        self.write(|c| triage::set_group_status(c, actor, id, status, reason))
    }
    fn create_ruleset(&self, actor: &str, new: &NewRuleset) -> StoreResult<RulesetInfo> {
        self.write(|c| rulesets::create(c, actor, new))
    }
    fn list_rulesets(&self) -> StoreResult<Vec<RulesetInfo>> {
        self.read(rulesets::list)
    }
    fn publish_ruleset(&self, actor: &str, version: i64) -> StoreResult<RulesetInfo> {
        self.write(|c| rulesets::publish(c, actor, version))
    }
    fn active_ruleset(&self) -> StoreResult<Option<(RulesetInfo, String)>> {
        self.read(rulesets::active)
    }
    fn record_heartbeat(
        &self,
        sensor_id: i64,
        report: &HeartbeatReport,
        now: i64,
    ) -> StoreResult<()> {
        self.write(|c| rulesets::record_heartbeat(c, sensor_id, report, now))
    }
    fn sensor_health(&self) -> StoreResult<Vec<SensorHealth>> {
        self.read(rulesets::sensor_health)
    }
}

/// Maps a UNIQUE violation to [`StoreError::Conflict`].
fn conflict(e: rusqlite::Error, what: &str) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(what.to_string())
        }
        _ => StoreError::Db(e),
    }
}
