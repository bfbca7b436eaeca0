//! IPv4 / IPv6 defragmentation: bounded memory, timeout, first-received-data-wins overlap policy.

use std::collections::HashMap;
use std::net::IpAddr;

use super::bytes::inet_checksum;
use super::counters::{DefragCounters, DefragFamilyCounters};
use super::decoder::{Decoder, PendingDatagram};
use super::events::DecodeEvent as E;
use super::packet::Packet;
use crate::capture::{Timestamp, LINKTYPE_RAW};

/// Largest datagram that can be reassembled.
const MAX_DATAGRAM: usize = 65_535;

/// Defragmentation limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefragConfig {
    /// Maximum number of datagrams being reassembled at once.
    pub max_datagrams: usize,
    /// Maximum bytes buffered across all datagrams.
    pub max_bytes: usize,
    /// Seconds after the last fragment before an incomplete datagram is dropped.
    pub timeout_secs: i64,
}

impl Default for DefragConfig {
    fn default() -> Self {
        DefragConfig {
            max_datagrams: 65_535,
            max_bytes: 32 * 1024 * 1024,
            timeout_secs: 60,
        }
    }
}

/// Identity of a datagram being reassembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FragKey {
    v6: bool,
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: u8,
    vlan: [u16; 3],
    depth: u8,
}

/// One fragment as seen by the IP decoders.
pub(crate) struct FragInput<'x> {
    pub(crate) v6: bool,
    pub(crate) src: IpAddr,
    pub(crate) dst: IpAddr,
    pub(crate) id: u32,
    /// IPv4 protocol (0 for IPv6).
    pub(crate) proto: u8,
    pub(crate) vlan: [u16; 3],
    pub(crate) depth: u8,
    /// Offset of `data` in the datagram, bytes.
    pub(crate) offset: u32,
    pub(crate) more: bool,
    pub(crate) data: &'x [u8],
    /// IPv4 header (with options), or IPv6 unfragmentable part (header + ext headers before the
    /// fragment header).
    pub(crate) header: &'x [u8],
    /// Offset in `header` of the byte naming the next header (9 for IPv4).
    pub(crate) nh_offset: usize,
    /// Protocol of the reassembled payload.
    pub(crate) next_header: u8,
}

/// A datagram under reassembly.
struct Datagram {
    last_seen: Timestamp,
    data: Vec<u8>,
    /// Sorted, merged, non-overlapping `[start, end)` ranges received.
    covered: Vec<(usize, usize)>,
    /// Total payload length, known once the last fragment arrived.
    total: Option<usize>,
    /// Header of the first fragment, with the link-layer prefix.
    header: Option<(Vec<u8>, Vec<u8>)>,
    nh_offset: usize,
    next_header: u8,
}

/// Result of adding a fragment.
enum Added {
    /// Stored (or ignored); datagram not complete.
    Pending,
    /// Datagram complete: the synthetic frame (link prefix at depth 0, rebuilt IP datagram).
    Complete(Vec<u8>),
}

/// The fragment table.
pub(crate) struct Defragmenter {
    cfg: DefragConfig,
    table: HashMap<FragKey, Datagram>,
    bytes: usize,
    last_sweep: i64,
}

impl Defragmenter {
    /// An empty table.
    pub(crate) fn new(cfg: DefragConfig) -> Self {
        Defragmenter {
            cfg,
            table: HashMap::new(),
            bytes: 0,
            last_sweep: i64::MIN,
        }
    }

    /// Incomplete datagrams held.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Drops datagrams not updated within the timeout.
    pub(crate) fn expire(&mut self, now: Timestamp, counters: &mut DefragCounters) {
        let timeout = self.cfg.timeout_secs;
        let mut freed = 0usize;
        self.table.retain(|k, d| {
            let keep = now.secs_since(d.last_seen) <= timeout;
            if !keep {
                freed += d.data.len();
                family(counters, k.v6).timeouts += 1;
            }
            keep
        });
        self.bytes = self.bytes.saturating_sub(freed);
        self.last_sweep = now.secs;
    }

    fn remove(&mut self, key: &FragKey) -> Option<Datagram> {
        let d = self.table.remove(key)?;
        self.bytes = self.bytes.saturating_sub(d.data.len());
        Some(d)
    }
}

fn family(c: &mut DefragCounters, v6: bool) -> &mut DefragFamilyCounters {
    if v6 {
        &mut c.ipv6
    } else {
        &mut c.ipv4
    }
}

/// Copies the parts of `[s, e)` not yet covered; returns whether any byte overlapped.
fn insert_range(d: &mut Datagram, s: usize, src: &[u8]) -> bool {
    let e = s + src.len();
    if d.data.len() < e {
        d.data.resize(e, 0);
    }
    let mut overlap = false;
    let mut cur = s;
    for &(cs, ce) in &d.covered {
        if ce <= cur {
            continue;
        }
        if cs >= e {
            break;
        }
        if cs > cur {
            copy(&mut d.data, cur, cs, s, src);
        }
        overlap = true;
        cur = cur.max(ce);
        if cur >= e {
            break;
        }
    }
    if cur < e {
        copy(&mut d.data, cur, e, s, src);
    }
    // merge the new range in
    d.covered.push((s, e));
    d.covered.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(d.covered.len());
    for &(a, b) in &d.covered {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    d.covered = merged;
    overlap
}

/// Copies `src[from - s .. to - s]` into `dst[from..to]`.
fn copy(dst: &mut [u8], from: usize, to: usize, s: usize, src: &[u8]) {
    if let (Some(d), Some(sl)) = (
        dst.get_mut(from..to),
        src.get(from.saturating_sub(s)..to.saturating_sub(s)),
    ) {
        if d.len() == sl.len() {
            d.copy_from_slice(sl);
        }
    }
}

/// Builds the synthetic frame: prefix + rebuilt header + payload.
fn rebuild(
    v6: bool,
    prefix: &[u8],
    header: &[u8],
    nh_offset: usize,
    next_header: u8,
    payload: &[u8],
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(prefix.len() + header.len() + payload.len());
    out.extend_from_slice(prefix);
    let h0 = out.len();
    out.extend_from_slice(header);
    out.extend_from_slice(payload);
    let hdr = out.get_mut(h0..h0 + header.len())?;
    if v6 {
        let plen = u16::try_from(header.len().checked_sub(40)? + payload.len()).ok()?;
        *hdr.get_mut(nh_offset)? = next_header;
        hdr.get_mut(4..6)?.copy_from_slice(&plen.to_be_bytes());
    } else {
        let total = u16::try_from(header.len() + payload.len()).ok()?;
        hdr.get_mut(2..4)?.copy_from_slice(&total.to_be_bytes());
        // keep RB/DF, clear MF and the offset
        let flags = *hdr.get(6)? & 0xc0;
        hdr.get_mut(6..8)?.copy_from_slice(&[flags, 0]);
        hdr.get_mut(10..12)?.copy_from_slice(&[0, 0]);
        let sum = inet_checksum(hdr);
        hdr.get_mut(10..12)?.copy_from_slice(&sum.to_be_bytes());
    }
    Some(out)
}

impl Decoder {
    /// Feeds a fragment to the table; a completed datagram is queued in `pending`.
    pub(crate) fn defrag_fragment(
        &mut self,
        f: FragInput<'_>,
        prefix: Vec<u8>,
        pkt: &mut Packet<'_>,
    ) {
        let now = self.now;
        family(&mut self.counters.defrag, f.v6).fragments += 1;
        if now.secs.saturating_sub(self.defrag.last_sweep) >= 1 {
            self.defrag.expire(now, &mut self.counters.defrag);
        }
        let start = f.offset as usize;
        let end = start + f.data.len();
        // Suricata's check: IPv4 counts a minimal 20-byte header, IPv6 only the payload
        let hdr_len = if f.v6 { 0 } else { 20 };
        if end + hdr_len > MAX_DATAGRAM {
            self.event(
                pkt,
                if f.v6 {
                    E::Ipv6FragPktTooLarge
                } else {
                    E::Ipv4FragPktTooLarge
                },
            );
            return;
        }
        if f.data.is_empty() {
            return;
        }
        let key = FragKey {
            v6: f.v6,
            src: f.src,
            dst: f.dst,
            id: f.id,
            proto: f.proto,
            vlan: f.vlan,
            depth: f.depth,
        };
        let timeout = self.defrag.cfg.timeout_secs;
        let expired = self
            .defrag
            .table
            .get(&key)
            .is_some_and(|d| now.secs_since(d.last_seen) > timeout);
        if expired {
            self.defrag.remove(&key);
            family(&mut self.counters.defrag, f.v6).timeouts += 1;
        }
        if !self.defrag.table.contains_key(&key)
            && (self.defrag.table.len() >= self.defrag.cfg.max_datagrams
                || self.defrag.bytes + f.data.len() > self.defrag.cfg.max_bytes)
        {
            self.counters.defrag.max_frag_hits += 1;
            return;
        }
        let d = self.defrag.table.entry(key).or_insert_with(|| Datagram {
            last_seen: now,
            data: Vec::new(),
            covered: Vec::new(),
            total: None,
            header: None,
            nh_offset: 0,
            next_header: 0,
        });
        d.last_seen = now;
        let before = d.data.len();
        let mut overlap = false;
        if !f.more {
            match d.total {
                Some(t) if t != end => overlap = true,
                Some(_) => {}
                None => {
                    if d.covered.last().is_some_and(|&(_, e)| e > end) {
                        overlap = true;
                    } else {
                        d.total = Some(end);
                    }
                }
            }
        }
        let (s, data) = match d.total {
            // data beyond the end of the datagram is ignored
            Some(t) if end > t => {
                overlap = true;
                (start, f.data.get(..t.saturating_sub(start)).unwrap_or(&[]))
            }
            _ => (start, f.data),
        };
        if !data.is_empty() && insert_range(d, s, data) {
            overlap = true;
        }
        if f.offset == 0 && d.header.is_none() {
            d.header = Some((prefix, f.header.to_vec()));
            d.nh_offset = f.nh_offset;
            d.next_header = f.next_header;
        }
        let after = d.data.len();
        let complete = match (d.total, &d.header) {
            (Some(t), Some(_)) => d.covered.first() == Some(&(0, t)),
            _ => false,
        };
        let total = d.total.unwrap_or(0);
        self.defrag.bytes = self.defrag.bytes + after - before;
        if overlap {
            self.event(
                pkt,
                if f.v6 {
                    E::Ipv6FragOverlap
                } else {
                    E::Ipv4FragOverlap
                },
            );
        }
        let mut added = Added::Pending;
        if complete {
            if let Some(frame) = self.defrag.remove(&key).and_then(|mut d| {
                let (prefix, header) = d.header.take()?;
                let payload = d.data.get(..total)?;
                let prefix: &[u8] = if f.depth == 0 { &prefix } else { &[] };
                rebuild(f.v6, prefix, &header, d.nh_offset, d.next_header, payload)
            }) {
                added = Added::Complete(frame);
            }
        }
        if let Added::Complete(frame) = added {
            family(&mut self.counters.defrag, f.v6).reassembled += 1;
            self.pending.push(PendingDatagram {
                frame,
                linktype: if f.depth == 0 {
                    pkt.linktype
                } else {
                    LINKTYPE_RAW
                },
                depth: f.depth,
                vlan: pkt.vlan,
                vlan_count: pkt.vlan_count,
            });
        }
    }
}
