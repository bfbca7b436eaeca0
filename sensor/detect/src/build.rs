//! Building the engine from parsed rules: support checks, ordering, grouping, prefilters.

use std::collections::HashMap;

use sensor_mpm::{Backend, MpmError, Pattern};
use sensor_rules::config::classification::Classifications;
use sensor_rules::config::threshold::ThresholdEntry;
use sensor_rules::rule::{EventKind, FlowbitCmd, FlowintOp, ThresholdType, Track};
use sensor_rules::{Action, AddrSet, BufferKind, Direction, Protocol, Rule, Skipped};

use crate::flowbits::FlowbitNames;
use crate::iponly::IpOnlyIndex;
use crate::prefilter::Prefilter;
use crate::threshold::{self, Spec};

/// Everything the engine needs besides the rules.
pub struct EngineConfig<'a> {
    /// Multi-pattern matcher backend.
    pub backend: Backend,
    /// classification.config entries (category and severity of alerts).
    pub classifications: Option<&'a Classifications>,
    /// threshold.config entries.
    pub threshold_entries: &'a [ThresholdEntry],
    /// Whether the pipeline raises an event of this family and name.
    pub event_supported: &'a dyn Fn(EventKind, &str) -> bool,
    /// Application protocols with a parser ("http", "dns", "tls").
    pub app_protos: &'a [&'static str],
}

/// What an alert needs to say about its rule.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub sid: u32,
    pub gid: u32,
    pub rev: u32,
    pub msg: String,
    pub action: Action,
    /// Classification description, or empty.
    pub category: String,
    /// 1 (high) … 255; `priority`, else the classification's, else 3.
    pub severity: u32,
    /// `metadata` grouped by key, in rule order.
    pub metadata: Vec<(String, Vec<String>)>,
}

/// Where a rule's payload (no sticky buffer) content is inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayloadMode {
    /// Single packets only (`tcp-pkt`, `dsize`, `flow:no_stream`, non-TCP).
    PacketOnly,
    /// Reassembled stream only (`tcp-stream`, `flow:only_stream`).
    StreamOnly,
    /// Stream when the packet's data went into a tracked stream, else the packet.
    StreamThenPacket,
    /// The stream, and on no match there the packet's own payload even when it went into
    /// the stream: Suricata's `SIG_FLAG_REQUIRE_STREAM | SIG_FLAG_REQUIRE_PACKET`, given to
    /// TCP rules whose payload contents are anchored (`depth`, `offset`, `startswith`) or
    /// that use `stream_size`.
    StreamAndPacket,
}

pub(crate) const G_TCP: u8 = 1;
pub(crate) const G_UDP: u8 = 2;
pub(crate) const G_ICMP: u8 = 4;
pub(crate) const G_OTHER: u8 = 8;

pub(crate) struct Compiled {
    pub rule: Rule,
    pub info: RuleInfo,
    pub groups: u8,
    /// Required IP protocol numbers, when the rule's protocol pins them (icmpv4 vs icmpv6).
    pub ip_protos: Option<&'static [u8]>,
    /// `ipv4` / `ipv6` rules: the IP version required.
    pub ip_version: Option<u8>,
    pub app_proto: Option<&'static str>,
    pub payload_mode: PayloadMode,
    pub payload_bufs: Vec<usize>,
    pub app_bufs: Vec<usize>,
    pub direction: Option<Direction>,
    pub bit_checks: Vec<(FlowbitCmd, Vec<u32>, bool)>,
    pub bit_actions: Vec<(FlowbitCmd, Vec<u32>)>,
    /// `flowint` conditions and actions, by interned variable.
    pub int_tests: Vec<(u32, FlowintOp)>,
    pub int_actions: Vec<(u32, FlowintOp)>,
    /// `app-layer-event` names matched on a transaction rather than on the packet
    /// (protocols whose parser records events per transaction: HTTP).
    pub tx_events: Vec<String>,
    /// An `app-layer-event` raised on the packet by a parser that records events per
    /// transaction (Modbus, DNS, ...): the rule alerts once per occurrence, as Suricata
    /// alerts once per transaction carrying the event.
    pub per_tx_event: Option<String>,
    pub rate: Vec<Spec>,
    pub suppress: Vec<(Option<Track>, Option<AddrSet>)>,
    pub iponly: bool,
}

#[derive(Default)]
pub(crate) struct Group {
    /// Payload prefilter for packets not in a tracked stream (packet-only and stream-or-packet rules).
    pub pkt_all: Option<Prefilter>,
    /// Payload prefilter for packets in a stream (packet-only and stream-and-packet rules).
    pub pkt_only: Option<Prefilter>,
    /// Payload prefilter for stream chunks.
    pub stream: Option<Prefilter>,
    /// One prefilter per application-layer buffer kind.
    pub app: Vec<Prefilter>,
    /// Rules without a usable fast pattern (not IP-only), bucketed by what they need.
    pub always: AlwaysRules,
}

/// Rules without a fast pattern, split by the cheapest condition that rules them out,
/// so that a packet only walks the buckets that can match it.
#[derive(Default)]
pub(crate) struct AlwaysRules {
    /// Rules that need a decoder/stream/app-layer event, by the event's name.
    pub by_event: HashMap<String, Vec<u32>>,
    /// Rules that inspect transactions of an application protocol: (protocol, rules).
    pub with_tx: Vec<(&'static str, Vec<u32>)>,
    /// Rules bound to an application protocol without transaction buffers.
    pub on_app: Vec<(&'static str, Vec<u32>)>,
    /// Rules that inspect payload or stream data (need some).
    pub with_data: Vec<u32>,
    /// Everything else: header and packet keywords only.
    pub header: Vec<u32>,
}

impl AlwaysRules {
    fn push(&mut self, c: &Compiled, id: u32) {
        let packet_event = c
            .rule
            .events
            .iter()
            .find(|e| !c.tx_events.contains(&e.name));
        if let Some(ev) = packet_event {
            self.by_event.entry(ev.name.clone()).or_default().push(id);
        } else if let (false, Some(app)) =
            (c.app_bufs.is_empty() && c.tx_events.is_empty(), c.app_proto)
        {
            bucket(&mut self.with_tx, app).push(id);
        } else if let Some(app) = c.app_proto {
            bucket(&mut self.on_app, app).push(id);
        } else if !c.payload_bufs.is_empty() {
            self.with_data.push(id);
        } else {
            self.header.push(id);
        }
    }

    pub fn len(&self) -> usize {
        self.by_event.values().map(Vec::len).sum::<usize>()
            + self.with_tx.iter().map(|(_, v)| v.len()).sum::<usize>()
            + self.on_app.iter().map(|(_, v)| v.len()).sum::<usize>()
            + self.with_data.len()
            + self.header.len()
    }
}

fn bucket<'a>(list: &'a mut Vec<(&'static str, Vec<u32>)>, app: &'static str) -> &'a mut Vec<u32> {
    let i = match list.iter().position(|(a, _)| *a == app) {
        Some(i) => i,
        None => {
            list.push((app, Vec::new()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

/// Counts reported after building.
#[derive(Debug, Clone, Default)]
pub struct EngineStats {
    pub rules_loaded: usize,
    pub rules_skipped: usize,
    pub iponly_rules: usize,
    pub prefilter_rules: usize,
    pub always_rules: usize,
    /// Per transport group (tcp, udp, icmp, other): always-evaluated rules by bucket
    /// [event, with_tx, on_app, with_data, header].
    pub always_buckets: [[usize; 5]; 4],
    pub matchers: usize,
    pub backend: &'static str,
}

/// The compiled, immutable detection engine.
pub struct Engine {
    pub(crate) rules: Vec<Compiled>,
    pub(crate) groups: [Group; 4],
    pub(crate) iponly: IpOnlyIndex,
    pub(crate) flowbit_count: usize,
    pub(crate) flowint_count: usize,
    pub(crate) stats: EngineStats,
}

fn group_index(bit: u8) -> usize {
    match bit {
        G_TCP => 0,
        G_UDP => 1,
        G_ICMP => 2,
        _ => 3,
    }
}

/// The transport group of an IP protocol number.
pub(crate) fn group_of(ip_proto: u8) -> usize {
    match ip_proto {
        6 => 0,
        17 => 1,
        1 | 58 => 2,
        _ => 3,
    }
}

/// The application protocol a buffer belongs to.
pub(crate) fn buffer_app(kind: BufferKind) -> Option<&'static str> {
    use BufferKind::*;
    match kind {
        Payload => None,
        DnsQuery => Some("dns"),
        TlsSni | TlsCertSubject | TlsCertIssuer | TlsCertSerial | TlsCertFingerprint | TlsCerts
        | Ja3Hash | Ja3String | Ja3sHash | Ja3sString => Some("tls"),
        _ => Some("http"),
    }
}

fn static_app(name: &str, known: &[&'static str]) -> Option<&'static str> {
    known.iter().copied().find(|k| *k == name)
}

fn skip(rule: &Rule, keyword: &str, reason: impl Into<String>) -> Skipped {
    Skipped {
        file: rule.file.clone().unwrap_or_default(),
        line: rule.line,
        sid: Some(rule.sid),
        keyword: keyword.to_string(),
        reason: reason.into(),
    }
}

fn metadata_groups(entries: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in entries {
        let e = e.trim();
        let (k, v) = e.split_once(char::is_whitespace).unwrap_or((e, ""));
        let v = v.trim().to_string();
        match out.iter_mut().find(|(key, _)| key == k) {
            Some((_, vals)) => vals.push(v),
            None => out.push((k.to_string(), vec![v])),
        }
    }
    out
}

fn rate_spec(kind: threshold::Kind, t: &sensor_rules::rule::Threshold) -> Option<Spec> {
    let track = match t.track {
        Track::BySrc | Track::ByEither => threshold::Track::BySrc,
        Track::ByDst => threshold::Track::ByDst,
        Track::ByRule | Track::ByFlow => threshold::Track::ByRule,
        Track::ByBoth => threshold::Track::ByBoth,
    };
    Some(Spec {
        kind,
        track,
        count: t.count,
        seconds: t.seconds,
    })
}

fn kind_of(t: ThresholdType) -> threshold::Kind {
    match t {
        ThresholdType::Limit => threshold::Kind::Limit,
        ThresholdType::Threshold => threshold::Kind::Threshold,
        ThresholdType::Both => threshold::Kind::Both,
    }
}

impl Engine {
    /// Builds the engine. Rules the engine cannot honour are returned as skipped, with
    /// the keyword and the reason; the others are loaded.
    pub fn build(
        rules: Vec<Rule>,
        cfg: &EngineConfig<'_>,
    ) -> Result<(Engine, Vec<Skipped>), MpmError> {
        let mut skipped = Vec::new();
        let mut names = FlowbitNames::default();
        let mut int_names = FlowbitNames::default();
        let mut compiled = Vec::with_capacity(rules.len());
        for rule in rules {
            match compile(rule, cfg, &mut names, &mut int_names) {
                Ok(c) => compiled.push(c),
                Err(s) => skipped.push(s),
            }
        }
        // Engine order, as Suricata's SCSigOrderSignatures: action (pass first), then
        // flowbits use (setters, setters that also read, readers, the rest), then
        // flowint use (same order), then priority, then load order.
        let order_key = |c: &Compiled| {
            let action = match c.info.action {
                Action::Pass => 0u8,
                _ => 1,
            };
            let sets = !c.bit_actions.is_empty();
            let reads = !c.bit_checks.is_empty();
            let fb = match (sets, reads) {
                (true, false) => 0u8,
                (true, true) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            let fi = match (!c.int_actions.is_empty(), !c.int_tests.is_empty()) {
                (true, false) => 0u8,
                (true, true) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            (action, fb, fi, c.info.severity)
        };
        compiled.sort_by_key(order_key);

        let mut stats = EngineStats {
            rules_loaded: compiled.len(),
            rules_skipped: skipped.len(),
            ..Default::default()
        };
        // IP-only index.
        let iponly_list: Vec<(u32, &AddrSet, &AddrSet, bool)> = compiled
            .iter()
            .enumerate()
            .filter(|(_, c)| c.iponly)
            .map(|(i, c)| {
                (
                    i as u32,
                    &c.rule.header.src,
                    &c.rule.header.dst,
                    c.rule.header.bidirectional,
                )
            })
            .collect();
        let iponly = IpOnlyIndex::build(&iponly_list);
        stats.iponly_rules = iponly.count;

        // Groups and prefilters.
        let mut groups: [Group; 4] = Default::default();
        let mut pats: [GroupPatterns; 4] = Default::default();
        for (i, c) in compiled.iter().enumerate() {
            if c.iponly {
                continue;
            }
            let id = i as u32;
            let fp = c.rule.fast_pattern.as_ref().filter(|fp| {
                c.rule
                    .buffers
                    .get(fp.buffer_index)
                    .is_some_and(|b| b.transforms.is_empty())
                    && !fp.bytes.is_empty()
                    // A negated fast pattern says when the rule cannot match, not when it
                    // may: such rules are evaluated without the prefilter.
                    && !fp.negated
            });
            for bit in [G_TCP, G_UDP, G_ICMP, G_OTHER] {
                if c.groups & bit == 0 {
                    continue;
                }
                let g = group_index(bit);
                let Some(fp) = fp else {
                    groups[g].always.push(c, id);
                    continue;
                };
                let Some(kind) = c.rule.buffers.get(fp.buffer_index).map(|b| b.kind) else {
                    groups[g].always.push(c, id);
                    continue;
                };
                let p = Pattern {
                    bytes: fp.bytes.clone(),
                    nocase: fp.nocase,
                    id,
                };
                if kind == BufferKind::Payload {
                    match c.payload_mode {
                        PayloadMode::PacketOnly => {
                            pats[g].pkt_all.push(p.clone());
                            pats[g].pkt_only.push(p);
                        }
                        PayloadMode::StreamAndPacket => {
                            pats[g].pkt_all.push(p.clone());
                            pats[g].pkt_only.push(p.clone());
                            pats[g].stream.push(p);
                        }
                        PayloadMode::StreamOnly => pats[g].stream.push(p),
                        PayloadMode::StreamThenPacket => {
                            pats[g].pkt_all.push(p.clone());
                            pats[g].stream.push(p);
                        }
                    }
                } else {
                    pats[g].app.entry(kind).or_default().push(p);
                }
                stats.prefilter_rules += 1;
            }
        }
        for (g, p) in groups.iter_mut().zip(pats) {
            let mk = |v: Vec<Pattern>| -> Result<Option<Prefilter>, MpmError> {
                if v.is_empty() {
                    Ok(None)
                } else {
                    Prefilter::build(BufferKind::Payload, v, cfg.backend).map(Some)
                }
            };
            g.pkt_all = mk(p.pkt_all)?;
            g.pkt_only = mk(p.pkt_only)?;
            g.stream = mk(p.stream)?;
            let mut app: Vec<_> = p.app.into_iter().collect();
            app.sort_by_key(|(k, _)| *k);
            for (kind, v) in app {
                g.app.push(Prefilter::build(kind, v, cfg.backend)?);
            }
            stats.always_rules += g.always.len();
        }
        for (gi, g) in groups.iter().enumerate() {
            let a = &g.always;
            stats.always_buckets[gi] = [
                a.by_event.values().map(Vec::len).sum(),
                a.with_tx.iter().map(|(_, v)| v.len()).sum(),
                a.on_app.iter().map(|(_, v)| v.len()).sum(),
                a.with_data.len(),
                a.header.len(),
            ];
        }
        for g in &groups {
            for p in [&g.pkt_all, &g.pkt_only, &g.stream]
                .into_iter()
                .flatten()
                .chain(g.app.iter())
            {
                stats.matchers += 1;
                if stats.backend.is_empty() || p.matcher.backend_name() == "hyperscan" {
                    stats.backend = p.matcher.backend_name();
                }
                let _ = p.rules;
            }
        }
        Ok((
            Engine {
                rules: compiled,
                groups,
                iponly,
                flowbit_count: names.len(),
                flowint_count: int_names.len(),
                stats,
            },
            skipped,
        ))
    }

    /// Number of loaded rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// No rules loaded.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Alert facts of rule `i`.
    pub fn rule(&self, i: u32) -> Option<&RuleInfo> {
        self.rules.get(i as usize).map(|c| &c.info)
    }

    /// The parsed rule `i`.
    pub fn rule_source(&self, i: u32) -> Option<&Rule> {
        self.rules.get(i as usize).map(|c| &c.rule)
    }

    /// Build statistics.
    pub fn stats(&self) -> &EngineStats {
        &self.stats
    }

    /// Number of distinct flowbit names.
    pub fn flowbit_count(&self) -> usize {
        self.flowbit_count
    }

    /// Number of distinct flowint variables.
    pub fn flowint_count(&self) -> usize {
        self.flowint_count
    }
}

#[derive(Default)]
struct GroupPatterns {
    pkt_all: Vec<Pattern>,
    pkt_only: Vec<Pattern>,
    stream: Vec<Pattern>,
    app: HashMap<BufferKind, Vec<Pattern>>,
}

/// Checks that the engine can honour `rule` and precomputes what evaluation needs.
fn compile(
    rule: Rule,
    cfg: &EngineConfig<'_>,
    names: &mut FlowbitNames,
    int_names: &mut FlowbitNames,
) -> Result<Compiled, Skipped> {
    let h = &rule.header;
    let (groups, ip_protos, app_proto): (u8, Option<&'static [u8]>, Option<&'static str>) =
        match &h.proto {
            Protocol::Ip | Protocol::Ipv4 | Protocol::Ipv6 => {
                (G_TCP | G_UDP | G_ICMP | G_OTHER, None, None)
            }
            Protocol::Tcp | Protocol::TcpPkt | Protocol::TcpStream => (G_TCP, None, None),
            Protocol::Udp => (G_UDP, None, None),
            Protocol::Icmp => (G_ICMP, None, None),
            Protocol::Icmpv4 => (G_ICMP, Some(&[1]), None),
            Protocol::Icmpv6 => (G_ICMP, Some(&[58]), None),
            Protocol::Http => (G_TCP, None, Some("http")),
            Protocol::Tls => (G_TCP, None, Some("tls")),
            Protocol::Dns => (G_TCP | G_UDP, None, Some("dns")),
            Protocol::Sctp => return Err(skip(&rule, "sctp", "SCTP is not decoded")),
            Protocol::App(name) => match static_app(name, cfg.app_protos) {
                Some(a) => (G_TCP | G_UDP, None, Some(a)),
                None => {
                    return Err(skip(
                        &rule,
                        name,
                        format!("no parser for application protocol `{name}`"),
                    ))
                }
            },
        };
    if let Some(app) = app_proto {
        if !cfg.app_protos.contains(&app) {
            return Err(skip(
                &rule,
                app,
                format!("no parser for application protocol `{app}`"),
            ));
        }
    }
    for ev in &rule.events {
        if !(cfg.event_supported)(ev.kind, &ev.name) {
            let kw = match ev.kind {
                EventKind::Decode => "decode-event",
                EventKind::Stream => "stream-event",
                EventKind::AppLayer => "app-layer-event",
            };
            return Err(skip(
                &rule,
                kw,
                format!("event `{}` is not raised by this sensor", ev.name),
            ));
        }
    }
    if rule.ipopts.is_some() {
        return Err(skip(
            &rule,
            "ipopts",
            "IPv4 option matching is not supported",
        ));
    }
    let mut app_from_buffers: Option<&'static str> = None;
    let mut payload_bufs = Vec::new();
    let mut app_bufs = Vec::new();
    for (i, b) in rule.buffers.iter().enumerate() {
        match buffer_app(b.kind) {
            None => payload_bufs.push(i),
            Some(app) => {
                if app_from_buffers.is_some_and(|a| a != app) {
                    return Err(skip(
                        &rule,
                        b.kind.name(),
                        "buffers of two application protocols",
                    ));
                }
                if app_proto.is_some_and(|a| a != app) {
                    return Err(skip(
                        &rule,
                        b.kind.name(),
                        format!("buffer of `{app}` in a `{}` rule", h.proto.name()),
                    ));
                }
                app_from_buffers = Some(app);
                app_bufs.push(i);
            }
        }
    }
    let app_proto = app_proto.or(app_from_buffers);
    let groups = if app_from_buffers == Some("http") || app_from_buffers == Some("tls") {
        groups & G_TCP
    } else {
        groups
    };
    if groups == 0 {
        return Err(skip(
            &rule,
            h.proto.name(),
            "protocol and buffers do not fit together",
        ));
    }
    let flow = rule.flow.unwrap_or_default();
    let payload_mode =
        if matches!(h.proto, Protocol::TcpPkt) || rule.dsize.is_some() || flow.no_stream {
            PayloadMode::PacketOnly
        } else if matches!(h.proto, Protocol::TcpStream) || flow.only_stream {
            PayloadMode::StreamOnly
        } else if rule.stream_size.is_some() || rule.payload_anchored {
            PayloadMode::StreamAndPacket
        } else {
            PayloadMode::StreamThenPacket
        };
    let direction = rule.direction;

    let mut bit_checks = Vec::new();
    let mut bit_actions = Vec::new();
    for fb in &rule.flowbits {
        let ids: Vec<u32> = fb.names.iter().map(|n| names.intern(n)).collect();
        match fb.cmd {
            FlowbitCmd::IsSet | FlowbitCmd::IsNotSet => bit_checks.push((fb.cmd, ids, fb.any_of)),
            _ => bit_actions.push((fb.cmd, ids)),
        }
    }

    let tx_events: Vec<String> = rule
        .events
        .iter()
        .filter(|e| e.kind == EventKind::AppLayer && e.name.starts_with("http."))
        .map(|e| e.name.clone())
        .collect();
    let per_tx_event = rule
        .events
        .iter()
        .find(|e| {
            e.kind == EventKind::AppLayer
                && !tx_events.contains(&e.name)
                && !e.name.starts_with("applayer_")
        })
        .map(|e| e.name.clone());
    let app_proto = if tx_events.is_empty() {
        app_proto
    } else {
        app_proto.or(Some("http"))
    };
    let mut int_tests = Vec::new();
    let mut int_actions = Vec::new();
    for fi in &rule.flowints {
        let id = int_names.intern(&fi.name);
        if fi.op.is_test() {
            int_tests.push((id, fi.op));
        } else {
            int_actions.push((id, fi.op));
        }
    }

    // Rate control: the rule's own options, overridden by threshold.config.
    let mut rate = Vec::new();
    let mut suppress = Vec::new();
    let mut config_threshold = None;
    for e in cfg.threshold_entries {
        match e {
            ThresholdEntry::Suppress {
                gid,
                sid,
                track,
                ip,
            } if *gid == rule.gid && (*sid == rule.sid || *sid == 0) => {
                suppress.push((*track, ip.clone()));
            }
            ThresholdEntry::Threshold {
                gid,
                sid,
                kind,
                track,
                count,
                seconds,
            } if *gid == rule.gid && (*sid == rule.sid || *sid == 0) => {
                config_threshold = Some(sensor_rules::rule::Threshold {
                    kind: *kind,
                    track: *track,
                    count: *count,
                    seconds: *seconds,
                });
            }
            ThresholdEntry::RateFilter {
                gid,
                sid,
                track,
                count,
                seconds,
                ..
            } if *gid == rule.gid && (*sid == rule.sid || *sid == 0) => {
                // Simple rate_filter: alert only after `count` matches in `seconds`.
                let t = sensor_rules::rule::Threshold {
                    kind: ThresholdType::Threshold,
                    track: *track,
                    count: *count,
                    seconds: *seconds,
                };
                rate.extend(rate_spec(threshold::Kind::DetectionFilter, &t));
            }
            _ => {}
        }
    }
    if let Some(t) = config_threshold.as_ref().or(rule.threshold.as_ref()) {
        rate.extend(rate_spec(kind_of(t.kind), t));
    }
    if let Some(t) = &rule.detection_filter {
        rate.extend(rate_spec(threshold::Kind::DetectionFilter, t));
    }

    let class = rule
        .classtype
        .as_deref()
        .and_then(|c| cfg.classifications.and_then(|cl| cl.get(c)));
    let severity = rule.priority.or(class.map(|c| c.priority)).unwrap_or(3);
    let info = RuleInfo {
        sid: rule.sid,
        gid: rule.gid,
        rev: rule.rev,
        msg: rule.msg.clone(),
        action: rule.action,
        category: class.map(|c| c.description.clone()).unwrap_or_default(),
        severity,
        metadata: metadata_groups(&rule.metadata),
    };
    let iponly = is_iponly(&rule);
    let ip_version = match h.proto {
        Protocol::Ipv4 => Some(4),
        Protocol::Ipv6 => Some(6),
        _ => None,
    };
    Ok(Compiled {
        info,
        groups,
        ip_protos,
        ip_version,
        app_proto,
        payload_mode,
        per_tx_event,
        payload_bufs,
        app_bufs,
        direction,
        bit_checks,
        bit_actions,
        int_tests,
        int_actions,
        tx_events,
        rate,
        suppress,
        iponly,
        rule,
    })
}

/// Suricata's IP-only signatures: a transport protocol at most (no app-layer), no ports,
/// no content, no packet or flow keywords, only `flowbits:set` — matched on addresses
/// once per flow and direction.
fn is_iponly(r: &Rule) -> bool {
    matches!(
        r.header.proto,
        Protocol::Ip
            | Protocol::Ipv4
            | Protocol::Ipv6
            | Protocol::Tcp
            | Protocol::Udp
            | Protocol::Icmp
            | Protocol::Icmpv4
            | Protocol::Icmpv6
    ) && r.header.sport.is_any()
        && r.header.dport.is_any()
        && r.buffers.is_empty()
        && r.flow.is_none()
        && r.flowbits.iter().all(|f| f.cmd == FlowbitCmd::Set)
        && r.flowints.is_empty()
        && r.dsize.is_none()
        && r.ttl.is_none()
        && r.itype.is_none()
        && r.icode.is_none()
        && r.icmp_id.is_none()
        && r.icmp_seq.is_none()
        && r.ip_proto.is_none()
        && r.ip_id.is_none()
        && r.tos.is_none()
        && r.fragbits.is_none()
        && r.fragoffset.is_none()
        && r.flags.is_none()
        && r.window.is_none()
        && r.seq.is_none()
        && r.ack.is_none()
        && !r.sameip
        && r.app_layer_protocol.is_none()
        && r.stream_size.is_none()
        && r.urilen.is_none()
        && r.events.is_empty()
}
