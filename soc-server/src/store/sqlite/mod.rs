//! The embedded SQLite backend: one writer connection, a few reader connections, WAL mode.

mod audit;
pub mod backup;
mod cases;
mod filter;
pub(crate) mod fts;
mod ingest;
mod migrations;
pub mod partition;
mod principals;
mod read;
pub mod retention;
mod rulesets;
mod stats;
mod suppress;
mod triage;
mod workflow;

pub use read::COUNT_CAP;
pub use retention::{Dropped, RetentionPolicy};

use super::{
    AlertGroup, AuditEntry, CloseReason, Dashboard, DashboardQuery, EventQuery, GroupQuery,
    GroupStatus, IngestBatch, IngestOutcome, Page, Role, Sensor, Store, StoreError, StoreResult,
    StoreStats, StoredEvent, TokenPrincipal, User,
};
use super::{HeartbeatReport, NewRuleset, RulesetInfo, SensorHealth};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Number of reader connections.
const READERS: usize = 4;

/// The SQLite store in `DATA/soc.db`.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// Ingest batches waiting for the writer (group commit, see [`ingest::ingest_jobs`]).
    ingest_queue: Mutex<IngestQueue>,
    /// Signalled when a batch joins the queue.
    ingest_arrived: Condvar,
    /// Set by the maintenance task when the WAL is large: the writer checkpoints after
    /// its next commit so that the WAL starts over.
    wal_reset: std::sync::atomic::AtomicBool,
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

/// Batches waiting for the writer and the sensors that sent any lately.
#[derive(Default)]
struct IngestQueue {
    jobs: Vec<ingest::Job>,
    /// Last time each sensor queued a batch.
    senders: HashMap<i64, Instant>,
}

/// A sensor that queued a batch within this window is expected to send again.
const ACTIVE_SENDER: Duration = Duration::from_secs(2);
/// The writer waits at most this long for the batches of the other active sensors
/// before it commits what it has (see [`SqliteStore::take_jobs`]).
const GATHER_WAIT: Duration = Duration::from_millis(10);
/// ... and for at most this many batches.
const GATHER_MAX: usize = 16;

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Page cache of the writer (KiB): the hot index pages of the current partition stay in
/// memory instead of being re-read and spilled to the WAL mid-transaction.
const WRITER_CACHE_KIB: i64 = 256 * 1024;
/// Page cache of each reader (KiB).
const READER_CACHE_KIB: i64 = 64 * 1024;
/// Memory-mapped I/O per connection (bytes): reads without a copy through the kernel.
const MMAP_BYTES: i64 = 1 << 30;
/// The WAL file is truncated to this after a checkpoint (bytes).
const WAL_LIMIT_BYTES: i64 = 64 << 20;

/// Durability: WAL with `synchronous = NORMAL`. A committed transaction (and so every
/// `acked_seq` the server answers) is in the WAL file before the answer is sent and
/// survives a crash or kill of the server process; after a power loss or OS crash the
/// last transactions before the most recent WAL sync may be lost (the database stays
/// consistent). Checkpoints (WAL → database, with fsync) run every second on their own
/// connection when the server runs ([`SqliteStore::checkpoint`]), else automatically.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(15))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
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
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        writer.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
        migrations::migrate(&mut writer)?;
        partition::seed_missing_stats(&writer)?;
        partition::renew_empty_partitions(&writer)?;
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
            r.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
            r.pragma_update(None, "mmap_size", MMAP_BYTES)?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            ingest_queue: Mutex::new(IngestQueue::default()),
            ingest_arrived: Condvar::new(),
            wal_reset: Default::default(),
            readers,
            next_reader: AtomicUsize::new(0),
            path,
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies the retention policy at time `now` (µs): drops whole partitions, never the
    /// current one; returns what was dropped.
    pub fn enforce_retention(
        &self,
        policy: RetentionPolicy,
        now: i64,
    ) -> StoreResult<Vec<Dropped>> {
        self.write(|c| retention::enforce(c, policy, now))
    }

    /// [`Store::ingest`] as if at time `now` (µs), which picks the partition (tests of
    /// retention use it to fill past days).
    pub fn ingest_at(
        &self,
        sensor_id: i64,
        batch: &IngestBatch,
        now: i64,
    ) -> StoreResult<IngestOutcome> {
        self.write(|c| ingest::ingest_at(c, sensor_id, batch, now))
    }

    /// The time partitions, newest first.
    pub fn partitions(&self) -> StoreResult<Vec<partition::Partition>> {
        self.read(partition::list)
    }

    /// Hands checkpoints to the caller: the writer stops checkpointing at commit, and
    /// [`SqliteStore::checkpoint`] must be called periodically (the server's maintenance
    /// task does, every second) so that ingest never waits for a checkpoint.
    pub fn manual_checkpoints(&self) -> StoreResult<()> {
        self.write(|c| Ok(c.pragma_update(None, "wal_autocheckpoint", 0)?))
    }

    /// Copies the WAL into the database on `conn`, a connection of its own; returns (WAL
    /// frames, frames checkpointed). PASSIVE never blocks the writer or the readers;
    /// `restart` waits for the current write transaction, copies everything and makes the
    /// next writer start the WAL file over.
    pub fn checkpoint(conn: &Connection, restart: bool) -> StoreResult<(i64, i64)> {
        let mode = if restart { "RESTART" } else { "PASSIVE" };
        Ok(
            conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })?,
        )
    }

    /// Asks the writer to finish a checkpoint after its next ingest commit.
    pub fn request_wal_reset(&self) {
        self.wal_reset.store(true, Ordering::Relaxed);
    }

    /// A new connection to the database (for checkpoints or backups).
    pub fn connect(&self) -> StoreResult<Connection> {
        let c = Connection::open(&self.path)?;
        configure(&c)?;
        Ok(c)
    }

    /// The queued ingest batches, for the writer (held by the caller). A commit costs
    /// about the same whatever it holds (the pages of the alert groups and of the group
    /// index it touches are rewritten to the WAL once per commit), so when fewer batches
    /// are queued than sensors sent lately, the writer waits up to [`GATHER_WAIT`] for
    /// theirs: one commit of four sensors' batches instead of two of two.
    fn take_jobs(&self) -> Vec<ingest::Job> {
        let mut q = self.ingest_queue.lock().unwrap_or_else(|e| e.into_inner());
        let start = Instant::now();
        q.senders
            .retain(|_, t| start.saturating_duration_since(*t) < ACTIVE_SENDER);
        let want = q.senders.len().min(GATHER_MAX);
        while q.jobs.len() < want {
            let left = GATHER_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            q = self
                .ingest_arrived
                .wait_timeout(q, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        std::mem::take(&mut q.jobs)
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
    /// Group commit: the batch joins the queue; whoever gets the writer stores every
    /// queued batch in one transaction. A caller whose batch was stored by another finds
    /// its outcome waiting when it gets the writer.
    fn ingest_owned(&self, sensor_id: i64, batch: IngestBatch) -> StoreResult<IngestOutcome> {
        let (reply, outcome) = std::sync::mpsc::channel();
        {
            let mut q = self.ingest_queue.lock().unwrap_or_else(|e| e.into_inner());
            q.jobs.push(ingest::Job {
                sensor_id,
                batch,
                reply,
            });
            q.senders.insert(sensor_id, Instant::now());
        }
        self.ingest_arrived.notify_all();
        let mut conn = lock(&self.writer);
        if let Ok(r) = outcome.try_recv() {
            return r;
        }
        let jobs = self.take_jobs();
        let batches = ingest::ingest_jobs(&mut conn, jobs);
        if self.wal_reset.swap(false, Ordering::Relaxed) {
            // Nothing is appended while the writer holds the lock: this copies the rest
            // (the maintenance task copied most) and the next transaction restarts the WAL.
            if let Err(e) = SqliteStore::checkpoint(&conn, false) {
                tracing::warn!(error = %e, "checkpoint after commit failed");
            }
        }
        drop(conn);
        // Freeing the parsed records is work for this thread, not for the writer.
        drop(batches);
        outcome
            .recv()
            .map_err(|_| StoreError::Invalid("ingest batch was dropped".into()))?
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
    fn stats(&self) -> StoreResult<StoreStats> {
        self.read(|c| stats::stats(c, &self.path))
    }
    fn dashboard(&self, q: &DashboardQuery) -> StoreResult<Dashboard> {
        self.read(|c| stats::dashboard(c, q))
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
