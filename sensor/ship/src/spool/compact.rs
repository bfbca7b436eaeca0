//! The size cap: when the spool is full, sealed segments are rewritten without their
//! non-alert events (oldest first), then whole alert segments are dropped (oldest first).
//! Every event dropped before the server acknowledged it is counted.

use super::record::{decode, EventClass, Record};
use super::segment::Segment;
use super::{state, Inner};
use crate::error::SpoolError;
use std::fs::{self, File};
use std::io::{Read, Write};

/// Rewrites `seg` keeping the records `keep` accepts (atomically: temp file, fsync,
/// rename). The segment keeps its name, so its base still bounds the numbering.
pub fn rewrite(
    seg: &mut Segment,
    mut keep: impl FnMut(&Record<'_>) -> bool,
) -> Result<(), SpoolError> {
    let mut data = Vec::new();
    File::open(&seg.path)
        .and_then(|f| f.take(seg.bytes).read_to_end(&mut data))
        .map_err(SpoolError::io("reading segment", &seg.path))?;
    let dir = seg
        .path
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let mut fresh = Segment::empty(&dir, seg.base);
    fresh.path = seg.path.clone();
    let mut out = Vec::with_capacity(data.len() / 2);
    for line in data.split(|b| *b == b'\n') {
        let Some(r) = decode(line) else { continue };
        if matches!(fresh.last_seq, Some(l) if r.seq <= l) || !keep(&r) {
            continue;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
        fresh.note(r.seq, r.class, line.len() as u64 + 1);
    }
    let tmp = seg.path.with_extension("spool.tmp");
    File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(&out)?;
            f.sync_all()
        })
        .map_err(SpoolError::io("writing compacted segment", &tmp))?;
    fs::rename(&tmp, &seg.path)
        .map_err(SpoolError::io("replacing compacted segment", &seg.path))?;
    state::sync_dir(&dir)?;
    *seg = fresh;
    Ok(())
}

impl Inner {
    /// Frees space until `incoming` more bytes fit under the cap (or nothing is left to drop).
    pub(super) fn make_room(&mut self, incoming: u64) -> Result<(), SpoolError> {
        let cap = self.cfg.max_bytes;
        let before = (self.state.dropped_non_alert, self.state.dropped_alert);
        while self.total_bytes() + incoming > cap {
            if self.remove_acked_segments()? > 0 {
                continue;
            }
            let sealed = self.segments.len() - 1;
            if let Some(i) = (0..sealed).find(|i| self.segments[*i].non_alerts > 0) {
                self.drop_non_alerts(i)?;
                continue;
            }
            if self.active_segment().non_alerts > 0 {
                // Compact the active segment in place (no new file per batch).
                self.sync()?;
                self.drop_non_alerts(sealed)?;
                self.active = super::open_append(&self.segments[sealed].path)?;
                continue;
            }
            if sealed > 0 {
                self.drop_segment(0)?;
                continue;
            }
            if self.active_segment().events > 0 {
                self.rotate()?;
                continue;
            }
            tracing::warn!(
                incoming,
                cap,
                "spool: a batch larger than the whole cap is stored anyway"
            );
            break;
        }
        if before != (self.state.dropped_non_alert, self.state.dropped_alert) {
            self.state.next_seq_floor = self.next_seq;
            state::store(&self.dir, &self.state)?;
        }
        Ok(())
    }

    /// Rewrites segment `i` with its alerts only; an emptied sealed segment is removed.
    fn drop_non_alerts(&mut self, i: usize) -> Result<(), SpoolError> {
        let acked = self.state.acked_seq;
        let mut dropped = 0u64;
        rewrite(&mut self.segments[i], |r| {
            let unacked = !matches!(acked, Some(a) if r.seq <= a);
            if !unacked {
                return false;
            }
            if r.class == EventClass::Other {
                dropped += 1;
                return false;
            }
            true
        })?;
        self.generation += 1;
        self.state.dropped_non_alert += dropped;
        tracing::warn!(
            segment = %self.segments[i].path.display(),
            dropped,
            total_dropped_non_alert = self.state.dropped_non_alert,
            "spool full: dropped the oldest non-alert events"
        );
        if self.segments[i].events == 0 && i + 1 < self.segments.len() {
            let seg = self.segments.remove(i);
            fs::remove_file(&seg.path)
                .map_err(SpoolError::io("removing empty segment", &seg.path))?;
            state::sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Deletes sealed segment `i` (alerts only by now), counting its unacknowledged events.
    fn drop_segment(&mut self, i: usize) -> Result<(), SpoolError> {
        let seg = self.segments.remove(i);
        let acked = self.state.acked_seq;
        let unacked = match (seg.first_seq, seg.last_seq, acked) {
            (Some(f), Some(_), Some(a)) if f > a => seg.events,
            (Some(_), Some(l), Some(a)) => seg.events.min(l.saturating_sub(a)),
            (Some(_), Some(_), None) => seg.events,
            _ => 0,
        };
        let non_alerts = seg.non_alerts.min(unacked);
        self.state.dropped_alert += unacked - non_alerts;
        self.state.dropped_non_alert += non_alerts;
        fs::remove_file(&seg.path).map_err(SpoolError::io("removing segment", &seg.path))?;
        state::sync_dir(&self.dir)?;
        self.generation += 1;
        tracing::error!(
            segment = %seg.path.display(),
            dropped = unacked,
            total_dropped_alert = self.state.dropped_alert,
            "spool full of alerts: dropped the oldest alerts"
        );
        Ok(())
    }
}
