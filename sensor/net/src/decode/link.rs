//! Link layers and layer-2.5: Ethernet, VLAN/QinQ, Linux SLL/SLL2, BSD NULL/LOOP, raw IP,
//! PPPoE, PPP, MPLS; and the ethertype dispatch.

use super::bytes::{be16, be32, tail, u8_at};
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::packet::Packet;
use crate::capture;

/// IPv4 ethertype.
pub(crate) const ETH_IPV4: u16 = 0x0800;
/// IPv6 ethertype.
pub(crate) const ETH_IPV6: u16 = 0x86dd;
const ETH_ARP: u16 = 0x0806;
const ETH_VLAN: u16 = 0x8100;
const ETH_QINQ: u16 = 0x88a8;
const ETH_QINQ_OLD: u16 = 0x9100;
const ETH_PPPOE_DISC: u16 = 0x8863;
const ETH_PPPOE_SESS: u16 = 0x8864;
const ETH_MPLS_UC: u16 = 0x8847;
const ETH_MPLS_MC: u16 = 0x8848;
/// IEEE 802.1ah provider backbone bridging.
const ETH_8021AH: u16 = 0x88e7;
/// Cisco FabricPath / "DCE" encapsulation.
const ETH_DCE: u16 = 0x8903;
/// Transparent Ethernet bridging (used by GRE).
pub(crate) const ETH_TEB: u16 = 0x6558;

const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
const PPP_VJ_UCOMP: u16 = 0x002f;

impl Decoder {
    /// Decodes a frame according to its link type.
    pub(crate) fn decode_link<'a>(
        &mut self,
        linktype: u32,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        match linktype {
            capture::LINKTYPE_ETHERNET => self.decode_ethernet(b, pkt, out),
            capture::LINKTYPE_LINUX_SLL => self.decode_sll(b, pkt, out),
            capture::LINKTYPE_LINUX_SLL2 => self.decode_sll2(b, pkt, out),
            capture::LINKTYPE_RAW | capture::LINKTYPE_RAW_BSD12 | capture::LINKTYPE_RAW_BSD14 => {
                self.counters.raw += 1;
                self.decode_raw(b, pkt, out)
            }
            capture::LINKTYPE_IPV4 => {
                self.counters.raw += 1;
                self.decode_ipv4(b, pkt, out)
            }
            capture::LINKTYPE_IPV6 => {
                self.counters.raw += 1;
                self.decode_ipv6(b, pkt, out)
            }
            capture::LINKTYPE_NULL | capture::LINKTYPE_LOOP => self.decode_null(b, pkt, out),
            _ => {}
        }
    }

    /// Offset of `b` within the packet's frame data (0 if `b` is not inside it).
    pub(crate) fn offset_in(pkt: &Packet<'_>, b: &[u8]) -> usize {
        let base = pkt.data.as_ptr() as usize;
        let p = b.as_ptr() as usize;
        match p.checked_sub(base) {
            Some(off) if off <= pkt.data.len() => off,
            _ => 0,
        }
    }

    /// Raw IP: version nibble selects IPv4 or IPv6.
    pub(crate) fn decode_raw<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        match u8_at(b, 0) >> 4 {
            4 => self.decode_ipv4(b, pkt, out),
            6 => self.decode_ipv6(b, pkt, out),
            _ => self.invalid(pkt, E::IprawInvalidIpVersion),
        }
    }

    fn decode_ethernet<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if !self.enter_layer(pkt) {
            return;
        }
        self.counters.ethernet += 1;
        let Some(etype) = be16(b, 12).filter(|_| b.len() >= 14) else {
            self.invalid(pkt, E::EthernetPktTooSmall);
            return;
        };
        self.decode_ethertype(etype, tail(b, 14), pkt, out);
    }

    /// Dispatches on an ethertype; returns false if the type is not one we decode.
    pub(crate) fn decode_ethertype<'a>(
        &mut self,
        etype: u16,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) -> bool {
        match etype {
            ETH_IPV4 => self.decode_ipv4(b, pkt, out),
            ETH_IPV6 => self.decode_ipv6(b, pkt, out),
            ETH_VLAN | ETH_QINQ | ETH_QINQ_OLD => self.decode_vlan(b, pkt, out),
            ETH_PPPOE_SESS => self.decode_pppoe_session(b, pkt, out),
            ETH_PPPOE_DISC => self.decode_pppoe_discovery(b, pkt),
            ETH_MPLS_UC | ETH_MPLS_MC => self.decode_mpls(b, pkt, out),
            ETH_ARP => self.counters.arp += 1,
            ETH_TEB => self.decode_ethernet(b, pkt, out),
            // 802.1ah (provider backbone bridging): 4-byte I-TAG, then a complete Ethernet frame
            ETH_8021AH => {
                if b.len() < 18 {
                    self.invalid(pkt, E::Ieee8021ahHeaderTooSmall);
                } else {
                    self.decode_ethernet(tail(b, 4), pkt, out);
                }
            }
            // 2-byte DCE header, then a complete Ethernet frame
            ETH_DCE => {
                if b.len() < 16 {
                    self.invalid(pkt, E::DcePktTooSmall);
                } else {
                    self.decode_ethernet(tail(b, 2), pkt, out);
                }
            }
            _ => {
                self.counters.unknown_ethertype += 1;
                return false;
            }
        }
        true
    }

    fn decode_vlan<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>, out: &mut Vec<Packet<'a>>) {
        // Suricata counts frames by tag depth: vlan (1st tag), vlan_qinq (2nd), vlan_qinqinq (3rd)
        match pkt.vlan_count {
            0 => self.counters.vlan += 1,
            1 => self.counters.vlan_qinq += 1,
            2 => self.counters.vlan_qinqinq += 1,
            _ => {}
        }
        let (Some(tci), Some(etype)) = (be16(b, 0), be16(b, 2)) else {
            self.invalid(pkt, E::VlanHeaderTooSmall);
            return;
        };
        if !self.enter_layer(pkt) {
            return;
        }
        let idx = usize::from(pkt.vlan_count);
        let Some(slot) = pkt.vlan.get_mut(idx) else {
            self.event(pkt, E::VlanTooManyLayers);
            return;
        };
        *slot = tci & 0x0fff;
        pkt.vlan_count += 1;
        if !self.decode_ethertype(etype, tail(b, 4), pkt, out) {
            self.invalid(pkt, E::VlanUnknownType);
        }
    }

    fn decode_sll<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>, out: &mut Vec<Packet<'a>>) {
        self.counters.sll += 1;
        let Some(proto) = be16(b, 14).filter(|_| b.len() >= 16) else {
            self.invalid(pkt, E::SllPktTooSmall);
            return;
        };
        self.decode_ethertype(proto, tail(b, 16), pkt, out);
    }

    fn decode_sll2<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>, out: &mut Vec<Packet<'a>>) {
        self.counters.sll += 1;
        let Some(proto) = be16(b, 0).filter(|_| b.len() >= 20) else {
            self.invalid(pkt, E::SllPktTooSmall);
            return;
        };
        self.decode_ethertype(proto, tail(b, 20), pkt, out);
    }

    fn decode_null<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>, out: &mut Vec<Packet<'a>>) {
        self.counters.null += 1;
        let Some(be) = be32(b, 0) else {
            self.invalid(pkt, E::LtnullPktTooSmall);
            return;
        };
        // family is in host order of the capturing machine: accept both byte orders
        let le = be.swap_bytes();
        let family = if be < 256 { be } else { le };
        let rest = tail(b, 4);
        match family {
            2 => self.decode_ipv4(rest, pkt, out),
            24 | 28 | 30 => self.decode_ipv6(rest, pkt, out),
            _ => self.event(pkt, E::LtnullUnsupportedType),
        }
    }

    fn decode_pppoe_session<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        self.counters.pppoe += 1;
        if b.len() < 6 {
            self.invalid(pkt, E::PppoePktTooSmall);
            return;
        }
        let ver_type = u8_at(b, 0);
        let code = u8_at(b, 1);
        if ver_type != 0x11 || code != 0 {
            self.invalid(pkt, E::PppoeWrongCode);
            return;
        }
        // the session header carries the PPP protocol directly (1 byte when compressed:
        // an odd first byte)
        let Some(plen) = be16(b, 4) else {
            self.invalid(pkt, E::PppoePktTooSmall);
            return;
        };
        let first = u8_at(b, 6);
        let (proto, hdr) = if first & 1 == 1 {
            (u16::from(first), 7)
        } else {
            match be16(b, 6) {
                Some(p) => (p, 8),
                None => {
                    self.invalid(pkt, E::PppoePktTooSmall);
                    return;
                }
            }
        };
        if plen > 0 {
            let compressed = hdr == 7;
            self.decode_ppp_proto(proto, compressed, tail(b, hdr), pkt, out);
        }
    }

    fn decode_pppoe_discovery(&mut self, b: &[u8], pkt: &mut Packet<'_>) {
        self.counters.pppoe += 1;
        if b.len() < 6 {
            self.invalid(pkt, E::PppoePktTooSmall);
            return;
        }
        // valid discovery codes: PADI 0x09, PADO 0x07, PADR 0x19, PADS 0x65, PADT 0xa7
        if !matches!(u8_at(b, 1), 0x09 | 0x07 | 0x19 | 0x65 | 0xa7) {
            self.invalid(pkt, E::PppoeWrongCode);
            return;
        }
        let plen = usize::from(be16(b, 4).unwrap_or(0));
        let tags = tail(b, 6);
        let tags = tags.get(..plen).unwrap_or(tags);
        let mut off = 0usize;
        while off < tags.len() {
            let Some(tlen) = be16(tags, off + 2) else {
                self.event(pkt, E::PppoeMalformedTags);
                return;
            };
            off = off + 4 + usize::from(tlen);
            if off > tags.len() {
                self.event(pkt, E::PppoeMalformedTags);
                return;
            }
        }
    }

    /// PPP with a 1- or 2-byte protocol field (an FF 03 address/control prefix is skipped).
    pub(crate) fn decode_ppp<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if !self.enter_layer(pkt) {
            return;
        }
        self.counters.ppp += 1;
        // an HDLC address/control header (0xff 0x03) precedes the protocol
        let b = if b.first() == Some(&0xff) {
            tail(b, 2)
        } else {
            b
        };
        let (proto, hdr) = match b.first() {
            None => {
                self.invalid(pkt, E::PppPktTooSmall);
                return;
            }
            // protocol field compression: odd first byte means a 1-byte protocol
            Some(x) if x & 1 == 1 => (u16::from(*x), 1),
            Some(_) => match be16(b, 0) {
                Some(p) => (p, 2),
                None => {
                    self.invalid(pkt, E::PppPktTooSmall);
                    return;
                }
            },
        };
        let compressed = hdr == 1;
        self.decode_ppp_proto(proto, compressed, tail(b, hdr), pkt, out);
    }

    /// Decodes what a PPP frame with protocol `proto` carries (`compressed`: 1-byte protocol).
    fn decode_ppp_proto<'a>(
        &mut self,
        proto: u16,
        compressed: bool,
        rest: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        match proto {
            PPP_IPV4 => {
                if rest.len() < 20 {
                    self.invalid(pkt, E::PppIp4PktTooSmall);
                    return;
                }
                self.decode_ipv4(rest, pkt, out)
            }
            PPP_IPV6 => {
                if rest.len() < 40 {
                    self.invalid(pkt, E::PppIp6PktTooSmall);
                    return;
                }
                self.decode_ipv6(rest, pkt, out)
            }
            PPP_VJ_UCOMP => {
                if rest.len() < 20 {
                    self.invalid(pkt, E::PppVjuPktTooSmall);
                    return;
                }
                if u8_at(rest, 0) >> 4 == 4 {
                    self.decode_ipv4(rest, pkt, out)
                }
            }
            // protocols Suricata knows but does not decode (VJ compressed, IPX, OSI, control
            // protocols, LCP, PAP, CHAP ...)
            0x002d | 0x002b | 0x0023 | 0x0025 | 0x0027 | 0x0029 | 0x0031 | 0x0033 | 0x0035
            | 0x0201 | 0x0231 | 0x0233 | 0x0281 | 0x0283 | 0x8021 | 0x8023 | 0x8025 | 0x8027
            | 0x8029 | 0x802b | 0x8033 | 0x8035 | 0x8057 | 0x8281 | 0xc021 | 0xc023 | 0xc025
            | 0xc223 => self.event(pkt, E::PppUnsupProto),
            // any other 1-byte (compressed) protocol is reported as unsupported
            p if compressed && p < 0x100 => self.event(pkt, E::PppUnsupProto),
            _ => self.invalid(pkt, E::PppWrongType),
        }
    }

    fn decode_mpls<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>, out: &mut Vec<Packet<'a>>) {
        self.counters.mpls += 1;
        if !self.enter_layer(pkt) {
            return;
        }
        let mut off = 0usize;
        loop {
            let Some(entry) = be32(b, off) else {
                self.invalid(
                    pkt,
                    if off == 0 {
                        E::MplsHeaderTooSmall
                    } else {
                        E::MplsPktTooSmall
                    },
                );
                return;
            };
            off += 4;
            let label = entry >> 12;
            let bos = entry & 0x100 != 0;
            let rest = tail(b, off);
            match label {
                0 if bos => return self.decode_ipv4(rest, pkt, out),
                2 if bos => return self.decode_ipv6(rest, pkt, out),
                1 if bos => {
                    self.event(pkt, E::MplsBadLabelRouterAlert);
                    return;
                }
                3 => {
                    self.event(pkt, E::MplsBadLabelImplicitNull);
                    return;
                }
                4..=15 => {
                    self.event(pkt, E::MplsBadLabelReserved);
                    return;
                }
                _ => {}
            }
            if bos {
                match u8_at(rest, 0) >> 4 {
                    4 => self.decode_ipv4(rest, pkt, out),
                    6 => self.decode_ipv6(rest, pkt, out),
                    // pseudo-wire control word, then Ethernet
                    0 if rest.len() >= 4 + 14 => self.decode_ethernet(tail(rest, 4), pkt, out),
                    _ => self.event(pkt, E::MplsUnknownPayloadType),
                }
                return;
            }
        }
    }
}
