//! Compiler tests: compiled programs are run by the test interpreter over packets built with
//! the testkit and compared with the verdicts libpcap semantics give.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::interp::{run, Meta};
use super::{compile, FilterError, LinkLayer};
use crate::testkit::*;

const A4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B4: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const C4: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 5);

fn a6() -> Ipv6Addr {
    "2001:db8::1".parse().unwrap()
}
fn b6() -> Ipv6Addr {
    "2001:db8::2".parse().unwrap()
}
fn c6() -> Ipv6Addr {
    "2001:db8:1::5".parse().unwrap()
}

/// Named test packets.
fn corpus() -> Vec<(&'static str, Vec<u8>, Meta)> {
    let none = Meta::default();
    let udp_dg = udp(A4.into(), B4.into(), 1000, 53, &[0u8; 64]);
    let frag_dg = ipv4(A4, B4, 17, 7, &udp_dg);
    let frags = ipv4_fragments(&frag_dg, 32);
    let opts_tcp = {
        let seg = tcp(A4.into(), C4.into(), 40000, 80, 1, 0, 0x02, b"");
        ethernet(
            0x0800,
            &ipv4_with(A4, C4, 6, 9, 0, &[1, 1, 1, 1, 1, 1, 1, 0], &seg),
        )
    };
    let v6_frag_udp = {
        let dg = udp(a6().into(), b6().into(), 1000, 53, &[0u8; 64]);
        let whole = ipv6(a6(), b6(), 17, &dg);
        ethernet(0x86dd, &ipv6_fragments(&whole, 32, 5)[0])
    };
    let vlan_udp = ethernet_vlan(
        &[100],
        0x0800,
        &ipv4(A4, B4, 17, 1, &udp(A4.into(), B4.into(), 1000, 53, b"x")),
    );
    let arp = ethernet(0x0806, &[0u8; 28]);
    vec![
        ("v4udp", eth_ipv4_udp(A4, B4, 1000, 53, b"q"), none),
        (
            "v4tcp",
            eth_ipv4_tcp(A4, C4, 40000, 80, 1, 0, 0x02, b""),
            none,
        ),
        ("v4icmp", eth_ipv4_icmp(B4, A4, 8, 0, 1, 1, b"ping"), none),
        ("v4tcp_opts", opts_tcp, none),
        ("v4frag0", ethernet(0x0800, &frags[0]), none),
        ("v4frag1", ethernet(0x0800, &frags[1]), none),
        ("v6udp", eth_ipv6_udp(a6(), b6(), 1000, 53, b"q"), none),
        (
            "v6tcp",
            eth_ipv6_tcp(a6(), c6(), 40000, 443, 1, 0, 0x02, b""),
            none,
        ),
        (
            "v6icmp",
            eth_ipv6_icmp(b6(), a6(), 128, 0, 1, 1, b"ping"),
            none,
        ),
        ("v6frag_udp", v6_frag_udp, none),
        ("vlan_inband", vlan_udp, none),
        (
            "vlan_stripped",
            eth_ipv4_udp(A4, B4, 1000, 53, b"q"),
            Meta {
                vlan_tci: Some(200),
            },
        ),
        ("arp", arp, none),
    ]
}

/// Checks that `expr` accepts exactly the packets named in `accepted`.
fn check(expr: &str, accepted: &[&str]) {
    let prog = compile(expr, LinkLayer::Ethernet, 65535)
        .unwrap_or_else(|e| panic!("{expr:?} failed to compile: {e}"));
    let known: Vec<&str> = corpus().iter().map(|c| c.0).collect();
    for name in accepted {
        assert!(known.contains(name), "unknown packet name {name}");
    }
    for (name, pkt, meta) in corpus() {
        let verdict = run(&prog, &pkt, meta) != 0;
        let want = accepted.contains(&name);
        assert_eq!(
            verdict, want,
            "filter {expr:?} on packet {name}: got {verdict}, want {want}\n{prog:?}"
        );
    }
}

const ALL_V4: &[&str] = &[
    "v4udp",
    "v4tcp",
    "v4icmp",
    "v4tcp_opts",
    "v4frag0",
    "v4frag1",
    "vlan_stripped",
];

#[test]
fn protocol_keywords_match_their_protocol_in_v4_and_v6() {
    check("ip", ALL_V4);
    check("ip6", &["v6udp", "v6tcp", "v6icmp", "v6frag_udp"]);
    check("tcp", &["v4tcp", "v4tcp_opts", "v6tcp"]);
    check(
        "udp",
        &[
            "v4udp",
            "v4frag0",
            "v4frag1",
            "v6udp",
            "v6frag_udp",
            "vlan_stripped",
        ],
    );
    check("icmp", &["v4icmp"]);
    check("icmp6", &["v6icmp"]);
    check("ip proto 6", &["v4tcp", "v4tcp_opts"]);
    check("ip6 proto 17", &["v6udp", "v6frag_udp"]);
}

#[test]
fn host_primitives_respect_direction_and_family() {
    check(
        "host 10.0.0.2",
        &["v4udp", "v4icmp", "v4frag0", "v4frag1", "vlan_stripped"],
    );
    check("src host 10.0.0.2", &["v4icmp"]);
    check(
        "dst host 10.0.0.2",
        &["v4udp", "v4frag0", "v4frag1", "vlan_stripped"],
    );
    check(
        "host 2001:db8::1",
        &["v6udp", "v6tcp", "v6icmp", "v6frag_udp"],
    );
    check("dst host 2001:db8::1", &["v6icmp"]);
    check("src 2001:db8::2", &["v6icmp"]);
    check("ip6 host 2001:db8:1::5", &["v6tcp"]);
}

#[test]
fn net_primitives_compare_only_the_prefix() {
    check("net 192.168.0.0/16", &["v4tcp", "v4tcp_opts"]);
    check(
        "src net 10.0.0.0/8",
        &[
            "v4udp",
            "v4tcp",
            "v4icmp",
            "v4tcp_opts",
            "v4frag0",
            "v4frag1",
            "vlan_stripped",
        ],
    );
    check(
        "dst net 10.0.0.0/30",
        &["v4udp", "v4icmp", "v4frag0", "v4frag1", "vlan_stripped"],
    );
    check("net 2001:db8:1::/48", &["v6tcp"]);
    check(
        "net 2001:db8::/32",
        &["v6udp", "v6tcp", "v6icmp", "v6frag_udp"],
    );
    check("dst net 2001:db8::/120", &["v6udp", "v6icmp", "v6frag_udp"]);
    check("net 0.0.0.0/0", ALL_V4);
}

#[test]
fn port_primitives_handle_ipv4_header_length_and_fragments() {
    // The non-first fragment carries no UDP header: `port 53` must not match it.
    check("port 53", &["v4udp", "v4frag0", "v6udp", "vlan_stripped"]);
    check("dst port 80", &["v4tcp", "v4tcp_opts"]);
    check("src port 40000", &["v4tcp", "v4tcp_opts", "v6tcp"]);
    check("tcp port 443", &["v6tcp"]);
    check("udp port 80", &[]);
    check("tcp dst port 53", &[]);
    check(
        "portrange 50-90",
        &[
            "v4udp",
            "v4tcp",
            "v4tcp_opts",
            "v4frag0",
            "v6udp",
            "vlan_stripped",
        ],
    );
    check("dst portrange 81-500", &["v6tcp"]);
    check(
        "portrange 90-50",
        &[
            "v4udp",
            "v4tcp",
            "v4tcp_opts",
            "v4frag0",
            "v6udp",
            "vlan_stripped",
        ],
    );
}

#[test]
fn boolean_operators_follow_libpcap_precedence() {
    check("tcp or icmp", &["v4tcp", "v4tcp_opts", "v6tcp", "v4icmp"]);
    check("not ip and not ip6", &["vlan_inband", "arp"]);
    check("! (ip or ip6)", &["vlan_inband", "arp"]);
    check("udp && ! port 53", &["v4frag1", "v6frag_udp"]);
    // Equal precedence, left to right: (tcp or udp) and ip6.
    check("tcp or udp and ip6", &["v6tcp", "v6udp", "v6frag_udp"]);
    check(
        "tcp or (udp and ip6)",
        &["v4tcp", "v4tcp_opts", "v6tcp", "v6udp", "v6frag_udp"],
    );
    // A bare value reuses the previous qualifiers.
    check("port 80 or 443", &["v4tcp", "v4tcp_opts", "v6tcp"]);
    check("host 10.0.0.1 and not 10.0.0.2", &["v4tcp", "v4tcp_opts"]);
    check(
        "",
        &[
            "v4udp",
            "v4tcp",
            "v4icmp",
            "v4tcp_opts",
            "v4frag0",
            "v4frag1",
            "v6udp",
            "v6tcp",
            "v6icmp",
            "v6frag_udp",
            "vlan_inband",
            "vlan_stripped",
            "arp",
        ],
    );
}

#[test]
fn vlan_matches_stripped_and_in_band_tags() {
    check("vlan", &["vlan_inband", "vlan_stripped"]);
    check("vlan 100", &["vlan_inband"]);
    check("vlan 200 and udp", &["vlan_stripped"]);
    check("not vlan and udp port 53", &["v4udp", "v4frag0", "v6udp"]);
}

#[test]
fn accepted_packets_return_the_snap_length() {
    let prog = compile("udp", LinkLayer::Ethernet, 96).unwrap();
    let pkt = eth_ipv4_udp(A4, B4, 1, 2, b"");
    assert_eq!(run(&prog, &pkt, Meta::default()), 96);
}

#[test]
fn raw_ip_link_layer_uses_version_nibble() {
    let prog = compile("udp port 53 and host 10.0.0.2", LinkLayer::RawIp, 65535).unwrap();
    let ethless = |f: Vec<u8>| f[14..].to_vec();
    let meta = Meta::default();
    assert_ne!(
        run(&prog, &ethless(eth_ipv4_udp(A4, B4, 1000, 53, b"")), meta),
        0
    );
    assert_eq!(
        run(&prog, &ethless(eth_ipv4_udp(A4, C4, 1000, 53, b"")), meta),
        0
    );
    let prog6 = compile("ip6 and tcp port 443", LinkLayer::RawIp, 65535).unwrap();
    let p6 = ethless(eth_ipv6_tcp(a6(), c6(), 1, 443, 0, 0, 2, b""));
    assert_ne!(run(&prog6, &p6, meta), 0);
}

#[test]
fn truncated_packets_are_rejected_not_read_out_of_bounds() {
    let prog = compile("tcp port 80", LinkLayer::Ethernet, 65535).unwrap();
    let full = eth_ipv4_tcp(A4, C4, 40000, 80, 1, 0, 0x02, b"");
    for cut in 0..full.len() {
        let v = run(&prog, &full[..cut], Meta::default());
        if cut < 14 + 20 + 4 {
            assert_eq!(v, 0, "cut at {cut}");
        }
    }
}

#[test]
fn long_or_chains_use_trampolines_for_far_jumps() {
    let expr: Vec<String> = (1..=40).map(|i| format!("host 2001:db8::{i:x}")).collect();
    let expr = expr.join(" or ");
    let prog = compile(&expr, LinkLayer::Ethernet, 65535).unwrap();
    assert!(prog.len() > 300, "program long enough to need far jumps");
    let hit = eth_ipv6_udp("2001:db8::28".parse().unwrap(), c6(), 1, 2, b"");
    let first = eth_ipv6_udp(c6(), "2001:db8::1".parse().unwrap(), 1, 2, b"");
    let miss = eth_ipv6_udp(c6(), "2001:db8::29".parse().unwrap(), 1, 2, b"");
    assert_ne!(run(&prog, &hit, Meta::default()), 0);
    assert_ne!(run(&prog, &first, Meta::default()), 0);
    assert_eq!(run(&prog, &miss, Meta::default()), 0);
}

fn err(expr: &str) -> FilterError {
    compile(expr, LinkLayer::Ethernet, 65535).expect_err(expr)
}

#[test]
fn syntax_errors_name_position_and_expectation() {
    match err("host") {
        FilterError::Syntax {
            pos,
            expected,
            found,
        } => {
            assert_eq!(pos, 4);
            assert!(expected.contains("address"), "{expected}");
            assert_eq!(found, "end of expression");
        }
        e => panic!("unexpected {e:?}"),
    }
    match err("tcp and (udp or") {
        FilterError::Syntax { pos, found, .. } => {
            assert_eq!(pos, 15);
            assert_eq!(found, "end of expression");
        }
        e => panic!("unexpected {e:?}"),
    }
    match err("tcp foo") {
        FilterError::Syntax {
            pos,
            expected,
            found,
        } => {
            assert_eq!((pos, found.as_str()), (4, "'foo'"));
            assert!(expected.contains("'and'"), "{expected}");
        }
        e => panic!("unexpected {e:?}"),
    }
    assert!(matches!(
        err("port 70000"),
        FilterError::Value { pos: 5, .. }
    ));
    assert!(matches!(
        err("net 10.0.0.1/8"),
        FilterError::Value { pos: 4, .. }
    ));
    assert!(matches!(
        err("ip host 2001:db8::1"),
        FilterError::Value { pos: 8, .. }
    ));
    assert!(matches!(
        err("portrange 10"),
        FilterError::Syntax { pos: 10, .. }
    ));
    assert!(matches!(
        err("host 10.0.0.300"),
        FilterError::Syntax { pos: 5, .. }
    ));
    assert!(matches!(err("a & b"), FilterError::Syntax { pos: 2, .. }));
    assert!(matches!(err("(tcp"), FilterError::Syntax { pos: 4, .. }));
    assert!(matches!(err("tcp)"), FilterError::Syntax { pos: 3, .. }));
    let msg = err("udp or").to_string();
    assert!(
        msg.contains("offset 6") && msg.contains("expected"),
        "{msg}"
    );
}
