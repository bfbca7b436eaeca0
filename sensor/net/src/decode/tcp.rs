//! TCP header and options.

use super::bytes::{be16, be32, range, tail, u8_at};
use super::decoder::Decoder;
use super::events::DecodeEvent as E;
use super::packet::{Packet, TcpHeader, L4};

impl Decoder {
    /// Decodes a TCP segment.
    pub(crate) fn decode_tcp<'a>(&mut self, b: &'a [u8], pkt: &mut Packet<'a>) {
        if b.len() < 20 {
            self.invalid(pkt, E::TcpPktTooSmall);
            return;
        }
        let hlen = usize::from(u8_at(b, 12) >> 4) * 4;
        if b.len() < hlen {
            self.invalid(pkt, E::TcpHlenTooSmall);
            return;
        }
        // Suricata computes the option length as a u8 `hlen - 20`: a data offset below 5 wraps
        // around and is reported as an invalid option length
        if hlen < 20 {
            self.invalid(pkt, E::TcpInvalidOptlen);
            return;
        }
        self.counters.tcp += 1;
        let mut h = TcpHeader {
            sport: be16(b, 0).unwrap_or(0),
            dport: be16(b, 2).unwrap_or(0),
            seq: be32(b, 4).unwrap_or(0),
            ack: be32(b, 8).unwrap_or(0),
            flags: u8_at(b, 13),
            window: be16(b, 14).unwrap_or(0),
            hlen: hlen as u8,
            urgent: be16(b, 18).unwrap_or(0),
            ..TcpHeader::default()
        };
        self.decode_tcp_options(range(b, 20, hlen), &mut h, pkt);
        pkt.l4 = L4::Tcp(h);
        Self::set_payload(pkt, tail(b, hlen));
    }

    fn decode_tcp_options(&mut self, opts: &[u8], h: &mut TcpHeader, pkt: &mut Packet<'_>) {
        let mut off = 0usize;
        while off < opts.len() {
            let kind = u8_at(opts, off);
            match kind {
                0 => break,
                1 => {
                    off += 1;
                    continue;
                }
                _ => {}
            }
            let Some(&olen) = opts.get(off + 1) else {
                break;
            };
            let olen = usize::from(olen);
            if olen < 2 || off + olen > opts.len() {
                self.invalid(pkt, E::TcpOptInvalidLen);
                return;
            }
            let val = range(opts, off + 2, off + olen);
            match kind {
                2 => {
                    if olen != 4 {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.mss.is_some() {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else {
                        h.mss = be16(val, 0);
                    }
                }
                3 => {
                    if olen != 3 {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.wscale.is_some() {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else {
                        h.wscale = val.first().copied();
                    }
                }
                4 => {
                    if olen != 2 {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.sack_permitted {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else {
                        h.sack_permitted = true;
                    }
                }
                8 => {
                    if olen != 10 {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.timestamp.is_some() {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else if let (Some(a), Some(b)) = (be32(val, 0), be32(val, 4)) {
                        h.timestamp = Some((a, b));
                    }
                }
                5 => {
                    if olen != 2 && (!(10..=34).contains(&olen) || (olen - 2) % 8 != 0) {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.sack {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else {
                        h.sack = true;
                    }
                }
                34 => {
                    if olen != 2 && (!(6..=18).contains(&olen) || (olen - 2) % 2 != 0) {
                        self.event(pkt, E::TcpOptInvalidLen);
                    } else if h.tfo {
                        self.event(pkt, E::TcpOptDuplicate);
                    } else {
                        h.tfo = true;
                    }
                }
                // experimental options: TFO when carrying the 0xf989 magic
                253 | 254 => {
                    if olen == 4 || olen == 12 {
                        if be16(val, 0) == Some(0xf989) {
                            if h.tfo {
                                self.event(pkt, E::TcpOptDuplicate);
                            } else {
                                h.tfo = true;
                            }
                        }
                    } else {
                        self.event(pkt, E::TcpOptInvalidLen);
                    }
                }
                // MD5 signature
                19 if olen != 18 => self.invalid(pkt, E::TcpOptInvalidLen),
                // TCP-AO
                29 if olen < 4 => self.invalid(pkt, E::TcpOptInvalidLen),
                _ => {}
            }
            off += olen;
        }
    }
}
