//! ICMPv4 and ICMPv6 headers.

use super::bytes::{be16, tail, u8_at};
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::packet::{IcmpHeader, Packet, L4};

/// Largest valid code per ICMPv4 type, `None` for unknown types.
fn icmpv4_max_code(typ: u8) -> Option<u8> {
    match typ {
        // router solicitation (10) is unknown to Suricata as well
        0 | 4 | 8 | 13 | 14 | 15 | 16 | 17 | 18 => Some(0),
        9 => Some(16),
        3 => Some(15),
        5 => Some(3),
        11 => Some(1),
        12 => Some(2),
        _ => None,
    }
}

/// Largest valid code per known ICMPv6 type (Suricata's checks), `None` for unknown types.
fn icmpv6_max_code(typ: u8) -> Option<u8> {
    match typ {
        1 => Some(6),
        2 => Some(0),
        3 => Some(1),
        4 => Some(2),
        128 | 129 => Some(0),
        130..=137 => Some(0),
        139 | 140 => Some(2),
        138 | 141..=161 => Some(255),
        _ => None,
    }
}

impl Decoder {
    /// Decodes an ICMPv4 message.
    pub(crate) fn decode_icmpv4<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>) {
        if b.len() < 8 {
            self.invalid(pkt, E::Icmpv4PktTooSmall);
            return;
        }
        self.counters.icmpv4 += 1;
        let typ = u8_at(b, 0);
        let code = u8_at(b, 1);
        let mut h = IcmpHeader {
            typ,
            code,
            id: None,
            seq: None,
        };
        let code_ok = match icmpv4_max_code(typ) {
            None => {
                self.event(pkt, E::Icmpv4UnknownType);
                false
            }
            Some(max) if code > max => {
                self.event(pkt, E::Icmpv4UnknownCode);
                false
            }
            _ => true,
        };
        match typ {
            0 | 8 | 13 | 14 | 15 | 16 | 17 | 18 => {
                h.id = be16(b, 4);
                h.seq = be16(b, 6);
            }
            // error messages quote the offending IPv4 header (checked when the code is valid)
            3 | 4 | 5 | 11 | 12 if code_ok && b.len() > 8 => {
                let inner = tail(b, 8);
                if inner.len() < 20 {
                    self.invalid(pkt, E::Icmpv4Ipv4TruncPkt);
                } else if u8_at(inner, 0) >> 4 != 4 {
                    self.invalid(pkt, E::Icmpv4Ipv4UnknownVer);
                }
            }
            _ => {}
        }
        pkt.l4 = L4::Icmpv4(h);
        Self::set_payload(pkt, tail(b, 8));
    }

    /// Decodes an ICMPv6 message.
    pub(crate) fn decode_icmpv6<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>) {
        if b.len() < 8 {
            self.invalid(pkt, E::Icmpv6PktTooSmall);
            return;
        }
        self.counters.icmpv6 += 1;
        let typ = u8_at(b, 0);
        let code = u8_at(b, 1);
        let mut h = IcmpHeader {
            typ,
            code,
            id: None,
            seq: None,
        };
        let code_ok = match icmpv6_max_code(typ) {
            None => {
                self.event(
                    pkt,
                    match typ {
                        100 | 101 | 200 | 201 => E::Icmpv6ExperimentationType,
                        5..=99 | 102..=126 | 162..=199 | 202..=254 => E::Icmpv6UnassignedType,
                        _ => E::Icmpv6UnknownType,
                    },
                );
                false
            }
            Some(max) if code > max => {
                self.event(pkt, E::Icmpv6UnknownCode);
                false
            }
            _ => true,
        };
        match typ {
            // error messages quote the offending IPv6 header (checked when the code is valid)
            1..=4 if code_ok && b.len() > 8 => {
                let inner = tail(b, 8);
                if inner.len() < 40 {
                    self.invalid(pkt, E::Icmpv6Ipv6TruncPkt);
                } else if u8_at(inner, 0) >> 4 != 6 {
                    self.invalid(pkt, E::Icmpv6Ipv6UnknownVersion);
                }
            }
            128 | 129 => {
                h.id = be16(b, 4);
                h.seq = be16(b, 6);
            }
            130..=132 if pkt.ttl != 1 => {
                self.event(pkt, E::Icmpv6MldMessageWithInvalidHl);
            }
            _ => {}
        }
        pkt.l4 = L4::Icmpv6(h);
        Self::set_payload(pkt, tail(b, 8));
    }
}
