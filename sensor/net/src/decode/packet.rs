//! The decoded packet and its layer headers.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use super::events::DecodeEvent;
use crate::capture::{Frame, Timestamp};

/// TCP flag bits as found in `TcpHeader::flags`.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;
    /// ECE.
    pub const ECE: u8 = 0x40;
    /// CWR.
    pub const CWR: u8 = 0x80;
}

/// A decoded TCP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpHeader {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags (see [`tcp_flags`]).
    pub flags: u8,
    /// Raw window (unscaled).
    pub window: u16,
    /// Header length in bytes (20..=60).
    pub hlen: u8,
    /// MSS option.
    pub mss: Option<u16>,
    /// Window scale option.
    pub wscale: Option<u8>,
    /// SACK-permitted option present.
    pub sack_permitted: bool,
    /// SACK option present (blocks not kept).
    pub sack: bool,
    /// Timestamp option (value, echo reply).
    pub timestamp: Option<(u32, u32)>,
    /// TCP Fast Open option present.
    pub tfo: bool,
    /// Urgent pointer.
    pub urgent: u16,
}

/// A decoded UDP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UdpHeader {
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Length field (header + payload).
    pub len: u16,
}

/// A decoded ICMPv4 / ICMPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IcmpHeader {
    /// Type.
    pub typ: u8,
    /// Code.
    pub code: u8,
    /// Identifier (echo-like messages only).
    pub id: Option<u16>,
    /// Sequence (echo-like messages only).
    pub seq: Option<u16>,
}

/// Layer-4 header of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum L4 {
    /// TCP.
    Tcp(TcpHeader),
    /// UDP.
    Udp(UdpHeader),
    /// ICMPv4.
    Icmpv4(IcmpHeader),
    /// ICMPv6.
    Icmpv6(IcmpHeader),
    /// No (decoded) layer-4 header.
    #[default]
    None,
}

/// Bit set of IPv4 options present in a packet (for `ipopts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ipv4Opts(pub u16);

impl Ipv4Opts {
    /// End of option list.
    pub const EOL: u16 = 1 << 0;
    /// No operation.
    pub const NOP: u16 = 1 << 1;
    /// Record route.
    pub const RR: u16 = 1 << 2;
    /// Timestamp.
    pub const TS: u16 = 1 << 3;
    /// Security.
    pub const SEC: u16 = 1 << 4;
    /// Extended security (never set: Suricata does not validate it either).
    pub const ESEC: u16 = 1 << 5;
    /// Loose source route.
    pub const LSRR: u16 = 1 << 6;
    /// Strict source route.
    pub const SSRR: u16 = 1 << 7;
    /// Stream identifier (SATNET id).
    pub const SID: u16 = 1 << 8;
    /// Quick-start.
    pub const QS: u16 = 1 << 9;
    /// Commercial IP security option.
    pub const CIPSO: u16 = 1 << 10;
    /// Router alert.
    pub const RTRALT: u16 = 1 << 11;
    /// Any option Suricata does not validate (not counted by [`Ipv4Opts::any`]).
    pub const OTHER: u16 = 1 << 12;

    /// True if all bits of `bit` are set.
    pub fn contains(&self, bit: u16) -> bool {
        self.0 & bit == bit
    }

    /// True if any option Suricata tracks was present (`ipopts:any`).
    pub fn any(&self) -> bool {
        self.0 & !Self::OTHER != 0
    }
}

/// Bit set of IPv6 extension headers present in a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ipv6Exts(pub u16);

impl Ipv6Exts {
    /// Hop-by-hop options.
    pub const HOP: u16 = 1 << 0;
    /// Routing header.
    pub const ROUTING: u16 = 1 << 1;
    /// Destination options.
    pub const DSTOPTS: u16 = 1 << 2;
    /// Fragment header.
    pub const FRAG: u16 = 1 << 3;
    /// Authentication header.
    pub const AH: u16 = 1 << 4;
    /// Encapsulating security payload.
    pub const ESP: u16 = 1 << 5;
    /// No next header.
    pub const NONE: u16 = 1 << 6;
    /// Mobility / HIP / Shim6 header.
    pub const OTHER: u16 = 1 << 7;

    /// True if all bits of `bit` are set.
    pub fn contains(&self, bit: u16) -> bool {
        self.0 & bit == bit
    }
}

/// IPv4 flag bits in `Packet::ip_flags`.
pub mod ip_flags {
    /// Reserved bit.
    pub const RB: u8 = 0x04;
    /// Don't fragment.
    pub const DF: u8 = 0x02;
    /// More fragments.
    pub const MF: u8 = 0x01;
}

/// A decoded packet. Every frame yields at least one; `ip_version == 0` means no IP layer was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Packet number in the capture (set by the pipeline; 0 here).
    pub pcap_cnt: u64,
    /// Link type of the frame.
    pub linktype: u32,
    /// Wire length of the frame.
    pub len: u32,
    /// The whole frame (for reassembled packets: a synthetic frame, owned).
    pub data: Cow<'a, [u8]>,
    /// Offset of the (innermost) IP header in `data`, when it lies within `data`.
    pub l3_offset: usize,
    /// VLAN ids, outermost first.
    pub vlan: [u16; 3],
    /// Number of valid entries in `vlan`.
    pub vlan_count: u8,
    /// Source address (0.0.0.0 without IP).
    pub src: IpAddr,
    /// Destination address (0.0.0.0 without IP).
    pub dst: IpAddr,
    /// 4, 6 or 0 (no IP).
    pub ip_version: u8,
    /// Upper-layer protocol (after IPv6 extension headers).
    pub ip_proto: u8,
    /// TTL / hop limit.
    pub ttl: u8,
    /// IPv4 identification or IPv6 fragment identification.
    pub ip_id: u32,
    /// IPv4 TOS / IPv6 traffic class.
    pub ip_tos: u8,
    /// IPv4 flags (see [`ip_flags`]); for IPv6 fragments MF is mirrored.
    pub ip_flags: u8,
    /// Fragment offset in bytes.
    pub frag_offset: u32,
    /// IPv4 options present.
    pub ipv4_options: Ipv4Opts,
    /// IPv6 extension headers present.
    pub ipv6_exthdrs: Ipv6Exts,
    /// IP header length (IPv4 header with options; IPv6 header plus extension headers).
    pub ip_hlen: u16,
    /// This packet is a fragment (no L4 decoded).
    pub is_fragment: bool,
    /// This packet was rebuilt by defragmentation.
    pub reassembled: bool,
    /// The decoder flagged an invalid header (Suricata's "invalid" packets).
    pub invalid: bool,
    /// Layer-4 header.
    pub l4: L4,
    /// L4 payload for TCP/UDP/ICMP; IP payload otherwise.
    pub payload: Cow<'a, [u8]>,
    /// Length of the IP payload (after IP header and extension headers).
    pub ip_payload_len: usize,
    /// Decoder events raised while decoding this packet (empty vectors do not allocate).
    pub events: Vec<DecodeEvent>,
    /// 0 for the outermost packet, +1 per tunnel level.
    pub tunnel_depth: u8,
}

impl<'a> Packet<'a> {
    /// A packet with the frame's metadata and nothing decoded.
    pub fn from_frame(frame: &Frame<'a>) -> Self {
        Packet {
            ts: frame.ts,
            pcap_cnt: 0,
            linktype: frame.linktype,
            len: frame.orig_len,
            data: Cow::Borrowed(frame.data),
            l3_offset: 0,
            vlan: [0; 3],
            vlan_count: 0,
            src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            ip_version: 0,
            ip_proto: 0,
            ttl: 0,
            ip_id: 0,
            ip_tos: 0,
            ip_flags: 0,
            frag_offset: 0,
            ipv4_options: Ipv4Opts::default(),
            ipv6_exthdrs: Ipv6Exts::default(),
            ip_hlen: 0,
            is_fragment: false,
            reassembled: false,
            invalid: false,
            l4: L4::None,
            payload: Cow::Borrowed(&[]),
            ip_payload_len: 0,
            events: Vec::new(),
            tunnel_depth: 0,
        }
    }

    /// A fresh packet for the inner layer of a tunnel: frame metadata and VLANs kept, depth + 1.
    pub(crate) fn tunnel_child(&self) -> Self {
        Packet {
            ts: self.ts,
            pcap_cnt: self.pcap_cnt,
            linktype: self.linktype,
            len: self.len,
            data: self.data.clone(),
            l3_offset: self.l3_offset,
            vlan: self.vlan,
            vlan_count: self.vlan_count,
            tunnel_depth: self.tunnel_depth.saturating_add(1),
            ..Packet::from_frame(&Frame {
                ts: self.ts,
                linktype: self.linktype,
                data: &[],
                orig_len: self.len,
            })
        }
    }

    /// True if an IP layer was decoded.
    pub fn has_ip(&self) -> bool {
        self.ip_version != 0
    }

    /// Source and destination ports for TCP/UDP, `None` otherwise.
    pub fn ports(&self) -> Option<(u16, u16)> {
        match &self.l4 {
            L4::Tcp(t) => Some((t.sport, t.dport)),
            L4::Udp(u) => Some((u.sport, u.dport)),
            _ => None,
        }
    }

    /// True when the IP protocol is TCP, UDP, ICMP or ICMPv6 but its header was not
    /// decoded (truncated or invalid) and the packet is not a fragment.
    pub fn l4_header_missing(&self) -> bool {
        matches!(self.l4, L4::None)
            && !self.is_fragment
            && self.ip_version != 0
            && matches!(self.ip_proto, 1 | 6 | 17 | 58)
    }

    /// The TCP header, if any.
    pub fn tcp(&self) -> Option<&TcpHeader> {
        match &self.l4 {
            L4::Tcp(t) => Some(t),
            _ => None,
        }
    }

    /// The UDP header, if any.
    pub fn udp(&self) -> Option<&UdpHeader> {
        match &self.l4 {
            L4::Udp(u) => Some(u),
            _ => None,
        }
    }

    /// True if the decoder raised `ev` on this packet.
    pub fn has_event(&self, ev: DecodeEvent) -> bool {
        self.events.contains(&ev)
    }

    /// VLAN ids actually present.
    pub fn vlans(&self) -> &[u16] {
        self.vlan.get(..usize::from(self.vlan_count)).unwrap_or(&[])
    }

    /// Converts every borrowed buffer to an owned one (detaches the packet from the frame).
    pub fn into_owned(self) -> Packet<'static> {
        Packet {
            data: Cow::Owned(self.data.into_owned()),
            payload: Cow::Owned(self.payload.into_owned()),
            ts: self.ts,
            pcap_cnt: self.pcap_cnt,
            linktype: self.linktype,
            len: self.len,
            l3_offset: self.l3_offset,
            vlan: self.vlan,
            vlan_count: self.vlan_count,
            src: self.src,
            dst: self.dst,
            ip_version: self.ip_version,
            ip_proto: self.ip_proto,
            ttl: self.ttl,
            ip_id: self.ip_id,
            ip_tos: self.ip_tos,
            ip_flags: self.ip_flags,
            frag_offset: self.frag_offset,
            ipv4_options: self.ipv4_options,
            ipv6_exthdrs: self.ipv6_exthdrs,
            ip_hlen: self.ip_hlen,
            is_fragment: self.is_fragment,
            reassembled: self.reassembled,
            invalid: self.invalid,
            l4: self.l4,
            ip_payload_len: self.ip_payload_len,
            events: self.events,
            tunnel_depth: self.tunnel_depth,
        }
    }
}

/// Empties a packet vector and re-types it for another frame's lifetime, keeping its allocation.
///
/// Packets borrow the reader's frame buffer, so a `Vec<Packet<'a>>` cannot outlive the frame;
/// this lets a pipeline reuse one vector for every frame without allocating:
/// `out = recycle_packets(out)` after processing each frame.
#[allow(clippy::unnecessary_filter_map)] // the point is the type change, not the filtering
pub fn recycle_packets<'b>(mut v: Vec<Packet<'_>>) -> Vec<Packet<'b>> {
    v.clear();
    // the element types have the same layout: std collects in place, reusing the allocation
    v.into_iter().filter_map(|_| None).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycle_keeps_capacity() {
        let data = [1u8, 2, 3];
        let frame = Frame {
            ts: Timestamp::default(),
            linktype: 1,
            data: &data,
            orig_len: 3,
        };
        let mut v = Vec::with_capacity(16);
        v.push(Packet::from_frame(&frame));
        let cap = v.capacity();
        let r: Vec<Packet<'static>> = recycle_packets(v);
        assert!(r.is_empty());
        assert_eq!(r.capacity(), cap);
    }
}
