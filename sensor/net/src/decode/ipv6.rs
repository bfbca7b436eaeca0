//! IPv6 header and extension headers.

use std::net::{IpAddr, Ipv6Addr};

use super::bytes::{be16, be32, range, tail, u8_at};
use super::decoder::Decoder;
use super::defrag::FragInput;
use super::events::DecodeEvent as E;
use super::packet::{ip_flags, Ipv6Exts, Packet};

const NH_HOP: u8 = 0;
const NH_ROUTING: u8 = 43;
const NH_FRAG: u8 = 44;
const NH_ESP: u8 = 50;
const NH_AH: u8 = 51;
const NH_NONE: u8 = 59;
const NH_DSTOPTS: u8 = 60;
const NH_MH: u8 = 135;
const NH_HIP: u8 = 139;
const NH_SHIM6: u8 = 140;

fn addr(b: &[u8], off: usize) -> Ipv6Addr {
    let mut a = [0u8; 16];
    if let Some(s) = b.get(off..off + 16) {
        a.copy_from_slice(s);
    }
    Ipv6Addr::from(a)
}

/// Which options header is being parsed (for event names).
#[derive(Clone, Copy)]
enum OptsKind {
    Hop,
    Dst,
}

impl Decoder {
    /// Decodes an IPv6 header, its extension headers and what they carry.
    pub(crate) fn decode_ipv6<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if !self.enter_layer(pkt) {
            return;
        }
        if b.len() < 40 {
            self.invalid(pkt, E::Ipv6PktTooSmall);
            return;
        }
        if u8_at(b, 0) >> 4 != 6 {
            self.invalid(pkt, E::Ipv6WrongIpVersion);
            return;
        }
        let plen = usize::from(be16(b, 4).unwrap_or(0));
        if b.len() < 40 + plen {
            self.invalid(pkt, E::Ipv6TruncPkt);
            return;
        }
        self.counters.ipv6 += 1;
        let vtf = be32(b, 0).unwrap_or(0);
        pkt.l3_offset = Self::offset_in(pkt, b);
        pkt.ip_version = 6;
        pkt.ip_tos = ((vtf >> 20) & 0xff) as u8;
        pkt.ttl = u8_at(b, 7);
        pkt.src = IpAddr::V6(addr(b, 8));
        pkt.dst = IpAddr::V6(addr(b, 24));
        let ip = range(b, 0, 40 + plen);
        self.decode_ipv6_exthdrs(ip, pkt, out);
    }

    /// Walks the extension header chain of the datagram `ip` (IPv6 header included), following
    /// Suricata's rules (duplicates are reported and skipped).
    fn decode_ipv6_exthdrs<'a>(
        &mut self,
        ip: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        let mut nh = u8_at(ip, 6);
        let mut nh_off = 6usize;
        let mut off = 40usize;
        let mut exts = Ipv6Exts::default();
        let mut dstopts = 0u8;
        let mut in_ext = false;
        loop {
            let rest = tail(ip, off);
            if nh == NH_NONE {
                exts.0 |= Ipv6Exts::NONE;
                if !rest.is_empty() {
                    self.event(pkt, E::Ipv6DataAfterNoneHeader);
                }
                self.finish_ipv6(pkt, exts, off, nh, rest);
                return;
            }
            if in_ext && rest.len() < 2 {
                self.invalid(pkt, E::Ipv6TruncExthdr);
                self.finish_ipv6(pkt, exts, off, nh, rest);
                return;
            }
            match nh {
                NH_HOP | NH_DSTOPTS | NH_ROUTING | NH_AH | NH_MH | NH_HIP | NH_SHIM6 => {
                    in_ext = true;
                    if rest.len() < 2 {
                        self.invalid(pkt, E::Ipv6TruncExthdr);
                        self.finish_ipv6(pkt, exts, off, nh, rest);
                        return;
                    }
                    let b1 = usize::from(u8_at(rest, 1));
                    let hlen = match nh {
                        NH_AH if b1 == 0 => 12,
                        NH_AH => (b1 + 2) * 4,
                        _ => (b1 + 1) * 8,
                    };
                    if hlen > rest.len() {
                        self.invalid(pkt, E::Ipv6TruncExthdr);
                        self.finish_ipv6(pkt, exts, off, nh, rest);
                        return;
                    }
                    let hdr = range(rest, 0, hlen);
                    match nh {
                        NH_HOP => {
                            if exts.contains(Ipv6Exts::HOP) {
                                self.event(pkt, E::Ipv6ExthdrDuplHh);
                            } else {
                                exts.0 |= Ipv6Exts::HOP;
                                self.check_ipv6_options(tail(hdr, 2), OptsKind::Hop, pkt);
                            }
                        }
                        NH_DSTOPTS => {
                            if dstopts >= 2 {
                                self.event(pkt, E::Ipv6ExthdrDuplDh);
                            } else {
                                dstopts += 1;
                                exts.0 |= Ipv6Exts::DSTOPTS;
                                self.check_ipv6_options(tail(hdr, 2), OptsKind::Dst, pkt);
                            }
                        }
                        NH_ROUTING => {
                            if exts.contains(Ipv6Exts::ROUTING) {
                                self.event(pkt, E::Ipv6ExthdrDuplRh);
                            } else {
                                exts.0 |= Ipv6Exts::ROUTING;
                                if u8_at(hdr, 2) == 0 {
                                    self.event(pkt, E::Ipv6RhType0);
                                }
                            }
                        }
                        NH_AH => {
                            if be16(hdr, 2) != Some(0) {
                                self.event(pkt, E::Ipv6ExthdrAhResNotNull);
                            }
                            if exts.contains(Ipv6Exts::AH) {
                                self.event(pkt, E::Ipv6ExthdrDuplAh);
                            }
                            exts.0 |= Ipv6Exts::AH;
                        }
                        _ => exts.0 |= Ipv6Exts::OTHER,
                    }
                    nh_off = off;
                    nh = u8_at(hdr, 0);
                    off += hlen;
                }
                NH_FRAG => {
                    in_ext = true;
                    if rest.len() < 8 {
                        self.invalid(pkt, E::Ipv6TruncExthdr);
                        self.finish_ipv6(pkt, exts, off, nh, rest);
                        return;
                    }
                    if u8_at(rest, 1) != 0 {
                        self.event(pkt, E::Ipv6FhNonZeroReservedField);
                    }
                    if exts.contains(Ipv6Exts::FRAG) {
                        self.event(pkt, E::Ipv6ExthdrDuplFh);
                        nh_off = off;
                        nh = u8_at(rest, 0);
                        off += 8;
                        continue;
                    }
                    exts.0 |= Ipv6Exts::FRAG;
                    let fnh = u8_at(rest, 0);
                    let fo = be16(rest, 2).unwrap_or(0);
                    let offset = u32::from(fo >> 3) * 8;
                    let more = fo & 1 != 0;
                    let id = be32(rest, 4).unwrap_or(0);
                    let data = tail(rest, 8);
                    if offset == 0 && !more {
                        // atomic fragment: carries a whole datagram
                        self.event(pkt, E::Ipv6ExthdrUselessFh);
                        nh_off = off;
                        nh = fnh;
                        off += 8;
                        continue;
                    }
                    pkt.ip_proto = fnh;
                    pkt.ip_id = id;
                    pkt.frag_offset = offset;
                    if more {
                        pkt.ip_flags |= ip_flags::MF;
                    }
                    pkt.is_fragment = true;
                    pkt.ipv6_exthdrs = exts;
                    pkt.ip_hlen = u16::try_from(off + 8).unwrap_or(u16::MAX);
                    pkt.ip_payload_len = data.len();
                    Self::set_payload(pkt, data);
                    if more && data.len() % 8 != 0 {
                        // not reassembled
                        self.event(pkt, E::Ipv6FragInvalidLength);
                        return;
                    }
                    if self.cfg.defrag {
                        let prefix = range(&pkt.data, 0, pkt.l3_offset).to_vec();
                        let input = FragInput {
                            v6: true,
                            src: pkt.src,
                            dst: pkt.dst,
                            id,
                            proto: 0,
                            vlan: pkt.vlan,
                            depth: pkt.tunnel_depth,
                            offset,
                            more,
                            data,
                            header: range(ip, 0, off),
                            nh_offset: nh_off,
                            next_header: fnh,
                        };
                        self.defrag_fragment(input, prefix, pkt);
                    }
                    return;
                }
                NH_ESP => {
                    exts.0 |= Ipv6Exts::ESP;
                    self.counters.esp += 1;
                    self.finish_ipv6(pkt, exts, off, nh, rest);
                    return;
                }
                _ => {
                    self.finish_ipv6(pkt, exts, off, nh, rest);
                    // after extension headers Suricata decodes no IPv6-in-IPv6 nor GRE
                    let known = if in_ext {
                        matches!(nh, 1 | 4 | 6 | 17 | 58 | 132)
                    } else {
                        matches!(nh, 1 | 4 | 6 | 17 | 41 | 47 | 58 | 132)
                    };
                    if !known {
                        self.event(pkt, E::Ipv6UnknownNextHeader);
                        return;
                    }
                    self.decode_proto(nh, rest, true, pkt, out);
                    return;
                }
            }
        }
    }

    fn finish_ipv6<'a>(
        &mut self,
        pkt: &mut Packet<'a>,
        exts: Ipv6Exts,
        off: usize,
        nh: u8,
        rest: &'a [u8],
    ) {
        pkt.ipv6_exthdrs = exts;
        pkt.ip_proto = nh;
        pkt.ip_hlen = u16::try_from(off).unwrap_or(u16::MAX);
        pkt.ip_payload_len = rest.len();
        Self::set_payload(pkt, rest);
    }

    /// Checks hop-by-hop / destination options (Suricata's rules, including its length checks).
    fn check_ipv6_options(&mut self, opts: &[u8], kind: OptsKind, pkt: &mut Packet<'_>) {
        let optslen = opts.len();
        let mut off = 0usize;
        let mut padding = 0u32;
        let mut other = 0u32;
        while off < optslen {
            let typ = u8_at(opts, off);
            if typ == 0 {
                padding += 1; // Pad1
                off += 1;
                continue;
            }
            if off + 1 >= optslen {
                self.invalid(pkt, E::Ipv6ExthdrInvalidOptlen);
                break;
            }
            let olen = usize::from(u8_at(opts, off + 1));
            if off + 1 + olen > optslen {
                self.invalid(pkt, E::Ipv6ExthdrInvalidOptlen);
                break;
            }
            match typ {
                1 => {
                    padding += 1;
                    if olen == 0 {
                        self.event(pkt, E::Ipv6ZeroLenPadn);
                    }
                }
                // router alert
                5 => {
                    if olen < 2 {
                        self.invalid(pkt, E::Ipv6ExthdrInvalidOptlen);
                        break;
                    }
                    other += 1;
                }
                // jumbo payload
                0xc2 => {
                    if olen < 4 {
                        self.invalid(pkt, E::Ipv6ExthdrInvalidOptlen);
                        break;
                    }
                }
                // home address
                0xc9 => {
                    if olen < 16 {
                        self.invalid(pkt, E::Ipv6ExthdrInvalidOptlen);
                        break;
                    }
                    other += 1;
                }
                _ => {
                    other += 1;
                    self.event(
                        pkt,
                        match kind {
                            OptsKind::Hop => E::Ipv6HopoptsUnknownOpt,
                            OptsKind::Dst => E::Ipv6DstoptsUnknownOpt,
                        },
                    );
                }
            }
            off += 2 + olen;
        }
        if padding > 0 && other == 0 {
            self.event(
                pkt,
                match kind {
                    OptsKind::Hop => E::Ipv6HopoptsOnlyPadding,
                    OptsKind::Dst => E::Ipv6DstoptsOnlyPadding,
                },
            );
        }
    }
}
