//! The on-disk spool: every event is appended here, with the next sequence number,
//! before it is shipped; the cursor records what the server acknowledged.
//!
//! Layout of the directory: `seg-<base>.spool` segment files (append-only, one record per
//! line, see [`record`]) and `cursor.json` (see [`state`]). The spool is safe to share
//! between the pipeline (appends) and the shipper (reads, acks) through an `Arc`.

mod compact;
mod config;
mod read;
pub mod record;
mod segment;
mod state;
mod stats;

pub use config::{FsyncPolicy, SpoolConfig};
pub use read::Batch;
pub use record::EventClass;
pub use stats::SpoolStats;

use crate::error::SpoolError;
use segment::Segment;
use state::State;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The sequence numbers given to an appended batch (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRange {
    /// First sequence number.
    pub first: u64,
    /// Last sequence number.
    pub last: u64,
}

/// An on-disk spool of EVE events.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    inner: Mutex<Inner>,
    pending: Condvar,
}

/// Where the last batch read stopped, to continue without rescanning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadPos {
    generation: u64,
    segment_base: u64,
    offset: u64,
    /// Valid when the next read starts at this sequence number.
    from: u64,
}

/// Mutable state behind the lock.
#[derive(Debug)]
pub(crate) struct Inner {
    dir: PathBuf,
    cfg: SpoolConfig,
    /// Ordered by base; the last one is the active (append) segment; never empty.
    segments: Vec<Segment>,
    active: File,
    next_seq: u64,
    state: State,
    unsynced: bool,
    last_sync: Instant,
    read_pos: Option<ReadPos>,
    /// Bumped whenever segment files are rewritten or removed.
    generation: u64,
}

impl Spool {
    /// Opens (or creates) the spool in `dir`, recovering from a crash: torn or corrupt
    /// lines are removed and counted, numbering continues after the highest number ever
    /// handed out, reading resumes after the durable cursor.
    pub fn open(dir: impl AsRef<Path>, cfg: SpoolConfig) -> Result<Self, SpoolError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(SpoolError::io("creating spool directory", &dir))?;
        let mut st = state::load(&dir);
        let mut bases = Vec::new();
        for entry in fs::read_dir(&dir).map_err(SpoolError::io("listing spool directory", &dir))? {
            let entry = entry.map_err(SpoolError::io("listing spool directory", &dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(base) = segment::parse_name(name) {
                bases.push(base);
            } else if name.ends_with(".tmp") {
                // An interrupted compaction or cursor write: the original is intact.
                let _ = fs::remove_file(entry.path());
            }
        }
        bases.sort_unstable();
        let mut segments = Vec::with_capacity(bases.len());
        let mut bad = 0u64;
        for base in bases {
            let path = segment::path_for(&dir, base);
            let (mut seg, report) = segment::scan(&path, base)?;
            if report.bad_lines > 0 {
                tracing::warn!(
                    segment = %path.display(),
                    bad_lines = report.bad_lines,
                    truncated_bytes = report.truncated_bytes,
                    "spool: torn or corrupt lines removed during recovery"
                );
                bad += report.bad_lines;
                if report.inner_bad_lines > 0 {
                    compact::rewrite(&mut seg, |_| true)?;
                }
            }
            segments.push(seg);
        }
        st.corrupt_lines += bad;
        let floor = segments.iter().map(Segment::seq_floor).max().unwrap_or(0);
        let next_seq = floor
            .max(st.next_seq_floor)
            .max(st.acked_seq.map_or(0, |a| a.saturating_add(1)));
        let needs_new = segments.is_empty();
        if needs_new {
            segments.push(Segment::empty(&dir, next_seq));
        }
        let active_path = segments.last().map(|s| s.path.clone()).unwrap_or_default();
        let active = open_append(&active_path)?;
        if needs_new {
            state::sync_dir(&dir)?;
        }
        st.next_seq_floor = next_seq;
        let mut inner = Inner {
            dir: dir.clone(),
            cfg,
            segments,
            active,
            next_seq,
            state: st,
            unsynced: false,
            last_sync: Instant::now(),
            read_pos: None,
            generation: 0,
        };
        inner.remove_acked_segments()?;
        state::store(&dir, &inner.state)?;
        tracing::info!(
            dir = %dir.display(),
            next_seq,
            acked_seq = ?inner.state.acked_seq,
            segments = inner.segments.len(),
            "spool opened"
        );
        Ok(Spool {
            dir,
            inner: Mutex::new(inner),
            pending: Condvar::new(),
        })
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends EVE JSON lines (one event each, a trailing newline is ignored) and gives
    /// them the next sequence numbers. Durable on return under [`FsyncPolicy::EveryBatch`].
    /// Returns `None` for an empty slice.
    pub fn append<S: AsRef<str>>(&self, events: &[S]) -> Result<Option<SeqRange>, SpoolError> {
        let mut items = Vec::with_capacity(events.len());
        for (index, e) in events.iter().enumerate() {
            let json = e.as_ref();
            let json = json.strip_suffix('\n').unwrap_or(json);
            let json = json.strip_suffix('\r').unwrap_or(json);
            if json.trim().is_empty() || json.contains('\n') {
                return Err(SpoolError::InvalidEvent { index });
            }
            items.push((json, EventClass::of(json)));
        }
        self.append_classified(&items)
    }

    /// Appends events whose class the caller already knows.
    pub fn append_classified(
        &self,
        events: &[(&str, EventClass)],
    ) -> Result<Option<SeqRange>, SpoolError> {
        if events.is_empty() {
            return Ok(None);
        }
        if let Some(index) = events
            .iter()
            .position(|(j, _)| j.trim().is_empty() || j.contains('\n'))
        {
            return Err(SpoolError::InvalidEvent { index });
        }
        let mut g = self.lock();
        let range = g.append(events)?;
        drop(g);
        self.pending.notify_all();
        Ok(Some(range))
    }

    /// Reads the next batch after the cursor: consecutive sequence numbers only, at most
    /// `max_events` events and about `max_bytes` bytes of JSON (at least one event).
    /// `None` when everything is acknowledged.
    pub fn next_batch(
        &self,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Option<Batch>, SpoolError> {
        self.lock().read_batch(max_events.max(1), max_bytes.max(1))
    }

    /// Records that the server holds everything up to `acked_seq`; deletes segments that
    /// are fully acknowledged. Numbers beyond the last one handed out are clamped.
    pub fn ack(&self, acked_seq: u64) -> Result<(), SpoolError> {
        self.lock().ack(acked_seq)
    }

    /// The last acknowledged sequence number.
    pub fn acked_seq(&self) -> Option<u64> {
        self.lock().state.acked_seq
    }

    /// The sequence number the next appended event gets.
    pub fn next_seq(&self) -> u64 {
        self.lock().next_seq
    }

    /// True when some event is not acknowledged yet.
    pub fn has_pending(&self) -> bool {
        self.lock().has_pending()
    }

    /// Waits until some event is not acknowledged, or `timeout`; returns whether there is.
    pub fn wait_for_pending(&self, timeout: Duration) -> bool {
        let g = self.lock();
        let (g, _) = self
            .pending
            .wait_timeout_while(g, timeout, |i| !i.has_pending())
            .unwrap_or_else(|p| p.into_inner());
        g.has_pending()
    }

    /// Forces appended events to disk.
    pub fn sync(&self) -> Result<(), SpoolError> {
        self.lock().sync()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> SpoolStats {
        self.lock().stats()
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Err(e) = self.lock().sync() {
            tracing::warn!(error = %e, "spool: final sync failed");
        }
    }
}

/// Opens a segment for appending, creating it when missing.
fn open_append(path: &Path) -> Result<File, SpoolError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(SpoolError::io("opening segment", path))
}

impl Inner {
    fn has_pending(&self) -> bool {
        self.next_seq > self.first_unacked()
    }

    /// The first sequence number not acknowledged.
    fn first_unacked(&self) -> u64 {
        self.state.acked_seq.map_or(0, |a| a.saturating_add(1))
    }

    fn active_segment(&mut self) -> &mut Segment {
        let n = self.segments.len();
        &mut self.segments[n - 1]
    }

    fn total_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    fn append(&mut self, events: &[(&str, EventClass)]) -> Result<SeqRange, SpoolError> {
        let first = self.next_seq;
        let mut buf = Vec::with_capacity(events.iter().map(|(j, _)| j.len() + 32).sum());
        let mut lens = Vec::with_capacity(events.len());
        for (i, (json, class)) in events.iter().enumerate() {
            let before = buf.len();
            record::encode(&mut buf, first + i as u64, *class, json.as_bytes());
            lens.push((buf.len() - before) as u64);
        }
        self.make_room(buf.len() as u64)?;
        let seg_max = self.cfg.effective_segment_bytes();
        if self.active_segment().events > 0
            && self.active_segment().bytes + buf.len() as u64 > seg_max
        {
            self.rotate()?;
        }
        let committed = self.active_segment().bytes;
        if let Err(e) = self.active.write_all(&buf) {
            // Leave no partial line behind: the numbers are not handed out.
            let _ = self.active.set_len(committed);
            return Err(SpoolError::Io {
                op: "appending to segment",
                path: self.active_segment().path.clone(),
                source: e,
            });
        }
        self.unsynced = true;
        for (i, ((_, class), len)) in events.iter().zip(&lens).enumerate() {
            self.active_segment().note(first + i as u64, *class, *len);
        }
        self.next_seq = first + events.len() as u64;
        match self.cfg.fsync {
            FsyncPolicy::EveryBatch => self.sync()?,
            FsyncPolicy::Interval(d) if self.last_sync.elapsed() >= d => self.sync()?,
            _ => {}
        }
        Ok(SeqRange {
            first,
            last: self.next_seq - 1,
        })
    }

    /// `fdatasync` of the active segment when it has unsynced appends.
    fn sync(&mut self) -> Result<(), SpoolError> {
        if self.unsynced {
            let path = &self.segments[self.segments.len() - 1].path;
            self.active
                .sync_data()
                .map_err(SpoolError::io("syncing segment", path))?;
            self.unsynced = false;
            self.last_sync = Instant::now();
        }
        Ok(())
    }

    /// Seals the active segment and starts a new one named after the next number.
    fn rotate(&mut self) -> Result<(), SpoolError> {
        self.sync()?;
        let seg = Segment::empty(&self.dir, self.next_seq);
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&seg.path)
            .map_err(SpoolError::io("creating segment", &seg.path))?;
        state::sync_dir(&self.dir)?;
        tracing::debug!(segment = %seg.path.display(), "spool: new segment");
        self.active = file;
        self.segments.push(seg);
        Ok(())
    }

    fn ack(&mut self, acked_seq: u64) -> Result<(), SpoolError> {
        let Some(last_handed) = self.next_seq.checked_sub(1) else {
            return Ok(());
        };
        let acked = acked_seq.min(last_handed);
        if self.state.acked_seq.is_some_and(|a| a >= acked) {
            return Ok(());
        }
        self.state.acked_seq = Some(acked);
        self.state.next_seq_floor = self.next_seq;
        state::store(&self.dir, &self.state)?;
        self.remove_acked_segments().map(|_| ())
    }

    /// Deletes sealed segments whose every event is acknowledged; returns how many.
    fn remove_acked_segments(&mut self) -> Result<usize, SpoolError> {
        let acked = self.state.acked_seq;
        let sealed = self.segments.len() - 1;
        let n = self.segments[..sealed]
            .iter()
            .take_while(|s| s.fully_acked(acked))
            .count();
        if n == 0 {
            return Ok(0);
        }
        for seg in self.segments.drain(..n) {
            fs::remove_file(&seg.path)
                .map_err(SpoolError::io("removing acknowledged segment", &seg.path))?;
        }
        self.generation += 1;
        state::sync_dir(&self.dir)?;
        Ok(n)
    }

    fn stats(&self) -> SpoolStats {
        let acked = self.state.acked_seq;
        let pending = self
            .segments
            .iter()
            .map(|s| match (s.first_seq, s.last_seq, acked) {
                (Some(_), Some(_), None) => s.events,
                (Some(f), Some(_), Some(a)) if f > a => s.events,
                (Some(_), Some(l), Some(a)) if l > a => s.events.min(l - a),
                _ => 0,
            })
            .sum();
        SpoolStats {
            appended: self.next_seq,
            acked: self.first_unacked(),
            acked_seq: acked,
            pending,
            dropped_non_alert: self.state.dropped_non_alert,
            dropped_alert: self.state.dropped_alert,
            corrupt_lines: self.state.corrupt_lines,
            bytes: self.total_bytes(),
            segments: self.segments.len() as u64,
        }
    }
}
