//! Community ID v1 (<https://github.com/corelight/community-id-spec>).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use std::net::IpAddr;

use crate::packet::{PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP};

const PROTO_SCTP: u8 = 132;

/// Request/reply counterpart of an ICMP/ICMPv6 type, when the type has one.
fn icmp_counterpart(v6: bool, t: u8) -> Option<u8> {
    if v6 {
        match t {
            128 => Some(129),
            129 => Some(128),
            130 => Some(131),
            131 => Some(130),
            133 => Some(134),
            134 => Some(133),
            135 => Some(136),
            136 => Some(135),
            139 => Some(140),
            140 => Some(139),
            144 => Some(145),
            145 => Some(144),
            _ => None,
        }
    } else {
        match t {
            8 => Some(0),
            0 => Some(8),
            13 => Some(14),
            14 => Some(13),
            15 => Some(16),
            16 => Some(15),
            10 => Some(9),
            9 => Some(10),
            17 => Some(18),
            18 => Some(17),
            _ => None,
        }
    }
}

/// Counterpart used by the flow table key (same mapping as Community ID; a type
/// without counterpart maps to itself).
pub(crate) fn icmp_key_counterpart(proto: u8, t: u8) -> u8 {
    icmp_counterpart(proto == PROTO_ICMPV6, t).unwrap_or(t)
}

fn addr_bytes(a: &IpAddr, buf: &mut [u8; 16]) -> usize {
    match a {
        IpAddr::V4(v4) => {
            buf[..4].copy_from_slice(&v4.octets());
            4
        }
        IpAddr::V6(v6) => {
            buf.copy_from_slice(&v6.octets());
            16
        }
    }
}

/// Computes the Community ID v1 string (`"1:<base64 sha1>"`).
///
/// For ICMP (1) and ICMPv6 (58) pass the ICMP type as `sport` and the code as `dport`.
/// Protocols other than TCP, UDP, SCTP and ICMP are hashed without ports.
pub fn community_id_v1(
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    proto: u8,
    seed: u16,
) -> String {
    let (mut sp, mut dp, mut one_way) = (sport, dport, false);
    let has_ports = matches!(
        proto,
        PROTO_TCP | PROTO_UDP | PROTO_SCTP | PROTO_ICMP | PROTO_ICMPV6
    );
    if proto == PROTO_ICMP || proto == PROTO_ICMPV6 {
        let t = (sport & 0xff) as u8;
        match icmp_counterpart(proto == PROTO_ICMPV6, t) {
            Some(c) => {
                sp = u16::from(t);
                dp = u16::from(c);
            }
            None => {
                sp = u16::from(t);
                dp = dport;
                one_way = true;
            }
        }
    }
    let mut sa = [0u8; 16];
    let mut da = [0u8; 16];
    let sl = addr_bytes(&src, &mut sa);
    let dl = addr_bytes(&dst, &mut da);
    let (s, d) = (sa.get(..sl).unwrap_or(&[]), da.get(..dl).unwrap_or(&[]));
    let ordered = one_way || s < d || (s == d && sp <= dp);
    let (a, b, pa, pb) = if ordered {
        (s, d, sp, dp)
    } else {
        (d, s, dp, sp)
    };
    let mut h = Sha1::new();
    h.update(seed.to_be_bytes());
    h.update(a);
    h.update(b);
    h.update([proto, 0]);
    if has_ports {
        h.update(pa.to_be_bytes());
        h.update(pb.to_be_bytes());
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(30);
    out.push_str("1:");
    STANDARD.encode_string(digest, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test ip")
    }

    #[test]
    fn spec_vectors() {
        assert_eq!(
            community_id_v1(ip("128.232.110.120"), ip("66.35.250.204"), 34855, 80, 6, 0),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        // reverse direction yields the same id
        assert_eq!(
            community_id_v1(ip("66.35.250.204"), ip("128.232.110.120"), 80, 34855, 6, 0),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
        );
        assert_eq!(
            community_id_v1(ip("192.168.1.52"), ip("8.8.8.8"), 54585, 53, 17, 0),
            "1:d/FP5EW3wiY1vCndhwleRRKHowQ="
        );
        assert_eq!(
            community_id_v1(ip("192.168.0.89"), ip("192.168.0.1"), 8, 0, 1, 0),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
        );
        // echo reply maps to the same id as the request
        assert_eq!(
            community_id_v1(ip("192.168.0.1"), ip("192.168.0.89"), 0, 0, 1, 0),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="
        );
        assert_eq!(
            community_id_v1(
                ip("fe80::200:86ff:fe05:80da"),
                ip("fe80::260:97ff:fe07:69ea"),
                135,
                0,
                58,
                0
            ),
            "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="
        );
        assert_eq!(
            community_id_v1(ip("192.168.170.8"), ip("192.168.170.56"), 7, 80, 132, 0),
            "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ="
        );
        assert_eq!(
            community_id_v1(ip("192.168.170.56"), ip("192.168.170.8"), 80, 7, 132, 1),
            "1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU="
        );
    }
}
