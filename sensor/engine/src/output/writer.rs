//! A buffered EVE file writer with an event-type filter.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Errors writing EVE output.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("cannot create log directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes EVE records to a file, one per line, skipping event types not enabled.
pub struct EveWriter {
    path: PathBuf,
    out: BufWriter<File>,
    types: Vec<String>,
    /// Records written, by event type, in first-seen order.
    pub counts: Vec<(String, u64)>,
}

impl EveWriter {
    /// Creates (truncates) `dir/filename`, creating `dir` when missing.
    pub fn create(dir: &Path, filename: &str, types: &[String]) -> Result<Self, OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(filename);
        let file = File::create(&path).map_err(|source| OutputError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(EveWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            types: types.to_vec(),
            counts: Vec::new(),
        })
    }

    /// Whether records of this event type are written at all (lets callers skip building them).
    pub fn wants(&self, event_type: &str) -> bool {
        self.types.iter().any(|t| t == event_type)
    }

    /// Writes one record.
    pub fn write(&mut self, event: &eve::Event) -> Result<(), OutputError> {
        if !self.wants(&event.event_type) {
            return Ok(());
        }
        let line = event.to_json();
        self.out
            .write_all(line.as_bytes())
            .and_then(|_| self.out.write_all(b"\n"))
            .map_err(|source| OutputError::Write {
                path: self.path.clone(),
                source,
            })?;
        match self.counts.iter_mut().find(|(t, _)| *t == event.event_type) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((event.event_type.clone(), 1)),
        }
        Ok(())
    }

    /// Flushes buffered records to disk.
    pub fn flush(&mut self) -> Result<(), OutputError> {
        self.out.flush().map_err(|source| OutputError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
