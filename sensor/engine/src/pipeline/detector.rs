//! Detection and alert output, shared by real packets and by the inspection of one side
//! of a flow without a packet of that side (the peer answered, or the flow ended).

use std::sync::Arc;

use sensor_detect::{AlertHit, Engine, FlowDetectState, FlowInput, PacketInput, ThreadCtx, TxView};
use sensor_flow::{Direction, Flow};

use super::eve_out::{self, RunSummary};
use super::flowdata::FlowData;
use super::yara::YaraCtx;
use super::{
    dir_index, endpoints, ready_to_server, stream_sizes, tx_views, yara_scan, FlowRef, Ready,
};
use crate::output::EveWriter;

/// The engine with its per-thread state and the outputs it writes to.
pub(crate) struct Detector<'e> {
    pub engine: Arc<Engine>,
    /// Generation of `engine` in the rule slot (0 without a slot).
    pub generation: u64,
    /// Where a reloaded engine is published (live capture with rule updates).
    pub slot: Option<Arc<crate::control::EngineSlot>>,
    pub tctx: ThreadCtx,
    pub eve: EveWriter,
    pub alerts: Vec<AlertHit>,
    pub summary: RunSummary,
    pub yara: Option<YaraCtx<'e>>,
}

/// Flow facts for alerts in direction `to_server`.
pub(crate) fn flow_ref(flow: &Flow<FlowData>, to_server: bool) -> FlowRef {
    FlowRef {
        flow_id: flow.flow_id,
        community_id: flow.community_id.clone(),
        app_proto: flow.user.app.as_ref().map(|a| a.proto().name()),
        to_server,
        counts: [
            flow.to_server_pkts,
            flow.to_client_pkts,
            flow.to_server_bytes,
            flow.to_client_bytes,
        ],
        start_ts: flow.start_ts,
    }
}

/// The flow's detection state for engine generation `generation`: flowbits, flowints and
/// IP-only progress name rules of one engine, so a flow first inspected by an earlier
/// engine starts over with empty state (its packets, streams and transactions are kept).
pub(crate) fn detect_state(fd: &mut FlowData, generation: u64) -> &mut FlowDetectState {
    if fd.detect_generation != generation {
        fd.detect = FlowDetectState::default();
        fd.detect_generation = generation;
    }
    &mut fd.detect
}

impl Detector<'_> {
    /// Takes a newer engine from the slot, if one was published since the last packet.
    /// Called between packets only, so a packet is always inspected by one engine.
    pub fn refresh(&mut self) {
        let Some(slot) = &self.slot else { return };
        if slot.generation() == self.generation {
            return;
        }
        let (generation, engine) = slot.load();
        self.tctx = ThreadCtx::new(&engine);
        self.engine = engine;
        self.generation = generation;
        tracing::info!(
            generation,
            rules = self.engine.len(),
            "worker switched to the new rules"
        );
    }

    /// Inspects what is pending for side `d` of a flow: its un-inspected stream bytes and
    /// its ready transactions, as a pseudo packet of that direction (only stream and
    /// transaction rules apply). `pcap_cnt` is the packet that caused it, if any.
    pub fn side(
        &mut self,
        flow: &mut Flow<FlowData>,
        d: Direction,
        ready: &[Ready],
        events: &[&'static str],
        pcap_cnt: Option<u64>,
    ) -> anyhow::Result<()> {
        let i = dir_index(d);
        let to_server = d == Direction::ToServer;
        let ready: Vec<Ready> = ready
            .iter()
            .copied()
            .filter(|r| ready_to_server(r).is_none_or(|ts| ts == to_server))
            .collect();
        let chunk = std::mem::take(&mut flow.user.pending[i]);
        if chunk.is_empty() && ready.is_empty() {
            return Ok(());
        }
        let (src, dst, sport, dport) = endpoints(&flow.key, to_server);
        let established = flow.tcp.as_ref().is_some_and(|s| s.was_established())
            || (flow.tcp.is_none() && flow.to_server_pkts > 0 && flow.to_client_pkts > 0);
        let fref = flow_ref(flow, to_server);
        let input = PacketInput {
            ts_micros: flow.last_ts,
            src,
            dst,
            sport,
            dport,
            ip_proto: flow.key.proto,
            ttl: 0,
            ip_id: 0,
            tos: 0,
            frag_bits: 0,
            frag_offset: 0,
            is_fragment: false,
            tcp: None,
            icmp: None,
            payload: &[],
            stream: if chunk.is_empty() { None } else { Some(&chunk) },
            in_stream: true,
            flow: Some(FlowInput {
                to_server,
                established,
                stream_tracked: true,
                app_proto: fref.app_proto,
                stream_bytes: stream_sizes(flow),
            }),
            pseudo: true,
            events,
        };
        self.alerts.clear();
        detect_state(&mut flow.user, self.generation);
        {
            let views = tx_views(flow.user.app.as_ref(), &ready);
            let refs: Vec<&dyn TxView> = views.iter().map(|v| v.as_dyn()).collect();
            self.engine.inspect(
                &mut self.tctx,
                &input,
                &refs,
                Some(&mut flow.user.detect),
                &mut self.alerts,
            );
        }
        if !self.alerts.is_empty() {
            flow.alerted = true;
        }
        let alerts = std::mem::take(&mut self.alerts);
        eve_out::write_pseudo_alerts(
            &mut self.eve,
            &self.engine,
            &input,
            pcap_cnt,
            &fref,
            &alerts,
            flow.user.app.as_ref(),
            &ready,
            &mut self.summary,
        )?;
        self.alerts = alerts;
        if let Some(y) = self.yara.as_mut() {
            let stream = if chunk.is_empty() {
                None
            } else {
                Some(chunk.as_slice())
            };
            let hits = yara_scan(y, &mut flow.user, i, stream, &ready);
            for h in &hits {
                eve_out::write_yara_alert(
                    &mut self.eve,
                    h,
                    &input,
                    None,
                    &fref,
                    &mut self.summary,
                )?;
            }
        }
        Ok(())
    }
}
