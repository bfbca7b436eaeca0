//! A buffered EVE file writer with an event-type filter.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

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
    #[error("spool: {0}")]
    Spool(#[from] sensor_ship::SpoolError),
}

/// Lines buffered before they are appended to the spool in one durable write.
const SPOOL_BATCH: usize = 1000;

/// Writes EVE records to a file, one per line, skipping event types not enabled.
///
/// Capture workers each hold a writer made with [`EveWriter::worker`]: they share the
/// file (whole lines, under a lock) and the spool.
pub struct EveWriter {
    path: PathBuf,
    out: Arc<Mutex<BufWriter<File>>>,
    types: Vec<String>,
    /// Records written, by event type, in first-seen order.
    pub counts: Vec<(String, u64)>,
    /// Shipping: every record also goes to the on-disk spool (sequence-numbered) before
    /// it is sent to the SOC server.
    spool: Option<std::sync::Arc<sensor_ship::Spool>>,
    spool_buf: Vec<(String, sensor_ship::EventClass)>,
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
            out: Arc::new(Mutex::new(BufWriter::with_capacity(1 << 20, file))),
            types: types.to_vec(),
            counts: Vec::new(),
            spool: None,
            spool_buf: Vec::new(),
        })
    }

    /// A writer for another capture worker: same file, same spool, its own counters.
    pub fn worker(&self) -> EveWriter {
        EveWriter {
            path: self.path.clone(),
            out: Arc::clone(&self.out),
            types: self.types.clone(),
            counts: Vec::new(),
            spool: self.spool.clone(),
            spool_buf: Vec::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BufWriter<File>> {
        // A worker that panicked mid-line cannot leave a half line: lines are written whole.
        self.out.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The spool's counters, when shipping.
    pub fn spool_stats(&self) -> Option<sensor_ship::SpoolStats> {
        self.spool.as_ref().map(|s| s.stats())
    }

    /// Also appends every record to `spool` (for shipping to the SOC server).
    pub fn with_spool(mut self, spool: std::sync::Arc<sensor_ship::Spool>) -> Self {
        self.spool = Some(spool);
        self
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
        let mut line = event.to_json();
        line.push('\n');
        self.lock()
            .write_all(line.as_bytes())
            .map_err(|source| OutputError::Write {
                path: self.path.clone(),
                source,
            })?;
        match self.counts.iter_mut().find(|(t, _)| *t == event.event_type) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((event.event_type.clone(), 1)),
        }
        if self.spool.is_some() {
            let class = if event.event_type == "alert" {
                sensor_ship::EventClass::Alert
            } else {
                sensor_ship::EventClass::Other
            };
            line.pop();
            self.spool_buf.push((line, class));
            if self.spool_buf.len() >= SPOOL_BATCH {
                self.flush_spool()?;
            }
        }
        Ok(())
    }

    fn flush_spool(&mut self) -> Result<(), OutputError> {
        if let Some(spool) = &self.spool {
            if !self.spool_buf.is_empty() {
                let items: Vec<(&str, sensor_ship::EventClass)> = self
                    .spool_buf
                    .iter()
                    .map(|(l, c)| (l.as_str(), *c))
                    .collect();
                spool.append_classified(&items)?;
                self.spool_buf.clear();
            }
        }
        Ok(())
    }

    /// Flushes buffered records to disk (and to the spool).
    pub fn flush(&mut self) -> Result<(), OutputError> {
        self.flush_spool()?;
        self.lock().flush().map_err(|source| OutputError::Write {
            path: self.path.clone(),
            source,
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
