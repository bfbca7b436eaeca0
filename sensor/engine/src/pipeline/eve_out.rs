//! Building EVE records from pipeline state.

use serde_json::{json, Map, Value};

use sensor_app::AppState;
use sensor_detect::{AlertHit, Engine, PacketInput};
use sensor_flow::Flow;
use sensor_net::decode::{Packet, L4};

use super::flowdata::FlowData;
use super::{FlowRef, Ready};
use crate::output::EveWriter;

/// What a run did, for the final `stats` record and the command's summary line.
#[derive(Debug, Default, Clone)]
pub struct RunSummary {
    pub frames: u64,
    pub packets: u64,
    pub bytes: u64,
    pub alerts: u64,
    pub flows: u64,
    pub truncated_records: u64,
    pub read_error: Option<String>,
    /// Processing time (capture open to last record written), seconds.
    pub seconds: f64,
    pub eve_counts: Vec<(String, u64)>,
}

impl RunSummary {
    /// Adds another worker's counts (time: the longest).
    pub fn merge(&mut self, o: &RunSummary) {
        self.frames += o.frames;
        self.packets += o.packets;
        self.bytes += o.bytes;
        self.alerts += o.alerts;
        self.flows += o.flows;
        self.truncated_records += o.truncated_records;
        self.seconds = self.seconds.max(o.seconds);
        for (t, n) in &o.eve_counts {
            match self.eve_counts.iter_mut().find(|(k, _)| k == t) {
                Some((_, m)) => *m += n,
                None => self.eve_counts.push((t.clone(), *n)),
            }
        }
    }
}

/// IP protocol names as Suricata writes them (IANA keywords).
pub(crate) fn proto_name(p: u8) -> String {
    let name = match p {
        0 => "HOPOPT",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPv4",
        6 => "TCP",
        8 => "EGP",
        9 => "IGP",
        17 => "UDP",
        41 => "IPv6",
        43 => "IPv6-Route",
        44 => "IPv6-Frag",
        46 => "RSVP",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "IPv6-ICMP",
        59 => "IPv6-NoNxt",
        60 => "IPv6-Opts",
        88 => "EIGRP",
        89 => "OSPF",
        94 => "IPIP",
        103 => "PIM",
        108 => "IPComp",
        112 => "VRRP",
        115 => "L2TP",
        132 => "SCTP",
        136 => "UDPLite",
        137 => "MPLS-in-IP",
        n => return n.to_string(),
    };
    name.to_string()
}

/// The protocol an EVE record names for a packet: an IPv6 fragment not yet reassembled is
/// `IPv6-Frag` (its fragment header), as Suricata writes it; otherwise the upper protocol.
pub(crate) fn eve_proto(p: &Packet<'_>) -> u8 {
    if p.ip_version == 6 && p.is_fragment && !p.reassembled {
        44
    } else {
        p.ip_proto
    }
}

/// Addresses as Suricata writes them: IPv4 dotted, IPv6 in full (eight groups of four
/// hex digits, no `::` compression).
pub(crate) fn ip_str(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(a) => a.to_string(),
        std::net::IpAddr::V6(a) => {
            let s = a.segments();
            format!(
                "{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}:{:04x}",
                s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
            )
        }
    }
}

fn alert_object(engine: &Engine, hit: &AlertHit) -> Option<eve::Alert> {
    let info = engine.rule(hit.rule)?;
    let metadata = if info.metadata.is_empty() {
        None
    } else {
        let mut m = Map::new();
        for (k, vals) in &info.metadata {
            m.insert(k.clone(), Value::from(vals.clone()));
        }
        Some(m)
    };
    Some(eve::Alert {
        action: match info.action {
            sensor_rules::Action::Drop | sensor_rules::Action::Reject => "blocked".into(),
            _ => "allowed".into(),
        },
        gid: info.gid,
        signature_id: info.sid,
        rev: info.rev,
        signature: info.msg.clone(),
        category: info.category.clone(),
        severity: info.severity,
        metadata,
        rest: Map::new(),
    })
}

fn app_object(
    app: Option<&AppState>,
    ready: &[Ready],
    hit: &AlertHit,
) -> Option<(&'static str, Value)> {
    let app = app?;
    let r = ready.get(hit.tx?)?;
    match *r {
        Ready::Http { id, .. } => app.http()?.tx(id).map(|t| ("http", t.eve_json())),
        Ready::Dns { id } => {
            let tx = app.dns()?.tx(id)?;
            tx.eve_json().into_iter().next().map(|v| ("dns", v))
        }
        Ready::Tls { .. } => app.tls().map(|t| ("tls", t.eve_json())),
    }
}

fn flow_header(ev: &mut eve::Event, f: &FlowRef) {
    ev.flow_id = Some(f.flow_id);
    ev.community_id = Some(f.community_id.clone());
    ev.app_proto = f.app_proto.map(str::to_string);
}

fn flow_summary(f: &FlowRef, ev: &mut eve::Event) {
    ev.rest.insert(
        "direction".into(),
        Value::from(if f.to_server {
            "to_server"
        } else {
            "to_client"
        }),
    );
    ev.rest.insert(
        "flow".into(),
        json!({
            "pkts_toserver": f.counts[0],
            "pkts_toclient": f.counts[1],
            "bytes_toserver": f.counts[2],
            "bytes_toclient": f.counts[3],
            "start": eve::format_timestamp(f.start_ts),
        }),
    );
}

/// An alert record's header for an inspection without its own packet (a flow side, a
/// YARA match): addresses and ports from the inspected direction, flow facts.
fn input_alert(input: &PacketInput<'_>, pcap_cnt: Option<u64>, flow: &FlowRef) -> eve::Event {
    let mut ev = eve::Event::new("alert", input.ts_micros);
    ev.pcap_cnt = pcap_cnt;
    ev.src_ip = Some(ip_str(input.src));
    ev.dest_ip = Some(ip_str(input.dst));
    if matches!(input.ip_proto, 6 | 17) {
        ev.src_port = Some(input.sport);
        ev.dest_port = Some(input.dport);
    }
    ev.proto = Some(proto_name(input.ip_proto));
    flow_header(&mut ev, flow);
    ev
}

/// Alerts raised on a real packet.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_alerts(
    eve: &mut EveWriter,
    engine: &Engine,
    p: &Packet<'_>,
    flow: Option<&FlowRef>,
    alerts: &[AlertHit],
    app: Option<&AppState>,
    ready: &[Ready],
    summary: &mut RunSummary,
) -> anyhow::Result<()> {
    for hit in alerts {
        let Some(alert) = alert_object(engine, hit) else {
            continue;
        };
        summary.alerts += 1;
        let mut ev = eve::Event::new("alert", p.ts.as_micros());
        ev.pcap_cnt = Some(p.pcap_cnt);
        if p.has_ip() {
            ev.src_ip = Some(ip_str(p.src));
            ev.dest_ip = Some(ip_str(p.dst));
            if let Some((sp, dp)) = p.ports() {
                ev.src_port = Some(sp);
                ev.dest_port = Some(dp);
            } else if p.l4_header_missing() && matches!(p.ip_proto, 6 | 17) {
                // Suricata writes the zeroed ports of a TCP/UDP header it could not decode.
                ev.src_port = Some(0);
                ev.dest_port = Some(0);
            }
            ev.proto = Some(proto_name(eve_proto(p)));
            if let L4::Icmpv4(i) | L4::Icmpv6(i) = &p.l4 {
                ev.rest.insert("icmp_type".into(), Value::from(i.typ));
                ev.rest.insert("icmp_code".into(), Value::from(i.code));
            }
        }
        if p.vlan_count > 0 {
            let v: Vec<u16> = p
                .vlan
                .iter()
                .take(usize::from(p.vlan_count))
                .copied()
                .collect();
            ev.rest.insert("vlan".into(), Value::from(v));
        }
        if let Some(f) = flow {
            flow_header(&mut ev, f);
        }
        ev.alert = Some(alert);
        if let Some((name, obj)) = app_object(app, ready, hit) {
            ev.rest.insert(name.into(), obj);
        }
        if let Some(f) = flow {
            flow_summary(f, &mut ev);
        }
        eve.write(&ev)?;
    }
    Ok(())
}

/// Alerts raised when a flow ends (stream and transactions flushed without a packet).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_pseudo_alerts(
    eve: &mut EveWriter,
    engine: &Engine,
    input: &PacketInput<'_>,
    pcap_cnt: Option<u64>,
    flow: &FlowRef,
    alerts: &[AlertHit],
    app: Option<&AppState>,
    ready: &[Ready],
    summary: &mut RunSummary,
) -> anyhow::Result<()> {
    for hit in alerts {
        let Some(alert) = alert_object(engine, hit) else {
            continue;
        };
        summary.alerts += 1;
        let mut ev = input_alert(input, pcap_cnt, flow);
        ev.alert = Some(alert);
        if let Some((name, obj)) = app_object(app, ready, hit) {
            ev.rest.insert(name.into(), obj);
        }
        flow_summary(flow, &mut ev);
        eve.write(&ev)?;
    }
    Ok(())
}

fn record_header(
    ev: &mut eve::Event,
    p: Option<&Packet<'_>>,
    f: &FlowRef,
    key: Option<&sensor_flow::FlowKey>,
) {
    if let Some(p) = p {
        ev.pcap_cnt = Some(p.pcap_cnt);
        ev.src_ip = Some(ip_str(p.src));
        ev.dest_ip = Some(ip_str(p.dst));
        if let Some((sp, dp)) = p.ports() {
            ev.src_port = Some(sp);
            ev.dest_port = Some(dp);
        }
        ev.proto = Some(proto_name(eve_proto(p)));
    } else if let Some(k) = key {
        ev.src_ip = Some(ip_str(k.src_ip));
        ev.dest_ip = Some(ip_str(k.dst_ip));
        ev.src_port = Some(k.sport);
        ev.dest_port = Some(k.dport);
        ev.proto = Some(proto_name(k.proto));
    }
    ev.flow_id = Some(f.flow_id);
    ev.community_id = Some(f.community_id.clone());
}

/// `http`, `dns`, `tls` and `anomaly` records for what the parsers completed.
pub(crate) fn write_app_records(
    eve: &mut EveWriter,
    ts: i64,
    p: Option<&Packet<'_>>,
    f: &FlowRef,
    fd: &mut FlowData,
    ready: &[Ready],
    events: &[sensor_app::AppEvent],
) -> anyhow::Result<()> {
    let Some(app) = fd.app.as_ref() else {
        return Ok(());
    };
    for r in ready {
        match *r {
            Ready::Http {
                id,
                to_server: false,
            } if eve.wants("http") => {
                if let Some(tx) = app.http().and_then(|h| h.tx(id)) {
                    if !fd.http_logged.contains(&id) {
                        fd.http_logged.push(id);
                        let mut ev = eve::Event::new("http", ts);
                        record_header(&mut ev, p, f, None);
                        ev.rest.insert("tx_id".into(), Value::from(id));
                        ev.rest.insert("http".into(), tx.eve_json());
                        eve.write(&ev)?;
                    }
                }
            }
            Ready::Dns { id } if eve.wants("dns") => {
                if let Some(tx) = app.dns().and_then(|d| d.tx(id)) {
                    for obj in tx.eve_json() {
                        let mut ev = eve::Event::new("dns", ts);
                        record_header(&mut ev, p, f, None);
                        ev.rest.insert("dns".into(), obj);
                        eve.write(&ev)?;
                    }
                }
            }
            _ => {}
        }
    }
    let tls_done = events
        .iter()
        .any(|e| matches!(e, sensor_app::AppEvent::TlsHandshakeDone));
    if tls_done && !fd.tls_logged && eve.wants("tls") {
        if let Some(t) = app.tls() {
            fd.tls_logged = true;
            let mut ev = eve::Event::new("tls", ts);
            record_header(&mut ev, p, f, None);
            ev.rest.insert("tls".into(), t.eve_json());
            eve.write(&ev)?;
        }
    }
    if eve.wants("anomaly") {
        for e in events {
            if let sensor_app::AppEvent::Anomaly(name) = e {
                let mut ev = eve::Event::new("anomaly", ts);
                record_header(&mut ev, p, f, None);
                ev.app_proto = f.app_proto.map(str::to_string);
                ev.rest.insert(
                    "anomaly".into(),
                    json!({"type": "applayer", "event": name, "layer": "proto_parser"}),
                );
                eve.write(&ev)?;
            }
        }
    }
    Ok(())
}

/// Records of transactions still open when the flow ends.
pub(crate) fn write_final_app_records(
    eve: &mut EveWriter,
    flow: &Flow<FlowData>,
    f: &FlowRef,
) -> anyhow::Result<()> {
    let Some(app) = flow.user.app.as_ref() else {
        return Ok(());
    };
    if let Some(h) = app.http() {
        if eve.wants("http") {
            for tx in h.txs() {
                if flow.user.http_logged.contains(&tx.id()) || tx.method().is_empty() {
                    continue;
                }
                let mut ev = eve::Event::new("http", flow.last_ts);
                record_header(&mut ev, None, f, Some(&flow.key));
                ev.rest.insert("tx_id".into(), Value::from(tx.id()));
                ev.rest.insert("http".into(), tx.eve_json());
                eve.write(&ev)?;
            }
        }
    }
    if let Some(t) = app.tls() {
        if !flow.user.tls_logged
            && eve.wants("tls")
            && (t.client_hello().is_some() || t.server_hello().is_some())
        {
            let mut ev = eve::Event::new("tls", flow.last_ts);
            record_header(&mut ev, None, f, Some(&flow.key));
            ev.rest.insert("tls".into(), t.eve_json());
            eve.write(&ev)?;
        }
    }
    Ok(())
}

/// The `flow` record of a flow that ended.
pub(crate) fn write_flow(
    eve: &mut EveWriter,
    flow: &Flow<FlowData>,
    _now: i64,
) -> anyhow::Result<()> {
    if !eve.wants("flow") {
        return Ok(());
    }
    let mut ev = eve::Event::new("flow", flow.last_ts);
    let k = &flow.key;
    ev.flow_id = Some(flow.flow_id);
    ev.src_ip = Some(ip_str(k.src_ip));
    ev.dest_ip = Some(ip_str(k.dst_ip));
    if matches!(k.proto, 6 | 17) {
        ev.src_port = Some(k.sport);
        ev.dest_port = Some(k.dport);
    }
    ev.proto = Some(proto_name(k.proto));
    ev.community_id = Some(flow.community_id.clone());
    ev.app_proto = flow.user.app.as_ref().map(|a| a.proto().name().to_string());
    ev.rest.insert(
        "flow".into(),
        json!({
            "pkts_toserver": flow.to_server_pkts,
            "pkts_toclient": flow.to_client_pkts,
            "bytes_toserver": flow.to_server_bytes,
            "bytes_toclient": flow.to_client_bytes,
            "start": eve::format_timestamp(flow.start_ts),
            "end": eve::format_timestamp(flow.last_ts),
            "age": flow.age_secs(),
            "state": flow.state_name(),
            "reason": flow.reason.name(),
            "alerted": flow.alerted,
        }),
    );
    if let Some(s) = &flow.tcp {
        ev.rest
            .insert("tcp".into(), json!({"state": s.state_name()}));
    }
    eve.write(&ev)?;
    Ok(())
}

/// The final `stats` record, with Suricata's section names.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_stats(
    eve: &mut EveWriter,
    ts: i64,
    kernel: Option<(u64, u64)>,
    summary: &RunSummary,
    decoder: &sensor_net::decode::DecodeCounters,
    flows: &sensor_flow::FlowCounters,
    stream: &sensor_flow::StreamCounters,
    engine: &Engine,
    evaluated: u64,
    ruleset_version: Option<String>,
) -> anyhow::Result<()> {
    if !eve.wants("stats") {
        return Ok(());
    }
    let st = engine.stats();
    let spool = eve.spool_stats().map(|s| {
        json!({
            "appended": s.appended,
            "acked": s.acked,
            "pending": s.pending,
            "dropped_non_alert": s.dropped_non_alert,
            "dropped_alert": s.dropped_alert,
            "corrupt_lines": s.corrupt_lines,
            "bytes": s.bytes,
            "segments": s.segments,
        })
    });
    let mut ev = eve::Event::new("stats", ts);
    ev.rest.insert(
        "stats".into(),
        json!({
            "uptime": summary.seconds.round() as u64,
            "capture": match kernel {
                Some((packets, drops)) => json!({
                    "kernel_packets": packets,
                    "kernel_drops": drops,
                    "frames": summary.frames,
                }),
                None => json!({"frames": summary.frames, "truncated_records": summary.truncated_records}),
            },
            "decoder": serde_json::to_value(decoder).unwrap_or(Value::Null),
            "flow": serde_json::to_value(flows).unwrap_or(Value::Null),
            "tcp": serde_json::to_value(stream).unwrap_or(Value::Null),
            "detect": {
                "alert": summary.alerts,
                "engines": [{"id": 0, "rules_loaded": st.rules_loaded, "rules_failed": st.rules_skipped}],
                "rules_evaluated": evaluated,
                "mpm_backend": st.backend,
                "ruleset_version": ruleset_version,
            },
            "spool": spool,
        }),
    );
    eve.write(&ev)?;
    Ok(())
}

/// An alert for a YARA match on a stream chunk or an HTTP body.
pub(crate) fn write_yara_alert(
    eve: &mut EveWriter,
    hit: &super::yara::YaraHit,
    input: &PacketInput<'_>,
    p: Option<&Packet<'_>>,
    flow: &FlowRef,
    summary: &mut RunSummary,
) -> anyhow::Result<()> {
    summary.alerts += 1;
    let mut ev = input_alert(input, p.map(|p| p.pcap_cnt), flow);
    let mut rest = Map::new();
    rest.insert("yara".into(), json!({"rule": hit.rule, "tags": hit.tags}));
    ev.alert = Some(eve::Alert {
        action: "allowed".into(),
        gid: 1,
        signature_id: hit.sid,
        rev: 1,
        signature: format!("YARA {}", hit.rule),
        category: "YARA rule match".into(),
        severity: hit.severity,
        metadata: None,
        rest,
    });
    flow_summary(flow, &mut ev);
    eve.write(&ev)?;
    Ok(())
}
