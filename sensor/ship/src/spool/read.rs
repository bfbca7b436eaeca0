//! Reading batches after the cursor: consecutive sequence numbers, bounded by events
//! and bytes, continuing where the previous read stopped.

use super::record::decode;
use super::{Inner, ReadPos};
use crate::error::SpoolError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

/// Events ready to send: `first_seq..=last_seq`, consecutive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Sequence number of the first line.
    pub first_seq: u64,
    /// Sequence number of the last line.
    pub last_seq: u64,
    /// The EVE JSON lines, each ending with `\n`.
    pub lines: Vec<u8>,
}

impl Batch {
    /// Number of events.
    pub fn len(&self) -> u64 {
        self.last_seq - self.first_seq + 1
    }

    /// Never true: a batch holds at least one event.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl Inner {
    pub(super) fn read_batch(
        &mut self,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Option<Batch>, SpoolError> {
        if !self.has_pending() {
            return Ok(None);
        }
        if self.cfg.fsync != super::FsyncPolicy::Never {
            // Never send what a power loss could take back: the numbers would be reused.
            self.sync()?;
        }
        let from = self.first_unacked();
        let (mut idx, mut offset) = match self.read_pos {
            Some(p) if p.generation == self.generation && p.from == from => {
                match self.segments.iter().position(|s| s.base == p.segment_base) {
                    Some(i) => (i, p.offset),
                    None => (self.first_segment_with(from), 0),
                }
            }
            _ => (self.first_segment_with(from), 0),
        };
        let mut batch: Option<Batch> = None;
        let mut line = Vec::with_capacity(4096);
        'segments: while idx < self.segments.len() {
            let seg = &self.segments[idx];
            if offset < seg.bytes {
                let mut f =
                    File::open(&seg.path).map_err(SpoolError::io("opening segment", &seg.path))?;
                f.seek(SeekFrom::Start(offset))
                    .map_err(SpoolError::io("seeking segment", &seg.path))?;
                let mut r = BufReader::with_capacity(256 * 1024, f.take(seg.bytes - offset));
                loop {
                    line.clear();
                    let n = r
                        .read_until(b'\n', &mut line)
                        .map_err(SpoolError::io("reading segment", &seg.path))?;
                    if n == 0 {
                        break;
                    }
                    let body = line.strip_suffix(b"\n").unwrap_or(&line);
                    let Some(rec) = decode(body) else {
                        offset += n as u64;
                        continue;
                    };
                    if rec.seq < from {
                        offset += n as u64;
                        continue;
                    }
                    match batch.as_mut() {
                        None => {
                            let mut lines =
                                Vec::with_capacity(max_bytes.min(8 << 20) + rec.json.len());
                            lines.extend_from_slice(rec.json);
                            lines.push(b'\n');
                            batch = Some(Batch {
                                first_seq: rec.seq,
                                last_seq: rec.seq,
                                lines,
                            });
                        }
                        Some(b) => {
                            let full = b.len() as usize >= max_events
                                || b.lines.len() + rec.json.len() + 1 > max_bytes
                                || rec.seq != b.last_seq + 1;
                            if full {
                                break 'segments;
                            }
                            b.lines.extend_from_slice(rec.json);
                            b.lines.push(b'\n');
                            b.last_seq = rec.seq;
                        }
                    }
                    offset += n as u64;
                }
            }
            idx += 1;
            offset = 0;
        }
        // Where the next read continues: the line that did not fit, or the end of the
        // last segment when every segment was read through.
        let resume = match self.segments.get(idx) {
            Some(seg) => Some((seg.base, offset)),
            None => self.segments.last().map(|seg| (seg.base, seg.bytes)),
        };
        self.read_pos = match (&batch, resume) {
            (Some(b), Some((segment_base, offset))) => Some(ReadPos {
                generation: self.generation,
                segment_base,
                offset,
                from: b.last_seq + 1,
            }),
            _ => None,
        };
        if batch.is_none() {
            // Everything after the cursor was dropped by the cap or was corrupt: nothing
            // is left to send below the next number, so move the cursor over the gap.
            self.state.acked_seq = self.next_seq.checked_sub(1);
            self.state.next_seq_floor = self.next_seq;
            super::state::store(&self.dir, &self.state)?;
            self.remove_acked_segments()?;
        }
        Ok(batch)
    }

    /// Index of the first segment that may hold `seq` or later.
    fn first_segment_with(&self, seq: u64) -> usize {
        self.segments
            .iter()
            .position(|s| matches!(s.last_seq, Some(l) if l >= seq))
            .unwrap_or(self.segments.len())
    }
}
