//! The durable cursor: acknowledged sequence number and loss counters, written
//! atomically (temp file, fsync, rename, fsync of the directory).

use crate::error::SpoolError;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the cursor.
pub const STATE_FILE: &str = "cursor.json";

/// What survives a restart besides the segments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Every event up to this sequence number is durable on the server.
    pub acked_seq: Option<u64>,
    /// No sequence number below this is ever handed out again.
    #[serde(default)]
    pub next_seq_floor: u64,
    /// Non-alert events dropped by the size cap (lifetime).
    #[serde(default)]
    pub dropped_non_alert: u64,
    /// Alerts dropped by the size cap (lifetime).
    #[serde(default)]
    pub dropped_alert: u64,
    /// Torn or corrupt lines found at recovery (lifetime).
    #[serde(default)]
    pub corrupt_lines: u64,
}

/// Reads the state; a missing or unreadable file yields the default (everything unsent).
pub fn load(dir: &Path) -> State {
    let path = dir.join(STATE_FILE);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "spool cursor unreadable; resending from the oldest spooled event");
            State::default()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "spool cursor unreadable; resending from the oldest spooled event");
            State::default()
        }
    }
}

/// Writes the state atomically and durably.
pub fn store(dir: &Path, state: &State) -> Result<(), SpoolError> {
    let path = dir.join(STATE_FILE);
    let tmp: PathBuf = dir.join(format!("{STATE_FILE}.tmp"));
    let bytes = serde_json::to_vec(state).unwrap_or_default();
    File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(&bytes)?;
            f.sync_all()
        })
        .map_err(SpoolError::io("writing cursor", &tmp))?;
    fs::rename(&tmp, &path).map_err(SpoolError::io("renaming cursor", &path))?;
    sync_dir(dir)
}

/// Makes renames, creations and deletions in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(SpoolError::io("syncing directory", dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_garbage_reads_as_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(load(dir.path()), State::default());
        let s = State {
            acked_seq: Some(9),
            next_seq_floor: 10,
            dropped_non_alert: 3,
            dropped_alert: 1,
            corrupt_lines: 2,
        };
        store(dir.path(), &s).expect("store");
        assert_eq!(load(dir.path()), s);
        fs::write(dir.path().join(STATE_FILE), b"{garbage").expect("write");
        assert_eq!(load(dir.path()), State::default());
    }
}
