//! Online backup of the database with SQLite's backup API: a consistent copy taken page
//! by page while the server keeps ingesting and serving (each step holds a read lock
//! only briefly; pages changed meanwhile are copied again).

use crate::store::{StoreError, StoreResult};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Copies the database `db` to `out` (which must not exist) and checks the copy with
/// `PRAGMA quick_check`; returns the size of the copy in bytes.
pub fn backup(db: &Path, out: &Path) -> StoreResult<u64> {
    if !db.exists() {
        return Err(StoreError::NotFound(format!("database {}", db.display())));
    }
    if out.exists() {
        return Err(StoreError::Conflict(format!("{}", out.display())));
    }
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    src.busy_timeout(Duration::from_secs(15))?;
    let mut dst = Connection::open(out)?;
    {
        let b = Backup::new(&src, &mut dst)?;
        // 1024 pages (4 MiB) a step, then let the server's writer in.
        b.run_to_completion(1024, Duration::from_millis(5), None)?;
    }
    let check: String = dst.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Invalid(format!(
            "backup {} failed its check: {check}",
            out.display()
        )));
    }
    drop(dst);
    std::fs::metadata(out)
        .map(|m| m.len())
        .map_err(|source| StoreError::Io {
            path: out.display().to_string(),
            source,
        })
}
