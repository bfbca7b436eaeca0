//! GRE (version 0, and version 1 / PPTP enhanced GRE) and its tunnelled payloads.

use super::bytes::{be16, tail, u8_at};
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::link::{ETH_IPV4, ETH_IPV6, ETH_TEB};
use super::packet::Packet;

const GRE_PPP: u16 = 0x880b;
const GRE_ERSPAN2: u16 = 0x88be;
const GRE_ERSPAN3: u16 = 0x22eb;

const F_CSUM: u8 = 0x80;
const F_ROUTE: u8 = 0x40;
const F_KEY: u8 = 0x20;
const F_SEQ: u8 = 0x10;
const F_SSR: u8 = 0x08;
const F_RECUR: u8 = 0x07;
const F_ACK: u8 = 0x80;

impl Decoder {
    /// Decodes a GRE header; the carried packet becomes an inner (tunnel) packet.
    pub(crate) fn decode_gre<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if !self.enter_layer(pkt) {
            return;
        }
        if b.len() < 4 {
            self.invalid(pkt, E::GrePktTooSmall);
            return;
        }
        self.counters.gre += 1;
        let f0 = u8_at(b, 0);
        let f1 = u8_at(b, 1);
        let proto = be16(b, 2).unwrap_or(0);
        let mut hlen = 4usize;
        match f1 & 0x07 {
            0 => {
                if f0 & F_RECUR != 0 {
                    self.invalid(pkt, E::GreVersion0Recur);
                    return;
                }
                if f1 & 0xf8 != 0 {
                    self.invalid(pkt, E::GreVersion0Flags);
                    return;
                }
                if f0 & (F_CSUM | F_ROUTE) != 0 {
                    hlen += 4;
                }
                if f0 & F_KEY != 0 {
                    hlen += 4;
                }
                if f0 & F_SEQ != 0 {
                    hlen += 4;
                }
                if hlen > b.len() {
                    self.invalid(pkt, E::GreVersion0HdrTooBig);
                    return;
                }
                if f0 & F_ROUTE != 0 {
                    // source route entries: address family (2), offset (1), length (1), data;
                    // a zero family with a zero length ends the list
                    loop {
                        let (Some(af), Some(&len)) = (be16(b, hlen), b.get(hlen + 3)) else {
                            self.invalid(pkt, E::GreVersion0MalformedSreHdr);
                            return;
                        };
                        hlen += 4;
                        if af == 0 && len == 0 {
                            break;
                        }
                        hlen += usize::from(len);
                        if hlen > b.len() {
                            self.invalid(pkt, E::GreVersion0MalformedSreHdr);
                            return;
                        }
                    }
                }
            }
            1 => {
                if f0 & F_CSUM != 0 {
                    self.invalid(pkt, E::GreVersion1Chksum);
                    return;
                }
                if f0 & F_ROUTE != 0 {
                    self.invalid(pkt, E::GreVersion1Route);
                    return;
                }
                if f0 & F_SSR != 0 {
                    self.invalid(pkt, E::GreVersion1Ssr);
                    return;
                }
                if f0 & F_RECUR != 0 {
                    self.invalid(pkt, E::GreVersion1Recur);
                    return;
                }
                if f1 & 0x78 != 0 {
                    self.invalid(pkt, E::GreVersion1Flags);
                    return;
                }
                if proto != GRE_PPP {
                    self.invalid(pkt, E::GreVersion1WrongProtocol);
                    return;
                }
                if f0 & F_KEY == 0 {
                    self.invalid(pkt, E::GreVersion1NoKey);
                    return;
                }
                hlen += 4;
                if f0 & F_SEQ != 0 {
                    hlen += 4;
                }
                if f1 & F_ACK != 0 {
                    hlen += 4;
                }
                if hlen > b.len() {
                    self.invalid(pkt, E::GreVersion1HdrTooBig);
                    return;
                }
            }
            _ => {
                self.invalid(pkt, E::GreWrongVersion);
                return;
            }
        }
        let inner = tail(b, hlen);
        match proto {
            ETH_IPV4 | ETH_IPV6 | ETH_TEB | GRE_PPP => {
                if inner.is_empty() || !self.enter_tunnel(pkt, out) {
                    return;
                }
                match proto {
                    ETH_IPV4 => self.decode_ipv4(inner, pkt, out),
                    ETH_IPV6 => self.decode_ipv6(inner, pkt, out),
                    GRE_PPP => self.decode_ppp(inner, pkt, out),
                    _ => {
                        self.decode_ethertype(ETH_TEB, inner, pkt, out);
                    }
                }
            }
            GRE_ERSPAN2 | GRE_ERSPAN3 => {}
            _ => {}
        }
    }
}
