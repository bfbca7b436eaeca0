//! Flow keys: the public client/server key and the normalized hash key.

use std::net::IpAddr;

use crate::community_id::icmp_key_counterpart;
use crate::packet::{PacketMeta, PROTO_ICMP, PROTO_ICMPV6};

/// Flow identity as seen from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Client address.
    pub src_ip: IpAddr,
    /// Server address.
    pub dst_ip: IpAddr,
    /// Client port (ICMP: the client's ICMP type).
    pub sport: u16,
    /// Server port (ICMP: the counterpart type, e.g. 0 for echo request 8).
    pub dport: u16,
    /// IP protocol.
    pub proto: u8,
    /// VLAN ids (unused entries are 0).
    pub vlan: [u16; 3],
    /// Number of VLAN ids.
    pub vlan_count: u8,
}

/// Normalized (direction-independent) hash key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct NormKey {
    a: u128,
    b: u128,
    pa: u16,
    pb: u16,
    proto: u8,
    v6: bool,
    vlan_count: u8,
    vlan: [u16; 3],
}

fn ip_u128(ip: &IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(*v4)), false),
        IpAddr::V6(v6) => (u128::from(*v6), true),
    }
}

/// Ports used for the key: real ports, or ICMP type and its counterpart.
pub(crate) fn key_ports(p: &PacketMeta<'_>) -> (u16, u16) {
    if p.proto == PROTO_ICMP || p.proto == PROTO_ICMPV6 {
        match p.icmp {
            Some((t, _, _)) => (u16::from(t), u16::from(icmp_key_counterpart(p.proto, t))),
            None => (0, 0),
        }
    } else {
        (p.sport, p.dport)
    }
}

impl NormKey {
    /// Builds the normalized key; the bool is true when the packet source is side `a`.
    pub(crate) fn from_packet(p: &PacketMeta<'_>) -> (NormKey, bool) {
        let (s, v6s) = ip_u128(&p.src);
        let (d, v6d) = ip_u128(&p.dst);
        let (sp, dp) = key_ports(p);
        let src_is_a = (s, sp) <= (d, dp);
        let (a, pa, b, pb) = if src_is_a {
            (s, sp, d, dp)
        } else {
            (d, dp, s, sp)
        };
        let n = usize::from(p.vlan_count.min(3));
        let mut vlan = [0u16; 3];
        for (dst, src) in vlan.iter_mut().zip(p.vlan.iter()).take(n) {
            *dst = *src;
        }
        (
            NormKey {
                a,
                b,
                pa,
                pb,
                proto: p.proto,
                v6: v6s || v6d,
                vlan_count: n as u8,
                vlan,
            },
            src_is_a,
        )
    }
}
