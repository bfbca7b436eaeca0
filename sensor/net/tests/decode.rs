//! Layer-by-layer decoding, link types, tunnels and decoder events.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use sensor_net::capture::{Frame, Timestamp};
use sensor_net::decode::{tcp_flags, DecodeEvent as E, Decoder, Ipv4Opts, Ipv6Exts, Packet, L4};
use sensor_net::testkit::*;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const A6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

fn decode_with(dec: &mut Decoder, linktype: u32, data: &[u8]) -> Vec<Packet<'static>> {
    let frame = Frame {
        ts: Timestamp::new(1_700_000_000, 0),
        linktype,
        data,
        orig_len: data.len() as u32,
    };
    let mut out = Vec::new();
    dec.decode(&frame, &mut out);
    out.into_iter().map(Packet::into_owned).collect()
}

fn decode(linktype: u32, data: &[u8]) -> Vec<Packet<'static>> {
    decode_with(&mut Decoder::new(), linktype, data)
}

fn one(linktype: u32, data: &[u8]) -> Packet<'static> {
    let mut v = decode(linktype, data);
    assert_eq!(v.len(), 1, "expected exactly one packet");
    v.remove(0)
}

#[test]
fn ethernet_ipv4_tcp() {
    let f = eth_ipv4_tcp(
        A,
        B,
        1234,
        80,
        100,
        200,
        tcp_flags::PSH | tcp_flags::ACK,
        b"GET /",
    );
    let p = one(1, &f);
    assert_eq!(p.ip_version, 4);
    assert_eq!(p.src, IpAddr::V4(A));
    assert_eq!(p.dst, IpAddr::V4(B));
    assert_eq!(p.ip_proto, 6);
    assert_eq!(p.ttl, 64);
    assert_eq!(p.l3_offset, 14);
    let t = p.tcp().expect("tcp");
    assert_eq!(
        (t.sport, t.dport, t.seq, t.ack, t.flags, t.hlen),
        (1234, 80, 100, 200, 0x18, 20)
    );
    assert_eq!(&*p.payload, b"GET /");
    assert_eq!(p.ip_payload_len, 25);
    assert!(p.events.is_empty() && !p.invalid && !p.is_fragment);
    assert_eq!(p.ports(), Some((1234, 80)));
}

#[test]
fn tcp_options() {
    let opts = [
        2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
    ];
    let seg = tcp_with_options(A.into(), B.into(), 1, 2, 3, 0, tcp_flags::SYN, &opts, b"");
    let p = one(1, &ethernet(0x0800, &ipv4(A, B, 6, 1, &seg)));
    let t = p.tcp().expect("tcp");
    assert_eq!(t.mss, Some(1460));
    assert_eq!(t.wscale, Some(7));
    assert!(t.sack_permitted);
    assert_eq!(t.timestamp, Some((1, 2)));
    assert_eq!(t.hlen, 40);
    // duplicate MSS and bad length
    let opts = [2, 4, 0x05, 0xb4, 2, 4, 0x05, 0xb4, 3, 4, 0, 0];
    let seg = tcp_with_options(A.into(), B.into(), 1, 2, 3, 0, tcp_flags::SYN, &opts, b"");
    let p = one(1, &ethernet(0x0800, &ipv4(A, B, 6, 1, &seg)));
    assert!(p.has_event(E::TcpOptDuplicate));
    assert!(p.has_event(E::TcpOptInvalidLen));
    assert!(!p.invalid);
}

#[test]
fn udp_and_icmp() {
    let p = one(1, &eth_ipv4_udp(A, B, 5353, 53, b"dns"));
    assert!(matches!(p.l4, L4::Udp(u) if u.sport == 5353 && u.dport == 53 && u.len == 11));
    assert_eq!(&*p.payload, b"dns");
    let p = one(1, &eth_ipv4_icmp(A, B, 8, 0, 7, 9, b"ping"));
    assert!(matches!(p.l4, L4::Icmpv4(h) if h.typ == 8 && h.id == Some(7) && h.seq == Some(9)));
    assert_eq!(&*p.payload, b"ping");
    let p = one(1, &eth_ipv4_icmp(A, B, 8, 3, 7, 9, b""));
    assert!(p.has_event(E::Icmpv4UnknownCode));
    let p = one(1, &eth_ipv4_icmp(A, B, 99, 0, 7, 9, b""));
    assert!(p.has_event(E::Icmpv4UnknownType));
    let p = one(1, &eth_ipv6_icmp(A6, B6, 128, 0, 1, 2, b"x"));
    assert!(matches!(p.l4, L4::Icmpv6(h) if h.typ == 128 && h.id == Some(1) && h.seq == Some(2)));
    let p = one(1, &eth_ipv6_icmp(A6, B6, 100, 0, 1, 2, b""));
    assert!(p.has_event(E::Icmpv6ExperimentationType));
    let p = one(1, &eth_ipv6_icmp(A6, B6, 1, 0, 0, 0, b"short"));
    assert!(p.has_event(E::Icmpv6Ipv6TruncPkt));
}

#[test]
fn ipv6_tcp_udp() {
    let p = one(
        1,
        &eth_ipv6_tcp(A6, B6, 40000, 443, 1, 2, tcp_flags::ACK, b"tls"),
    );
    assert_eq!(p.ip_version, 6);
    assert_eq!(p.src, IpAddr::V6(A6));
    assert_eq!(p.ip_proto, 6);
    assert_eq!(&*p.payload, b"tls");
    let p = one(1, &eth_ipv6_udp(A6, B6, 1, 2, b"u"));
    assert!(matches!(p.l4, L4::Udp(_)));
}

#[test]
fn ipv6_extension_headers() {
    let seg = udp(A6.into(), B6.into(), 1, 2, b"data");
    // hop-by-hop (PadN only) -> dest opts (router alert... unknown opt 0x1e) -> UDP
    let mut ext = vec![60, 0, 1, 4, 0, 0, 0, 0];
    ext.extend_from_slice(&[17, 0, 0x1e, 4, 0, 0, 0, 0]);
    ext.extend_from_slice(&seg);
    let p = one(1, &ethernet(0x86dd, &ipv6(A6, B6, 0, &ext)));
    assert_eq!(p.ip_proto, 17);
    assert!(p.ipv6_exthdrs.contains(Ipv6Exts::HOP | Ipv6Exts::DSTOPTS));
    assert!(p.has_event(E::Ipv6HopoptsOnlyPadding));
    assert!(p.has_event(E::Ipv6DstoptsUnknownOpt));
    assert_eq!(&*p.payload, b"data");
    assert_eq!(p.ip_hlen, 56);
    // routing type 0, duplicated
    let mut ext = vec![43, 0, 0, 0, 0, 0, 0, 0];
    ext.extend_from_slice(&[17, 0, 0, 0, 0, 0, 0, 0]);
    ext.extend_from_slice(&seg);
    let p = one(1, &ethernet(0x86dd, &ipv6(A6, B6, 43, &ext)));
    assert!(p.has_event(E::Ipv6RhType0));
    assert!(p.has_event(E::Ipv6ExthdrDuplRh));
    // truncated ext header
    let p = one(1, &ethernet(0x86dd, &ipv6(A6, B6, 0, &[17, 5, 0, 0])));
    assert!(p.has_event(E::Ipv6TruncExthdr) && p.invalid);
    // no next header with data after it
    let p = one(1, &ethernet(0x86dd, &ipv6(A6, B6, 59, b"junk")));
    assert!(p.has_event(E::Ipv6DataAfterNoneHeader));
    // unknown next header
    let p = one(1, &ethernet(0x86dd, &ipv6(A6, B6, 253, b"junk")));
    assert!(p.has_event(E::Ipv6UnknownNextHeader));
    assert_eq!(p.ip_proto, 253);
}

#[test]
fn ipv4_options() {
    let seg = udp(A.into(), B.into(), 1, 2, b"x");
    // record route (len 7, ptr 4) + NOP
    let p = one(
        1,
        &ethernet(
            0x0800,
            &ipv4_with(A, B, 17, 1, 0, &[7, 7, 4, 0, 0, 0, 0, 1], &seg),
        ),
    );
    assert!(p.ipv4_options.contains(Ipv4Opts::RR));
    assert!(p.events.is_empty(), "{:?}", p.events);
    assert!(matches!(p.l4, L4::Udp(_)));
    // invalid length
    let p = one(
        1,
        &ethernet(0x0800, &ipv4_with(A, B, 17, 1, 0, &[7, 9, 4, 0], &seg)),
    );
    assert!(p.has_event(E::Ipv4OptInvalidLen) && p.invalid);
    // malformed record route
    let p = one(
        1,
        &ethernet(0x0800, &ipv4_with(A, B, 17, 1, 0, &[7, 3, 5, 0], &seg)),
    );
    assert!(p.has_event(E::Ipv4OptMalformed), "{:?}", p.events);
    assert!(p.has_event(E::Ipv4OptPadRequired));
    assert!(!p.ipv4_options.contains(Ipv4Opts::RR));
    // duplicate
    let p = one(
        1,
        &ethernet(
            0x0800,
            &ipv4_with(A, B, 17, 1, 0, &[148, 4, 0, 0, 148, 4, 0, 0], &seg),
        ),
    );
    assert!(p.has_event(E::Ipv4OptDuplicate));
    // unknown option: event but still valid
    let p = one(
        1,
        &ethernet(0x0800, &ipv4_with(A, B, 17, 1, 0, &[99, 4, 0, 0], &seg)),
    );
    assert!(p.has_event(E::Ipv4OptInvalid) && !p.invalid);
    assert!(!p.ipv4_options.any());
}

#[test]
fn ipv4_header_events() {
    let good = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"x"));
    let p = one(101, &good[..19]);
    assert!(p.has_event(E::Ipv4PktTooSmall) && p.invalid && !p.has_ip());
    let mut bad = good.clone();
    bad[0] = 0x44;
    assert!(one(228, &bad).has_event(E::Ipv4HlenTooSmall));
    let mut bad = good.clone();
    bad[0] = 0x55;
    assert!(one(228, &bad).has_event(E::Ipv4WrongIpVersion));
    let mut bad = good.clone();
    bad[2..4].copy_from_slice(&10u16.to_be_bytes());
    assert!(one(228, &bad).has_event(E::Ipv4IplenSmallerThanHlen));
    let p = one(228, &good[..good.len() - 1]);
    assert!(p.has_event(E::Ipv4TruncPkt));
    // trailing Ethernet padding is ignored
    let mut padded = good.clone();
    padded.extend_from_slice(&[0; 6]);
    let p = one(228, &padded);
    assert!(p.events.is_empty());
    assert_eq!(&*p.payload, b"x");
    // ICMPv6 over IPv4
    assert!(one(228, &ipv4(A, B, 58, 1, &[128, 0, 0, 0, 0, 0, 0, 0])).has_event(E::Ipv4Icmpv6));
}

#[test]
fn l4_events() {
    let ip4 = |proto, l4: &[u8]| ipv4(A, B, proto, 1, l4);
    assert!(one(228, &ip4(6, &[0; 19])).has_event(E::TcpPktTooSmall));
    let mut seg = tcp(A.into(), B.into(), 1, 2, 0, 0, 2, b"");
    // data offset below 5: Suricata reports an invalid option length
    seg[12] = 0x40;
    assert!(one(228, &ip4(6, &seg)).has_event(E::TcpInvalidOptlen));
    // header longer than the segment
    seg[12] = 0xf0;
    assert!(one(228, &ip4(6, &seg)).has_event(E::TcpHlenTooSmall));
    assert!(one(228, &ip4(17, &[0; 7])).has_event(E::UdpHlenTooSmall));
    let mut d = udp(A.into(), B.into(), 1, 2, b"abc");
    d[4..6].copy_from_slice(&50u16.to_be_bytes());
    assert!(one(228, &ip4(17, &d)).has_event(E::UdpPktTooSmall));
    d[4..6].copy_from_slice(&3u16.to_be_bytes());
    assert!(one(228, &ip4(17, &d)).has_event(E::UdpLenInvalid));
    assert!(one(228, &ip4(1, &[8, 0, 0])).has_event(E::Icmpv4PktTooSmall));
    assert!(one(229, &ipv6(A6, B6, 58, &[1, 0])).has_event(E::Icmpv6PktTooSmall));
    assert!(one(229, &ipv6(A6, B6, 1, &[8, 0, 0, 0, 0, 0, 0, 0])).has_event(E::Ipv6Icmpv4));
}

#[test]
fn vlan_qinq() {
    let ip = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"v"));
    let p = one(1, &ethernet_vlan(&[100], 0x0800, &ip));
    assert_eq!(p.vlans(), &[100]);
    assert_eq!(p.l3_offset, 18);
    let p = one(1, &ethernet_vlan(&[10, 20, 30], 0x0800, &ip));
    assert_eq!(p.vlans(), &[10, 20, 30]);
    assert!(matches!(p.l4, L4::Udp(_)));
    let p = one(1, &ethernet_vlan(&[1, 2, 3, 4], 0x0800, &ip));
    assert!(p.has_event(E::VlanTooManyLayers));
    let p = one(1, &ethernet_vlan(&[5], 0x1234, &ip));
    assert!(p.has_event(E::VlanUnknownType));
    let p = one(1, &ethernet(0x8100, &[0, 1]));
    assert!(p.has_event(E::VlanHeaderTooSmall));
    let mut dec = Decoder::new();
    decode_with(&mut dec, 1, &ethernet_vlan(&[10, 20], 0x0800, &ip));
    assert_eq!(dec.counters().vlan, 1);
    assert_eq!(dec.counters().vlan_qinq, 1);
}

#[test]
fn link_types() {
    let ip = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"L"));
    let ip6 = ipv6(A6, B6, 17, &udp(A6.into(), B6.into(), 1, 2, b"L"));
    let check4 = |p: &Packet<'_>| {
        assert_eq!(p.ip_version, 4, "{:?}", p.events);
        assert_eq!(&*p.payload, b"L");
    };
    let check6 = |p: &Packet<'_>| {
        assert_eq!(p.ip_version, 6, "{:?}", p.events);
        assert_eq!(&*p.payload, b"L");
    };
    for lt in [101, 12, 14] {
        check4(&one(lt, &ip));
        check6(&one(lt, &ip6));
    }
    check4(&one(228, &ip));
    check6(&one(229, &ip6));
    // SLL: 16-byte header, protocol at 14
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    check4(&one(113, &sll));
    assert!(one(113, &sll[..10]).has_event(E::SllPktTooSmall));
    // SLL2: protocol at 0, 20-byte header
    let mut sll2 = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&ip6);
    check6(&one(276, &sll2));
    // NULL: host order (little endian here) and network order; LOOP
    for fam in [2u32.to_le_bytes(), 2u32.to_be_bytes()] {
        let mut f = fam.to_vec();
        f.extend_from_slice(&ip);
        check4(&one(0, &f));
        check4(&one(108, &f));
    }
    for fam in [24u32, 28, 30] {
        let mut f = fam.to_le_bytes().to_vec();
        f.extend_from_slice(&ip6);
        check6(&one(0, &f));
    }
    let mut f = 99u32.to_be_bytes().to_vec();
    f.extend_from_slice(&ip);
    assert!(one(0, &f).has_event(E::LtnullUnsupportedType));
    assert!(one(0, &[2, 0]).has_event(E::LtnullPktTooSmall));
    assert!(one(101, &[0x50; 30]).has_event(E::IprawInvalidIpVersion));
    assert!(one(1, &[0; 10]).has_event(E::EthernetPktTooSmall));
    // unknown link type: one packet, nothing decoded
    assert!(!one(9999, &ip).has_ip());
}

#[test]
fn pppoe_and_mpls() {
    let ip = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"P"));
    let mut s = vec![0x11, 0, 0, 1];
    s.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(&[0, 0x21]);
    s.extend_from_slice(&ip);
    let p = one(1, &ethernet(0x8864, &s));
    assert_eq!(p.ip_version, 4);
    assert_eq!(&*p.payload, b"P");
    let mut bad = s.clone();
    bad[1] = 7;
    assert!(one(1, &ethernet(0x8864, &bad)).has_event(E::PppoeWrongCode));
    assert!(one(1, &ethernet(0x8864, &s[..4])).has_event(E::PppoePktTooSmall));
    let mut unsup = s.clone();
    unsup[7] = 0x23;
    assert!(one(1, &ethernet(0x8864, &unsup)).has_event(E::PppUnsupProto));
    // MPLS: label 100 (not BOS), label 200 (BOS), IPv4 payload
    let mut m = ((100u32 << 12) | 64).to_be_bytes().to_vec();
    m.extend_from_slice(&((200u32 << 12) | 0x100 | 64).to_be_bytes());
    m.extend_from_slice(&ip);
    let p = one(1, &ethernet(0x8847, &m));
    assert_eq!(p.ip_version, 4);
    assert!(one(1, &ethernet(0x8847, &[0, 0])).has_event(E::MplsHeaderTooSmall));
}

#[test]
fn ip_in_ip_tunnels() {
    let inner = ipv4(
        B,
        A,
        6,
        9,
        &tcp(B.into(), A.into(), 1, 2, 3, 4, 0x10, b"in"),
    );
    let outer = ipv6(A6, B6, 4, &inner);
    let v = decode(1, &ethernet(0x86dd, &outer));
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].ip_version, 6);
    assert_eq!(v[0].ip_proto, 4);
    assert_eq!(v[0].tunnel_depth, 0);
    assert_eq!(v[1].ip_version, 4);
    assert_eq!(v[1].tunnel_depth, 1);
    assert_eq!(&*v[1].payload, b"in");
    // 6in4, 6in6
    let inner6 = ipv6(B6, A6, 17, &udp(B6.into(), A6.into(), 1, 2, b"66"));
    let v = decode(228, &ipv4(A, B, 41, 1, &inner6));
    assert_eq!(v.len(), 2);
    assert_eq!(&*v[1].payload, b"66");
    let v = decode(229, &ipv6(A6, B6, 41, &inner6));
    assert_eq!(v.len(), 2);
    // errors on the outer packet
    let p = one(229, &ipv6(A6, B6, 4, &[0x45; 10]));
    assert!(p.has_event(E::Ipv6Ipv4InIpv6TooSmall));
    let p = one(229, &ipv6(A6, B6, 4, &[0x65; 20]));
    assert!(p.has_event(E::Ipv6Ipv4InIpv6WrongVersion));
    let p = one(229, &ipv6(A6, B6, 41, &[0x60; 20]));
    assert!(p.has_event(E::Ipv6Ipv6InIpv6TooSmall));
    let p = one(229, &ipv6(A6, B6, 41, &[0x45; 40]));
    assert!(p.has_event(E::Ipv6Ipv6InIpv6WrongVersion));
    // deep nesting stops with too_many_layers
    let mut d = inner.clone();
    for _ in 0..20 {
        d = ipv4(A, B, 4, 1, &d);
    }
    let v = decode(228, &d);
    assert!(v.iter().any(|p| p.has_event(E::TooManyLayers)));
}

#[test]
fn gre_tunnels() {
    let inner = ipv4(B, A, 17, 9, &udp(B.into(), A.into(), 1, 2, b"gre"));
    let mut g = vec![0, 0, 0x08, 0x00];
    g.extend_from_slice(&inner);
    let v = decode(228, &ipv4(A, B, 47, 1, &g));
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].ip_proto, 47);
    assert_eq!(&*v[1].payload, b"gre");
    // with key + sequence
    let mut g = vec![0x30, 0, 0x08, 0x00, 0, 0, 0, 1, 0, 0, 0, 2];
    g.extend_from_slice(&inner);
    assert_eq!(decode(228, &ipv4(A, B, 47, 1, &g)).len(), 2);
    // transparent Ethernet bridging
    let mut g = vec![0, 0, 0x65, 0x58];
    g.extend_from_slice(&ethernet(0x0800, &inner));
    let v = decode(228, &ipv4(A, B, 47, 1, &g));
    assert_eq!(v.len(), 2);
    assert_eq!(&*v[1].payload, b"gre");
    // IPv6 payload
    let inner6 = ipv6(B6, A6, 17, &udp(B6.into(), A6.into(), 1, 2, b"g6"));
    let mut g = vec![0, 0, 0x86, 0xdd];
    g.extend_from_slice(&inner6);
    assert_eq!(decode(228, &ipv4(A, B, 47, 1, &g)).len(), 2);
    // PPTP (version 1) with PPP/IPv4
    let mut g = vec![
        0x30, 0x81, 0x88, 0x0b, 0, 10, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0xff, 0x03, 0x00, 0x21,
    ];
    g[4..6].copy_from_slice(&((inner.len() + 4) as u16).to_be_bytes());
    g.extend_from_slice(&inner);
    let v = decode(228, &ipv4(A, B, 47, 1, &g));
    assert_eq!(v.len(), 2, "{:?}", v[0].events);
    // events
    let gre = |b: &[u8]| one(228, &ipv4(A, B, 47, 1, b));
    assert!(gre(&[0, 0]).has_event(E::GrePktTooSmall));
    assert!(gre(&[0, 3, 8, 0]).has_event(E::GreWrongVersion));
    assert!(gre(&[1, 0, 8, 0]).has_event(E::GreVersion0Recur));
    assert!(gre(&[0, 0x08, 8, 0]).has_event(E::GreVersion0Flags));
    assert!(gre(&[0x20, 0, 8, 0, 0]).has_event(E::GreVersion0HdrTooBig));
    assert!(gre(&[0x20, 1, 8, 0, 0, 0, 0, 0]).has_event(E::GreVersion1WrongProtocol));
    assert!(gre(&[0x00, 1, 0x88, 0x0b, 0, 0, 0, 0]).has_event(E::GreVersion1NoKey));
    assert!(gre(&[0x80, 1, 0x88, 0x0b, 0, 0, 0, 0]).has_event(E::GreVersion1Chksum));
    assert!(gre(&[0x20, 1, 0x88, 0x0b, 0, 0]).has_event(E::GreVersion1HdrTooBig));
}

#[test]
fn counters_and_serialization() {
    let mut dec = Decoder::new();
    decode_with(&mut dec, 1, &eth_ipv4_tcp(A, B, 1, 2, 3, 4, 2, b""));
    decode_with(&mut dec, 1, &eth_ipv6_udp(A6, B6, 1, 2, b"abc"));
    decode_with(&mut dec, 1, &[0; 5]);
    let c = dec.counters();
    assert_eq!(
        (c.pkts, c.ipv4, c.ipv6, c.tcp, c.udp, c.ethernet, c.invalid),
        (3, 1, 1, 1, 1, 3, 1)
    );
    assert_eq!(c.event.get(E::EthernetPktTooSmall), 1);
    assert_eq!(c.max_pkt_size, 65);
    let json = serde_json_like(c);
    assert!(json.contains("\"ethernet.pkt_too_small\":1"), "{json}");
    assert!(json.contains("\"vlan_qinq\":0"));
}

fn serde_json_like(c: &sensor_net::decode::DecodeCounters) -> String {
    serde_json::to_string(c).expect("serialize")
}

#[test]
fn udp_tunnels_teredo_vxlan() {
    let inner6 = ipv6(A6, B6, 17, &udp(A6.into(), B6.into(), 1, 2, b"teredo"));
    let v = decode(1, &eth_ipv4_udp(A, B, 3544, 40000, &inner6));
    assert_eq!(v.len(), 2);
    assert!(matches!(v[0].l4, L4::Udp(_)));
    assert_eq!(v[1].ip_version, 6);
    assert_eq!(&*v[1].payload, b"teredo");
    // with an origin indication
    let mut p = vec![0, 0, 1, 2, 3, 4, 5, 6];
    p.extend_from_slice(&inner6);
    assert_eq!(decode(1, &eth_ipv4_udp(A, B, 40000, 3544, &p)).len(), 2);
    // not IPv6: plain UDP
    assert_eq!(
        decode(1, &eth_ipv4_udp(A, B, 3544, 40000, b"hello")).len(),
        1
    );
    // VXLAN
    let mut vx = vec![0x08, 0, 0, 0, 0, 0, 42, 0];
    vx.extend_from_slice(&eth_ipv4_tcp(B, A, 5, 6, 7, 8, 0x10, b"vx"));
    let v = decode(1, &eth_ipv4_udp(A, B, 40000, 4789, &vx));
    assert_eq!(v.len(), 2);
    assert_eq!(&*v[1].payload, b"vx");
    assert_eq!(v[1].tunnel_depth, 1);
    // disabled
    let mut dec = Decoder::with_config(sensor_net::decode::DecoderConfig {
        teredo: false,
        vxlan: false,
        ..Default::default()
    });
    assert_eq!(
        decode_with(&mut dec, 1, &eth_ipv4_udp(A, B, 40000, 4789, &vx)).len(),
        1
    );
}

#[test]
fn dce_encapsulation() {
    let inner = eth_ipv6_udp(A6, B6, 1, 2, b"dce");
    let mut d = vec![0x00, 0x20];
    d.extend_from_slice(&inner);
    let p = one(1, &ethernet(0x8903, &d));
    assert_eq!(p.ip_version, 6);
    assert_eq!(&*p.payload, b"dce");
    assert!(one(1, &ethernet(0x8903, &[0; 10])).has_event(E::DcePktTooSmall));
}

#[test]
fn pppoe_compressed_protocol_field() {
    let ip = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"c"));
    let mut s = vec![0x11, 0, 0, 0x2d];
    s.extend_from_slice(&((ip.len() + 1) as u16).to_be_bytes());
    s.push(0x21);
    s.extend_from_slice(&ip);
    let p = one(1, &ethernet(0x8864, &s));
    assert_eq!(p.ip_version, 4, "{:?}", p.events);
    assert_eq!(&*p.payload, b"c");
    // an unknown protocol is a wrong type, a known undecoded one is unsupported
    let mut w = s.clone();
    w[6] = 0x12;
    w[7] = 0x34;
    assert!(one(1, &ethernet(0x8864, &w)).has_event(E::PppWrongType));
    w[6] = 0xc0;
    w[7] = 0x21;
    assert!(one(1, &ethernet(0x8864, &w)).has_event(E::PppUnsupProto));
}
