//! TCP session tracking and reassembly tests (segments fed directly).

use sensor_flow::packet::tcp_flags::{ACK, FIN, PSH, RST, SYN};
use sensor_flow::{
    Direction, OverlapPolicy, StreamConfig, StreamEvent, StreamOutput, TcpMeta, TcpSession,
    TcpState,
};

const C: Direction = Direction::ToServer;
const S: Direction = Direction::ToClient;

fn t(flags: u8, seq: u32, ack: u32) -> TcpMeta {
    TcpMeta {
        seq,
        ack,
        flags,
        window: 65535,
        ..TcpMeta::default()
    }
}

struct H {
    s: TcpSession,
    cfg: StreamConfig,
    out: StreamOutput,
    ts: Vec<u8>,
    tc: Vec<u8>,
    gaps: Vec<(Direction, u64, u64)>,
    events: Vec<StreamEvent>,
}

impl H {
    fn new(cfg: StreamConfig) -> Self {
        H {
            s: TcpSession::new(),
            cfg,
            out: StreamOutput::new(),
            ts: Vec::new(),
            tc: Vec::new(),
            gaps: Vec::new(),
            events: Vec::new(),
        }
    }
    fn collect(&mut self) {
        self.ts.extend(self.out.data_of(C));
        self.tc.extend(self.out.data_of(S));
        self.gaps.extend(self.out.gaps());
        self.events.extend(self.out.events.iter().copied());
    }
    fn pkt(&mut self, dir: Direction, flags: u8, seq: u32, ack: u32, data: &[u8]) -> &StreamOutput {
        self.out.clear();
        self.s
            .on_packet(dir, &t(flags, seq, ack), data, 0, &self.cfg, &mut self.out);
        self.collect();
        &self.out
    }
    fn flush(&mut self) {
        self.out.clear();
        self.s.flush(&self.cfg, &mut self.out);
        self.collect();
    }
    /// Handshake with client ISN `ci`, server ISN `si`.
    fn hs(&mut self, ci: u32, si: u32) {
        self.pkt(C, SYN, ci, 0, b"");
        self.pkt(S, SYN | ACK, si, ci.wrapping_add(1), b"");
        let o = self.pkt(C, ACK, ci.wrapping_add(1), si.wrapping_add(1), b"");
        assert!(o.established_now && o.tracked);
    }
}

#[test]
fn handshake_data_and_fin_close() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    assert_eq!(h.s.state(), TcpState::SynSent);
    h.pkt(S, SYN | ACK, 5000, 101, b"");
    assert_eq!(h.s.state(), TcpState::SynRecv);
    h.pkt(C, ACK, 101, 5001, b"");
    assert!(h.s.is_established());
    h.pkt(C, ACK | PSH, 101, 5001, b"GET / HTTP/1.0\r\n\r\n");
    h.pkt(S, ACK | PSH, 5001, 119, b"HTTP/1.0 200 OK\r\n\r\n");
    assert_eq!(h.ts, b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(h.tc, b"HTTP/1.0 200 OK\r\n\r\n");
    h.pkt(S, FIN | ACK, 5020, 119, b"");
    assert_eq!(h.s.state(), TcpState::CloseWait);
    h.pkt(C, FIN | ACK, 119, 5021, b"");
    assert_eq!(h.s.state(), TcpState::LastAck);
    let o = h.pkt(S, ACK, 5021, 120, b"");
    assert!(o.closed_now);
    assert_eq!(h.s.state(), TcpState::Closed);
    assert_eq!(h.s.delivered(C), 18);
    assert_eq!(h.s.state_name(), "closed");
}

#[test]
fn client_first_fin_close() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, FIN | ACK, 2, 1001, b"");
    assert_eq!(h.s.state(), TcpState::FinWait1);
    h.pkt(S, ACK, 1001, 3, b"");
    assert_eq!(h.s.state(), TcpState::FinWait2);
    h.pkt(S, FIN | ACK, 1001, 3, b"");
    assert_eq!(h.s.state(), TcpState::TimeWait);
    let o = h.pkt(C, ACK, 3, 1002, b"");
    assert!(o.closed_now);
}

#[test]
fn no_handshake_is_untracked() {
    let mut h = H::new(StreamConfig::default());
    let o = h.pkt(C, ACK | PSH, 10, 20, b"hello");
    assert!(!o.tracked);
    assert!(h.ts.is_empty());
    assert_eq!(h.s.state(), TcpState::None);
}

#[test]
fn midstream_pickup() {
    let cfg = StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    };
    let mut h = H::new(cfg);
    let o = h.pkt(C, ACK | PSH, 10, 20, b"hello");
    assert!(o.tracked && o.established_now);
    assert_eq!(o.counters.midstream_pickups, 1);
    h.pkt(S, ACK, 20, 15, b"");
    h.pkt(C, ACK | PSH, 15, 20, b" world");
    assert_eq!(h.ts, b"hello world");
    assert!(h.s.is_midstream());
}

#[test]
fn out_of_order_held_until_filled() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    let o = h.pkt(C, ACK, 6, 1001, b"WORLD");
    assert!(o.items.is_empty());
    h.pkt(C, ACK, 2, 1001, b"HELL");
    assert_eq!(h.ts, b"HELLWORLD");
}

#[test]
fn retransmission_not_delivered_twice() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"ABCD");
    let o = h.pkt(C, ACK, 2, 1001, b"ABCD");
    assert!(o.items.is_empty());
    assert!(o.has_event(StreamEvent::PktRetransmission));
    assert!(!o.has_event(StreamEvent::ReassemblyOverlapDifferentData));
    // partial retransmission with new tail
    h.pkt(C, ACK, 4, 1001, b"CDEF");
    assert_eq!(h.ts, b"ABCDEF");
}

#[test]
fn overlap_with_delivered_different_data_first_wins() {
    // eve-overlap-payload-01: GOOD then EVIL at the same seq
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"GOOD");
    let o = h.pkt(C, ACK, 2, 1001, b"EVIL");
    assert!(o.has_event(StreamEvent::ReassemblyOverlapDifferentData));
    assert_eq!(o.counters.overlap_diff_data, 1);
    h.pkt(S, ACK, 1001, 6, b"");
    h.flush();
    assert_eq!(h.ts, b"GOOD");
}

/// Holds `old`, then inserts `new` (both after a hole at the stream start), then fills
/// the hole with `fill` and returns what was delivered.
fn overlap_case(
    policy: OverlapPolicy,
    old: (u32, &[u8]),
    new: (u32, &[u8]),
    fill: &[u8],
) -> Vec<u8> {
    let mut h = H::new(StreamConfig {
        overlap_policy: policy,
        ..StreamConfig::default()
    });
    h.hs(0, 1000);
    h.pkt(C, ACK, 1 + old.0, 1001, old.1);
    let o = h.pkt(C, ACK, 1 + new.0, 1001, new.1);
    assert!(o.has_event(StreamEvent::ReassemblyOverlapDifferentData));
    h.pkt(C, ACK, 1, 1001, fill);
    h.ts.clone()
}

#[test]
fn overlap_policies_new_starts_before() {
    let old: (u32, &[u8]) = (4, b"AAAA");
    let new: (u32, &[u8]) = (2, b"BBBBBBBB");
    let run = |p| overlap_case(p, old, new, b"xx");
    assert_eq!(run(OverlapPolicy::Windows), b"xxBBBBBBBB");
    assert_eq!(run(OverlapPolicy::Bsd), b"xxBBBBBBBB");
    assert_eq!(run(OverlapPolicy::Linux), b"xxBBBBBBBB");
    assert_eq!(run(OverlapPolicy::First), b"xxBBAAAABB");
    assert_eq!(run(OverlapPolicy::Vista), b"xxBBAAAABB");
    assert_eq!(run(OverlapPolicy::Last), b"xxBBBBBBBB");
    assert_eq!(run(OverlapPolicy::Solaris), b"xxBBBBBBBB");
}

#[test]
fn overlap_policies_same_start_ends_after() {
    let old: (u32, &[u8]) = (4, b"AAAA");
    let new: (u32, &[u8]) = (4, b"CCCCCC");
    let run = |p| overlap_case(p, old, new, b"xxyy");
    assert_eq!(run(OverlapPolicy::Windows), b"xxyyAAAACC");
    assert_eq!(run(OverlapPolicy::Bsd), b"xxyyAAAACC");
    assert_eq!(run(OverlapPolicy::First), b"xxyyAAAACC");
    assert_eq!(run(OverlapPolicy::Linux), b"xxyyCCCCCC");
    assert_eq!(run(OverlapPolicy::Last), b"xxyyCCCCCC");
    assert_eq!(run(OverlapPolicy::Solaris), b"xxyyCCCCCC");
}

#[test]
fn overlap_policies_exact_same_segment() {
    let old: (u32, &[u8]) = (4, b"AAAA");
    let new: (u32, &[u8]) = (4, b"DDDD");
    let run = |p| overlap_case(p, old, new, b"xxyy");
    assert_eq!(run(OverlapPolicy::Windows), b"xxyyAAAA");
    assert_eq!(run(OverlapPolicy::Linux), b"xxyyAAAA");
    assert_eq!(run(OverlapPolicy::OldLinux), b"xxyyDDDD");
    assert_eq!(run(OverlapPolicy::Last), b"xxyyDDDD");
    assert_eq!(run(OverlapPolicy::Solaris), b"xxyyDDDD");
}

#[test]
fn overlap_inside_old_windows_keeps_old() {
    let old: (u32, &[u8]) = (4, b"AAAAAAAA");
    let new: (u32, &[u8]) = (6, b"EE");
    let run = |p| overlap_case(p, old, new, b"xxyy");
    assert_eq!(run(OverlapPolicy::Windows), b"xxyyAAAAAAAA");
    assert_eq!(run(OverlapPolicy::Last), b"xxyyAAEEAAAA");
}

#[test]
fn wraparound_near_u32_max() {
    let mut h = H::new(StreamConfig::default());
    let isn = u32::MAX - 3;
    h.hs(isn, 7);
    // seq isn+1 = MAX-2; 6 bytes cross the wrap
    h.pkt(C, ACK, isn.wrapping_add(7), 8, b"GHIJ");
    h.pkt(C, ACK, isn.wrapping_add(1), 8, b"ABCDEF");
    assert_eq!(h.ts, b"ABCDEFGHIJ");
    // retransmission across the wrap is not delivered again
    let o = h.pkt(C, ACK, isn.wrapping_add(3), 8, b"CDEF");
    assert!(o.items.is_empty());
    h.pkt(S, ACK, 8, isn.wrapping_add(11), b"");
    assert!(h.gaps.is_empty());
}

#[test]
fn depth_limit() {
    let mut h = H::new(StreamConfig {
        depth: 10,
        ..StreamConfig::default()
    });
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"0123456");
    let o = h.pkt(C, ACK, 9, 1001, b"789abc");
    assert!(o.has_event(StreamEvent::ReassemblyDepthReached));
    h.pkt(C, ACK, 15, 1001, b"more");
    assert_eq!(h.ts, b"0123456789");
    assert!(h.s.half(C).depth_reached);
    assert_eq!(h.s.delivered(C), 10);
}

#[test]
fn acked_hole_becomes_gap() {
    // eve-overlap-payload-05-gap: VERY, (GOOD missing), DATA, then the server acks all
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"VERY");
    h.pkt(C, ACK, 10, 1001, b"DATA");
    assert_eq!(h.ts, b"VERY");
    let o = h.pkt(S, ACK, 1001, 14, b"");
    assert!(o.has_event(StreamEvent::ReassemblySeqGap));
    assert_eq!(h.gaps, vec![(C, 4, 4)]);
    assert_eq!(h.ts, b"VERYDATA");
    // the late segment is not delivered any more
    let o = h.pkt(C, ACK, 6, 1001, b"GOOD");
    assert!(o.items.is_empty());
}

#[test]
fn leading_gap() {
    // eve-payload-06-tcp-data-leading-gap
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 6, 1001, b"ABCD");
    h.pkt(C, ACK, 10, 1001, b"EFGH");
    assert!(h.ts.is_empty());
    h.pkt(S, ACK, 1001, 14, b"");
    assert_eq!(h.gaps, vec![(C, 0, 4)]);
    assert_eq!(h.ts, b"ABCDEFGH");
}

#[test]
fn gap_flushed_at_close() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"AB");
    h.pkt(C, ACK, 8, 1001, b"XY");
    let o = h.pkt(S, RST | ACK, 1001, 4, b"");
    assert!(o.closed_now);
    assert_eq!(h.gaps, vec![(C, 2, 4)]);
    assert_eq!(h.ts, b"ABXY");
}

#[test]
fn flush_at_flow_end() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 4, 1001, b"CD");
    h.flush();
    assert_eq!(h.gaps, vec![(C, 0, 2)]);
    assert_eq!(h.ts, b"CD");
}

#[test]
fn segment_limit_forces_gap() {
    let mut h = H::new(StreamConfig {
        max_segments: 2,
        ..StreamConfig::default()
    });
    h.hs(1, 1000);
    h.pkt(C, ACK, 4, 1001, b"a");
    h.pkt(C, ACK, 6, 1001, b"b");
    let o = h.pkt(C, ACK, 8, 1001, b"c");
    assert_eq!(o.counters.segment_memcap_drop, 1);
    assert!(!h.gaps.is_empty());
    h.flush();
    assert_eq!(h.ts, b"abc");
}

#[test]
fn rst_with_data_and_close() {
    // tcp-rst-unacked-stream-01: data on the RST is still reassembled
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(S, ACK | PSH, 1001, 2, b"abcdefg");
    let o = h.pkt(C, RST | ACK, 2, 1008, b"Let Me In!!!!");
    assert!(o.closed_now);
    assert_eq!(h.ts, b"Let Me In!!!!");
    assert_eq!(h.tc, b"abcdefg");
    assert_eq!(h.s.state(), TcpState::Closed);
}

#[test]
fn rst_out_of_window_ignored() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    // Windows policy: a RST must carry exactly next_seq; a bad seq is ignored silently
    let o = h.pkt(C, RST, 0x4000_0000, 0, b"");
    assert!(o.events.is_empty());
    assert!(h.s.is_established());
    // an ACK beyond what the peer may send makes it rst_invalid_ack
    let o = h.pkt(C, RST | ACK, 2, 0x4000_0000, b"");
    assert!(o.has_event(StreamEvent::RstInvalidAck));
    assert!(h.s.is_established());
}

#[test]
fn synack_with_wrong_ack() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    let o = h.pkt(S, SYN | ACK, 5000, 999, b"");
    assert!(o.has_event(StreamEvent::ThreeWhsSynackWithWrongAck));
    assert_eq!(h.s.state(), TcpState::SynSent);
    h.pkt(S, SYN | ACK, 5000, 101, b"");
    assert_eq!(h.s.state(), TcpState::SynRecv);
    let o = h.pkt(C, ACK, 101, 7777, b"");
    assert!(o.has_event(StreamEvent::ThreeWhsRightSeqWrongAckEvasion));
    assert!(!h.s.was_established());
}

#[test]
fn syn_resend_and_est_events() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    h.pkt(C, SYN, 100, 0, b"");
    assert_eq!(h.s.state(), TcpState::SynSent);
    h.pkt(S, SYN | ACK, 5000, 101, b"");
    h.pkt(C, ACK, 101, 5001, b"");
    let o = h.pkt(C, SYN, 100, 0, b"");
    assert!(o.has_event(StreamEvent::EstSynResend));
    // the server confirmed the handshake by sending: a SYN/ACK resend is now an event
    h.pkt(S, ACK, 5001, 101, b"hi");
    let o = h.pkt(S, SYN | ACK, 5000, 101, b"");
    assert!(o.has_event(StreamEvent::EstSynackResend));
}

#[test]
fn split_handshake_4whs() {
    // tcp-split-handshake-01-4whs
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 1000, 0, b"");
    h.pkt(S, SYN, 3000, 0, b"");
    h.pkt(C, SYN | ACK, 1000, 3001, b"");
    assert_eq!(h.s.state(), TcpState::SynRecv);
    let o = h.pkt(S, ACK, 3001, 1001, b"");
    assert!(o.established_now);
    h.pkt(C, ACK | PSH, 1001, 3001, b"EVIL");
    assert_eq!(h.ts, b"EVIL");
}

#[test]
fn tfo_syn_data_delivered_when_acked() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"GET /x");
    h.pkt(S, SYN | ACK, 9000, 107, b"");
    let o = h.pkt(C, ACK, 107, 9001, b"");
    assert!(o.established_now);
    h.pkt(C, ACK, 107, 9001, b" HTTP/1.0");
    assert_eq!(h.ts, b"GET /x HTTP/1.0");
}

#[test]
fn tfo_syn_data_dropped_when_not_acked() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"GET /x");
    h.pkt(S, SYN | ACK, 9000, 101, b"");
    h.pkt(C, ACK, 101, 9001, b"");
    h.pkt(C, ACK, 101, 9001, b"GET /y");
    assert_eq!(h.ts, b"GET /y");
}

#[test]
fn async_oneside_from_synack() {
    // alert-testmyids-async: only the server side is captured
    let cfg = StreamConfig {
        midstream: true,
        async_oneside: true,
        ..StreamConfig::default()
    };
    let mut h = H::new(cfg);
    h.pkt(S, SYN | ACK, 2000, 500, b"");
    let o = h.pkt(S, ACK, 2001, 581, b"");
    assert!(o.established_now);
    h.pkt(
        S,
        ACK | PSH,
        2001,
        581,
        b"HTTP/1.1 200 OK
",
    );
    assert_eq!(
        h.tc,
        b"HTTP/1.1 200 OK
"
    );
}

#[test]
fn async_oneside_client_only() {
    let cfg = StreamConfig {
        async_oneside: true,
        ..StreamConfig::default()
    };
    let mut h = H::new(cfg);
    h.pkt(C, SYN, 10, 0, b"");
    let o = h.pkt(C, ACK, 11, 777, b"");
    assert!(o.established_now);
    for i in 0..100u32 {
        h.pkt(C, ACK, 11 + i * 1000, 777, &[b'a'; 1000]);
    }
    assert_eq!(h.ts.len(), 100_000);
}

#[test]
fn out_of_window_data_dropped() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    let o = h.pkt(C, ACK, 0x1000_0000, 1001, b"far away");
    assert!(o.has_event(StreamEvent::EstPacketOutOfWindow));
    assert!(h.ts.is_empty());
}

#[test]
fn malformed_sequences_do_not_panic() {
    let mut h = H::new(StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    });
    let mut x: u32 = 0x1234_5678;
    for i in 0..5000u32 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let dir = if x & 1 == 0 { C } else { S };
        let flags = (x >> 8) as u8 & 0x3f;
        let len = (x >> 16) as usize % 40;
        let data = vec![(i & 0xff) as u8; len];
        let seq = if x & 2 == 0 { x } else { 1000 + (x % 200) };
        h.pkt(dir, flags, seq, x.rotate_left(7), &data);
    }
    h.flush();
}

#[test]
fn acked_hole_without_later_data_is_not_a_gap_yet() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"AB");
    // server acks 10 bytes that were never captured
    let o = h.pkt(S, ACK, 1001, 14, b"");
    assert!(o.gaps().next().is_none());
    // data after the hole arrives: the hole becomes a gap
    let o = h.pkt(C, ACK, 14, 1001, b"CD");
    assert_eq!(o.gaps().collect::<Vec<_>>(), vec![(C, 2, 10)]);
    assert_eq!(h.ts, b"ABCD");
}

#[test]
fn gap_limited_by_ack() {
    // partial ACKs into a hole: one gap per ACK, each up to the ACK
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    h.pkt(C, ACK, 2, 1001, b"AB");
    h.pkt(C, ACK, 20, 1001, b"ZZ");
    let o = h.pkt(S, ACK, 1001, 10, b"");
    assert_eq!(o.gaps().collect::<Vec<_>>(), vec![(C, 2, 6)]);
    let o = h.pkt(S, ACK, 1001, 22, b"");
    assert_eq!(o.gaps().collect::<Vec<_>>(), vec![(C, 8, 10)]);
    assert_eq!(o.counters.reassembly_gap, 1);
    assert_eq!(h.ts, b"ABZZ");
}

fn ts(flags: u8, seq: u32, ack: u32, val: u32) -> TcpMeta {
    TcpMeta {
        timestamp: Some((val, 0)),
        ..t(flags, seq, ack)
    }
}

#[test]
fn toclient_ack_after_missed_final_ack_establishes_without_wrong_dir_event() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    h.pkt(S, SYN | ACK, 5000, 101, b"");
    let o = h.pkt(S, ACK | PSH, 5001, 101, b"hello");
    assert!(!o.has_event(StreamEvent::ThreeWhsAckInWrongDir));
    assert!(o.established_now);
}

#[test]
fn toclient_ack_with_bad_numbers_in_syn_recv_is_wrong_seq_wrong_ack() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    h.pkt(S, SYN | ACK, 5000, 101, b"");
    let o = h.pkt(S, ACK, 9999, 7777, b"");
    assert!(o.has_event(StreamEvent::ThreeWhsWrongSeqWrongAck));
}

#[test]
fn synack_echoing_unknown_timestamp_is_invalid_timestamp() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"");
    h.out.clear();
    let mut m = ts(SYN | ACK, 5000, 101, 10);
    m.timestamp = Some((10, 1));
    h.s.on_packet(S, &m, b"", 0, &h.cfg, &mut h.out);
    assert!(h.out.has_event(StreamEvent::PktInvalidTimestamp));
    assert_eq!(h.s.state(), TcpState::SynSent);
}

#[test]
fn timestamp_going_backwards_is_rejected() {
    let mut h = H::new(StreamConfig::default());
    let mut o = StreamOutput::new();
    let cfg = StreamConfig::default();
    h.s.on_packet(C, &ts(SYN, 100, 0, 1000), b"", 0, &cfg, &mut o);
    h.s.on_packet(S, &ts(SYN | ACK, 5000, 101, 50), b"", 0, &cfg, &mut o);
    h.s.on_packet(C, &ts(ACK, 101, 5001, 1001), b"", 0, &cfg, &mut o);
    o.clear();
    h.s.on_packet(C, &ts(ACK, 101, 5001, 900), b"x", 0, &cfg, &mut o);
    assert!(o.has_event(StreamEvent::PktInvalidTimestamp));
}

#[test]
fn pure_ack_beyond_next_win_is_out_of_window() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    // server window 65535 from the SYN/ACK: a pure ACK far beyond it is out of window
    let o = h.pkt(C, ACK, 200_000, 1001, b"");
    assert!(o.has_event(StreamEvent::EstPacketOutOfWindow));
}

#[test]
fn synack_resend_before_server_data_is_silent_then_event() {
    let mut h = H::new(StreamConfig::default());
    h.hs(1, 1000);
    let o = h.pkt(S, SYN | ACK, 1000, 2, b"");
    assert!(o.events.is_empty());
    h.pkt(S, ACK, 1001, 2, b"data");
    let o = h.pkt(S, SYN | ACK, 1000, 2, b"");
    assert!(o.has_event(StreamEvent::EstSynackResend));
}

#[test]
fn tfo_data_resent_from_isn_after_synack_is_reassembled() {
    // tcp-fastopen-08: the SYN carries data, the ACK after the SYN/ACK resends it plus more
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"GET /x");
    h.pkt(S, SYN | ACK, 9000, 107, b"");
    h.pkt(C, ACK, 101, 9001, b"GET /x HTTP/1.0");
    h.pkt(S, ACK, 9001, 116, b"");
    h.pkt(C, ACK | PSH, 116, 9001, b"\r\n");
    assert_eq!(h.ts, b"GET /x HTTP/1.0\r\n");
}

#[test]
fn tfo_ack_after_syn_data_continues_the_stream() {
    // tcp-fastopen-08: the ACK completing the handshake starts right after the SYN data
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 100, 0, b"GET /x");
    h.pkt(S, SYN | ACK, 9000, 107, b"");
    h.pkt(C, ACK, 107, 9001, b" HTTP/1.0");
    h.pkt(S, ACK, 9001, 116, b"");
    h.pkt(C, ACK | PSH, 116, 9001, b"\r\n");
    assert_eq!(h.ts, b"GET /x HTTP/1.0\r\n");
}

#[test]
fn synack_may_echo_any_resent_syn_timestamp() {
    let cfg = StreamConfig::default();
    for echo in [1000, 2000] {
        let mut s = TcpSession::new();
        let mut o = StreamOutput::new();
        s.on_packet(C, &ts(SYN, 100, 0, 1000), b"", 0, &cfg, &mut o);
        s.on_packet(C, &ts(SYN, 100, 0, 2000), b"", 0, &cfg, &mut o);
        o.clear();
        let mut m = ts(SYN | ACK, 5000, 101, 7);
        m.timestamp = Some((7, echo));
        s.on_packet(S, &m, b"", 0, &cfg, &mut o);
        assert!(!o.has_event(StreamEvent::PktInvalidTimestamp));
        assert_eq!(s.state(), TcpState::SynRecv);
    }
}

/// Regression: FINs before the handshake's final ACK were judged as handshake ACKs ("3way
/// handshake wrong seq wrong ack"); Suricata handles them like FINs in ESTABLISHED.
#[test]
fn fin_on_syn_recv_is_checked_like_an_established_fin() {
    let mut h = H::new(StreamConfig::default());
    h.pkt(C, SYN, 1000, 0, b"");
    h.pkt(S, SYN | ACK, 5000, 1001, b"");
    // Server FIN far beyond anything the client's window allows.
    h.pkt(S, FIN | ACK, 5000 + 200_000, 1001, b"");
    assert_eq!(h.events, [StreamEvent::FinOutOfWindow]);
    h.events.clear();
    // Client FIN acknowledging data the server never sent.
    h.pkt(C, FIN | ACK, 1001, 5000 + 200_001, b"");
    assert_eq!(
        h.events,
        [StreamEvent::PktInvalidAck, StreamEvent::FinInvalidAck]
    );
    h.events.clear();
    // A FIN in the window closes the session as it would once established.
    h.pkt(C, FIN | ACK, 1001, 5001, b"");
    assert!(h.events.is_empty(), "{:?}", h.events);
    assert_eq!(h.s.state(), TcpState::FinWait1);
}

/// A session whose application protocol has its own depth (SMB, Modbus: unlimited in
/// Suricata) is reassembled past the configured depth.
#[test]
fn session_depth_override_lifts_the_limit() {
    let mut h = H::new(StreamConfig {
        depth: 10,
        ..StreamConfig::default()
    });
    h.hs(1, 1000);
    h.s.set_depth(0);
    h.pkt(C, ACK, 2, 1001, b"0123456");
    let o = h.pkt(C, ACK, 9, 1001, b"789abc");
    assert!(!o.has_event(StreamEvent::ReassemblyDepthReached));
    assert_eq!(h.ts, b"0123456789abc");
}
