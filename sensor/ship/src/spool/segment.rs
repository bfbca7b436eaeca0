//! Segment files: naming, the in-memory summary of one, and the scan that recovers it
//! after a crash (torn or corrupt lines detected, a torn tail truncated).

use super::record::{decode, EventClass};
use crate::error::SpoolError;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// File name prefix of segments.
const PREFIX: &str = "seg-";
/// File name suffix of segments.
const SUFFIX: &str = ".spool";

/// Summary of one segment file.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The next sequence number when the segment was created: names the file.
    pub base: u64,
    /// Full path of the file.
    pub path: PathBuf,
    /// Committed length in bytes (valid lines only).
    pub bytes: u64,
    /// Sequence number of the first valid line.
    pub first_seq: Option<u64>,
    /// Sequence number of the last valid line.
    pub last_seq: Option<u64>,
    /// Valid lines.
    pub events: u64,
    /// Valid lines that are not alerts.
    pub non_alerts: u64,
}

impl Segment {
    /// An empty segment whose first event will get `base`.
    pub fn empty(dir: &Path, base: u64) -> Self {
        Segment {
            base,
            path: path_for(dir, base),
            bytes: 0,
            first_seq: None,
            last_seq: None,
            events: 0,
            non_alerts: 0,
        }
    }

    /// Accounts one appended line.
    pub fn note(&mut self, seq: u64, class: EventClass, line_len: u64) {
        self.first_seq.get_or_insert(seq);
        self.last_seq = Some(seq);
        self.events += 1;
        if class == EventClass::Other {
            self.non_alerts += 1;
        }
        self.bytes += line_len;
    }

    /// The lowest sequence number this segment can never hold again.
    pub fn seq_floor(&self) -> u64 {
        self.last_seq
            .map_or(self.base, |l| l.saturating_add(1).max(self.base))
    }

    /// True when every line is at or below `acked`.
    pub fn fully_acked(&self, acked: Option<u64>) -> bool {
        match (self.last_seq, acked) {
            (None, _) => true,
            (Some(last), Some(a)) => last <= a,
            (Some(_), None) => false,
        }
    }
}

/// The path of the segment with `base`.
pub fn path_for(dir: &Path, base: u64) -> PathBuf {
    dir.join(format!("{PREFIX}{base:020}{SUFFIX}"))
}

/// The base sequence number in a segment file name.
pub fn parse_name(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?
        .strip_suffix(SUFFIX)?
        .parse()
        .ok()
}

/// What a scan found besides the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScanReport {
    /// Lines that failed the format/CRC check or went backwards.
    pub bad_lines: u64,
    /// Of those, the ones followed by valid lines (still in the file after the scan).
    pub inner_bad_lines: u64,
    /// Bytes cut off the end of the file (a torn tail).
    pub truncated_bytes: u64,
}

/// Reads a segment file, validates every line and truncates an invalid tail.
///
/// Invalid lines in the middle stay in the file and are skipped by readers; they are
/// counted in the report. Never fails on content, only on I/O.
pub fn scan(path: &Path, base: u64) -> Result<(Segment, ScanReport), SpoolError> {
    let mut data = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut data))
        .map_err(SpoolError::io("reading segment", path))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut seg = Segment::empty(dir, base);
    seg.path = path.to_path_buf();
    let mut report = ScanReport::default();
    let mut good_end = 0usize;
    let mut pos = 0usize;
    let mut bad_since_good = 0u64;
    while pos < data.len() {
        let (line, next, complete) = match memchr::memchr(b'\n', &data[pos..]) {
            Some(i) => (&data[pos..pos + i], pos + i + 1, true),
            None => (&data[pos..], data.len(), false),
        };
        let in_order = |seq: u64| !matches!(seg.last_seq, Some(l) if seq <= l);
        match decode(line).filter(|r| complete && in_order(r.seq)) {
            Some(r) => {
                seg.note(r.seq, r.class, 0);
                good_end = next;
                report.inner_bad_lines += bad_since_good;
                bad_since_good = 0;
            }
            None => {
                report.bad_lines += 1;
                bad_since_good += 1;
            }
        }
        pos = next;
    }
    if good_end < data.len() {
        report.truncated_bytes = (data.len() - good_end) as u64;
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                f.set_len(good_end as u64)?;
                f.sync_all()
            })
            .map_err(SpoolError::io("truncating torn segment", path))?;
    }
    seg.bytes = good_end as u64;
    Ok((seg, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sort_numerically() {
        let dir = Path::new("/x");
        let a = path_for(dir, 9);
        let b = path_for(dir, 10);
        assert!(a.file_name() < b.file_name());
        let name = b.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert_eq!(parse_name(name), Some(10));
        assert_eq!(parse_name("seg-x.spool"), None);
        assert_eq!(parse_name("state.json"), None);
    }
}
