//! `soc-server import`: EVE files through the same parse and store path as HTTP ingest.

use super::{parse_batch, Rejected};
use crate::auth::{hash_token, new_token, TokenKind};
use crate::store::{Store, StoreError};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Lines per stored batch.
const CHUNK_LINES: usize = 5_000;

/// Import failures (bad lines are not failures: they are reported).
#[derive(Debug, Error)]
pub enum ImportError {
    /// Reading a file failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Lines read.
    pub lines: u64,
    /// Events stored.
    pub stored: u64,
    /// Events already stored.
    pub duplicates: u64,
    /// Refused lines with their file.
    pub rejected: Vec<(String, Rejected)>,
    /// The sensor's high-water mark afterwards.
    pub acked_seq: i64,
}

/// Imports `files` as sensor `sensor` (registered if missing), numbering lines from `seq`
/// (default: after the sensor's high-water mark).
pub fn import_files(
    store: &dyn Store,
    sensor: &str,
    seq: Option<i64>,
    files: &[PathBuf],
) -> Result<ImportReport, ImportError> {
    let s = match store.sensor_by_name(sensor)? {
        Some(s) => s,
        None => store.create_sensor("cli", sensor, &hash_token(&new_token(TokenKind::Sensor)))?,
    };
    let mut next_seq = seq.unwrap_or(s.acked_seq + 1);
    let mut report = ImportReport {
        acked_seq: s.acked_seq,
        ..Default::default()
    };
    for path in files {
        let name = path.display().to_string();
        let reader = open(path).map_err(|e| ImportError::Io(name.clone(), e))?;
        let mut lines = reader.split(b'\n');
        let mut line_offset = 0u64;
        loop {
            let mut chunk = Vec::new();
            let mut n = 0;
            for line in lines.by_ref() {
                let line = line.map_err(|e| ImportError::Io(name.clone(), e))?;
                chunk.extend_from_slice(&line);
                chunk.push(b'\n');
                n += 1;
                if n == CHUNK_LINES {
                    break;
                }
            }
            if n == 0 {
                break;
            }
            let parsed = parse_batch(&chunk, next_seq);
            let outcome = store.ingest(s.id, &parsed.batch)?;
            report.stored += outcome.stored;
            report.duplicates += outcome.duplicates;
            report.acked_seq = outcome.acked_seq;
            report.rejected.extend(parsed.rejected.into_iter().map(|r| {
                (
                    name.clone(),
                    Rejected {
                        line: r.line + line_offset,
                        error: r.error,
                    },
                )
            }));
            report.lines += n as u64;
            line_offset += n as u64;
            next_seq += n as i64;
        }
    }
    Ok(report)
}

fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    let f = std::fs::File::open(path)?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    Ok(if gz {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(f)))
    } else {
        Box::new(BufReader::new(f))
    })
}
