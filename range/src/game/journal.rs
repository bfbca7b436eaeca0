//! The persisted game: an append-only JSON Lines file. The first line is the game's
//! configuration (including the flag key, so the file is created with mode 0600), every
//! further line one event. Replaying the file rebuilds the same game; a torn last line (crash
//! while writing) is ignored.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::config::GameConfig;
use super::flag::FlagId;
use super::status::SlaStatus;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// First line: the game.
    Game(GameConfig),
    /// A capture accepted with OK.
    Capture {
        /// Captor team index.
        attacker: u16,
        /// The flag.
        flag: FlagId,
        /// Tick of the submission.
        tick: u32,
    },
    /// A service status for a tick.
    Status {
        /// Tick.
        tick: u32,
        /// Team index.
        team: u16,
        /// Service index.
        service: u16,
        /// Status.
        status: SlaStatus,
    },
    /// The flag id a checker's `put` printed.
    Put {
        /// The flag.
        flag: FlagId,
        /// Checker-defined id needed by `get`.
        flag_id: String,
    },
    /// Pause at this wall-clock time.
    Pause {
        /// Unix ms.
        at_ms: i64,
    },
    /// Resume.
    Resume,
}

/// Journal failures.
#[derive(Debug, Error)]
pub enum JournalError {
    /// File access.
    #[error("cannot access {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line that is not a record.
    #[error("{path}:{line}: expected a game record: {msg}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: usize,
        /// Parser message.
        msg: String,
    },
    /// The first line is not the game configuration.
    #[error("{0}: expected the game configuration on the first line")]
    NoHeader(PathBuf),
    /// Creating over an existing game.
    #[error("{0}: a game already exists there")]
    Exists(PathBuf),
}

/// An open journal for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
        move |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Creates a new journal holding `config`; fails if the file exists.
    pub fn create(path: &Path, config: &GameConfig) -> Result<Self, JournalError> {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                JournalError::Exists(path.to_path_buf())
            } else {
                Self::io(path)(e)
            }
        })?;
        let mut j = Journal {
            path: path.to_path_buf(),
            file,
        };
        j.append(&Record::Game(config.clone()))?;
        Ok(j)
    }

    /// Reads every record of an existing journal and opens it for appending.
    pub fn open(path: &Path) -> Result<(Self, GameConfig, Vec<Record>), JournalError> {
        let records = read(path)?;
        let mut it = records.into_iter();
        let Some(Record::Game(config)) = it.next() else {
            return Err(JournalError::NoHeader(path.to_path_buf()));
        };
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(Self::io(path))?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
            },
            config,
            it.collect(),
        ))
    }

    /// Appends one record and flushes it to the OS.
    pub fn append(&mut self, r: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(r).map_err(|e| JournalError::Corrupt {
            path: self.path.clone(),
            line: 0,
            msg: e.to_string(),
        })?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(Self::io(&self.path))
    }
}

/// Reads all records; a torn (unterminated, unparsable) last line is dropped.
pub fn read(path: &Path) -> Result<Vec<Record>, JournalError> {
    let f = File::open(path).map_err(Journal::io(path))?;
    let mut out = Vec::new();
    let mut lines = BufReader::new(f).split(b'\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let line = line.map_err(Journal::io(path))?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Record>(&line) {
            Ok(r) => out.push(r),
            Err(_) if lines.peek().is_none() => {
                tracing::warn!(path = %path.display(), line = i + 1, "dropping torn last journal line");
            }
            Err(e) => {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line: i + 1,
                    msg: e.to_string(),
                })
            }
        }
    }
    Ok(out)
}
