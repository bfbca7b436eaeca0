//! Background upkeep of the SQLite store while the server runs: WAL checkpoints every
//! five seconds on a connection of their own (ingest never waits for one), and retention
//! at start-up and every `retention.interval_secs`.

use crate::config::RetentionConfig;
use crate::store::sqlite::{RetentionPolicy, SqliteStore};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// WAL size (4 KiB frames) past which the checkpoint restarts the WAL (64 MiB).
const RESTART_FRAMES: i64 = 16_384;
/// Time between checkpoints. A page rewritten by many commits in between is copied to the
/// database once, so fewer checkpoints write fewer bytes per event under ingest.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);

/// Stops the maintenance thread when dropped.
pub struct Maintenance {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Runs retention once now (so that a server started over old data trims it before
/// serving), then starts the thread.
pub fn start(store: Arc<SqliteStore>, cfg: RetentionConfig) -> anyhow::Result<Maintenance> {
    let policy = RetentionPolicy {
        max_age_days: cfg.max_age_days,
        max_size_mb: cfg.max_size_mb,
    };
    run_retention(&store, policy);
    store.manual_checkpoints()?;
    let conn = store.connect()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let interval = Duration::from_secs(cfg.interval_secs.max(1));
    let thread = std::thread::Builder::new()
        .name("store-maintenance".into())
        .spawn(move || {
            let mut last_retention = Instant::now();
            let mut last_checkpoint = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(1));
                if last_checkpoint.elapsed() < CHECKPOINT_EVERY {
                    continue;
                }
                last_checkpoint = Instant::now();
                match SqliteStore::checkpoint(&conn, false) {
                    // Under steady ingest a passive checkpoint never finds the WAL fully
                    // copied between two transactions, so the WAL would only grow: past
                    // RESTART_FRAMES, the writer finishes the checkpoint after its next
                    // commit, and the WAL starts over.
                    Ok((frames, _)) if frames > RESTART_FRAMES => store.request_wal_reset(),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                }
                if last_retention.elapsed() >= interval {
                    last_retention = Instant::now();
                    run_retention(&store, policy);
                }
            }
        })?;
    Ok(Maintenance {
        stop,
        thread: Some(thread),
    })
}

fn run_retention(store: &SqliteStore, policy: RetentionPolicy) {
    if policy == RetentionPolicy::default() {
        return;
    }
    match store.enforce_retention(policy, crate::evetime::now_micros()) {
        Ok(dropped) if !dropped.is_empty() => {
            tracing::info!(partitions = dropped.len(), "retention done");
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "retention failed"),
    }
}
