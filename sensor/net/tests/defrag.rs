//! IPv4 / IPv6 defragmentation.

use std::net::{Ipv4Addr, Ipv6Addr};

use sensor_net::capture::{Frame, Timestamp};
use sensor_net::decode::{
    DecodeCounters, DecodeEvent as E, Decoder, DecoderConfig, DefragConfig, Packet, L4,
};
use sensor_net::testkit::*;

const A: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);
const B: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 2);
const A6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2);

fn feed(dec: &mut Decoder, secs: i64, linktype: u32, data: &[u8]) -> Vec<Packet<'static>> {
    let frame = Frame {
        ts: Timestamp::new(secs, 0),
        linktype,
        data,
        orig_len: data.len() as u32,
    };
    let mut out = Vec::new();
    dec.decode(&frame, &mut out);
    out.into_iter().map(Packet::into_owned).collect()
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn v4_datagram(data: &[u8]) -> Vec<u8> {
    ipv4(A, B, 17, 0x1234, &udp(A.into(), B.into(), 1000, 2000, data))
}

fn reassembled(all: &[Packet<'static>]) -> Vec<Packet<'static>> {
    all.iter().filter(|p| p.reassembled).cloned().collect()
}

#[test]
fn ipv4_in_order() {
    let data = payload(3000);
    let frags = ipv4_fragments(&v4_datagram(&data), 1000);
    assert_eq!(frags.len(), 4);
    let mut dec = Decoder::new();
    let mut all = Vec::new();
    for (i, f) in frags.iter().enumerate() {
        let out = feed(&mut dec, 1, 1, &ethernet(0x0800, f));
        assert!(out[0].is_fragment && out[0].l4 == L4::None);
        assert_eq!(out.len(), if i + 1 == frags.len() { 2 } else { 1 });
        all.extend(out);
    }
    let r = reassembled(&all);
    assert_eq!(r.len(), 1);
    let p = &r[0];
    assert!(!p.is_fragment);
    assert!(matches!(p.l4, L4::Udp(u) if u.sport == 1000 && u.len as usize == 3008));
    assert_eq!(&*p.payload, data.as_slice());
    assert_eq!(p.ip_id, 0x1234);
    assert_eq!(p.l3_offset, 14);
    assert!(p.events.is_empty(), "{:?}", p.events);
    let c: &DecodeCounters = dec.counters();
    assert_eq!(c.defrag.ipv4.fragments, 4);
    assert_eq!(c.defrag.ipv4.reassembled, 1);
    assert_eq!(dec.defrag_pending(), 0);
}

#[test]
fn ipv4_out_of_order_and_raw_link() {
    let data = payload(2500);
    let mut frags = ipv4_fragments(&v4_datagram(&data), 800);
    frags.reverse();
    frags.swap(0, 1);
    let mut dec = Decoder::new();
    let mut all = Vec::new();
    for f in &frags {
        all.extend(feed(&mut dec, 1, 101, f));
    }
    let r = reassembled(&all);
    assert_eq!(r.len(), 1);
    assert_eq!(&*r[0].payload, data.as_slice());
    assert_eq!(r[0].linktype, 101);
}

#[test]
fn ipv4_overlap_first_wins() {
    let data = payload(64);
    let dg = v4_datagram(&data);
    let mut frags = ipv4_fragments(&dg, 32); // 72 bytes of UDP -> 32 + 32 + 8
    assert_eq!(frags.len(), 3);
    // an overlapping fragment at offset 24 (16 bytes of 0xEE) arriving after the first
    let evil = ipv4_with(A, B, 17, 0x1234, 3 | 0x2000, &[], &[0xee; 16]);
    frags.insert(1, evil);
    let mut dec = Decoder::new();
    let mut all = Vec::new();
    for f in &frags {
        all.extend(feed(&mut dec, 1, 228, f));
    }
    assert!(all.iter().any(|p| p.has_event(E::Ipv4FragOverlap)));
    let r = reassembled(&all);
    assert_eq!(r.len(), 1);
    // datagram bytes 24..32 come from the first fragment, 32..40 from the evil one
    let mut want = data.clone();
    for b in &mut want[24..32] {
        *b = 0xee;
    }
    assert_eq!(&*r[0].payload, want.as_slice());
}

#[test]
fn ipv4_timeout_and_too_large() {
    let frags = ipv4_fragments(&v4_datagram(&payload(100)), 48);
    let mut dec = Decoder::new();
    feed(&mut dec, 100, 228, &frags[0]);
    assert_eq!(dec.defrag_pending(), 1);
    // 61 s later the first fragment has expired: the rest does not complete
    let mut all = Vec::new();
    for f in &frags[1..] {
        all.extend(feed(&mut dec, 161, 228, f));
    }
    assert!(reassembled(&all).is_empty());
    assert_eq!(dec.counters().defrag.ipv4.timeouts, 1);
    dec.expire(Timestamp::new(1000, 0));
    assert_eq!(dec.defrag_pending(), 0);
    // offset 65528 + 16 bytes > 65535
    let big = ipv4_with(A, B, 17, 7, 8191, &[], &[0; 16]);
    let out = feed(&mut dec, 1000, 228, &big);
    assert!(out[0].has_event(E::Ipv4FragPktTooLarge));
    assert_eq!(dec.defrag_pending(), 0);
}

#[test]
fn memory_bounds() {
    let cfg = DecoderConfig {
        defrag_config: DefragConfig {
            max_datagrams: 2,
            max_bytes: 1 << 20,
            timeout_secs: 60,
        },
        ..DecoderConfig::default()
    };
    let mut dec = Decoder::with_config(cfg);
    for id in 0..5u16 {
        let f = ipv4_with(A, B, 17, id, 0x2000, &[], &[1; 16]);
        feed(&mut dec, 1, 228, &f);
    }
    assert_eq!(dec.defrag_pending(), 2);
    assert_eq!(dec.counters().defrag.max_frag_hits, 3);
}

#[test]
fn defrag_disabled() {
    let cfg = DecoderConfig {
        defrag: false,
        ..DecoderConfig::default()
    };
    let mut dec = Decoder::with_config(cfg);
    let mut all = Vec::new();
    for f in ipv4_fragments(&v4_datagram(&payload(100)), 48) {
        all.extend(feed(&mut dec, 1, 228, &f));
    }
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|p| p.is_fragment));
}

#[test]
fn ipv6_in_and_out_of_order_with_vlan() {
    let data = payload(2000);
    let seg = tcp(A6.into(), B6.into(), 12345, 8080, 1, 0, 0x10, &data);
    let dg = ipv6(A6, B6, 6, &seg);
    for reverse in [false, true] {
        let mut frags = ipv6_fragments(&dg, 600, 77);
        if reverse {
            frags.reverse();
        }
        let mut dec = Decoder::new();
        let mut all = Vec::new();
        for f in &frags {
            let out = feed(&mut dec, 1, 1, &ethernet_vlan(&[6], 0x86dd, f));
            assert!(out[0].is_fragment);
            assert_eq!(out[0].ip_id, 77);
            all.extend(out);
        }
        let r = reassembled(&all);
        assert_eq!(r.len(), 1, "reverse={reverse}");
        let p = &r[0];
        assert_eq!(p.vlans(), &[6]);
        assert_eq!(p.ip_proto, 6);
        assert!(matches!(p.l4, L4::Tcp(t) if t.sport == 12345));
        assert_eq!(&*p.payload, data.as_slice());
        assert_eq!(p.data.len(), 18 + 40 + 20 + 2000);
        assert_eq!(dec.counters().defrag.ipv6.reassembled, 1);
    }
}

#[test]
fn ipv6_fragment_events() {
    let mut dec = Decoder::new();
    // atomic fragment (offset 0, M=0): useless fragment header, decoded as a whole
    let seg = udp(A6.into(), B6.into(), 1, 2, b"atomic");
    let mut fh = vec![17, 0, 0, 0, 0, 0, 0, 1];
    fh.extend_from_slice(&seg);
    let out = feed(&mut dec, 1, 229, &ipv6(A6, B6, 44, &fh));
    assert!(out[0].has_event(E::Ipv6ExthdrUselessFh));
    assert_eq!(&*out[0].payload, b"atomic");
    // M=1 with a length not multiple of 8
    let mut fh = vec![17, 0, 0, 1, 0, 0, 0, 2];
    fh.extend_from_slice(&[0; 13]);
    let out = feed(&mut dec, 1, 229, &ipv6(A6, B6, 44, &fh));
    assert!(out[0].has_event(E::Ipv6FragInvalidLength));
    // reserved field
    let mut fh = vec![17, 1, 0, 1, 0, 0, 0, 3];
    fh.extend_from_slice(&[0; 16]);
    let out = feed(&mut dec, 1, 229, &ipv6(A6, B6, 44, &fh));
    assert!(out[0].has_event(E::Ipv6FhNonZeroReservedField));
    // too large
    let mut fh = vec![17, 0, 0xff, 0xf9, 0, 0, 0, 4];
    fh.extend_from_slice(&[0; 16]);
    let out = feed(&mut dec, 1, 229, &ipv6(A6, B6, 44, &fh));
    assert!(out[0].has_event(E::Ipv6FragPktTooLarge));
}
