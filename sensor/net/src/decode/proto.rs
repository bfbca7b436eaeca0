//! Upper-layer dispatch after the IP header, including IP-in-IP tunnels.

use super::bytes::u8_at;
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::packet::Packet;

/// IP protocol numbers.
pub(crate) const IPPROTO_ICMP: u8 = 1;
pub(crate) const IPPROTO_IPIP: u8 = 4;
pub(crate) const IPPROTO_TCP: u8 = 6;
pub(crate) const IPPROTO_UDP: u8 = 17;
pub(crate) const IPPROTO_IPV6: u8 = 41;
pub(crate) const IPPROTO_GRE: u8 = 47;
pub(crate) const IPPROTO_ESP: u8 = 50;
pub(crate) const IPPROTO_ICMPV6: u8 = 58;
pub(crate) const IPPROTO_SCTP: u8 = 132;

impl Decoder {
    /// Decodes the payload of an IP datagram (`v6`: carried by IPv6). The packet's payload is
    /// already the IP payload; L4 decoders replace it with the L4 payload.
    pub(crate) fn decode_proto<'a>(
        &mut self,
        proto: u8,
        b: &'a [u8],
        v6: bool,
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        match proto {
            IPPROTO_TCP => self.decode_tcp(b, pkt),
            IPPROTO_UDP => self.decode_udp(b, pkt, out),
            IPPROTO_ICMP => {
                if v6 {
                    self.event(pkt, E::Ipv6Icmpv4);
                } else {
                    self.decode_icmpv4(b, pkt);
                }
            }
            IPPROTO_ICMPV6 => {
                if v6 {
                    self.decode_icmpv6(b, pkt);
                } else {
                    self.invalid(pkt, E::Ipv4Icmpv6);
                }
            }
            IPPROTO_GRE => self.decode_gre(b, pkt, out),
            IPPROTO_ESP => {
                self.counters.esp += 1;
                if b.len() < 8 {
                    self.invalid(pkt, E::EspPktTooSmall);
                }
            }
            IPPROTO_SCTP => {
                self.counters.sctp += 1;
                if b.len() < 12 {
                    self.invalid(pkt, E::SctpPktTooSmall);
                }
            }
            IPPROTO_IPIP => {
                if v6 {
                    if b.len() < 20 {
                        self.invalid(pkt, E::Ipv6Ipv4InIpv6TooSmall);
                        return;
                    }
                    if u8_at(b, 0) >> 4 != 4 {
                        self.invalid(pkt, E::Ipv6Ipv4InIpv6WrongVersion);
                        return;
                    }
                    self.counters.ipv4_in_ipv6 += 1;
                } else {
                    self.counters.ipv4_in_ipv4 += 1;
                }
                if self.enter_tunnel(pkt, out) {
                    self.decode_ipv4(b, pkt, out);
                }
            }
            IPPROTO_IPV6 => {
                if v6 {
                    if b.len() < 40 {
                        self.invalid(pkt, E::Ipv6Ipv6InIpv6TooSmall);
                        return;
                    }
                    if u8_at(b, 0) >> 4 != 6 {
                        self.invalid(pkt, E::Ipv6Ipv6InIpv6WrongVersion);
                        return;
                    }
                    self.counters.ipv6_in_ipv6 += 1;
                } else {
                    self.counters.ipv6_in_ipv4 += 1;
                }
                if self.enter_tunnel(pkt, out) {
                    self.decode_ipv6(b, pkt, out);
                }
            }
            _ => {}
        }
    }
}
