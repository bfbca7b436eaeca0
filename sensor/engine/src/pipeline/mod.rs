//! The packet pipeline: capture → decode → flow/reassembly → app-layer → detect → EVE.

mod detector;
mod eve_out;
mod flowdata;
mod txview;
mod yara;

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use sensor_app::{AppConfig, AppEvent, AppProto, AppState, Probe};
use sensor_detect::{Engine, FlowInput, IcmpInput, PacketInput, TcpInput, ThreadCtx, TxView};
use sensor_flow::{Direction, Flow, FlowTable, PacketMeta, StreamItem, StreamOutput, TcpMeta};
use sensor_net::capture::FileReader;
use sensor_net::decode::{Decoder, Packet, L4};

use crate::output::EveWriter;
use detector::{detect_state, flow_ref, Detector};
pub use eve_out::RunSummary;
use flowdata::{FlowData, PROBE_LIMIT, REPLAY_LIMIT, STREAM_CHUNK};
use sensor_app::detect::Outcome;
use txview::{DnsView, HttpEventsView, HttpView, TlsView};
pub use yara::YARA_SID_BASE;
use yara::{YaraCtx, YaraHit};

/// A transaction side ready for inspection and logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ready {
    Http { id: u64, to_server: bool },
    Dns { id: u64 },
    Tls { to_server: bool },
}

/// The single-threaded pipeline over one capture.
pub struct Pipeline<'e> {
    decoder: Decoder,
    flows: FlowTable<FlowData>,
    sout: StreamOutput,
    app_cfg: AppConfig,
    app_events: Vec<AppEvent>,
    ready: Vec<Ready>,
    events: Vec<&'static str>,
    expired: Vec<Flow<FlowData>>,
    /// An empty buffer with capacity, swapped in for a flow's inspected stream bytes.
    spare_chunk: Vec<u8>,
    det: Detector<'e>,
    /// Live capture: where this worker publishes its counters (worker index).
    health: Option<(Arc<crate::control::Health>, usize)>,
}

fn dir_index(d: Direction) -> usize {
    match d {
        Direction::ToServer => 0,
        Direction::ToClient => 1,
    }
}

/// How many of direction `i`'s un-inspected bytes the peer has acknowledged (all of them
/// without a TCP session).
fn acked_pending(flow: &Flow<FlowData>, i: usize) -> usize {
    let pending = flow.user.pending[i].len();
    let Some(s) = &flow.tcp else {
        return pending;
    };
    let d = if i == 0 {
        Direction::ToServer
    } else {
        Direction::ToClient
    };
    let h = s.half(d);
    // Delivered bytes beyond the peer's ACK (negative: it acknowledged unseen data).
    let unacked = h.base_seq.wrapping_sub(h.last_ack) as i32;
    pending.saturating_sub(usize::try_from(unacked).unwrap_or(0))
}

/// `stream_size` per direction, from the TCP session (0 for flows without one: only
/// TCP sessions deliver stream bytes).
fn stream_sizes(flow: &Flow<FlowData>) -> [u64; 2] {
    match &flow.tcp {
        Some(s) => [
            s.stream_size(Direction::ToServer),
            s.stream_size(Direction::ToClient),
        ],
        None => [0, 0],
    }
}

fn app_dir(d: Direction) -> sensor_app::Direction {
    match d {
        Direction::ToServer => sensor_app::Direction::ToServer,
        Direction::ToClient => sensor_app::Direction::ToClient,
    }
}

impl<'e> Pipeline<'e> {
    /// A pipeline writing to `eve`.
    pub fn new(
        engine: Arc<Engine>,
        flow_cfg: sensor_flow::FlowConfig,
        stream_cfg: sensor_flow::StreamConfig,
        app_cfg: AppConfig,
        eve: EveWriter,
        yara: Option<&'e sensor_yara::YaraRules>,
    ) -> anyhow::Result<Self> {
        Ok(Pipeline {
            decoder: Decoder::new(),
            flows: FlowTable::new(flow_cfg, stream_cfg).context("flow table configuration")?,
            sout: StreamOutput::new(),
            app_cfg,
            app_events: Vec::new(),
            ready: Vec::new(),
            events: Vec::new(),
            expired: Vec::new(),
            spare_chunk: Vec::new(),
            det: Detector {
                tctx: ThreadCtx::new(&engine),
                engine,
                generation: 0,
                slot: None,
                eve,
                alerts: Vec::new(),
                summary: RunSummary::default(),
                yara: yara.map(YaraCtx::new).transpose()?,
            },
            health: None,
        })
    }

    /// Follows `slot`: an engine published there replaces this pipeline's between two
    /// packets (flows and their reassembly/app-layer state are kept).
    pub fn with_rule_slot(mut self, slot: Arc<crate::control::EngineSlot>) -> Self {
        let (generation, engine) = slot.load();
        self.det.tctx = ThreadCtx::new(&engine);
        self.det.engine = engine;
        self.det.generation = generation;
        self.det.slot = Some(slot);
        self
    }

    /// Live capture: publishes this worker's counters in `health.workers[index]`.
    pub fn with_health(mut self, health: Arc<crate::control::Health>, index: usize) -> Self {
        self.health = Some((health, index));
        self
    }

    /// Reads a whole capture file through the pipeline.
    pub fn run_file(mut self, path: &Path) -> anyhow::Result<RunSummary> {
        let mut reader = FileReader::open(path)
            .with_context(|| format!("cannot read capture {}", path.display()))?;
        let started = std::time::Instant::now();
        let mut last_ts = 0i64;
        let mut spare: Vec<Packet<'static>> = Vec::with_capacity(4);
        loop {
            let frame = match reader.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    // A damaged file ends the run, but what was read is kept and logged.
                    tracing::error!(error = %e, file = %path.display(), "capture read error");
                    self.det.summary.read_error = Some(e.to_string());
                    break;
                }
            };
            last_ts = frame.ts.as_micros();
            spare = self.frame(&frame, spare)?;
        }
        self.det.summary.truncated_records = reader.truncated_records();
        self.finish(started, last_ts, None)
    }

    /// Captures live from an interface until `stop` is set, writing a `stats` record every
    /// `stats_every` (kernel packet and drop counters included).
    pub fn run_live(
        mut self,
        capture: &mut sensor_net::capture::afpacket::LiveCapture,
        stop: &std::sync::atomic::AtomicBool,
        stats_every: std::time::Duration,
    ) -> anyhow::Result<RunSummary> {
        use std::sync::atomic::Ordering;
        let started = std::time::Instant::now();
        let mut last_stats = std::time::Instant::now();
        let mut last_health = std::time::Instant::now();
        let mut last_ts = 0i64;
        let mut spare: Vec<Packet<'static>> = Vec::with_capacity(4);
        while !stop.load(Ordering::Relaxed) {
            match capture.next_frame(std::time::Duration::from_millis(100)) {
                Ok(Some(frame)) => {
                    last_ts = frame.ts.as_micros();
                    spare = self.frame(&frame, spare)?;
                }
                Ok(None) => {
                    // Idle: let flows time out by the wall clock.
                    let now = wall_clock_micros();
                    self.flows.expire(now, &mut self.expired);
                    for f in std::mem::take(&mut self.expired) {
                        self.end_flow(f, now)?;
                    }
                    self.det.eve.flush()?;
                }
                Err(e) => return Err(anyhow::anyhow!("capture on {}: {e}", capture.interface())),
            }
            if self.health.is_some() && last_health.elapsed() >= std::time::Duration::from_secs(1) {
                last_health = std::time::Instant::now();
                let k = capture.stats();
                if let Some(w) = self.health.as_ref().and_then(|(h, i)| h.workers.get(*i)) {
                    w.set(self.det.summary.frames, k.packets, k.drops);
                }
            }
            if last_stats.elapsed() >= stats_every {
                last_stats = std::time::Instant::now();
                self.det.summary.seconds = started.elapsed().as_secs_f64();
                let k = capture.stats();
                self.write_stats(wall_clock_micros(), Some((k.packets, k.drops)))?;
                self.det.eve.flush()?;
            }
        }
        let k = capture.stats();
        self.finish(
            started,
            last_ts.max(wall_clock_micros()),
            Some((k.packets, k.drops)),
        )
    }

    /// One captured frame through decode and every packet it yields; returns the packet
    /// vector's allocation for the next frame.
    fn frame(
        &mut self,
        frame: &sensor_net::capture::Frame<'_>,
        spare: Vec<Packet<'static>>,
    ) -> anyhow::Result<Vec<Packet<'static>>> {
        self.det.refresh();
        self.det.summary.frames += 1;
        self.det.summary.bytes += frame.data.len() as u64;
        let pcap_cnt = self.det.summary.frames;
        // One vector for every frame: `recycle_packets` hands its allocation back.
        let mut pkts: Vec<Packet<'_>> = sensor_net::decode::recycle_packets(spare);
        self.decoder.decode(frame, &mut pkts);
        for p in pkts.iter_mut() {
            p.pcap_cnt = pcap_cnt;
        }
        for p in &pkts {
            self.packet(p)?;
        }
        Ok(sensor_net::decode::recycle_packets(pkts))
    }

    /// End of input: every flow ends, the final `stats` record is written.
    fn finish(
        mut self,
        started: std::time::Instant,
        last_ts: i64,
        kernel: Option<(u64, u64)>,
    ) -> anyhow::Result<RunSummary> {
        let mut rest = Vec::new();
        self.flows.drain(&mut rest);
        for f in rest {
            self.end_flow(f, last_ts)?;
        }
        self.det.summary.seconds = started.elapsed().as_secs_f64();
        self.write_stats(last_ts, kernel)?;
        self.det.eve.flush()?;
        self.det.summary.eve_counts = self.det.eve.counts.clone();
        Ok(self.det.summary)
    }

    fn packet(&mut self, p: &Packet<'_>) -> anyhow::Result<()> {
        self.det.summary.packets += 1;
        let now = p.ts.as_micros();
        self.flows.expire(now, &mut self.expired);
        if !self.expired.is_empty() {
            for f in std::mem::take(&mut self.expired) {
                self.end_flow(f, now)?;
            }
        }
        self.events.clear();
        self.events.extend(p.events.iter().map(|e| e.name()));
        if !p.has_ip() {
            // Only decoder-event rules can match a packet without IP.
            if !self.events.is_empty() {
                self.detect_packet_only(p)?;
            }
            return Ok(());
        }
        let (sport, dport) = p.ports().unwrap_or((0, 0));
        let tcp_meta = p.tcp().map(|t| TcpMeta {
            seq: t.seq,
            ack: t.ack,
            flags: t.flags,
            window: t.window,
            wscale: t.wscale,
            sack_permitted: t.sack_permitted,
            timestamp: t.timestamp,
        });
        let icmp = match &p.l4 {
            L4::Icmpv4(i) | L4::Icmpv6(i) => Some((i.typ, i.code, i.id)),
            _ => None,
        };
        // Fragments wait for reassembly; a TCP/UDP/ICMP packet whose header failed to
        // decode belongs to no flow (Suricata creates flows only for decoded headers).
        if (p.is_fragment && !p.reassembled) || p.l4_header_missing() {
            return self.detect_packet_only(p);
        }
        let meta = PacketMeta {
            ts_micros: now,
            src: p.src,
            dst: p.dst,
            sport,
            dport,
            proto: p.ip_proto,
            vlan: p.vlan,
            vlan_count: p.vlan_count,
            tcp: tcp_meta,
            icmp,
            payload: &p.payload,
            len: p.len,
        };
        let lookup = self.flows.process(&meta, &mut self.sout);
        let dir = lookup.direction;
        let di = dir_index(dir);
        self.events
            .extend(self.sout.events.iter().map(|e| e.name()));
        let Some(flow) = self.flows.get_mut(lookup.handle) else {
            return self.detect_packet_only(p);
        };
        self.ready.clear();
        self.app_events.clear();
        let mut flush = [false; 2];
        let is_tcp = p.ip_proto == 6;
        if is_tcp {
            // Reassembled data, in order, into the app-layer parser and the stream buffer.
            for item in &self.sout.items {
                match *item {
                    StreamItem::Data { dir: d, .. } => {
                        let bytes = self.sout.item_bytes(item);
                        deliver(
                            &mut flow.user,
                            d,
                            bytes,
                            (sport, dport),
                            now,
                            &self.app_cfg,
                            &mut self.app_events,
                        );
                    }
                    StreamItem::Gap { dir: d, len, .. } => {
                        let i = dir_index(d);
                        flush[i] = true;
                        if let Some(app) = flow.user.app.as_mut() {
                            app.gap(app_dir(d), len, &mut self.app_events);
                        }
                    }
                }
            }
            // Protocols Suricata tracks without a depth limit once detected (SMB, Modbus).
            if let (Some(s), Some(depth)) = (
                flow.tcp.as_mut(),
                flow.user
                    .app
                    .as_ref()
                    .and_then(|a| a.proto().stream_depth()),
            ) {
                s.set_depth(depth);
            }
            let fin_rst = p.tcp().is_some_and(|t| t.flags & 0x05 != 0);
            if fin_rst || self.sout.closed_now {
                flush[di] = true;
            }
        } else if p.ip_proto == 17 && !p.payload.is_empty() {
            // Each direction's first datagram gets probed, by the flow's server port.
            if flow.user.app.is_none() && !flow.user.probe_rejected[di] {
                let (client, server) = if di == 0 {
                    (sport, dport)
                } else {
                    (dport, sport)
                };
                match sensor_app::probe_udp(&p.payload, client, server) {
                    Probe::Detected(proto) => {
                        flow.user.app = Some(AppState::new(proto, false, &self.app_cfg))
                    }
                    _ => flow.user.probe_rejected[di] = true,
                }
            }
            if let Some(app) = flow.user.app.as_mut() {
                app.parse(app_dir(dir), &p.payload, now, &mut self.app_events);
            }
        }
        if is_tcp && flow.user.one_direction_event == Some(di) {
            flow.user.one_direction_event = None;
            self.app_events
                .push(AppEvent::Anomaly(sensor_app::detect::ONLY_ONE_DIRECTION));
        }
        collect_ready(
            &self.app_events,
            &mut self.ready,
            &mut flush,
            &mut self.events,
        );
        due_tx_events(&mut flow.user.deferred_tx_events, di, &mut self.events);
        // Flows whose parser never triggers raw inspection (SMB): as in Suricata, a
        // direction's stream is inspected with that direction's packets once the peer
        // acknowledged a chunk's worth of it, up to what is acknowledged.
        let ack_paced = is_tcp
            && flow
                .user
                .app
                .as_ref()
                .is_some_and(|a| !a.proto().raw_inspected_on_answer());
        let mut acked_split = None;
        if ack_paced {
            let acked = acked_pending(flow, di);
            if flow.user.pending[di].len() >= STREAM_CHUNK * 16 {
                flush[di] = true;
            } else if acked >= STREAM_CHUNK {
                acked_split = Some(acked);
            }
        } else {
            for (i, pending) in flow.user.pending.iter().enumerate() {
                if pending.len() >= STREAM_CHUNK {
                    flush[i] = true;
                }
            }
        }
        // The peer's bytes are inspected once this side answers with data (the exchange
        // of a request/response protocol) or when the parser says its message is done.
        let other = 1 - di;
        let answered = is_tcp && !p.payload.is_empty() && !ack_paced;
        if (answered || flush[other]) && !flow.user.pending[other].is_empty() {
            let od = if other == 0 {
                Direction::ToServer
            } else {
                Direction::ToClient
            };
            self.det
                .side(flow, od, &[], &self.events, Some(p.pcap_cnt))?;
        }
        // The stream chunk inspected with this packet: its own direction's pending data.
        let stream_chunk = if flush[di] && !flow.user.pending[di].is_empty() {
            Some(std::mem::replace(
                &mut flow.user.pending[di],
                std::mem::take(&mut self.spare_chunk),
            ))
        } else if let Some(n) = acked_split {
            let pending = &mut flow.user.pending[di];
            let mut chunk = std::mem::take(&mut self.spare_chunk);
            chunk.clear();
            chunk.extend(pending.drain(..n.min(pending.len())));
            Some(chunk)
        } else {
            None
        };
        let established = match &flow.tcp {
            Some(s) => s.is_established(),
            None => flow.to_server_pkts > 0 && flow.to_client_pkts > 0,
        };
        let app_proto = flow.user.app.as_ref().map(|a| a.proto().name());
        // The payload went into the stream engine (session seen from its SYN): stream
        // rules inspect it there, not as a lone packet.
        let tcp_hdr = p.tcp();
        let syn = tcp_hdr.is_some_and(|t| t.flags & 0x02 != 0);
        let tfo_syn = syn && tcp_hdr.is_some_and(|t| t.tfo) && !p.payload.is_empty();
        // A SYN's data joins the stream only with TCP Fast Open; Suricata then inspects
        // it as stream data right away (and not again when the stream delivers it).
        let stream_chunk = match stream_chunk {
            None if tfo_syn => {
                flow.user.inspected_ahead[di] += p.payload.len() as u64;
                Some(p.payload.to_vec())
            }
            other => other,
        };
        let in_stream = is_tcp
            && !p.payload.is_empty()
            && (!syn || tfo_syn)
            && flow
                .tcp
                .as_ref()
                .is_some_and(|s| s.state() != sensor_flow::TcpState::None);
        let mut input = base_input(p, &self.events);
        input.stream = stream_chunk.as_deref();
        input.in_stream = in_stream;
        input.flow = Some(FlowInput {
            // A UDP DNS flow first seen through its response runs the other way round.
            to_server: (dir == Direction::ToServer)
                != flow
                    .user
                    .app
                    .as_ref()
                    .and_then(|a| a.dns())
                    .is_some_and(|d| d.reversed()),
            established,
            stream_tracked: self.sout.tracked,
            app_proto,
            stream_bytes: stream_sizes(flow),
        });
        let ready = std::mem::take(&mut self.ready);
        detect_state(&mut flow.user, self.det.generation);
        let (app, detect) = (&flow.user.app, &mut flow.user.detect);
        let deferred = &mut flow.user.deferred_http_events;
        self.det.alerts.clear();
        {
            let views = tx_views(app.as_ref(), &ready);
            let mut refs: Vec<&dyn TxView> = views.iter().map(|v| v.as_dyn()).collect();
            let event_views = due_http_events(deferred, di);
            refs.extend(event_views.iter().map(|v| v as &dyn TxView));
            self.det.engine.inspect(
                &mut self.det.tctx,
                &input,
                &refs,
                Some(detect),
                &mut self.det.alerts,
            );
        }
        if !self.det.alerts.is_empty() {
            flow.alerted = true;
        }
        // Most packets write nothing: build the flow facts only when something is written.
        if self.det.alerts.is_empty()
            && ready.is_empty()
            && self.app_events.is_empty()
            && self.det.yara.is_none()
        {
            self.ready = ready;
            self.reuse_chunk(stream_chunk);
            return Ok(());
        }
        let fref = flow_ref(flow, dir == Direction::ToServer);
        let app = &flow.user.app;
        let alerts = std::mem::take(&mut self.det.alerts);
        eve_out::write_alerts(
            &mut self.det.eve,
            &self.det.engine,
            p,
            Some(&fref),
            &alerts,
            app.as_ref(),
            &ready,
            &mut self.det.summary,
        )?;
        self.det.alerts = alerts;
        if let Some(y) = self.det.yara.as_mut() {
            let hits = yara_scan(y, &mut flow.user, di, stream_chunk.as_deref(), &ready);
            for h in &hits {
                eve_out::write_yara_alert(
                    &mut self.det.eve,
                    h,
                    &input,
                    Some(p),
                    &fref,
                    &mut self.det.summary,
                )?;
            }
        }
        eve_out::write_app_records(
            &mut self.det.eve,
            p.ts.as_micros(),
            Some(p),
            &fref,
            &mut flow.user,
            &ready,
            &self.app_events,
        )?;
        self.ready = ready;
        self.reuse_chunk(stream_chunk);
        Ok(())
    }

    /// Keeps the allocation of an inspected stream chunk for the next one.
    fn reuse_chunk(&mut self, chunk: Option<Vec<u8>>) {
        if let Some(mut c) = chunk {
            if c.capacity() > self.spare_chunk.capacity() {
                c.clear();
                self.spare_chunk = c;
            }
        }
    }

    /// Inspection of a packet without a flow (no IP, unreassembled fragment).
    fn detect_packet_only(&mut self, p: &Packet<'_>) -> anyhow::Result<()> {
        let events = std::mem::take(&mut self.events);
        let input = base_input(p, &events);
        self.det.alerts.clear();
        self.det
            .engine
            .inspect(&mut self.det.tctx, &input, &[], None, &mut self.det.alerts);
        self.events = events;
        let alerts = std::mem::take(&mut self.det.alerts);
        eve_out::write_alerts(
            &mut self.det.eve,
            &self.det.engine,
            p,
            None,
            &alerts,
            None,
            &[],
            &mut self.det.summary,
        )?;
        self.det.alerts = alerts;
        Ok(())
    }

    /// A flow leaves the table: flush its stream and parsers, inspect what is left in
    /// each direction, write its records.
    fn end_flow(&mut self, mut flow: Flow<FlowData>, now: i64) -> anyhow::Result<()> {
        self.app_events.clear();
        self.flows.flush_stream(&mut flow, &mut self.sout);
        let (sport, dport) = (flow.key.sport, flow.key.dport);
        for item in &self.sout.items {
            if let StreamItem::Data { dir: d, .. } = *item {
                let bytes = self.sout.item_bytes(item);
                deliver(
                    &mut flow.user,
                    d,
                    bytes,
                    (sport, dport),
                    flow.last_ts,
                    &self.app_cfg,
                    &mut self.app_events,
                );
            }
        }
        if let Some(app) = flow.user.app.as_mut() {
            app.close(&mut self.app_events);
        }
        let mut ready = Vec::new();
        let mut flush = [true; 2];
        self.events.clear();
        collect_ready(&self.app_events, &mut ready, &mut flush, &mut self.events);
        for d in [Direction::ToServer, Direction::ToClient] {
            self.det.side(&mut flow, d, &ready, &self.events, None)?;
        }
        let fref = flow_ref(&flow, true);
        eve_out::write_app_records(
            &mut self.det.eve,
            flow.last_ts,
            None,
            &fref,
            &mut flow.user,
            &ready,
            &self.app_events,
        )?;
        eve_out::write_final_app_records(&mut self.det.eve, &flow, &fref)?;
        eve_out::write_flow(&mut self.det.eve, &flow, now)?;
        self.det.summary.flows += 1;
        Ok(())
    }

    fn write_stats(&mut self, last_ts: i64, kernel: Option<(u64, u64)>) -> anyhow::Result<()> {
        eve_out::write_stats(
            &mut self.det.eve,
            last_ts,
            kernel,
            &self.det.summary,
            self.decoder.counters(),
            &self.flows.counters(),
            &self.flows.stream_counters(),
            &self.det.engine,
            self.det.tctx.evaluated,
            self.det.slot.as_ref().map(|s| s.version()),
        )
    }
}

/// Now, in microseconds since the epoch.
fn wall_clock_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Flow facts an alert record needs.
pub(crate) struct FlowRef {
    pub flow_id: u64,
    pub community_id: String,
    pub app_proto: Option<&'static str>,
    pub to_server: bool,
    /// pkts to server, pkts to client, bytes to server, bytes to client.
    pub counts: [u64; 4],
    pub start_ts: i64,
}

fn ready_to_server(r: &Ready) -> Option<bool> {
    match r {
        Ready::Http { to_server, .. } | Ready::Tls { to_server } => Some(*to_server),
        Ready::Dns { .. } => None,
    }
}

/// Turns parser events into ready transaction sides and stream flush triggers.
fn collect_ready(
    events: &[AppEvent],
    ready: &mut Vec<Ready>,
    flush: &mut [bool; 2],
    names: &mut Vec<&'static str>,
) {
    for ev in events {
        let r = match ev {
            AppEvent::HttpRequestComplete(id) => Ready::Http {
                id: *id,
                to_server: true,
            },
            AppEvent::HttpResponseComplete(id) => Ready::Http {
                id: *id,
                to_server: false,
            },
            AppEvent::Dns(id) => Ready::Dns { id: *id },
            AppEvent::TlsClientHello => Ready::Tls { to_server: true },
            AppEvent::TlsCertificate => Ready::Tls { to_server: false },
            AppEvent::TlsServerHello => {
                // Inspected with the certificate when one follows; else at handshake end.
                continue;
            }
            AppEvent::TlsHandshakeDone => Ready::Tls { to_server: false },
            AppEvent::Anomaly(name) => {
                names.push(name);
                continue;
            }
            _ => continue,
        };
        match ready_to_server(&r) {
            Some(true) => flush[0] = true,
            Some(false) => flush[1] = true,
            None => {}
        }
        if !ready.contains(&r) {
            ready.push(r);
        }
    }
}

/// Newly reassembled bytes of direction `d`: counted, kept for stream inspection, and
/// handed to the application layer.
fn deliver(
    fd: &mut FlowData,
    d: Direction,
    bytes: &[u8],
    (sport, dport): (u16, u16),
    now: i64,
    cfg: &AppConfig,
    out: &mut Vec<AppEvent>,
) {
    let i = dir_index(d);
    fd.append_pending(i, bytes);
    feed_tcp_app(fd, d, bytes, sport, dport, now, cfg, out);
}

/// Protocol detection on the first bytes, then parsing.
#[allow(clippy::too_many_arguments)]
fn feed_tcp_app(
    fd: &mut FlowData,
    d: Direction,
    bytes: &[u8],
    sport: u16,
    dport: u16,
    now: i64,
    cfg: &AppConfig,
    out: &mut Vec<AppEvent>,
) {
    let i = dir_index(d);
    if fd.app.is_none()
        && fd.outcome.contains(&Outcome::Pending)
        && fd.replay[i].len() + bytes.len() <= REPLAY_LIMIT
    {
        fd.replay[i].extend_from_slice(bytes);
    }
    track_outcome(fd, i, d, bytes, sport, dport);
    if let Some(app) = fd.app.as_mut() {
        let start = out.len();
        app.parse(app_dir(d), bytes, now, out);
        defer_http_events(fd, i);
        defer_tx_events(&mut fd.deferred_tx_events, i, out, start);
        return;
    }
    if fd.probe_failed || bytes.is_empty() {
        recognize_by_pattern(fd, i, now, cfg, out);
        return;
    }
    if fd.probe_rejected[i] {
        return;
    }
    fd.probe_buf[i].extend_from_slice(bytes);
    match sensor_app::probe_tcp(app_dir(d), &fd.probe_buf[i], sport, dport) {
        Probe::Detected(proto) => {
            let mut app = AppState::new(proto, true, cfg);
            // The detecting side first, then whatever the other side sent before.
            let mine = std::mem::take(&mut fd.probe_buf[i]);
            let other = std::mem::take(&mut fd.probe_buf[1 - i]);
            let od = if i == 0 {
                Direction::ToClient
            } else {
                Direction::ToServer
            };
            if proto == AppProto::Http || i == 0 {
                app.parse(app_dir(d), &mine, now, out);
                if !other.is_empty() {
                    app.parse(app_dir(od), &other, now, out);
                }
            } else {
                if !other.is_empty() {
                    app.parse(app_dir(od), &other, now, out);
                }
                app.parse(app_dir(d), &mine, now, out);
            }
            fd.app = Some(app);
            fd.replay = Default::default();
        }
        Probe::NeedMore if fd.probe_buf[i].len() < PROBE_LIMIT => {}
        _ => {
            fd.probe_rejected[i] = true;
            fd.probe_buf[i] = Vec::new();
            if fd.probe_rejected[1 - i] {
                fd.probe_failed = true;
                fd.probe_buf = Default::default();
            }
        }
    }
    recognize_by_pattern(fd, i, now, cfg, out);
}

/// New events on the flow's HTTP transactions, raised by data of direction `i`, wait for
/// the packets that inspect them (each event name once per transaction).
fn defer_http_events(fd: &mut FlowData, i: usize) {
    let FlowData {
        app,
        http_events_seen,
        deferred_http_events,
        ..
    } = fd;
    let Some(http) = app.as_ref().and_then(|a| a.http()) else {
        return;
    };
    for tx in http.txs() {
        let all = tx.events();
        let seen = http_events_seen.iter().position(|(id, _)| *id == tx.id());
        let from = seen.map_or(0, |s| http_events_seen[s].1);
        if all.len() <= from {
            continue;
        }
        let mut new: Vec<&'static str> = Vec::new();
        for e in &all[from..] {
            if !all[..from].contains(e) && !new.contains(e) {
                new.push(e);
            }
        }
        match seen {
            Some(s) => http_events_seen[s].1 = all.len(),
            None => http_events_seen.push((tx.id(), all.len())),
        }
        if !new.is_empty() {
            flowdata::defer_events(deferred_http_events, new, i);
        }
    }
    http_events_seen.retain(|(id, _)| http.tx(*id).is_some());
}

/// Follows detection of direction `i` to its end; when one side is recognized and the
/// other side's detection finished without a result, the next packet of the opposite
/// direction carries `applayer_detect_protocol_only_one_direction`.
fn track_outcome(fd: &mut FlowData, i: usize, d: Direction, bytes: &[u8], sport: u16, dport: u16) {
    if fd.outcome[i] != Outcome::Pending || bytes.is_empty() {
        return;
    }
    let buf = &mut fd.outcome_buf[i];
    let room = sensor_app::detect::BUFFER_LIMIT.saturating_sub(buf.len());
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
    let o = sensor_app::detect::outcome(app_dir(d), buf, sport, dport);
    if o == Outcome::Pending {
        return;
    }
    fd.outcome[i] = o;
    fd.outcome_buf[i] = Vec::new();
    if let (Outcome::Detected(_), Outcome::Failed) | (Outcome::Failed, Outcome::Detected(_)) =
        (o, fd.outcome[1 - i])
    {
        fd.one_direction_event = Some(1 - i);
    }
}

/// A protocol recognized by its patterns on direction `i` takes the flow when no probed
/// parser claimed it: it names the flow, and if the sensor parses it, the parser gets the
/// bytes held so far, the other side's first (it spoke first, as Suricata replays it).
fn recognize_by_pattern(
    fd: &mut FlowData,
    i: usize,
    now: i64,
    cfg: &AppConfig,
    out: &mut Vec<AppEvent>,
) {
    if fd.app.is_some() {
        return;
    }
    let Outcome::Detected(p) = fd.outcome[i] else {
        if !fd.outcome.contains(&Outcome::Pending) {
            fd.replay = Default::default();
        }
        return;
    };
    let mut state = AppState::new(p, true, cfg);
    let replay = std::mem::take(&mut fd.replay);
    if !matches!(state, AppState::Unparsed(_)) {
        for j in [1 - i, i] {
            if replay[j].is_empty() {
                continue;
            }
            let d = if j == 0 {
                Direction::ToServer
            } else {
                Direction::ToClient
            };
            let start = out.len();
            state.parse(app_dir(d), &replay[j], now, out);
            defer_tx_events(&mut fd.deferred_tx_events, j, out, start);
        }
    }
    fd.app = Some(state);
}

/// SMTP and RFB transaction events raised by data of direction `i` (from `out[start..]`) wait for
/// the packets that inspect them, like HTTP's: the other direction's next packet, then
/// the origin direction's next packet.
fn defer_tx_events(
    deferred: &mut Vec<flowdata::DeferredEvents>,
    i: usize,
    out: &mut Vec<AppEvent>,
    start: usize,
) {
    let mut k = start;
    while k < out.len() {
        match out[k] {
            AppEvent::Anomaly(name) if name.starts_with("smtp.") || name.starts_with("rfb.") => {
                out.remove(k);
                flowdata::defer_events(deferred, vec![name], i);
            }
            _ => k += 1,
        }
    }
}

/// The deferred transaction events a packet of direction `di` inspects, added to its
/// event names.
fn due_tx_events(
    deferred: &mut Vec<flowdata::DeferredEvents>,
    di: usize,
    names: &mut Vec<&'static str>,
) {
    flowdata::due_events(deferred, di, |events| names.extend_from_slice(events));
}

/// YARA over the stream chunk of direction `di` and the bodies of ready HTTP transactions.
fn yara_scan(
    y: &mut YaraCtx<'_>,
    fd: &mut FlowData,
    di: usize,
    stream: Option<&[u8]>,
    ready: &[Ready],
) -> Vec<YaraHit> {
    let mut hits = Vec::new();
    if let Some(chunk) = stream {
        hits.extend(y.scan(chunk, &mut fd.yara_fired[di]));
    }
    for r in ready {
        if let Ready::Http { id, to_server } = *r {
            let Some(tx) = fd
                .app
                .as_ref()
                .and_then(|a| a.http())
                .and_then(|h| h.tx(id))
            else {
                continue;
            };
            let body = if to_server {
                tx.request_body()
            } else {
                tx.response_body()
            };
            hits.extend(y.scan(body, &mut fd.yara_fired[usize::from(!to_server)]));
        }
    }
    hits
}

/// A transaction view of any protocol.
enum AnyView<'a> {
    Http(HttpView<'a>),
    Dns(DnsView<'a>),
    Tls(TlsView<'a>),
}

impl AnyView<'_> {
    fn as_dyn(&self) -> &dyn TxView {
        match self {
            AnyView::Http(v) => v,
            AnyView::Dns(v) => v,
            AnyView::Tls(v) => v,
        }
    }
}

/// The deferred HTTP events a packet of direction `di` inspects: first seen by the other
/// direction's next packet, then by the origin direction's next packet.
fn due_http_events(deferred: &mut Vec<flowdata::DeferredEvents>, di: usize) -> Vec<HttpEventsView> {
    let mut out = Vec::new();
    flowdata::due_events(deferred, di, |events| {
        out.push(HttpEventsView {
            events: events.to_vec(),
            to_server: di == 0,
        })
    });
    out
}

fn tx_views<'a>(app: Option<&'a AppState>, ready: &[Ready]) -> Vec<AnyView<'a>> {
    let Some(app) = app else {
        return Vec::new();
    };
    ready
        .iter()
        .filter_map(|r| match *r {
            Ready::Http { id, to_server } => app
                .http()
                .and_then(|h| h.tx(id))
                .map(|tx| AnyView::Http(HttpView { tx, to_server })),
            Ready::Dns { id } => app
                .dns()
                .and_then(|s| s.tx(id))
                .map(|tx| AnyView::Dns(DnsView { tx })),
            Ready::Tls { to_server } => app
                .tls()
                .map(|state| AnyView::Tls(TlsView { state, to_server })),
        })
        .collect()
}

/// The packet fields every inspection needs.
fn base_input<'a>(p: &'a Packet<'_>, events: &'a [&'static str]) -> PacketInput<'a> {
    let (sport, dport) = p.ports().unwrap_or((0, 0));
    PacketInput {
        ts_micros: p.ts.as_micros(),
        src: p.src,
        dst: p.dst,
        sport,
        dport,
        ip_proto: p.ip_proto,
        ttl: p.ttl,
        ip_id: p.ip_id,
        tos: p.ip_tos,
        frag_bits: p.ip_flags,
        frag_offset: u16::try_from(p.frag_offset).unwrap_or(u16::MAX),
        is_fragment: p.is_fragment,
        tcp: p.tcp().map(|t| TcpInput {
            flags: t.flags,
            seq: t.seq,
            ack: t.ack,
            window: t.window,
        }),
        icmp: match &p.l4 {
            L4::Icmpv4(i) | L4::Icmpv6(i) => Some(IcmpInput {
                itype: i.typ,
                icode: i.code,
                id: i.id,
                seq: i.seq,
            }),
            _ => None,
        },
        payload: &p.payload,
        stream: None,
        in_stream: false,
        flow: None,
        pseudo: false,
        events,
    }
}

/// Source and destination of a flow direction: (src, dst, sport, dport).
fn endpoints(k: &sensor_flow::FlowKey, to_server: bool) -> (IpAddr, IpAddr, u16, u16) {
    if to_server {
        (k.src_ip, k.dst_ip, k.sport, k.dport)
    } else {
        (k.dst_ip, k.src_ip, k.dport, k.sport)
    }
}
