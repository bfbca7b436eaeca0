//! Decoder statistics, with Suricata's `stats.decoder` / `stats.defrag` field names.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::events::{DecodeEvent, EVENT_COUNT};

/// Per-event counters, serialized as a map `event name -> count` (all events, zeros included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCounts([u64; EVENT_COUNT]);

impl Default for EventCounts {
    fn default() -> Self {
        EventCounts([0; EVENT_COUNT])
    }
}

impl EventCounts {
    /// Adds one occurrence of `ev`.
    pub fn inc(&mut self, ev: DecodeEvent) {
        if let Some(c) = self.0.get_mut(ev.index()) {
            *c = c.saturating_add(1);
        }
    }

    /// Count for `ev`.
    pub fn get(&self, ev: DecodeEvent) -> u64 {
        self.0.get(ev.index()).copied().unwrap_or(0)
    }

    /// Iterates `(name, count)` over every event.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        DecodeEvent::ALL
            .iter()
            .zip(self.0.iter())
            .map(|(e, c)| (e.name(), *c))
    }

    /// Total of all event counts.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl Serialize for EventCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(EVENT_COUNT))?;
        for (name, count) in self.iter() {
            map.serialize_entry(name, &count)?;
        }
        map.end()
    }
}

/// Defragmentation counters for one IP version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DefragFamilyCounters {
    /// Fragments received.
    pub fragments: u64,
    /// Datagrams reassembled.
    pub reassembled: u64,
    /// Incomplete datagrams dropped on timeout.
    pub timeouts: u64,
}

/// Defragmentation counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DefragCounters {
    /// IPv4.
    pub ipv4: DefragFamilyCounters,
    /// IPv6.
    pub ipv6: DefragFamilyCounters,
    /// Fragments dropped because the memory/datagram limits were reached.
    pub max_frag_hits: u64,
}

/// Decoder counters (Suricata `stats.decoder` names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecodeCounters {
    /// Frames decoded.
    pub pkts: u64,
    /// Bytes (wire length) decoded.
    pub bytes: u64,
    /// Frames with an invalid header somewhere.
    pub invalid: u64,
    /// IPv4 packets.
    pub ipv4: u64,
    /// IPv6 packets.
    pub ipv6: u64,
    /// Ethernet frames.
    pub ethernet: u64,
    /// ARP frames.
    pub arp: u64,
    /// Frames with an ethertype we do not decode.
    pub unknown_ethertype: u64,
    /// Raw-IP frames.
    pub raw: u64,
    /// BSD NULL / LOOP frames.
    pub null: u64,
    /// Linux cooked (SLL and SLL2) frames.
    pub sll: u64,
    /// TCP segments.
    pub tcp: u64,
    /// UDP datagrams.
    pub udp: u64,
    /// SCTP packets.
    pub sctp: u64,
    /// ESP packets.
    pub esp: u64,
    /// ICMPv4 messages.
    pub icmpv4: u64,
    /// ICMPv6 messages.
    pub icmpv6: u64,
    /// PPP frames.
    pub ppp: u64,
    /// PPPoE frames.
    pub pppoe: u64,
    /// GRE packets.
    pub gre: u64,
    /// VLAN tags.
    pub vlan: u64,
    /// Frames with 2 VLAN tags.
    pub vlan_qinq: u64,
    /// Frames with 3 VLAN tags.
    pub vlan_qinqinq: u64,
    /// IPv4 carried in IPv6.
    pub ipv4_in_ipv6: u64,
    /// IPv6 carried in IPv6.
    pub ipv6_in_ipv6: u64,
    /// IPv4 carried in IPv4.
    pub ipv4_in_ipv4: u64,
    /// IPv6 carried in IPv4.
    pub ipv6_in_ipv4: u64,
    /// Teredo tunnels.
    pub teredo: u64,
    /// VXLAN tunnels.
    pub vxlan: u64,
    /// MPLS frames.
    pub mpls: u64,
    /// Average frame size (bytes / pkts).
    pub avg_pkt_size: u64,
    /// Largest frame size.
    pub max_pkt_size: u64,
    /// Frames whose decoding was stopped by the layer limit.
    pub too_many_layers: u64,
    /// Per-event counts.
    pub event: EventCounts,
    /// Defragmentation counters.
    pub defrag: DefragCounters,
}
