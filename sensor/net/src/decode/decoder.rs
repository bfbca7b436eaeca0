//! The `Decoder`: entry point, per-frame bookkeeping, dispatch helpers.

use std::borrow::Cow;

use super::counters::DecodeCounters;
use super::defrag::{DefragConfig, Defragmenter};
use super::events::DecodeEvent;
use super::packet::Packet;
use crate::capture::{Frame, Timestamp};

/// Maximum number of decoder events kept per packet (Suricata's `PACKET_ENGINE_EVENT_MAX`).
pub const MAX_EVENTS: usize = 15;

/// Maximum number of layers decoded in one frame (Suricata's default `decoder.max-layers`).
pub(crate) const MAX_LAYERS: u8 = 16;

/// Decoder settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoderConfig {
    /// Reassemble IP fragments.
    pub defrag: bool,
    /// Defragmentation limits.
    pub defrag_config: DefragConfig,
    /// Maximum tunnel nesting (deeper tunnels raise `too_many_layers`).
    pub max_tunnel_depth: u8,
    /// Decode Teredo (IPv6 in UDP port 3544), as Suricata does by default.
    pub teredo: bool,
    /// Decode VXLAN (Ethernet in UDP port 4789), as Suricata does by default.
    pub vxlan: bool,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        DecoderConfig {
            defrag: true,
            defrag_config: DefragConfig::default(),
            max_tunnel_depth: 8,
            teredo: true,
            vxlan: true,
        }
    }
}

/// A datagram completed by defragmentation, waiting to be decoded after the fragment itself.
pub(crate) struct PendingDatagram {
    /// Synthetic frame: link prefix (depth 0 only) + rebuilt IP datagram.
    pub(crate) frame: Vec<u8>,
    /// Link type of `frame` (raw IP when the prefix was dropped).
    pub(crate) linktype: u32,
    /// Tunnel depth and VLANs of the fragment.
    pub(crate) depth: u8,
    pub(crate) vlan: [u16; 3],
    pub(crate) vlan_count: u8,
}

/// Decodes frames into packets; holds the defragmentation state and the counters.
pub struct Decoder {
    pub(crate) cfg: DecoderConfig,
    pub(crate) counters: DecodeCounters,
    pub(crate) defrag: Defragmenter,
    /// Layers decoded in the current frame.
    pub(crate) layers: u8,
    pub(crate) pending: Vec<PendingDatagram>,
    /// Current frame time (for defragmentation).
    pub(crate) now: Timestamp,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder with default settings (defragmentation on, 60 s timeout).
    pub fn new() -> Self {
        Self::with_config(DecoderConfig::default())
    }

    /// A decoder with the given settings.
    pub fn with_config(cfg: DecoderConfig) -> Self {
        Decoder {
            defrag: Defragmenter::new(cfg.defrag_config.clone()),
            cfg,
            counters: DecodeCounters::default(),
            layers: 0,
            pending: Vec::new(),
            now: Timestamp::default(),
        }
    }

    /// Counters so far (`avg_pkt_size` is kept up to date).
    pub fn counters(&self) -> &DecodeCounters {
        &self.counters
    }

    /// Number of incomplete datagrams held by the defragmenter.
    pub fn defrag_pending(&self) -> usize {
        self.defrag.len()
    }

    /// Drops incomplete datagrams older than the timeout at time `now`.
    pub fn expire(&mut self, now: Timestamp) {
        self.defrag.expire(now, &mut self.counters.defrag);
    }

    /// Decodes one frame, pushing 0..n packets to `out`: the packet itself (outer packet first for
    /// tunnels, then the inner ones), then any datagram completed by this fragment (owned payload).
    pub fn decode<'a>(&mut self, frame: &Frame<'a>, out: &mut Vec<Packet<'a>>) {
        let c = &mut self.counters;
        c.pkts += 1;
        c.bytes += u64::from(frame.orig_len);
        c.max_pkt_size = c.max_pkt_size.max(u64::from(frame.orig_len));
        c.avg_pkt_size = c.bytes / c.pkts;
        self.now = frame.ts;
        let invalid = self.decode_frame(frame, out);
        if invalid {
            self.counters.invalid += 1;
        }
        // a reassembled datagram may itself complete another one (nested fragments)
        while !self.pending.is_empty() {
            for p in std::mem::take(&mut self.pending) {
                self.decode_reassembled(frame.ts, p, out);
            }
        }
    }

    /// Decodes a frame and pushes its packets; returns whether any packet was invalid.
    fn decode_frame<'a>(&mut self, frame: &Frame<'a>, out: &mut Vec<Packet<'a>>) -> bool {
        self.layers = 0;
        let first = out.len();
        let mut pkt = Packet::from_frame(frame);
        self.decode_link(frame.linktype, frame.data, &mut pkt, out);
        out.push(pkt);
        out.get(first..)
            .unwrap_or(&[])
            .iter()
            .any(|p| p.invalid && p.tunnel_depth == 0)
    }

    /// Decodes a datagram completed by defragmentation; its packets own their bytes.
    fn decode_reassembled<'a>(
        &mut self,
        ts: Timestamp,
        p: PendingDatagram,
        out: &mut Vec<Packet<'a>>,
    ) {
        let len = u32::try_from(p.frame.len()).unwrap_or(u32::MAX);
        let frame = Frame {
            ts,
            linktype: p.linktype,
            data: &p.frame,
            orig_len: len,
        };
        let mut tmp: Vec<Packet<'_>> = Vec::with_capacity(2);
        self.layers = 0;
        let mut pkt = Packet::from_frame(&frame);
        if p.depth > 0 {
            pkt.tunnel_depth = p.depth;
            pkt.vlan = p.vlan;
            pkt.vlan_count = p.vlan_count;
        }
        self.decode_link(frame.linktype, frame.data, &mut pkt, &mut tmp);
        tmp.push(pkt);
        for mut q in tmp {
            q.reassembled = true;
            out.push(q.into_owned());
        }
    }

    /// Records an event on the packet (at most [`MAX_EVENTS`] per packet, like Suricata) and in
    /// the counters.
    pub(crate) fn event(&mut self, pkt: &mut Packet<'_>, ev: DecodeEvent) {
        if pkt.events.len() < MAX_EVENTS {
            pkt.events.push(ev);
            self.counters.event.inc(ev);
        }
    }

    /// Records an event that makes the packet invalid.
    pub(crate) fn invalid(&mut self, pkt: &mut Packet<'_>, ev: DecodeEvent) {
        self.event(pkt, ev);
        pkt.invalid = true;
    }

    /// Counts a layer (Suricata counts link, VLAN, MPLS, PPP, GRE and IP layers); false (with
    /// `too_many_layers`) when the limit is reached.
    pub(crate) fn enter_layer(&mut self, pkt: &mut Packet<'_>) -> bool {
        self.layers = self.layers.saturating_add(1);
        if self.layers >= MAX_LAYERS {
            if !pkt.has_event(DecodeEvent::TooManyLayers) {
                self.counters.too_many_layers += 1;
                self.invalid(pkt, DecodeEvent::TooManyLayers);
            }
            return false;
        }
        true
    }

    /// Finishes the outer packet of a tunnel and makes `pkt` the inner one. False if too deep.
    pub(crate) fn enter_tunnel<'a>(
        &mut self,
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) -> bool {
        if pkt.tunnel_depth >= self.cfg.max_tunnel_depth {
            if !pkt.has_event(DecodeEvent::TooManyLayers) {
                self.counters.too_many_layers += 1;
                self.invalid(pkt, DecodeEvent::TooManyLayers);
            }
            return false;
        }
        let child = pkt.tunnel_child();
        let outer = std::mem::replace(pkt, child);
        out.push(outer);
        true
    }

    /// Sets the packet payload to a borrowed slice.
    #[inline]
    pub(crate) fn set_payload<'a>(pkt: &mut Packet<'a>, payload: &'a [u8]) {
        pkt.payload = Cow::Borrowed(payload);
    }
}
