//! UDP header.

use super::bytes::{be16, range, tail, u8_at};
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::link::ETH_TEB;
use super::packet::{Packet, UdpHeader, L4};

impl Decoder {
    /// Decodes a UDP datagram.
    pub(crate) fn decode_udp<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if b.len() < 8 {
            self.invalid(pkt, E::UdpHlenTooSmall);
            return;
        }
        let len = be16(b, 4).unwrap_or(0);
        if b.len() < usize::from(len) {
            self.invalid(pkt, E::UdpPktTooSmall);
            return;
        }
        if len < 8 {
            self.invalid(pkt, E::UdpLenInvalid);
            return;
        }
        self.counters.udp += 1;
        let sport = be16(b, 0).unwrap_or(0);
        let dport = be16(b, 2).unwrap_or(0);
        pkt.l4 = L4::Udp(UdpHeader { sport, dport, len });
        let payload = range(b, 8, usize::from(len));
        Self::set_payload(pkt, payload);
        if self.cfg.teredo && (sport == TEREDO_PORT || dport == TEREDO_PORT) {
            if let Some(inner) = teredo_inner(payload) {
                self.counters.teredo += 1;
                if self.enter_tunnel(pkt, out) {
                    self.decode_ipv6(inner, pkt, out);
                }
            }
        } else if self.cfg.vxlan && dport == VXLAN_PORT {
            if let Some(inner) = vxlan_inner(payload) {
                self.counters.vxlan += 1;
                if self.enter_tunnel(pkt, out) {
                    self.decode_ethertype(ETH_TEB, inner, pkt, out);
                }
            }
        }
    }
}

/// Teredo UDP port.
const TEREDO_PORT: u16 = 3544;
/// VXLAN UDP port.
const VXLAN_PORT: u16 = 4789;

/// The IPv6 packet inside a Teredo payload, if it looks like one (origin indication and
/// authentication headers skipped).
fn teredo_inner(p: &[u8]) -> Option<&[u8]> {
    let mut start = 0usize;
    // authentication header: 0x0001, id len, auth len, id, auth, nonce (8), confirmation (1)
    if p.first() == Some(&0) && p.get(1) == Some(&1) {
        let id_len = usize::from(*p.get(2)?);
        let au_len = usize::from(*p.get(3)?);
        start = 4 + id_len + au_len + 8 + 1;
    }
    // origin indication: 0x0000 + port + address
    if p.get(start) == Some(&0) && p.get(start + 1) == Some(&0) {
        start += 8;
    }
    let ip = tail(p, start);
    if ip.len() < 40 || u8_at(ip, 0) >> 4 != 6 {
        return None;
    }
    let plen = usize::from(be16(ip, 4)?);
    // the whole UDP payload must be exactly one IPv6 packet, and not a bare "no next header"
    if ip.len() != 40 + plen || (u8_at(ip, 6) == 59 && plen == 0) {
        return None;
    }
    Some(ip)
}

/// The Ethernet frame inside a VXLAN payload (I flag set).
fn vxlan_inner(p: &[u8]) -> Option<&[u8]> {
    if p.len() < 8 + 14 || u8_at(p, 0) & 0x08 == 0 {
        return None;
    }
    Some(tail(p, 8))
}
