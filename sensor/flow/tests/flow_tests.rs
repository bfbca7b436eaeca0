//! Flow table tests: direction, counters, ICMP keys, VLANs, timeouts, eviction.

use std::net::IpAddr;

use sensor_flow::packet::tcp_flags::{ACK, FIN, PSH, SYN};
use sensor_flow::{
    Direction, Flow, FlowConfig, FlowReason, FlowState, FlowTable, PacketMeta, StreamConfig,
    StreamOutput, TcpMeta,
};

const SEC: i64 = 1_000_000;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test ip")
}

#[derive(Default, Debug)]
struct User {
    n: u32,
}

fn pkt<'a>(ts: i64, src: &str, sp: u16, dst: &str, dp: u16, proto: u8) -> PacketMeta<'a> {
    PacketMeta {
        ts_micros: ts,
        src: ip(src),
        dst: ip(dst),
        sport: sp,
        dport: dp,
        proto,
        vlan: [0; 3],
        vlan_count: 0,
        tcp: None,
        icmp: None,
        payload: &[],
        len: 60,
    }
}

#[allow(clippy::too_many_arguments)]
fn tcp<'a>(
    ts: i64,
    src: &str,
    sp: u16,
    dst: &str,
    dp: u16,
    flags: u8,
    seq: u32,
    ack: u32,
    payload: &'a [u8],
) -> PacketMeta<'a> {
    let mut p = pkt(ts, src, sp, dst, dp, 6);
    p.tcp = Some(TcpMeta {
        seq,
        ack,
        flags,
        window: 8192,
        ..TcpMeta::default()
    });
    p.payload = payload;
    p
}

fn table() -> FlowTable<User> {
    FlowTable::new(FlowConfig::default(), StreamConfig::default()).expect("valid config")
}

#[test]
fn udp_direction_counters_and_state() {
    let mut t = table();
    let a = t.lookup(&pkt(SEC, "10.0.0.1", 5000, "10.0.0.2", 53, 17));
    assert!(a.is_new);
    assert_eq!(a.direction, Direction::ToServer);
    let b = t.lookup(&pkt(2 * SEC, "10.0.0.2", 53, "10.0.0.1", 5000, 17));
    assert!(!b.is_new);
    assert_eq!(b.handle, a.handle);
    assert_eq!(b.direction, Direction::ToClient);
    let f = t.get(a.handle).expect("flow");
    assert_eq!((f.to_server_pkts, f.to_client_pkts), (1, 1));
    assert_eq!((f.to_server_bytes, f.to_client_bytes), (60, 60));
    assert_eq!(f.state, FlowState::Established);
    assert_eq!(f.key.src_ip, ip("10.0.0.1"));
    assert_eq!(f.key.dport, 53);
    assert_eq!((f.start_ts, f.last_ts), (SEC, 2 * SEC));
    assert!(f.flow_id != 0 && f.flow_id < (1 << 51));
    t.get_mut(a.handle).expect("flow").user.n = 7;
    assert_eq!(t.get(a.handle).expect("flow").user.n, 7);
    let c = t.counters();
    assert_eq!((c.udp, c.total, c.active), (1, 1, 1));
}

#[test]
fn community_id_in_flow() {
    let mut t = table();
    let l = t.lookup(&pkt(0, "66.35.250.204", 80, "128.232.110.120", 34855, 6));
    assert_eq!(
        t.get(l.handle).expect("flow").community_id,
        "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
    );
}

#[test]
fn tcp_syn_sender_is_client_synack_receiver_is_client() {
    let mut t = table();
    let l = t.lookup(&tcp(0, "1.1.1.1", 1234, "2.2.2.2", 80, SYN, 1, 0, b""));
    assert_eq!(l.direction, Direction::ToServer);
    let l2 = t.lookup(&tcp(0, "3.3.3.3", 80, "4.4.4.4", 999, SYN | ACK, 1, 2, b""));
    assert_eq!(l2.direction, Direction::ToClient);
    let f = t.get(l2.handle).expect("flow");
    assert_eq!(f.key.src_ip, ip("4.4.4.4"));
    assert_eq!(f.key.sport, 999);
    assert_eq!(f.to_client_pkts, 1);
    let l3 = t.lookup(&tcp(0, "4.4.4.4", 999, "3.3.3.3", 80, ACK, 2, 2, b""));
    assert_eq!(l3.direction, Direction::ToServer);
}

#[test]
fn icmp_echo_request_and_reply_share_a_flow() {
    let mut t = table();
    let mut req = pkt(0, "192.168.0.89", 0, "192.168.0.1", 0, 1);
    req.icmp = Some((8, 0, Some(77)));
    let mut rep = pkt(1, "192.168.0.1", 0, "192.168.0.89", 0, 1);
    rep.icmp = Some((0, 0, Some(77)));
    let a = t.lookup(&req);
    let b = t.lookup(&rep);
    assert_eq!(a.handle, b.handle);
    assert_eq!(b.direction, Direction::ToClient);
    let f = t.get(a.handle).expect("flow");
    assert_eq!(f.community_id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    assert_eq!(f.icmp, Some((8, 0)));
    assert_eq!(t.counters().icmpv4, 1);
}

#[test]
fn vlan_is_part_of_the_key() {
    let mut t = table();
    let mut a = pkt(0, "10.0.0.1", 1, "10.0.0.2", 2, 17);
    a.vlan = [10, 0, 0];
    a.vlan_count = 1;
    let mut b = a;
    b.vlan = [20, 0, 0];
    assert_ne!(t.lookup(&a).handle, t.lookup(&b).handle);
    // garbage beyond vlan_count is ignored
    let mut c = a;
    c.vlan = [10, 55, 66];
    assert_eq!(t.lookup(&a).handle, t.lookup(&c).handle);
}

#[test]
fn ipv6_flows() {
    let mut t = table();
    let a = t.lookup(&pkt(0, "2001:db8::1", 1000, "2001:db8::2", 443, 6));
    let b = t.lookup(&pkt(0, "2001:db8::2", 443, "2001:db8::1", 1000, 6));
    assert_eq!(a.handle, b.handle);
    assert_eq!(b.direction, Direction::ToClient);
}

#[test]
fn timeouts_by_state() {
    let mut t = table();
    let mut out: Vec<Flow<User>> = Vec::new();
    t.lookup(&pkt(0, "10.0.0.1", 1, "10.0.0.2", 2, 17)); // new: 30 s
    t.lookup(&pkt(0, "10.0.0.3", 1, "10.0.0.4", 2, 17));
    t.lookup(&pkt(0, "10.0.0.4", 2, "10.0.0.3", 1, 17)); // established: 300 s
    t.expire(30 * SEC, &mut out);
    assert!(out.is_empty());
    t.expire(31 * SEC, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].reason, FlowReason::Timeout);
    assert_eq!(out[0].key.src_ip, ip("10.0.0.1"));
    t.expire(200 * SEC, &mut out);
    assert_eq!(out.len(), 1);
    t.expire(301 * SEC, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(t.counters().timeouts, 2);
    assert!(t.is_empty());
}

#[test]
fn expire_scans_once_per_second() {
    let mut t = table();
    let mut out: Vec<Flow<User>> = Vec::new();
    t.lookup(&pkt(0, "10.0.0.1", 1, "10.0.0.2", 2, 17));
    t.expire(40 * SEC, &mut out);
    assert_eq!(out.len(), 1);
    t.lookup(&pkt(40 * SEC, "10.0.0.1", 1, "10.0.0.2", 2, 17));
    // same second: no scan even though (hypothetically) time moved
    t.expire(40 * SEC + 999_999, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn eviction_when_full() {
    let cfg = FlowConfig {
        max_flows: 3,
        ..FlowConfig::default()
    };
    let mut t: FlowTable<User> = FlowTable::new(cfg, StreamConfig::default()).expect("cfg");
    let h1 = t.lookup(&pkt(1, "10.0.0.1", 1, "10.0.0.2", 2, 17)).handle;
    t.lookup(&pkt(2, "10.0.0.1", 3, "10.0.0.2", 2, 17));
    t.lookup(&pkt(3, "10.0.0.1", 4, "10.0.0.2", 2, 17));
    // refresh the first one: the second becomes the oldest
    t.lookup(&pkt(4, "10.0.0.1", 1, "10.0.0.2", 2, 17));
    t.lookup(&pkt(5, "10.0.0.1", 5, "10.0.0.2", 2, 17));
    assert_eq!(t.len(), 3);
    let mut out = Vec::new();
    t.expire(5, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].key.sport, 3);
    assert_eq!(out[0].reason, FlowReason::Forced);
    assert_eq!(t.counters().evicted, 1);
    assert!(t.get(h1).is_some());
}

#[test]
fn stale_handle_after_removal() {
    let mut t = table();
    let h = t.lookup(&pkt(0, "10.0.0.1", 1, "10.0.0.2", 2, 17)).handle;
    let mut out = Vec::new();
    t.drain(&mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].reason, FlowReason::Shutdown);
    assert!(t.get(h).is_none());
    let h2 = t.lookup(&pkt(0, "10.0.0.9", 1, "10.0.0.2", 2, 17)).handle;
    assert!(t.get(h).is_none());
    assert!(t.get(h2).is_some());
}

#[test]
fn drain_orders_by_start() {
    let mut t = table();
    t.lookup(&pkt(5, "10.0.0.1", 1, "10.0.0.2", 2, 17));
    t.lookup(&pkt(6, "10.0.0.3", 1, "10.0.0.2", 2, 17));
    t.lookup(&pkt(7, "10.0.0.1", 1, "10.0.0.2", 2, 17));
    let mut out = Vec::new();
    t.drain(&mut out);
    let starts: Vec<i64> = out.iter().map(|f| f.start_ts).collect();
    assert_eq!(starts, vec![5, 6]);
}

#[test]
fn process_tracks_tcp_session_and_flow_state() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let c = "10.0.0.1";
    let s = "10.0.0.2";
    let l = t.process(&tcp(0, c, 40000, s, 80, SYN, 10, 0, b""), &mut so);
    assert!(!so.tracked);
    t.process(&tcp(1, s, 80, c, 40000, SYN | ACK, 500, 11, b""), &mut so);
    t.process(&tcp(2, c, 40000, s, 80, ACK, 11, 501, b""), &mut so);
    assert!(so.established_now);
    assert_eq!(t.get(l.handle).expect("flow").state, FlowState::Established);
    t.process(
        &tcp(3, c, 40000, s, 80, ACK | PSH, 11, 501, b"GET /"),
        &mut so,
    );
    assert_eq!(so.data_of(Direction::ToServer), b"GET /");
    t.process(&tcp(4, c, 40000, s, 80, FIN | ACK, 16, 501, b""), &mut so);
    t.process(&tcp(5, s, 80, c, 40000, FIN | ACK, 501, 17, b""), &mut so);
    t.process(&tcp(6, c, 40000, s, 80, ACK, 17, 502, b""), &mut so);
    assert!(so.closed_now);
    let f = t.get(l.handle).expect("flow");
    assert_eq!(f.state, FlowState::Closed);
    assert_eq!(f.state_name(), "closed");
    assert_eq!(f.tcp.as_ref().map(|s| s.state_name()), Some("closed"));
    assert_eq!(t.stream_counters().sessions, 1);
}

#[test]
fn untracked_tcp_flow_stays_new() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let l = t.process(
        &tcp(0, "1.1.1.1", 5, "2.2.2.2", 80, ACK | PSH, 10, 20, b"x"),
        &mut so,
    );
    t.process(
        &tcp(0, "2.2.2.2", 80, "1.1.1.1", 5, ACK, 20, 11, b""),
        &mut so,
    );
    assert!(!so.tracked);
    assert_eq!(t.get(l.handle).expect("flow").state, FlowState::New);
}

#[test]
fn flush_stream_on_timeout() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let (c, s) = ("10.0.0.1", "10.0.0.2");
    t.process(&tcp(0, c, 1, s, 2, SYN, 0, 0, b""), &mut so);
    t.process(&tcp(0, s, 2, c, 1, SYN | ACK, 100, 1, b""), &mut so);
    t.process(&tcp(0, c, 1, s, 2, ACK, 1, 101, b""), &mut so);
    t.process(&tcp(0, c, 1, s, 2, ACK, 5, 101, b"late"), &mut so);
    assert!(so.items.is_empty());
    let mut out = Vec::new();
    t.expire(700 * SEC, &mut out);
    assert_eq!(out.len(), 1);
    let mut f = out.remove(0);
    t.flush_stream(&mut f, &mut so);
    assert_eq!(
        so.gaps().collect::<Vec<_>>(),
        vec![(Direction::ToServer, 0, 4)]
    );
    assert_eq!(so.data_of(Direction::ToServer), b"late");
}

#[test]
fn invalid_config_rejected() {
    let cfg = FlowConfig {
        max_flows: 0,
        ..FlowConfig::default()
    };
    assert!(FlowTable::<User>::new(cfg, StreamConfig::default()).is_err());
}

#[test]
fn many_flows_perf_smoke() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let start = std::time::Instant::now();
    let mut n = 0u64;
    for round in 0..20u32 {
        for i in 0..10_000u32 {
            let a = IpAddr::from([10, 0, (i >> 8) as u8, i as u8]);
            let mut p = pkt(i64::from(round) * 1000, "10.0.0.1", 1, "10.0.0.2", 2, 17);
            p.src = a;
            t.process(&p, &mut so);
            n += 1;
        }
    }
    assert_eq!(t.len(), 10_000);
    let el = start.elapsed();
    assert!(n == 200_000, "{el:?}");
}

#[test]
fn syn_on_closed_session_starts_new_flow() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let (c, s) = ("10.0.0.1", "10.0.0.2");
    let first = t
        .process(&tcp(0, c, 1, s, 2, SYN, 0, 0, b""), &mut so)
        .handle;
    t.process(&tcp(0, s, 2, c, 1, SYN | ACK, 100, 1, b""), &mut so);
    t.process(&tcp(0, c, 1, s, 2, ACK, 1, 101, b""), &mut so);
    t.process(
        &tcp(
            0,
            c,
            1,
            s,
            2,
            sensor_flow::packet::tcp_flags::RST,
            1,
            0,
            b"",
        ),
        &mut so,
    );
    assert!(so.closed_now);
    let l = t.process(&tcp(SEC, c, 1, s, 2, SYN, 5000, 0, b""), &mut so);
    assert!(l.is_new);
    assert_ne!(l.handle, first);
    assert_eq!(t.counters().tcp_reuse, 1);
    let mut out = Vec::new();
    t.expire(SEC, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].state, FlowState::Closed);
}

#[test]
fn syn_retransmit_after_refusal_is_same_flow() {
    let mut t = table();
    let mut so = StreamOutput::new();
    let (c, s) = ("10.0.0.1", "10.0.0.2");
    let a = t
        .process(&tcp(0, c, 1, s, 2, SYN, 77, 0, b""), &mut so)
        .handle;
    t.process(
        &tcp(
            0,
            s,
            2,
            c,
            1,
            sensor_flow::packet::tcp_flags::RST | ACK,
            0,
            78,
            b"",
        ),
        &mut so,
    );
    let b = t.process(&tcp(SEC, c, 1, s, 2, SYN, 77, 0, b""), &mut so);
    assert!(!b.is_new);
    assert_eq!(a, b.handle);
    assert_eq!(t.stream_counters().sessions, 1);
}

#[test]
fn syn_towards_client_of_sessionless_flow_starts_new_flow() {
    let mut t = table();
    let mut so = StreamOutput::new();
    // a stray packet from the server creates the flow (server seen as client)
    let stray = t.process(
        &tcp(0, "10.0.0.2", 80, "10.0.0.1", 5555, ACK, 9, 9, b""),
        &mut so,
    );
    let l = t.process(
        &tcp(1, "10.0.0.1", 5555, "10.0.0.2", 80, SYN, 100, 0, b""),
        &mut so,
    );
    assert!(l.is_new);
    assert_ne!(l.handle, stray.handle);
    assert_eq!(l.direction, Direction::ToServer);
    let f = t.get(l.handle).expect("flow");
    assert_eq!(f.key.src_ip, ip("10.0.0.1"));
    t.process(
        &tcp(1, "10.0.0.2", 80, "10.0.0.1", 5555, SYN | ACK, 7, 101, b""),
        &mut so,
    );
    t.process(
        &tcp(1, "10.0.0.1", 5555, "10.0.0.2", 80, ACK, 101, 8, b""),
        &mut so,
    );
    assert!(so.established_now);
}
