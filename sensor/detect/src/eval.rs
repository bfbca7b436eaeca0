//! Per-packet inspection: prefilter, full evaluation, alerting.

use sensor_mpm::Scratch;
use sensor_rules::rule::{FlowbitCmd, FlowintOp, StreamSide, Track};
use sensor_rules::{apply_transforms, inspect_buffer, Action, BufferKind, Direction, InspectCtx};

use crate::build::{group_of, Compiled, Engine, PayloadMode};
use crate::input::{PacketInput, TxView};
use crate::threshold::ThresholdState;
use crate::{AlertHit, FlowDetectState};

/// Suricata's default `packet-alert-max`.
const MAX_ALERTS_PER_PACKET: usize = 15;

/// Per-thread mutable state: matcher scratch space, candidate sets, threshold counters.
pub struct ThreadCtx {
    /// Scratch per prefilter, keyed by (group, slot).
    scratch: Vec<Option<Scratch>>,
    cand: Candidates,
    inspect: InspectCtx,
    tbuf_a: Vec<u8>,
    tbuf_b: Vec<u8>,
    thresholds: ThresholdState,
    /// Rules evaluated in full since start (prefilter efficiency).
    pub evaluated: u64,
}

/// Slot layout of [`ThreadCtx::scratch`]: per group, three payload prefilters then the
/// application prefilters.
fn slot(engine: &Engine, group: usize, index: usize) -> usize {
    let mut base = 0;
    for g in engine.groups.iter().take(group) {
        base += 3 + g.app.len();
    }
    base + index
}

impl ThreadCtx {
    /// A context for `engine`.
    pub fn new(engine: &Engine) -> Self {
        let mut scratch = Vec::new();
        for g in &engine.groups {
            for p in [&g.pkt_all, &g.pkt_only, &g.stream] {
                scratch.push(p.as_ref().and_then(|p| p.matcher.new_scratch().ok()));
            }
            for p in &g.app {
                scratch.push(p.matcher.new_scratch().ok());
            }
        }
        ThreadCtx {
            scratch,
            cand: Candidates {
                stamp: vec![0; engine.rules.len()],
                epoch: 0,
                list: Vec::new(),
            },
            inspect: InspectCtx::new(),
            tbuf_a: Vec::new(),
            tbuf_b: Vec::new(),
            thresholds: ThresholdState::default(),
            evaluated: 0,
        }
    }
}

/// The set of candidate rules of one packet: an epoch-stamped set, cleared in O(1).
struct Candidates {
    stamp: Vec<u32>,
    epoch: u32,
    list: Vec<u32>,
}

impl Candidates {
    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        self.list.clear();
    }

    fn add(&mut self, rule: u32) {
        if let Some(s) = self.stamp.get_mut(rule as usize) {
            if *s != self.epoch {
                *s = self.epoch;
                self.list.push(rule);
            }
        }
    }
}

impl Engine {
    /// Inspects one packet with its stream data and ready transactions; appends alerts.
    pub fn inspect(
        &self,
        ctx: &mut ThreadCtx,
        p: &PacketInput<'_>,
        txs: &[&dyn TxView],
        mut flow: Option<&mut FlowDetectState>,
        alerts: &mut Vec<AlertHit>,
    ) {
        ctx.cand.next_epoch();
        let gi = group_of(p.ip_proto);
        let Some(group) = self.groups.get(gi) else {
            return;
        };
        // 1. Prefilter.
        let base = slot(self, gi, 0);
        {
            let ThreadCtx { scratch, cand, .. } = &mut *ctx;
            let mut scan = |idx: usize, pf: &crate::prefilter::Prefilter, data: &[u8]| {
                if let Some(Some(s)) = scratch.get_mut(base + idx) {
                    pf.scan(s, data, &mut |r| cand.add(r));
                }
            };
            if p.in_stream {
                if let Some(pf) = &group.pkt_only {
                    scan(1, pf, p.payload);
                }
            } else if let Some(pf) = &group.pkt_all {
                scan(0, pf, p.payload);
            }
            if let (Some(pf), Some(stream)) = (&group.stream, p.stream) {
                scan(2, pf, stream);
            }
            for (ai, pf) in group.app.iter().enumerate() {
                let app = crate::build::buffer_app(pf.kind);
                for tx in txs {
                    if Some(tx.app_proto()) != app {
                        continue;
                    }
                    for i in 0..tx.buffer_count(pf.kind) {
                        if let Some(b) = tx.buffer(pf.kind, i) {
                            scan(3 + ai, pf, b);
                        }
                    }
                }
            }
        }
        let al = &group.always;
        for ev in p.events {
            if let Some(rules) = al.by_event.get(*ev) {
                rules.iter().for_each(|&r| ctx.cand.add(r));
            }
        }
        if let Some(app) = p.flow.and_then(|f| f.app_proto) {
            for (a, rules) in &al.on_app {
                if *a == app {
                    rules.iter().for_each(|&r| ctx.cand.add(r));
                }
            }
            for (a, rules) in &al.with_tx {
                if *a == app && txs.iter().any(|t| t.app_proto() == app) {
                    rules.iter().for_each(|&r| ctx.cand.add(r));
                }
            }
        }
        if !p.payload.is_empty() || p.stream.is_some() {
            al.with_data.iter().for_each(|&r| ctx.cand.add(r));
        }
        al.header.iter().for_each(|&r| ctx.cand.add(r));
        let dir_idx = usize::from(!p.flow.is_some_and(|f| f.to_server));
        let iponly_due = match flow.as_deref() {
            Some(st) => !st.iponly_done[dir_idx],
            None => true,
        };
        if iponly_due {
            let cand = &mut ctx.cand;
            self.iponly.candidates(p.src, p.dst, &mut |r| cand.add(r));
            if let Some(st) = flow.as_deref_mut() {
                st.iponly_done[dir_idx] = true;
            }
        }
        ctx.cand.list.sort_unstable();
        let candidates = std::mem::take(&mut ctx.cand.list);
        // 2. Evaluation in engine order.
        // Flowless packets get throw-away flow variables.
        let mut local = FlowDetectState::default();
        let first_alert = alerts.len();
        for &ri in &candidates {
            let Some(c) = self.rules.get(ri as usize) else {
                continue;
            };
            ctx.evaluated += 1;
            // A rule on transactions alerts once per matching transaction, as Suricata
            // does for pipelined requests completed by one packet.
            let mut tx_from = 0;
            let mut pass = false;
            loop {
                let vars = match flow.as_deref_mut() {
                    Some(st) => st,
                    None => &mut local,
                };
                let rest = txs.get(tx_from..).unwrap_or_default();
                let Some(mut hit) = self.evaluate(ctx, c, ri, p, rest, vars) else {
                    break;
                };
                hit.tx = hit.tx.map(|t| t + tx_from);
                let next_tx = hit.tx.map(|t| t + 1);
                // 3. Alerting.
                if c.info.action == Action::Pass {
                    pass = true;
                    break;
                }
                let times = c.per_tx_event.as_deref().map_or(1, |name| {
                    p.events.iter().filter(|e| **e == name).count().max(1)
                });
                for _ in 0..times {
                    if !c.rule.noalert
                        && self.allowed(ctx, c, ri, p)
                        && alerts.len() - first_alert < MAX_ALERTS_PER_PACKET
                    {
                        alerts.push(hit);
                    }
                }
                match next_tx {
                    Some(n) if n < txs.len() => tx_from = n,
                    _ => break,
                }
            }
            if pass {
                alerts.truncate(first_alert);
                break;
            }
        }
        // Give the allocation back for the next packet.
        ctx.cand.list = candidates;
    }

    fn allowed(&self, ctx: &mut ThreadCtx, c: &Compiled, ri: u32, p: &PacketInput<'_>) -> bool {
        for (track, ip) in &c.suppress {
            let hit = match (track, ip) {
                (None, _) | (_, None) => true,
                (Some(Track::BySrc), Some(set)) => set.contains(p.src),
                (Some(Track::ByDst), Some(set)) => set.contains(p.dst),
                (Some(_), Some(set)) => set.contains(p.src) || set.contains(p.dst),
            };
            if hit {
                return false;
            }
        }
        let mut ok = true;
        for (i, spec) in c.rate.iter().enumerate() {
            // Every counter must be fed, even after one said no.
            ok &= ctx
                .thresholds
                .allow(ri, i as u8, spec, p.src, p.dst, p.ts_micros);
        }
        ok
    }

    /// Full evaluation of one candidate. Applies flowbit actions on a match.
    fn evaluate(
        &self,
        ctx: &mut ThreadCtx,
        c: &Compiled,
        ri: u32,
        p: &PacketInput<'_>,
        txs: &[&dyn TxView],
        vars: &mut FlowDetectState,
    ) -> Option<AlertHit> {
        let FlowDetectState { bits, ints, .. } = vars;
        let r = &c.rule;
        let h = &r.header;
        if p.pseudo
            && (c.app_bufs.is_empty()
                && (c.payload_bufs.is_empty() || c.payload_mode == PayloadMode::PacketOnly))
        {
            return None;
        }
        // Header.
        // The transport group's bit is `1 << group index` (build::G_*).
        if c.groups & (1 << group_of(p.ip_proto)) == 0 {
            return None;
        }
        if let Some(v) = c.ip_version {
            if (v == 4) != p.src.is_ipv4() {
                return None;
            }
        }
        if let Some(protos) = c.ip_protos {
            if !protos.contains(&p.ip_proto) {
                return None;
            }
        }
        let fwd = h.src.contains(p.src)
            && h.dst.contains(p.dst)
            && h.sport.contains(p.sport)
            && h.dport.contains(p.dport);
        let rev = || {
            h.bidirectional
                && h.src.contains(p.dst)
                && h.dst.contains(p.src)
                && h.sport.contains(p.dport)
                && h.dport.contains(p.sport)
        };
        if !(fwd || rev()) {
            return None;
        }
        if let Some(app) = c.app_proto {
            if p.flow.and_then(|f| f.app_proto) != Some(app) {
                return None;
            }
        }
        // Flow keywords and direction.
        if let Some(dir) = c.direction {
            let f = p.flow?;
            if f.to_server != (dir == Direction::ToServer) {
                return None;
            }
        }
        if let Some(fo) = &r.flow {
            if fo.established && !p.flow.is_some_and(|f| f.established) {
                return None;
            }
            if fo.not_established && p.flow.is_some_and(|f| f.established) {
                return None;
            }
            if fo.only_frag && !p.is_fragment {
                return None;
            }
            if fo.no_frag && p.is_fragment {
                return None;
            }
        }
        // Packet keywords.
        if !packet_keywords_match(c, p) {
            return None;
        }
        // Flowbit conditions.
        for (cmd, ids, any_of) in &c.bit_checks {
            let want = *cmd == FlowbitCmd::IsSet;
            let ok = if *any_of {
                ids.iter().any(|&i| bits.is_set(i) == want)
            } else {
                ids.iter().all(|&i| bits.is_set(i) == want)
            };
            if !ok {
                return None;
            }
        }
        // Flowint conditions.
        for (id, op) in &c.int_tests {
            let v = ints.get(*id as usize).copied().flatten();
            let ok = match op {
                FlowintOp::IsSet => v.is_some(),
                FlowintOp::NotSet => v.is_none(),
                FlowintOp::Cmp(cmp) => v.is_some_and(|v| cmp.matches(v)),
                _ => true,
            };
            if !ok {
                return None;
            }
        }
        // Payload buffers.
        ctx.inspect.vars = [0; sensor_rules::parse::rule::MAX_VARS];
        let mut from_stream = false;
        if !c.payload_bufs.is_empty() {
            let stream_ok = |ctx: &mut ThreadCtx, data: &[u8]| {
                c.payload_bufs.iter().all(|&bi| {
                    r.buffers
                        .get(bi)
                        .is_some_and(|b| inspect_transformed(ctx, &b.transforms, &b.ops, data))
                })
            };
            let matched = match c.payload_mode {
                PayloadMode::PacketOnly => stream_ok(ctx, p.payload),
                PayloadMode::StreamOnly => match p.stream {
                    Some(s) => {
                        from_stream = true;
                        stream_ok(ctx, s)
                    }
                    None => false,
                },
                // The stream first; then the packet's own payload unless it went into the
                // stream and the rule is not anchored to packets.
                PayloadMode::StreamThenPacket | PayloadMode::StreamAndPacket => {
                    let mut m = false;
                    if let Some(s) = p.stream {
                        m = stream_ok(ctx, s);
                        from_stream = m;
                    }
                    if !m && (!p.in_stream || c.payload_mode == PayloadMode::StreamAndPacket) {
                        m = stream_ok(ctx, p.payload);
                    }
                    m
                }
            };
            if !matched {
                return None;
            }
        }
        // Application-layer buffers: all must match within one transaction.
        let mut tx_hit = None;
        if !c.app_bufs.is_empty() || r.urilen.is_some() || !c.tx_events.is_empty() {
            let want_dir = c.direction;
            let vars = ctx.inspect.vars;
            for (ti, tx) in txs.iter().enumerate() {
                if Some(tx.app_proto()) != c.app_proto {
                    continue;
                }
                if let Some(d) = want_dir {
                    if tx.to_server() != (d == Direction::ToServer) {
                        continue;
                    }
                }
                ctx.inspect.vars = vars;
                if self.tx_matches(ctx, c, *tx) {
                    tx_hit = Some(ti);
                    break;
                }
            }
            tx_hit?;
        }
        // Flowbit actions.
        for (cmd, ids) in &c.bit_actions {
            for &i in ids {
                match cmd {
                    FlowbitCmd::Set => bits.set(i),
                    FlowbitCmd::Unset => bits.unset(i),
                    FlowbitCmd::Toggle => bits.toggle(i),
                    _ => {}
                }
            }
        }
        for (id, op) in &c.int_actions {
            let i = *id as usize;
            if ints.len() <= i {
                ints.resize(i + 1, None);
            }
            let cur = ints[i].unwrap_or(0);
            ints[i] = Some(match op {
                FlowintOp::Set(n) => *n,
                FlowintOp::Add(n) => cur.saturating_add(*n),
                FlowintOp::Sub(n) => cur.saturating_sub(*n),
                _ => cur,
            });
        }
        Some(AlertHit {
            rule: ri,
            tx: tx_hit,
            stream: from_stream,
        })
    }

    fn tx_matches(&self, ctx: &mut ThreadCtx, c: &Compiled, tx: &dyn TxView) -> bool {
        let r = &c.rule;
        let events = tx.events();
        if !c.tx_events.iter().all(|e| events.contains(&e.as_str())) {
            return false;
        }
        if let Some(ul) = &r.urilen {
            let kind = if ul.raw {
                BufferKind::HttpUriRaw
            } else {
                BufferKind::HttpUri
            };
            match tx.buffer(kind, 0) {
                Some(u) if ul.cmp.matches(u.len() as u64) => {}
                _ => return false,
            }
        }
        for &bi in &c.app_bufs {
            let Some(b) = r.buffers.get(bi) else {
                return false;
            };
            let n = tx.buffer_count(b.kind);
            let mut any = false;
            for i in 0..n {
                if let Some(data) = tx.buffer(b.kind, i) {
                    if inspect_transformed(ctx, &b.transforms, &b.ops, data) {
                        any = true;
                        break;
                    }
                }
            }
            if !any {
                return false;
            }
        }
        true
    }
}

fn inspect_transformed(
    ctx: &mut ThreadCtx,
    transforms: &[sensor_rules::Transform],
    ops: &[sensor_rules::MatchOp],
    data: &[u8],
) -> bool {
    if transforms.is_empty() {
        return inspect_buffer(ops, data, &mut ctx.inspect);
    }
    let mut a = std::mem::take(&mut ctx.tbuf_a);
    let mut b = std::mem::take(&mut ctx.tbuf_b);
    let m = {
        let buf = apply_transforms(transforms, data, &mut a, &mut b);
        inspect_buffer(ops, buf, &mut ctx.inspect)
    };
    ctx.tbuf_a = a;
    ctx.tbuf_b = b;
    m
}

fn packet_keywords_match(c: &Compiled, p: &PacketInput<'_>) -> bool {
    let r = &c.rule;
    let num = |cmp: &Option<sensor_rules::NumCmp>, v: Option<u64>| match cmp {
        None => true,
        Some(cmp) => v.is_some_and(|v| cmp.matches(v)),
    };
    if !num(&r.dsize, Some(p.payload.len() as u64)) {
        return false;
    }
    // Suricata's `dsize:!N` does not match packets without payload.
    if matches!(r.dsize, Some(sensor_rules::NumCmp::Ne(_))) && p.payload.is_empty() {
        return false;
    }
    if !num(&r.ttl, Some(u64::from(p.ttl))) {
        return false;
    }
    if !num(&r.ip_proto, Some(u64::from(p.ip_proto))) {
        return false;
    }
    if !num(&r.ip_id, Some(u64::from(p.ip_id))) {
        return false;
    }
    if r.tos.is_some() && !num(&r.tos, Some(u64::from(p.tos))) {
        return false;
    }
    if let Some(fb) = &r.fragbits {
        if !fb.matches(p.frag_bits) {
            return false;
        }
    }
    if !num(&r.fragoffset, Some(u64::from(p.frag_offset))) {
        return false;
    }
    let icmp = p.icmp;
    if !num(&r.itype, icmp.map(|i| u64::from(i.itype))) {
        return false;
    }
    if !num(&r.icode, icmp.map(|i| u64::from(i.icode))) {
        return false;
    }
    if !num(&r.icmp_id, icmp.and_then(|i| i.id).map(u64::from)) {
        return false;
    }
    if !num(&r.icmp_seq, icmp.and_then(|i| i.seq).map(u64::from)) {
        return false;
    }
    if let Some(f) = &r.flags {
        match p.tcp {
            Some(t) if f.matches(t.flags) => {}
            _ => return false,
        }
    }
    if !num(&r.window, p.tcp.map(|t| u64::from(t.window))) {
        return false;
    }
    if let Some(seq) = r.seq {
        if p.tcp.map(|t| t.seq) != Some(seq) {
            return false;
        }
    }
    if let Some(ack) = r.ack {
        if p.tcp.map(|t| t.ack) != Some(ack) {
            return false;
        }
    }
    if r.sameip && p.src != p.dst {
        return false;
    }
    if let Some(ap) = &r.app_layer_protocol {
        let cur = p.flow.and_then(|f| f.app_proto);
        let is = match ap.name.as_str() {
            "failed" | "unknown" => cur.is_none(),
            name => cur == Some(name) || (name == "http1" && cur == Some("http")),
        };
        if is == ap.negated {
            return false;
        }
    }
    if let Some(ss) = &r.stream_size {
        let Some(f) = p.flow else {
            return false;
        };
        let client = f.stream_bytes[0];
        let server = f.stream_bytes[1];
        let ok = match ss.side {
            StreamSide::Client => ss.cmp.matches(client),
            StreamSide::Server => ss.cmp.matches(server),
            StreamSide::Both => ss.cmp.matches(client) && ss.cmp.matches(server),
            StreamSide::Either => ss.cmp.matches(client) || ss.cmp.matches(server),
        };
        if !ok {
            return false;
        }
    }
    for ev in &r.events {
        if !c.tx_events.contains(&ev.name) && !p.events.contains(&ev.name.as_str()) {
            return false;
        }
    }
    true
}
