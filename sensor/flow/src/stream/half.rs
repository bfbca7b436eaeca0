//! One direction of a TCP session: sequence tracking and in-order reassembly.

use std::collections::{BTreeMap, VecDeque};

use super::config::StreamConfig;
use super::events::StreamEvent;
use super::output::StreamOutput;
use super::seq::{seq_diff, seq_gt};
use crate::packet::Direction;

/// Largest distance (bytes) an ACK may jump ahead of the reassembly base and still
/// be taken as proof that data was lost (a gap) rather than a bogus ACK.
const MAX_ACK_GAP: u64 = 1 << 30;

/// Reassembly and sequence state of the bytes sent by one endpoint.
#[derive(Debug, Clone, Default)]
pub struct HalfStream {
    /// Initial sequence number of the sender.
    pub isn: u32,
    /// Sequence number of the next byte to deliver.
    pub base_seq: u32,
    /// Stream offset (data bytes + gaps delivered so far) of `base_seq`.
    pub base_offset: u64,
    /// Highest `seq + len` seen from the sender.
    pub max_end: u32,
    /// Highest ACK the peer sent for this direction.
    pub last_ack: u32,
    /// Window advertised by this endpoint (scaled), i.e. for the peer's data.
    pub window: u32,
    /// Window scale shift of this endpoint (0 when not negotiated).
    pub wscale: u8,
    /// Sequence number of the FIN sent by this endpoint, if any.
    pub fin_seq: Option<u32>,
    /// The sender reset the connection.
    pub rst_seen: bool,
    /// Suricata `next_seq`: next sequence number expected from the sender.
    pub next_seq: u32,
    /// Suricata `next_win`: right edge of the window the sender may use (only grows).
    pub next_win: u32,
    /// Last TCP timestamp value accepted from the sender (PAWS).
    pub last_ts: u32,
    /// Capture time (seconds) of the packet that set `last_ts`.
    pub last_pkt_ts: u32,
    /// The sender used timestamps in its SYN / SYN-ACK.
    pub ts_seen: bool,
    /// The sender's handshake timestamp was 0.
    pub zero_ts: bool,
    /// This endpoint received a RST (Suricata `STREAMTCP_STREAM_FLAG_RST_RECV`).
    pub rst_recv: bool,
    /// Data bytes delivered.
    pub delivered: u64,
    /// The reassembly depth was reached: no more data is delivered.
    pub depth_reached: bool,
    /// Reassembly depth of this session when its application protocol sets one
    /// (0: unlimited); `None`: the configured depth.
    pub depth: Option<u64>,
    pending: BTreeMap<u64, Vec<u8>>,
    pending_bytes: usize,
    retained: VecDeque<u8>,
    retained_offset: u64,
}

impl HalfStream {
    /// Starts tracking with the given ISN (the SYN consumes `isn`).
    pub fn init(&mut self, isn: u32) {
        self.isn = isn;
        self.base_seq = isn.wrapping_add(1);
        self.base_offset = 0;
        self.max_end = self.base_seq;
        self.last_ack = self.base_seq;
        self.next_seq = self.base_seq;
        self.pending.clear();
        self.pending_bytes = 0;
        self.retained.clear();
        self.retained_offset = 0;
    }

    /// Bytes currently held out of order.
    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }

    /// Number of segments currently held out of order.
    pub fn pending_segments(&self) -> usize {
        self.pending.len()
    }

    /// Stream offset of a sequence number (may be negative: before the stream start).
    #[inline]
    fn offset_of(&self, seq: u32) -> i64 {
        self.base_offset as i64 + i64::from(seq_diff(seq, self.base_seq))
    }

    #[inline]
    fn advance(&mut self, n: u64) {
        self.base_offset += n;
        self.base_seq = self.base_seq.wrapping_add(n as u32);
    }

    /// Inserts a data segment sent by this endpoint; delivers what became contiguous.
    pub fn insert(
        &mut self,
        dir: Direction,
        seq: u32,
        data: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        if data.is_empty() {
            return;
        }
        let len = data.len() as u32;
        let end_seq = seq.wrapping_add(len);
        let seen_before = !seq_gt(end_seq, self.max_end);
        if seq_gt(end_seq, self.max_end) {
            self.max_end = end_seq;
        }
        if self.depth_reached {
            return;
        }
        let mut start = self.offset_of(seq);
        let mut data = data;
        if start < 0 {
            // bytes before the stream start (ISN)
            let cut = usize::try_from(-start).unwrap_or(usize::MAX);
            if cut >= data.len() {
                out.event(StreamEvent::ReassemblySegmentBeforeBaseSeq);
                return;
            }
            data = data.get(cut..).unwrap_or(&[]);
            start = 0;
        }
        let mut start = start as u64;
        let end = start + data.len() as u64;
        if start < self.base_offset {
            // (partially) already delivered: compare with what was delivered
            out.counters.overlap += 1;
            let ov_end = end.min(self.base_offset);
            if self.differs_from_retained(start, ov_end, data) {
                out.counters.overlap_diff_data += 1;
                out.event(StreamEvent::ReassemblyOverlapDifferentData);
            }
            if end <= self.base_offset {
                if seen_before {
                    if !seq_gt(end_seq, self.last_ack) {
                        out.event(StreamEvent::PktSpuriousRetransmission);
                    } else {
                        out.event(StreamEvent::PktRetransmission);
                    }
                }
                return;
            }
            let cut = (self.base_offset - start) as usize;
            data = data.get(cut..).unwrap_or(&[]);
            start = self.base_offset;
        }
        // limits on held data: force a gap and continue after it
        if start > self.base_offset
            && (self.pending.len() >= cfg.max_segments
                || self.pending_bytes + data.len() > cfg.memcap_per_direction)
        {
            out.counters.segment_memcap_drop += 1;
            self.skip_gap(dir, out, u64::MAX, true);
            self.deliver_contiguous(dir, cfg, out);
            if self.depth_reached {
                return;
            }
            if start < self.base_offset {
                let end = start + data.len() as u64;
                if end <= self.base_offset {
                    return;
                }
                let cut = (self.base_offset - start) as usize;
                data = data.get(cut..).unwrap_or(&[]);
                start = self.base_offset;
            }
        }
        if start == self.base_offset && self.pending.is_empty() {
            self.deliver(dir, data, cfg, out);
            return;
        }
        self.insert_pending(start, data, cfg, out);
        self.deliver_contiguous(dir, cfg, out);
        self.check_gap(dir, cfg, out);
    }

    /// Compares `data` (starting at stream offset `start`) with retained delivered bytes
    /// over `[start, ov_end)`.
    fn differs_from_retained(&self, start: u64, ov_end: u64, data: &[u8]) -> bool {
        let from = start.max(self.retained_offset);
        if from >= ov_end {
            return false;
        }
        let r0 = (from - self.retained_offset) as usize;
        let d0 = (from - start) as usize;
        let n = (ov_end - from) as usize;
        let new = match data.get(d0..d0 + n) {
            Some(s) => s,
            None => return false,
        };
        let (a, b) = self.retained.as_slices();
        new.iter().enumerate().any(|(i, byte)| {
            let idx = r0 + i;
            let old = if idx < a.len() {
                a.get(idx)
            } else {
                b.get(idx - a.len())
            };
            old.is_some_and(|o| o != byte)
        })
    }

    /// Inserts an out-of-order piece, resolving overlaps with held segments by policy.
    fn insert_pending(
        &mut self,
        start: u64,
        data: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        let end = start + data.len() as u64;
        // held segments that overlap [start, end)
        let mut overlapping: Vec<u64> = Vec::new();
        if let Some((&k, v)) = self.pending.range(..start).next_back() {
            if k + v.len() as u64 > start {
                overlapping.push(k);
            }
        }
        overlapping.extend(self.pending.range(start..end).map(|(&k, _)| k));
        if overlapping.is_empty() {
            self.pending_bytes += data.len();
            self.pending.insert(start, data.to_vec());
            return;
        }
        out.counters.overlap += 1;
        let mut cursor = start;
        let mut diff = false;
        let mut pieces: Vec<(u64, u64)> = Vec::new();
        for k in overlapping {
            let Some(old) = self.pending.get_mut(&k) else {
                continue;
            };
            let (os, oe) = (k, k + old.len() as u64);
            if cursor < os {
                pieces.push((cursor, os.min(end)));
            }
            let (a, b) = (os.max(start), oe.min(end));
            if a < b {
                let new_part = data.get((a - start) as usize..(b - start) as usize);
                let old_part = old.get_mut((a - os) as usize..(b - os) as usize);
                if let (Some(n), Some(o)) = (new_part, old_part) {
                    if n != o {
                        diff = true;
                        if cfg.overlap_policy.new_wins((os, oe), (start, end)) {
                            o.copy_from_slice(n);
                        }
                    }
                }
            }
            cursor = cursor.max(oe);
        }
        if cursor < end {
            pieces.push((cursor, end));
        }
        if diff {
            out.counters.overlap_diff_data += 1;
            out.event(StreamEvent::ReassemblyOverlapDifferentData);
        }
        for (a, b) in pieces {
            if let Some(p) = data.get((a - start) as usize..(b - start) as usize) {
                self.pending_bytes += p.len();
                self.pending.insert(a, p.to_vec());
            }
        }
    }

    /// Delivers in-order bytes at `base_offset`, honouring the depth.
    fn deliver(&mut self, dir: Direction, data: &[u8], cfg: &StreamConfig, out: &mut StreamOutput) {
        let mut take = data.len();
        let depth = self.depth.unwrap_or(cfg.depth);
        if depth > 0 {
            let room = depth.saturating_sub(self.base_offset);
            if (take as u64) >= room {
                take = room as usize;
                if !self.depth_reached {
                    self.depth_reached = true;
                    out.counters.depth_reached += 1;
                    out.event(StreamEvent::ReassemblyDepthReached);
                }
            }
        }
        let bytes = data.get(..take).unwrap_or(&[]);
        out.push_data(dir, self.base_offset, bytes);
        self.delivered += bytes.len() as u64;
        if cfg.retain_unacked > 0 {
            if self.retained.is_empty() {
                self.retained_offset = self.base_offset;
            }
            self.retained.extend(bytes.iter().copied());
            if self.retained.len() > cfg.retain_unacked.saturating_mul(2) {
                let drop = self.retained.len() - cfg.retain_unacked;
                self.retained.drain(..drop);
                self.retained_offset += drop as u64;
            }
        }
        self.advance(data.len() as u64);
        if self.depth_reached {
            self.pending.clear();
            self.pending_bytes = 0;
        }
    }

    /// Delivers held segments that became contiguous.
    fn deliver_contiguous(&mut self, dir: Direction, cfg: &StreamConfig, out: &mut StreamOutput) {
        while let Some(entry) = self.pending.first_entry() {
            let k = *entry.key();
            if k > self.base_offset {
                break;
            }
            let seg = entry.remove();
            self.pending_bytes = self.pending_bytes.saturating_sub(seg.len());
            let end = k + seg.len() as u64;
            if end <= self.base_offset {
                continue;
            }
            let cut = (self.base_offset - k) as usize;
            if let Some(rest) = seg.get(cut..) {
                self.deliver(dir, rest, cfg, out);
            }
            if self.depth_reached {
                break;
            }
        }
    }

    /// Declares a gap from the base up to the first held segment (at most to `limit`).
    /// `count` raises the `reassembly_seq_gap` event and counter (Suricata counts only
    /// gaps proven by an ACK or forced by limits, not holes skipped at session end).
    /// Returns whether a gap was declared.
    fn skip_gap(
        &mut self,
        dir: Direction,
        out: &mut StreamOutput,
        limit: u64,
        count: bool,
    ) -> bool {
        let Some(&first) = self.pending.keys().next() else {
            return false;
        };
        let target = first.min(limit);
        if target <= self.base_offset {
            return false;
        }
        let len = target - self.base_offset;
        out.push_gap(dir, self.base_offset, len);
        if count {
            out.counters.reassembly_gap += 1;
            out.event(StreamEvent::ReassemblySeqGap);
        }
        self.retained.clear();
        self.advance(len);
        true
    }

    /// Processes an ACK sent by the peer for this direction: trims retained data and
    /// declares gaps for acknowledged data that was never seen.
    pub fn on_peer_ack(
        &mut self,
        dir: Direction,
        ack: u32,
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        if seq_gt(ack, self.last_ack) {
            self.last_ack = ack;
        }
        let ack_off = self.offset_of(ack);
        if ack_off <= 0 {
            return;
        }
        let ack_off = ack_off as u64;
        // drop retained bytes that are acknowledged
        if ack_off >= self.base_offset {
            self.retained.clear();
        } else if ack_off > self.retained_offset {
            let n = ((ack_off - self.retained_offset) as usize).min(self.retained.len());
            self.retained.drain(..n);
            self.retained_offset += n as u64;
        }
        self.check_gap(dir, cfg, out);
    }

    /// Suricata semantics: when the peer acknowledged data beyond the reassembly base
    /// and data after the hole is held, the hole can never be filled: declare a gap up
    /// to the held data and continue after it. Without held data, nothing happens yet.
    fn check_gap(&mut self, dir: Direction, cfg: &StreamConfig, out: &mut StreamOutput) {
        while !self.depth_reached && !self.pending.is_empty() {
            let ack_off = self.offset_of(self.last_ack);
            if ack_off <= 0 {
                return;
            }
            // the FIN's sequence number is not data
            let mut acked_end = ack_off as u64;
            if let Some(f) = self.fin_seq {
                let fo = self.offset_of(f);
                if fo >= 0 && (fo as u64) < acked_end {
                    acked_end = fo as u64;
                }
            }
            if acked_end <= self.base_offset || acked_end - self.base_offset > MAX_ACK_GAP {
                return;
            }
            // the gap extends to the held data, but not beyond what was acknowledged
            if !self.skip_gap(dir, out, acked_end, true) {
                return;
            }
            self.deliver_contiguous(dir, cfg, out);
        }
    }

    /// Flushes held data at session end: a gap item is emitted before each held segment
    /// (holes that were acknowledged were already counted as gaps; the others are not
    /// counted, as in Suricata).
    pub fn flush(&mut self, dir: Direction, cfg: &StreamConfig, out: &mut StreamOutput) {
        while !self.pending.is_empty() && !self.depth_reached {
            self.skip_gap(dir, out, u64::MAX, false);
            self.deliver_contiguous(dir, cfg, out);
        }
        self.pending.clear();
        self.pending_bytes = 0;
    }

    /// Approximate memory held by this direction.
    pub fn memuse(&self) -> usize {
        self.pending_bytes + self.pending.len() * 48 + self.retained.len()
    }
}
