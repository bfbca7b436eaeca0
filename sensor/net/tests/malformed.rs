//! Malformed input must never panic: every prefix of valid packets, and random mutations.

use std::net::{Ipv4Addr, Ipv6Addr};

use sensor_net::capture::{Frame, Timestamp};
use sensor_net::decode::{Decoder, Packet};
use sensor_net::testkit::*;

const A: Ipv4Addr = Ipv4Addr::new(10, 1, 1, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 1, 1, 2);
const A6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

const LINKTYPES: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];

fn run(dec: &mut Decoder, linktype: u32, data: &[u8]) -> usize {
    let frame = Frame {
        ts: Timestamp::new(1, 0),
        linktype,
        data,
        orig_len: data.len() as u32,
    };
    let mut out: Vec<Packet<'_>> = Vec::new();
    dec.decode(&frame, &mut out);
    assert!(!out.is_empty());
    out.len()
}

/// Sample valid frames as (linktype, bytes).
fn samples() -> Vec<(u32, Vec<u8>)> {
    let mut v = Vec::new();
    let tcp4 = eth_ipv4_tcp(A, B, 1, 2, 3, 4, 0x12, b"payload");
    let opts = [
        2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 5, 10, 0, 0, 0, 1, 0, 0, 0,
        2,
    ];
    let tcpo = tcp_with_options(A.into(), B.into(), 1, 2, 3, 4, 2, &opts, b"x");
    v.push((1, tcp4.clone()));
    v.push((
        1,
        ethernet(
            0x0800,
            &ipv4_with(A, B, 6, 1, 0, &[7, 7, 4, 0, 0, 0, 0, 148, 4, 0, 0], &tcpo),
        ),
    ));
    v.push((1, eth_ipv4_udp(A, B, 53, 53, b"q")));
    v.push((
        1,
        eth_ipv4_icmp(A, B, 3, 1, 0, 0, &ipv4(B, A, 17, 1, &[0; 8])),
    ));
    v.push((1, eth_ipv6_tcp(A6, B6, 1, 2, 3, 4, 2, b"six")));
    v.push((
        1,
        eth_ipv6_icmp(A6, B6, 1, 0, 0, 0, &ipv6(B6, A6, 17, &[0; 8])),
    ));
    let mut ext = vec![
        60, 0, 1, 4, 0, 0, 0, 0, 51, 0, 0, 0, 0, 0, 0, 0, 17, 2, 0, 0, 0, 0, 0, 0,
    ];
    ext.extend_from_slice(&[0; 8]);
    ext.extend_from_slice(&udp(A6.into(), B6.into(), 1, 2, b"e"));
    v.push((229, ipv6(A6, B6, 0, &ext)));
    v.push((
        1,
        ethernet_vlan(
            &[1, 2, 3],
            0x86dd,
            &ipv6(
                A6,
                B6,
                4,
                &ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"t")),
            ),
        ),
    ));
    let mut gre = vec![0xb0, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2];
    gre.extend_from_slice(&ipv4(
        A,
        B,
        6,
        1,
        &tcp(A.into(), B.into(), 1, 2, 3, 4, 2, b"g"),
    ));
    v.push((228, ipv4(B, A, 47, 1, &gre)));
    let mut pptp = vec![
        0x30, 0x81, 0x88, 0x0b, 0, 24, 0, 1, 0, 0, 0, 5, 0, 0, 0, 4, 0xff, 0x03, 0x00, 0x21,
    ];
    pptp.extend_from_slice(&ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"")));
    v.push((228, ipv4(B, A, 47, 1, &pptp)));
    let ip = ipv4(A, B, 17, 1, &udp(A.into(), B.into(), 1, 2, b"p"));
    let mut pppoe = vec![0x11, 0, 0, 1, 0, (ip.len() + 2) as u8, 0, 0x21];
    pppoe.extend_from_slice(&ip);
    v.push((1, ethernet(0x8864, &pppoe)));
    v.push((
        1,
        ethernet(0x8863, &[0x11, 0x09, 0, 0, 0, 8, 1, 1, 0, 0, 1, 2, 0, 0]),
    ));
    let mut mpls = vec![0, 0x06, 0x41, 0x40];
    mpls.extend_from_slice(&ip);
    v.push((1, ethernet(0x8847, &mpls)));
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&ip);
    v.push((113, sll));
    let mut sll2 = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&ip);
    v.push((276, sll2));
    let mut null = 2u32.to_le_bytes().to_vec();
    null.extend_from_slice(&ip);
    v.push((0, null.clone()));
    v.push((108, null));
    for f in ipv4_fragments(
        &ipv4(A, B, 17, 9, &udp(A.into(), B.into(), 1, 2, &[7; 100])),
        40,
    ) {
        v.push((101, f));
    }
    for f in ipv6_fragments(
        &ipv6(A6, B6, 17, &udp(A6.into(), B6.into(), 1, 2, &[7; 100])),
        40,
        5,
    ) {
        v.push((1, ethernet(0x86dd, &f)));
    }
    v
}

#[test]
fn every_prefix_of_valid_packets() {
    let mut dec = Decoder::new();
    for (lt, bytes) in samples() {
        for cut in 0..=bytes.len() {
            run(&mut dec, lt, &bytes[..cut]);
        }
        // also under every other link type
        for other in LINKTYPES {
            run(&mut dec, other, &bytes);
        }
    }
}

/// Small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_mutations_do_not_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut dec = Decoder::new();
    let samples = samples();
    for round in 0..30_000u32 {
        let (lt, base) = &samples[(rng.next() as usize) % samples.len()];
        let mut b = base.clone();
        let flips = 1 + rng.next() % 4;
        for _ in 0..flips {
            if b.is_empty() {
                break;
            }
            let i = (rng.next() as usize) % b.len();
            b[i] = rng.next() as u8;
        }
        if rng.next() % 4 == 0 {
            let n = (rng.next() as usize) % (b.len() + 1);
            b.truncate(n);
        }
        let secs = i64::from(round / 100);
        let frame = Frame {
            ts: Timestamp::new(secs, 0),
            linktype: *lt,
            data: &b,
            orig_len: b.len() as u32,
        };
        let mut out = Vec::new();
        dec.decode(&frame, &mut out);
        assert!(!out.is_empty());
    }
    // pure noise on every link type
    for _ in 0..20_000 {
        let len = (rng.next() % 128) as usize;
        let b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let lt = LINKTYPES[(rng.next() as usize) % LINKTYPES.len()];
        run(&mut dec, lt, &b);
    }
}
