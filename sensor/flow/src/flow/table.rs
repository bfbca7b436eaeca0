//! The flow table: a generation-checked slab, a fast hash index and an LRU list.

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::config::FlowConfig;
use super::counters::FlowCounters;
use super::entry::{Flow, FlowReason, FlowState};
use super::key::{key_ports, FlowKey, NormKey};
use crate::community_id::community_id_v1;
use crate::error::FlowError;
use crate::hash::FxBuildHasher;
use crate::packet::{
    tcp_flags, Direction, PacketMeta, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
};
use crate::stream::{StreamConfig, StreamCounters, StreamOutput, TcpSession, TcpState};

const NIL: u32 = u32::MAX;
const FLOW_ID_MASK: u64 = (1 << 51) - 1;

/// Handle of a flow in the table (index + generation; stale handles resolve to `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowHandle {
    idx: u32,
    gen: u32,
}

/// Result of [`FlowTable::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLookup {
    /// The flow.
    pub handle: FlowHandle,
    /// Direction of the packet.
    pub direction: Direction,
    /// The flow was created by this packet.
    pub is_new: bool,
}

#[derive(Debug)]
struct Slot<T> {
    flow: Option<Flow<T>>,
    key: Option<NormKey>,
    /// Side `a` of the normalized key is the client.
    client_is_a: bool,
    gen: u32,
    prev: u32,
    next: u32,
}

/// Flow table keyed by normalized 5-tuple + VLAN ids.
#[derive(Debug)]
pub struct FlowTable<T: Default> {
    cfg: FlowConfig,
    stream_cfg: StreamConfig,
    map: HashMap<NormKey, u32, FxBuildHasher>,
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    /// LRU list: head = most recently seen, tail = least recently seen.
    head: u32,
    tail: u32,
    counters: FlowCounters,
    stream_counters: StreamCounters,
    pending_out: Vec<Flow<T>>,
    last_scan_sec: i64,
}

impl<T: Default> FlowTable<T> {
    /// Creates a table with the given configuration.
    pub fn new(cfg: FlowConfig, stream_cfg: StreamConfig) -> Result<Self, FlowError> {
        cfg.validate()?;
        stream_cfg.validate()?;
        let cap = cfg.hash_size.min(cfg.max_flows);
        Ok(FlowTable {
            map: HashMap::with_capacity_and_hasher(cap, FxBuildHasher),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            counters: FlowCounters::default(),
            stream_counters: StreamCounters::default(),
            pending_out: Vec::new(),
            last_scan_sec: i64::MIN,
            cfg,
            stream_cfg,
        })
    }

    /// Flow configuration.
    pub fn config(&self) -> &FlowConfig {
        &self.cfg
    }

    /// Stream configuration.
    pub fn stream_config(&self) -> &StreamConfig {
        &self.stream_cfg
    }

    /// Number of flows in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Flow counters (with `active` and `memuse` refreshed).
    pub fn counters(&self) -> FlowCounters {
        let mut c = self.counters;
        c.active = self.map.len() as u64;
        let slot = std::mem::size_of::<Slot<T>>() + 8;
        let key = std::mem::size_of::<NormKey>() + 8;
        c.memuse = (self.slots.capacity() * slot + self.map.capacity() * key) as u64;
        c
    }

    /// Stream counters accumulated by [`FlowTable::track_tcp`].
    pub fn stream_counters(&self) -> StreamCounters {
        self.stream_counters
    }

    /// The flow of a handle.
    pub fn get(&self, h: FlowHandle) -> Option<&Flow<T>> {
        self.slots
            .get(h.idx as usize)
            .filter(|s| s.gen == h.gen)
            .and_then(|s| s.flow.as_ref())
    }

    /// The flow of a handle, mutably.
    pub fn get_mut(&mut self, h: FlowHandle) -> Option<&mut Flow<T>> {
        self.slots
            .get_mut(h.idx as usize)
            .filter(|s| s.gen == h.gen)
            .and_then(|s| s.flow.as_mut())
    }

    fn unlink(&mut self, idx: u32) {
        let (prev, next) = match self.slots.get(idx as usize) {
            Some(s) => (s.prev, s.next),
            None => return,
        };
        match self.slots.get_mut(prev as usize) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match self.slots.get_mut(next as usize) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
        if let Some(s) = self.slots.get_mut(idx as usize) {
            s.prev = NIL;
            s.next = NIL;
        }
    }

    fn push_front(&mut self, idx: u32) {
        let old_head = self.head;
        if let Some(s) = self.slots.get_mut(idx as usize) {
            s.prev = NIL;
            s.next = old_head;
        }
        match self.slots.get_mut(old_head as usize) {
            Some(h) => h.prev = idx,
            None => self.tail = idx,
        }
        self.head = idx;
    }

    fn touch(&mut self, idx: u32) {
        if self.head != idx {
            self.unlink(idx);
            self.push_front(idx);
        }
    }

    /// Removes the flow in slot `idx` and returns it.
    fn remove_slot(&mut self, idx: u32, reason: FlowReason) -> Option<Flow<T>> {
        self.unlink(idx);
        let slot = self.slots.get_mut(idx as usize)?;
        let mut flow = slot.flow.take()?;
        if let Some(k) = slot.key.take() {
            self.map.remove(&k);
        }
        slot.gen = slot.gen.wrapping_add(1);
        self.free.push(idx);
        flow.reason = reason;
        Some(flow)
    }

    /// Finds or creates the flow of a packet and updates its counters and timestamps.
    pub fn lookup(&mut self, p: &PacketMeta<'_>) -> FlowLookup {
        let (nk, src_is_a) = NormKey::from_packet(p);
        if let Some(&idx) = self.map.get(&nk) {
            let to_server = self
                .slots
                .get(idx as usize)
                .is_some_and(|s| s.client_is_a == src_is_a);
            if self.is_tcp_reuse(idx, p, to_server) {
                if let Some(old) = self.remove_slot(idx, FlowReason::Timeout) {
                    self.counters.tcp_reuse += 1;
                    self.pending_out.push(old);
                }
                return self.create(p, nk, src_is_a);
            }
            self.touch(idx);
            if let Some(slot) = self.slots.get_mut(idx as usize) {
                let direction = if src_is_a == slot.client_is_a {
                    Direction::ToServer
                } else {
                    Direction::ToClient
                };
                let gen = slot.gen;
                if let Some(f) = slot.flow.as_mut() {
                    Self::account(f, p, direction);
                }
                return FlowLookup {
                    handle: FlowHandle { idx, gen },
                    direction,
                    is_new: false,
                };
            }
        }
        self.create(p, nk, src_is_a)
    }

    /// A SYN on a finished TCP session starts a new flow (port reuse), as in Suricata;
    /// so does a SYN towards the flow's client when no session was set up (the flow was
    /// created by a stray packet of the server).
    fn is_tcp_reuse(&self, idx: u32, p: &PacketMeta<'_>, to_server: bool) -> bool {
        let Some(t) = p.tcp else {
            return false;
        };
        if !t.has(tcp_flags::SYN) || t.has(tcp_flags::ACK) || t.has(tcp_flags::RST) {
            return false;
        }
        let sess = self
            .slots
            .get(idx as usize)
            .and_then(|s| s.flow.as_ref())
            .and_then(|f| f.tcp.as_ref());
        if !to_server {
            return match sess {
                None => true,
                Some(s) => s.state() == TcpState::None,
            };
        }
        let Some(sess) = sess else {
            return false;
        };
        // a retransmitted SYN (same ISN) is not a new connection
        if sess.half(Direction::ToServer).isn == t.seq && sess.state() != TcpState::None {
            return false;
        }
        matches!(
            sess.state(),
            TcpState::Closing
                | TcpState::CloseWait
                | TcpState::LastAck
                | TcpState::TimeWait
                | TcpState::Closed
        )
    }

    fn account(f: &mut Flow<T>, p: &PacketMeta<'_>, dir: Direction) {
        if p.ts_micros > f.last_ts {
            f.last_ts = p.ts_micros;
        }
        match dir {
            Direction::ToServer => {
                f.to_server_pkts += 1;
                f.to_server_bytes += u64::from(p.len);
            }
            Direction::ToClient => {
                f.to_client_pkts += 1;
                f.to_client_bytes += u64::from(p.len);
                if p.proto != PROTO_TCP && f.state == FlowState::New {
                    f.state = FlowState::Established;
                }
            }
        }
    }

    fn create(&mut self, p: &PacketMeta<'_>, nk: NormKey, src_is_a: bool) -> FlowLookup {
        if self.map.len() >= self.cfg.max_flows {
            let tail = self.tail;
            if let Some(f) = self.remove_slot(tail, FlowReason::Forced) {
                self.counters.evicted += 1;
                self.pending_out.push(f);
            }
        }
        // client: sender of the first packet, but the receiver of a lone SYN/ACK
        let synack = p
            .tcp
            .is_some_and(|t| t.has(tcp_flags::SYN | tcp_flags::ACK));
        let (sp, dp) = key_ports(p);
        let (client_is_a, key) = if synack {
            (
                !src_is_a,
                FlowKey {
                    src_ip: p.dst,
                    dst_ip: p.src,
                    sport: dp,
                    dport: sp,
                    proto: p.proto,
                    vlan: p.vlan,
                    vlan_count: p.vlan_count,
                },
            )
        } else {
            (
                src_is_a,
                FlowKey {
                    src_ip: p.src,
                    dst_ip: p.dst,
                    sport: sp,
                    dport: dp,
                    proto: p.proto,
                    vlan: p.vlan,
                    vlan_count: p.vlan_count,
                },
            )
        };
        let direction = if synack {
            Direction::ToClient
        } else {
            Direction::ToServer
        };
        let (cp, cd) = match p.icmp {
            Some((t, c, _)) if p.proto == PROTO_ICMP || p.proto == PROTO_ICMPV6 => {
                (u16::from(t), u16::from(c))
            }
            _ => (p.sport, p.dport),
        };
        let community_id = community_id_v1(p.src, p.dst, cp, cd, p.proto, 0);
        let mut id = FxBuildHasher.hash_one((&nk, p.ts_micros)) & FLOW_ID_MASK;
        if id == 0 {
            id = 1;
        }
        let mut flow = Flow {
            flow_id: id,
            key,
            community_id,
            start_ts: p.ts_micros,
            last_ts: p.ts_micros,
            to_server_pkts: 0,
            to_server_bytes: 0,
            to_client_pkts: 0,
            to_client_bytes: 0,
            state: FlowState::New,
            reason: FlowReason::Active,
            alerted: false,
            icmp: p.icmp.map(|(t, c, _)| (t, c)),
            tcp: None,
            user: T::default(),
        };
        Self::account(&mut flow, p, direction);
        match p.proto {
            PROTO_TCP => self.counters.tcp += 1,
            PROTO_UDP => self.counters.udp += 1,
            PROTO_ICMP => self.counters.icmpv4 += 1,
            PROTO_ICMPV6 => self.counters.icmpv6 += 1,
            _ => self.counters.other += 1,
        }
        self.counters.total += 1;
        let idx = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(Slot {
                    flow: None,
                    key: None,
                    client_is_a: false,
                    gen: 0,
                    prev: NIL,
                    next: NIL,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let gen = match self.slots.get_mut(idx as usize) {
            Some(slot) => {
                slot.flow = Some(flow);
                slot.key = Some(nk);
                slot.client_is_a = client_is_a;
                slot.gen
            }
            None => 0,
        };
        self.map.insert(nk, idx);
        self.push_front(idx);
        FlowLookup {
            handle: FlowHandle { idx, gen },
            direction,
            is_new: true,
        }
    }

    /// Runs TCP session tracking for a packet of flow `h` and updates the flow state.
    /// `out` is cleared first and receives the reassembled data, gaps and events.
    pub fn track_tcp(
        &mut self,
        h: FlowHandle,
        dir: Direction,
        p: &PacketMeta<'_>,
        out: &mut StreamOutput,
    ) {
        out.clear();
        let Some(tcp) = p.tcp else {
            return;
        };
        let cfg = &self.stream_cfg;
        let Some(flow) = self
            .slots
            .get_mut(h.idx as usize)
            .filter(|s| s.gen == h.gen)
            .and_then(|s| s.flow.as_mut())
        else {
            return;
        };
        let sess = flow.tcp.get_or_insert_with(TcpSession::new);
        sess.on_packet(dir, &tcp, p.payload, p.ts_micros, cfg, out);
        if sess.state() == TcpState::Closed && sess.was_established() {
            flow.state = FlowState::Closed;
        } else if sess.was_established() {
            flow.state = FlowState::Established;
        }
        self.stream_counters.add(&out.counters);
    }

    /// Lookup plus TCP tracking in one call.
    pub fn process(&mut self, p: &PacketMeta<'_>, out: &mut StreamOutput) -> FlowLookup {
        let l = self.lookup(p);
        if p.proto == PROTO_TCP {
            self.track_tcp(l.handle, l.direction, p, out);
        } else {
            out.clear();
        }
        l
    }

    /// Flushes the held stream data of a flow that left the table (timeout / end of input).
    pub fn flush_stream(&mut self, flow: &mut Flow<T>, out: &mut StreamOutput) {
        out.clear();
        if let Some(s) = flow.tcp.as_mut() {
            s.flush(&self.stream_cfg, out);
            self.stream_counters.add(&out.counters);
        }
    }

    fn timeout_of(&self, f: &Flow<T>) -> i64 {
        let t = self.cfg.timeouts(f.key.proto);
        let secs = match f.state {
            FlowState::New => t.new,
            FlowState::Established => t.established,
            FlowState::Closed => t.closed,
        };
        i64::from(secs) * 1_000_000
    }

    /// Moves timed-out (and evicted) flows to `out`. Cheap to call per packet: the table
    /// is scanned at most once per second of packet time.
    pub fn expire(&mut self, now_micros: i64, out: &mut Vec<Flow<T>>) {
        out.append(&mut self.pending_out);
        let sec = now_micros.div_euclid(1_000_000);
        if sec <= self.last_scan_sec {
            return;
        }
        self.last_scan_sec = sec;
        let mut idx = self.tail;
        while idx != NIL {
            let Some(slot) = self.slots.get(idx as usize) else {
                break;
            };
            let prev = slot.prev;
            if let Some(f) = slot.flow.as_ref() {
                if now_micros.saturating_sub(f.last_ts) > self.timeout_of(f) {
                    if let Some(f) = self.remove_slot(idx, FlowReason::Timeout) {
                        self.counters.timeouts += 1;
                        out.push(f);
                    }
                }
            }
            idx = prev;
        }
    }

    /// Removes all flows (end of input), oldest first, with reason `shutdown`.
    pub fn drain(&mut self, out: &mut Vec<Flow<T>>) {
        out.append(&mut self.pending_out);
        let first = out.len();
        while self.tail != NIL {
            let t = self.tail;
            match self.remove_slot(t, FlowReason::Shutdown) {
                Some(f) => out.push(f),
                None => break,
            }
        }
        if let Some(tail) = out.get_mut(first..) {
            tail.sort_by_key(|f| f.start_ts);
        }
    }
}
