//! TCP session tracking: handshake, teardown, and dispatch of data to reassembly.

use super::config::StreamConfig;
use super::events::StreamEvent;
use super::half::HalfStream;
use super::output::StreamOutput;
use super::seq::{seq_geq, seq_gt, seq_leq};
use super::state::TcpState;
use crate::packet::{tcp_flags as F, Direction, TcpMeta};

/// Window scale assumed for sessions picked up midstream (window unknown).
const MIDSTREAM_WSCALE: u8 = 14;

/// Window used for in-window checks: twice the advertised window (at least 64 KiB),
/// capped at 1 GiB so that sequence comparisons stay meaningful.
fn slack_window(win: u32) -> u32 {
    win.max(65535).saturating_mul(2).min(1 << 30)
}

/// A TCP session: state machine plus one [`HalfStream`] per direction.
#[derive(Debug, Clone, Default)]
pub struct TcpSession {
    state: TcpState,
    /// `[0]`: bytes sent by the client (to server), `[1]`: bytes sent by the server.
    halves: [HalfStream; 2],
    established_once: bool,
    four_whs: bool,
    midstream: bool,
    async_oneside: bool,
    syn_wscale: Option<u8>,
    synack_wscale: Option<u8>,
    synack_seq: u32,
    synack_ack: u32,
    syn_data: Vec<u8>,
    syn_data_acked: bool,
    /// Cumulative TCP flags sent by the client.
    pub flags_ts: u8,
    /// Cumulative TCP flags sent by the server.
    pub flags_tc: u8,
    /// Timestamp (µs) of the last packet seen by the session.
    pub last_ts: i64,
}

impl TcpSession {
    /// A new session in state `None`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Current state.
    pub fn state(&self) -> TcpState {
        self.state
    }

    /// Current state name (Suricata EVE `tcp.state`).
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// Established and not yet closed (FIN states count as established).
    pub fn is_established(&self) -> bool {
        self.state >= TcpState::Established && self.state < TcpState::Closed
    }

    /// The session reached `Established` at some point (stream data is tracked).
    pub fn was_established(&self) -> bool {
        self.established_once
    }

    /// The session was picked up midstream.
    pub fn is_midstream(&self) -> bool {
        self.midstream
    }

    /// The session was set up from one side only (async-oneside).
    pub fn is_async(&self) -> bool {
        self.async_oneside
    }

    /// Per-direction stream state.
    pub fn half(&self, dir: Direction) -> &HalfStream {
        match dir {
            Direction::ToServer => &self.halves[0],
            Direction::ToClient => &self.halves[1],
        }
    }

    /// Data bytes delivered in a direction (for `stream_size`).
    pub fn delivered(&self, dir: Direction) -> u64 {
        self.half(dir).delivered
    }

    /// Approximate memory held by the session.
    pub fn memuse(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.halves[0].memuse()
            + self.halves[1].memuse()
            + self.syn_data.len()
    }

    /// Processes one packet of the session. `out` is appended to (call
    /// [`StreamOutput::clear`] between packets).
    pub fn on_packet(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        ts_micros: i64,
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        self.last_ts = ts_micros;
        match dir {
            Direction::ToServer => self.flags_ts |= tcp.flags,
            Direction::ToClient => self.flags_tc |= tcp.flags,
        }
        if tcp.has(F::SYN) && tcp.has(F::FIN) {
            out.event(StreamEvent::FinSyn);
        }
        if !tcp.has(F::ACK) && tcp.ack != 0 && !tcp.has(F::RST) {
            out.event(StreamEvent::PktBrokenAck);
        }
        match self.state {
            TcpState::None => self.state_none(dir, tcp, payload, cfg, out),
            TcpState::SynSent => self.state_syn_sent(dir, tcp, payload, cfg, out),
            TcpState::SynRecv => self.state_syn_recv(dir, tcp, payload, cfg, out),
            TcpState::Closed => {
                if tcp.has(F::SYN) {
                    out.event(StreamEvent::ShutdownSynResend);
                }
            }
            _ => self.state_open(dir, tcp, payload, cfg, out),
        }
        out.tracked = self.established_once;
    }

    /// Flushes held out-of-order data of both directions (session end / flow timeout),
    /// declaring gaps before it.
    pub fn flush(&mut self, cfg: &StreamConfig, out: &mut StreamOutput) {
        if !self.established_once {
            return;
        }
        self.halves[0].flush(Direction::ToServer, cfg, out);
        self.halves[1].flush(Direction::ToClient, cfg, out);
    }

    fn set_established(&mut self, out: &mut StreamOutput) {
        self.state = TcpState::Established;
        if !self.established_once {
            self.established_once = true;
            out.established_now = true;
        }
    }

    fn set_closed(&mut self, cfg: &StreamConfig, out: &mut StreamOutput) {
        if self.state != TcpState::Closed {
            self.state = TcpState::Closed;
            out.closed_now = true;
            self.flush(cfg, out);
        }
    }

    fn new_session(&mut self, out: &mut StreamOutput) {
        out.counters.sessions += 1;
    }

    fn state_none(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        if tcp.has(F::RST) {
            out.event(StreamEvent::RstButNoSession);
            return;
        }
        if tcp.has(F::SYN) && !tcp.has(F::ACK) {
            if dir != Direction::ToServer {
                return;
            }
            self.halves[0].init(tcp.seq);
            self.halves[0].window = u32::from(tcp.window);
            self.syn_wscale = tcp.wscale;
            self.syn_data.clear();
            self.syn_data.extend_from_slice(payload);
            self.state = TcpState::SynSent;
            self.new_session(out);
            return;
        }
        if tcp.has(F::SYN) && tcp.has(F::ACK) {
            if !(cfg.midstream || cfg.async_oneside) || dir != Direction::ToClient {
                return;
            }
            self.halves[1].init(tcp.seq);
            self.halves[0].init(tcp.ack.wrapping_sub(1));
            self.halves[1].window = u32::from(tcp.window);
            self.synack_seq = tcp.seq;
            self.synack_ack = tcp.ack;
            self.synack_wscale = tcp.wscale;
            self.midstream = true;
            self.state = TcpState::SynRecv;
            self.new_session(out);
            out.counters.midstream_pickups += 1;
            return;
        }
        if tcp.has(F::FIN) {
            // no pickup from a FIN, even with midstream (as Suricata)
            out.event(StreamEvent::FinButNoSession);
            return;
        }
        if !tcp.has(F::ACK) || !cfg.midstream {
            return;
        }
        // midstream pickup from an ACK packet: the sender is the flow's client side
        let (s, r) = (dir.index(), dir.reverse().index());
        if let Some(h) = self.halves.get_mut(s) {
            h.init(tcp.seq.wrapping_sub(1));
            h.wscale = MIDSTREAM_WSCALE;
            h.window = u32::from(tcp.window) << MIDSTREAM_WSCALE;
        }
        if let Some(h) = self.halves.get_mut(r) {
            h.init(tcp.ack.wrapping_sub(1));
            h.wscale = MIDSTREAM_WSCALE;
            h.window = u32::MAX >> 1;
        }
        self.midstream = true;
        self.new_session(out);
        out.counters.midstream_pickups += 1;
        self.set_established(out);
        self.state_open(dir, tcp, payload, cfg, out);
    }

    fn state_syn_sent(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        let syn = tcp.has(F::SYN);
        let ack = tcp.has(F::ACK);
        if tcp.has(F::RST) {
            // connection refused: RST from the server acking the SYN
            if dir == Direction::ToClient && (!ack || tcp.ack == self.halves[0].isn.wrapping_add(1))
            {
                self.state = TcpState::Closed;
                out.closed_now = true;
            } else {
                out.event(StreamEvent::RstInvalidAck);
            }
            return;
        }
        match (syn, ack, dir) {
            (true, false, Direction::ToServer) => {
                if tcp.seq != self.halves[0].isn {
                    // new attempt with another ISN
                    self.halves[0].init(tcp.seq);
                    self.syn_data.clear();
                    self.syn_data.extend_from_slice(payload);
                }
                self.halves[0].window = u32::from(tcp.window);
                self.syn_wscale = tcp.wscale;
            }
            (true, false, Direction::ToClient) => {
                // split handshake: the server sends its own SYN (4WHS)
                self.halves[1].init(tcp.seq);
                self.halves[1].window = u32::from(tcp.window);
                self.synack_wscale = tcp.wscale;
                self.four_whs = true;
            }
            (true, true, Direction::ToServer) => {
                if !self.four_whs {
                    out.event(StreamEvent::ThreeWhsSynackInWrongDirection);
                    return;
                }
                if tcp.seq != self.halves[0].isn {
                    out.event(StreamEvent::FourWhsSynackWithWrongSyn);
                    return;
                }
                if tcp.ack != self.halves[1].isn.wrapping_add(1) {
                    out.event(StreamEvent::FourWhsSynackWithWrongAck);
                    return;
                }
                self.synack_seq = tcp.seq;
                self.synack_ack = tcp.ack;
                self.halves[0].window = u32::from(tcp.window);
                self.state = TcpState::SynRecv;
            }
            (true, true, Direction::ToClient) => {
                let base = self.halves[0].isn.wrapping_add(1);
                let with_data = base.wrapping_add(self.syn_data.len() as u32);
                if !self.syn_data.is_empty() && tcp.ack == with_data {
                    self.syn_data_acked = true;
                } else if tcp.ack == base {
                    self.syn_data.clear();
                    self.syn_data_acked = false;
                } else {
                    out.event(StreamEvent::ThreeWhsSynackWithWrongAck);
                    return;
                }
                if !payload.is_empty() {
                    out.event(StreamEvent::ThreeWhsSynackTfoDataIgnored);
                }
                self.halves[1].init(tcp.seq);
                self.halves[1].window = u32::from(tcp.window);
                self.synack_seq = tcp.seq;
                self.synack_ack = tcp.ack;
                self.synack_wscale = tcp.wscale;
                self.state = TcpState::SynRecv;
            }
            (false, true, Direction::ToServer) if cfg.async_oneside => {
                let expect = self.halves[0].isn.wrapping_add(1);
                let expect_data = expect.wrapping_add(self.syn_data.len() as u32);
                if tcp.seq != expect && tcp.seq != expect_data {
                    out.event(StreamEvent::ThreeWhsAsyncWrongSeq);
                    return;
                }
                self.syn_data_acked = tcp.seq == expect_data;
                self.halves[1].init(tcp.ack.wrapping_sub(1));
                self.halves[1].window = u32::MAX >> 1;
                self.async_oneside = true;
                self.finish_handshake(out, cfg);
                self.state_open(dir, tcp, payload, cfg, out);
            }
            _ => {}
        }
    }

    /// Handshake completed: set window scaling, go established, deliver SYN data (TFO).
    fn finish_handshake(&mut self, out: &mut StreamOutput, cfg: &StreamConfig) {
        if let (Some(a), Some(b)) = (self.syn_wscale, self.synack_wscale) {
            self.halves[0].wscale = a.min(MIDSTREAM_WSCALE);
            self.halves[1].wscale = b.min(MIDSTREAM_WSCALE);
        }
        self.set_established(out);
        if self.syn_data_acked && !self.syn_data.is_empty() {
            let data = std::mem::take(&mut self.syn_data);
            let seq = self.halves[0].isn.wrapping_add(1);
            self.halves[0].insert(Direction::ToServer, seq, &data, cfg, out);
        }
        self.syn_data.clear();
    }

    fn state_syn_recv(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        let syn = tcp.has(F::SYN);
        let ack = tcp.has(F::ACK);
        if tcp.has(F::RST) {
            if self.rst_valid(dir, tcp) {
                self.state = TcpState::Closed;
                out.closed_now = true;
            } else {
                out.event(StreamEvent::RstInvalidAck);
            }
            return;
        }
        // the side that completes the handshake
        let final_dir = if self.four_whs {
            Direction::ToClient
        } else {
            Direction::ToServer
        };
        if syn {
            match (ack, dir == final_dir) {
                (false, true) => {
                    if tcp.seq != self.halves[dir.index()].isn {
                        out.event(StreamEvent::ThreeWhsSynResendDiffSeqOnSynRecv);
                    }
                }
                (false, false) => out.event(StreamEvent::ThreeWhsSynToclientOnSynRecv),
                (true, false) => {
                    // SYN/ACK resend by its sender
                    if tcp.seq != self.synack_seq {
                        out.event(StreamEvent::ThreeWhsSynackResendWithDiffSeq);
                    } else if tcp.ack != self.synack_ack {
                        out.event(StreamEvent::ThreeWhsSynackResendWithDifferentAck);
                    }
                }
                (true, true) => out.event(StreamEvent::ThreeWhsSynackToserverOnSynRecv),
            }
            return;
        }
        if !ack {
            return;
        }
        if dir != final_dir {
            if cfg.async_oneside && self.midstream {
                // only the server side is visible: accept its packets
                self.async_oneside = true;
                self.finish_handshake(out, cfg);
                self.state_open(dir, tcp, payload, cfg, out);
            } else {
                out.event(StreamEvent::ThreeWhsAckInWrongDir);
            }
            return;
        }
        let (s, r) = (dir.index(), dir.reverse().index());
        let (Some(snd), Some(rcv)) = (self.halves.get(s), self.halves.get(r)) else {
            return;
        };
        let seq_lo = snd.base_seq;
        let seq_hi = if s == 0 && self.syn_data_acked {
            seq_lo.wrapping_add(self.syn_data.len() as u32)
        } else {
            seq_lo
        };
        let seq_ok = seq_geq(tcp.seq, seq_lo) && seq_leq(tcp.seq, seq_hi);
        let ack_ok = tcp.ack == rcv.isn.wrapping_add(1);
        match (seq_ok, ack_ok, self.four_whs) {
            (true, true, _) => {
                self.finish_handshake(out, cfg);
                self.state_open(dir, tcp, payload, cfg, out);
            }
            (true, false, false) => out.event(StreamEvent::ThreeWhsRightSeqWrongAckEvasion),
            (false, _, false) => out.event(StreamEvent::ThreeWhsWrongSeqWrongAck),
            (true, false, true) => out.event(StreamEvent::FourWhsInvalidAck),
            (false, _, true) => out.event(StreamEvent::FourWhsWrongSeq),
        }
    }

    /// RST acceptance: sequence number within what the receiver would accept.
    fn rst_valid(&self, dir: Direction, tcp: &TcpMeta) -> bool {
        let (Some(snd), Some(rcv)) = (
            self.halves.get(dir.index()),
            self.halves.get(dir.reverse().index()),
        ) else {
            return false;
        };
        let win = rcv.window.clamp(65535, 1 << 30);
        seq_geq(tcp.seq, snd.last_ack.wrapping_sub(1))
            && seq_leq(tcp.seq, snd.max_end.wrapping_add(win))
    }

    fn state_open(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        let (s, r) = (dir.index(), dir.reverse().index());
        if tcp.has(F::SYN) {
            self.syn_in_open(dir, tcp, out);
            return;
        }
        if tcp.has(F::RST) {
            if !self.rst_valid(dir, tcp) {
                out.event(StreamEvent::RstInvalidAck);
                return;
            }
            if let Some(h) = self.halves.get_mut(s) {
                h.rst_seen = true;
                h.insert(dir, tcp.seq, payload, cfg, out);
            }
            if tcp.has(F::ACK) {
                if let Some(h) = self.halves.get_mut(r) {
                    h.on_peer_ack(dir.reverse(), tcp.ack, cfg, out);
                }
            }
            self.set_closed(cfg, out);
            return;
        }
        let (Some(snd), Some(rcv)) = (self.halves.get(s), self.halves.get(r)) else {
            return;
        };
        // ACK validation: cannot acknowledge beyond what the peer may have sent
        if tcp.has(F::ACK) && !self.async_oneside {
            let limit = rcv.last_ack.wrapping_add(slack_window(snd.window));
            if seq_gt(tcp.ack, limit) && seq_gt(tcp.ack, rcv.max_end.wrapping_add(1)) {
                out.event(StreamEvent::PktInvalidAck);
                if self.state == TcpState::Established {
                    out.event(StreamEvent::EstInvalidAck);
                }
                return;
            }
        }
        // window check for data
        if !payload.is_empty()
            && !self.async_oneside
            && seq_gt(tcp.seq, snd.last_ack.wrapping_add(slack_window(rcv.window)))
        {
            out.event(StreamEvent::EstPacketOutOfWindow);
            return;
        }
        if let Some(h) = self.halves.get_mut(s) {
            let shift = u32::from(h.wscale.min(MIDSTREAM_WSCALE));
            h.window = u32::from(tcp.window) << shift;
        }
        if !payload.is_empty() {
            if let Some(h) = self.halves.get_mut(s) {
                let after_fin = h
                    .fin_seq
                    .is_some_and(|f| seq_geq(tcp.seq, f.wrapping_add(1)));
                if after_fin {
                    out.event(StreamEvent::ClosingAckWrongSeq);
                } else {
                    h.insert(dir, tcp.seq, payload, cfg, out);
                }
            }
        }
        if tcp.has(F::FIN) {
            if let Some(h) = self.halves.get_mut(s) {
                if h.fin_seq.is_none() {
                    h.fin_seq = Some(tcp.seq.wrapping_add(payload.len() as u32));
                }
            }
        }
        if tcp.has(F::ACK) {
            if let Some(h) = self.halves.get_mut(r) {
                h.on_peer_ack(dir.reverse(), tcp.ack, cfg, out);
            }
        }
        self.update_close_state(dir, cfg, out);
    }

    fn syn_in_open(&mut self, dir: Direction, tcp: &TcpMeta, out: &mut StreamOutput) {
        if self.state > TcpState::Established {
            out.event(StreamEvent::ShutdownSynResend);
            return;
        }
        let e = if tcp.has(F::ACK) {
            if dir == Direction::ToServer {
                StreamEvent::EstSynackToserver
            } else if tcp.seq != self.halves[1].isn {
                StreamEvent::EstSynackResendWithDiffSeq
            } else if tcp.ack != self.synack_ack {
                StreamEvent::EstSynackResendWithDifferentAck
            } else {
                StreamEvent::EstSynackResend
            }
        } else if dir == Direction::ToClient {
            StreamEvent::EstSynToclient
        } else if tcp.seq != self.halves[0].isn {
            StreamEvent::EstSynResendDiffSeq
        } else {
            StreamEvent::EstSynResend
        };
        out.event(e);
    }

    /// Derives the teardown state from which FINs were sent and acknowledged.
    fn update_close_state(&mut self, dir: Direction, cfg: &StreamConfig, out: &mut StreamOutput) {
        let fin_acked = |h: &HalfStream| {
            h.fin_seq
                .is_some_and(|f| seq_geq(h.last_ack, f.wrapping_add(1)))
        };
        let c = &self.halves[0];
        let sv = &self.halves[1];
        let (f0, f1) = (c.fin_seq.is_some(), sv.fin_seq.is_some());
        let (a0, a1) = (fin_acked(c), fin_acked(sv));
        let next = match (f0, f1) {
            (false, false) => return,
            (true, false) => {
                if a0 {
                    TcpState::FinWait2
                } else {
                    TcpState::FinWait1
                }
            }
            (false, true) => TcpState::CloseWait,
            (true, true) => {
                if a0 && a1 {
                    TcpState::Closed
                } else if matches!(self.state, TcpState::CloseWait | TcpState::LastAck) {
                    TcpState::LastAck
                } else if a0 {
                    TcpState::TimeWait
                } else {
                    TcpState::Closing
                }
            }
        };
        let _ = dir;
        if next == TcpState::Closed {
            self.set_closed(cfg, out);
        } else if next >= self.state {
            self.state = next;
        }
    }
}
