//! IPv4 header and options.

use std::net::{IpAddr, Ipv4Addr};

use super::bytes::{be16, range, u8_at};
use super::decoder::Decoder;
use super::defrag::FragInput;
use super::events::DecodeEvent as E;
use super::packet::{ip_flags, Ipv4Opts, Packet};

impl Decoder {
    /// Decodes an IPv4 header and what it carries.
    pub(crate) fn decode_ipv4<'a>(
        &mut self,
        b: &'a [u8],
        pkt: &mut Packet<'a>,
        out: &mut Vec<Packet<'a>>,
    ) {
        if !self.enter_layer(pkt) {
            return;
        }
        if b.len() < 20 {
            self.invalid(pkt, E::Ipv4PktTooSmall);
            return;
        }
        if u8_at(b, 0) >> 4 != 4 {
            self.invalid(pkt, E::Ipv4WrongIpVersion);
            return;
        }
        let hlen = usize::from(u8_at(b, 0) & 0x0f) * 4;
        if hlen < 20 {
            self.invalid(pkt, E::Ipv4HlenTooSmall);
            return;
        }
        let total = usize::from(be16(b, 2).unwrap_or(0));
        if total < hlen {
            self.invalid(pkt, E::Ipv4IplenSmallerThanHlen);
            return;
        }
        if b.len() < total {
            self.invalid(pkt, E::Ipv4TruncPkt);
            return;
        }
        let opts = range(b, 20, hlen);
        let mut summary = Ipv4Opts::default();
        if !opts.is_empty() && !self.decode_ipv4_options(opts, pkt, &mut summary) {
            return;
        }
        self.counters.ipv4 += 1;
        let src = Ipv4Addr::new(u8_at(b, 12), u8_at(b, 13), u8_at(b, 14), u8_at(b, 15));
        let dst = Ipv4Addr::new(u8_at(b, 16), u8_at(b, 17), u8_at(b, 18), u8_at(b, 19));
        let frag = be16(b, 6).unwrap_or(0);
        let proto = u8_at(b, 9);
        pkt.l3_offset = Self::offset_in(pkt, b);
        pkt.ip_version = 4;
        pkt.src = IpAddr::V4(src);
        pkt.dst = IpAddr::V4(dst);
        pkt.ip_tos = u8_at(b, 1);
        pkt.ip_id = u32::from(be16(b, 4).unwrap_or(0));
        pkt.ip_flags = ((frag >> 13) as u8) & (ip_flags::RB | ip_flags::DF | ip_flags::MF);
        pkt.frag_offset = u32::from(frag & 0x1fff) * 8;
        pkt.ttl = u8_at(b, 8);
        pkt.ip_proto = proto;
        pkt.ipv4_options = summary;
        pkt.ip_hlen = hlen as u16;
        let payload = range(b, hlen, total);
        pkt.ip_payload_len = payload.len();
        Self::set_payload(pkt, payload);

        let more = pkt.ip_flags & ip_flags::MF != 0;
        if more || pkt.frag_offset != 0 {
            pkt.is_fragment = true;
            if self.cfg.defrag {
                let prefix_end = pkt.l3_offset;
                let prefix = range(&pkt.data, 0, prefix_end).to_vec();
                let input = FragInput {
                    v6: false,
                    src: pkt.src,
                    dst: pkt.dst,
                    id: pkt.ip_id,
                    proto,
                    vlan: pkt.vlan,
                    depth: pkt.tunnel_depth,
                    offset: pkt.frag_offset,
                    more,
                    data: payload,
                    header: range(b, 0, hlen),
                    nh_offset: 9,
                    next_header: proto,
                };
                self.defrag_fragment(input, prefix, pkt);
            }
            return;
        }
        self.decode_proto(proto, payload, false, pkt, out);
    }

    /// Validates IPv4 options as Suricata does; false if the header is unusable.
    fn decode_ipv4_options(
        &mut self,
        opts: &[u8],
        pkt: &mut Packet<'_>,
        summary: &mut Ipv4Opts,
    ) -> bool {
        if opts.len() % 8 != 0 {
            self.event(pkt, E::Ipv4OptPadRequired);
        }
        let mut off = 0usize;
        while off < opts.len() {
            let typ = u8_at(opts, off);
            match typ {
                0 => {
                    summary.0 |= Ipv4Opts::EOL;
                    break;
                }
                1 => {
                    summary.0 |= Ipv4Opts::NOP;
                    off += 1;
                    continue;
                }
                _ => {}
            }
            let remaining = opts.len() - off;
            if remaining < 2 {
                self.event(pkt, E::Ipv4OptEolRequired);
                break;
            }
            let olen = usize::from(u8_at(opts, off + 1));
            if olen < 2 || olen > remaining {
                self.invalid(pkt, E::Ipv4OptInvalidLen);
                return false;
            }
            let opt = range(opts, off, off + olen);
            let bit = match typ {
                68 => Ipv4Opts::TS,
                7 => Ipv4Opts::RR,
                25 => Ipv4Opts::QS,
                130 => Ipv4Opts::SEC,
                131 => Ipv4Opts::LSRR,
                134 => Ipv4Opts::CIPSO,
                136 => Ipv4Opts::SID,
                137 => Ipv4Opts::SSRR,
                148 => Ipv4Opts::RTRALT,
                _ => 0,
            };
            if bit == 0 {
                summary.0 |= Ipv4Opts::OTHER;
                self.event(pkt, E::Ipv4OptInvalid);
            } else if summary.0 & bit != 0 {
                self.event(pkt, E::Ipv4OptDuplicate);
            } else {
                match validate_option(typ, opt, remaining) {
                    Ok(()) => summary.0 |= bit,
                    Err(ev) => self.invalid(pkt, ev),
                }
            }
            off += olen;
        }
        true
    }
}

/// Checks one option (type, length and pointer fields), as Suricata's validators do.
fn validate_option(typ: u8, opt: &[u8], remaining: usize) -> Result<(), E> {
    let len = opt.len();
    // the pointer byte exists only when more than two bytes of options remain
    let ptr = if remaining > 2 {
        opt.get(2).copied()
    } else {
        None
    };
    match typ {
        // record route, loose and strict source route
        7 | 131 | 137 => {
            if len < 3 {
                return Err(E::Ipv4OptInvalidLen);
            }
            let ptr = usize::from(ptr.ok_or(E::Ipv4OptMalformed)?);
            if ptr < 4 || ptr % 4 != 0 || ptr > len + 1 {
                return Err(E::Ipv4OptMalformed);
            }
        }
        68 => {
            if len < 5 {
                return Err(E::Ipv4OptInvalidLen);
            }
            let ptr = usize::from(ptr.ok_or(E::Ipv4OptMalformed)?);
            if ptr < 5 {
                return Err(E::Ipv4OptMalformed);
            }
            let flag = u8_at(opt, 3) & 0x0f;
            let rec = if flag == 1 || flag == 3 { 8 } else { 4 };
            if (ptr - 5) % rec != 0 || ptr > len + 1 {
                return Err(E::Ipv4OptMalformed);
            }
        }
        134 => {
            if len < 10 {
                return Err(E::Ipv4OptInvalidLen);
            }
            if ptr.is_none() {
                return Err(E::Ipv4OptMalformed);
            }
            // tags after type, len and the 4-byte DOI
            let mut tags = range(opt, 6, len);
            while !tags.is_empty() {
                let (Some(&ttype), Some(&tlen)) = (tags.first(), tags.get(1)) else {
                    return Err(E::Ipv4OptMalformed);
                };
                let tlen = usize::from(tlen);
                if tlen > tags.len() {
                    return Err(E::Ipv4OptMalformed);
                }
                match ttype {
                    1 | 2 | 5 | 6 | 7 => {
                        if tlen < 4 || (ttype != 7 && u8_at(tags, 2) != 0) {
                            return Err(E::Ipv4OptMalformed);
                        }
                    }
                    _ => return Err(E::Ipv4OptMalformed),
                }
                tags = range(tags, tlen, tags.len());
            }
        }
        25 if len < 8 => return Err(E::Ipv4OptInvalidLen),
        130 if len != 11 => return Err(E::Ipv4OptInvalidLen),
        136 | 148 if len != 4 => return Err(E::Ipv4OptInvalidLen),
        _ => {}
    }
    Ok(())
}
