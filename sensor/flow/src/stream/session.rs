//! TCP session tracking: handshake, teardown, and dispatch of data to reassembly.

use super::config::StreamConfig;
use super::events::StreamEvent;
use super::half::HalfStream;
use super::output::StreamOutput;
use super::seq::{seq_geq, seq_gt, seq_leq, seq_lt};
use super::state::TcpState;
use super::timestamp;
use crate::packet::{tcp_flags as F, Direction, TcpMeta};

/// Window scale assumed for sessions picked up midstream (window unknown).
const MIDSTREAM_WSCALE: u8 = 14;

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
    /// The server sent in the established state (Suricata `3WHS_CONFIRMED`): a
    /// SYN/ACK resend after that is an event, before it a lost final ACK.
    hs_confirmed: bool,
    /// Timestamp values of the SYNs sent with the current ISN (a SYN/ACK may echo any).
    syn_tsvals: Vec<u32>,
    /// Both handshake packets carried timestamps: PAWS checks apply.
    ts_enabled: bool,
    /// Capture time (seconds) of the packet being processed.
    now_secs: u32,
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

    /// Sets the reassembly depth of both directions (0: unlimited), as Suricata does
    /// once the application protocol is known and has a stream depth of its own.
    pub fn set_depth(&mut self, depth: u64) {
        for h in &mut self.halves {
            h.depth = Some(depth);
        }
    }

    /// Data bytes delivered in a direction.
    pub fn delivered(&self, dir: Direction) -> u64 {
        self.half(dir).delivered
    }

    /// `stream_size` of a direction as Suricata computes it (`next_seq - isn`): one for the
    /// SYN plus the sequence space up to the highest byte seen, out of order included
    /// (Suricata reports 19 for an 18-byte stream whose last segment arrived first).
    pub fn stream_size(&self, dir: Direction) -> u64 {
        let h = self.half(dir);
        u64::from(h.max_end.wrapping_sub(h.isn))
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
        self.now_secs = u32::try_from(ts_micros.div_euclid(1_000_000)).unwrap_or(0);
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
            _ => {
                if !self.skip_before_dispatch(dir, tcp, payload.len(), out) {
                    self.state_open(dir, tcp, payload, cfg, out);
                }
            }
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
            self.syn_tsvals.clear();
            self.set_syn_timestamp(0, tcp);
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
            self.halves[0].next_win = tcp.ack.wrapping_add(u32::from(tcp.window));
            self.halves[1].next_win = self.halves[1].last_ack.wrapping_add(1 << 30);
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
        let (ws, wr) = (self.halves[s].window, self.halves[r].window);
        self.halves[s].next_win = self.halves[s].last_ack.wrapping_add(wr);
        self.halves[r].next_win = self.halves[r].last_ack.wrapping_add(ws);
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
        if !timestamp::synsent_valid(
            &self.halves[0],
            &self.syn_tsvals,
            tcp,
            dir == Direction::ToClient,
        ) {
            out.event(StreamEvent::PktInvalidTimestamp);
            return;
        }
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
                    self.syn_tsvals.clear();
                    self.set_syn_timestamp(0, tcp);
                    self.syn_data.clear();
                    self.syn_data.extend_from_slice(payload);
                } else {
                    // a SYN resend refreshes the timestamp the SYN/ACK must echo
                    self.set_syn_timestamp(0, tcp);
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
                self.halves[1].next_win = tcp.ack.wrapping_add(u32::from(tcp.window));
                self.halves[0].next_win =
                    self.halves[0].last_ack.wrapping_add(self.halves[1].window);
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
                if self.halves[0].ts_seen && tcp.timestamp.is_some() {
                    self.set_syn_timestamp(1, tcp);
                    self.ts_enabled = true;
                } else {
                    self.halves[0].last_ts = 0;
                    self.halves[0].last_pkt_ts = 0;
                    self.halves[0].ts_seen = false;
                }
                // Suricata: next_win = last_ack + window, windows unscaled on the handshake
                self.halves[0].next_win = tcp.ack.wrapping_add(u32::from(tcp.window));
                self.halves[1].next_win =
                    self.halves[1].last_ack.wrapping_add(self.halves[0].window);
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
            // TFO: the acknowledged SYN data is part of the client's sequence space
            self.halves[0].next_seq = seq.wrapping_add(data.len() as u32);
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
            if self.rst_valid(dir, tcp, out) {
                self.state = TcpState::Closed;
                out.closed_now = true;
            }
            return;
        }
        if tcp.has(F::FIN) {
            self.fin_on_syn_recv(dir, tcp, payload, cfg, out);
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
                    if tcp.ack != self.synack_ack {
                        out.event(StreamEvent::ThreeWhsSynackResendWithDifferentAck);
                    } else if tcp.seq != self.synack_seq {
                        out.event(StreamEvent::ThreeWhsSynackResendWithDiffSeq);
                    }
                }
                (true, true) => out.event(StreamEvent::ThreeWhsSynackToserverOnSynRecv),
            }
            return;
        }
        if !ack {
            return;
        }
        if self.ts_enabled
            && !timestamp::validate(
                &self.halves[dir.index()],
                tcp,
                self.now_secs,
                self.midstream,
            )
        {
            out.event(StreamEvent::PktInvalidTimestamp);
            return;
        }
        if self.four_whs {
            self.syn_recv_ack_4whs(dir, tcp, payload, cfg, out);
            return;
        }
        let mut missed_final_ack = false;
        if dir == Direction::ToClient {
            if cfg.async_oneside && self.midstream {
                // only the server side is visible: accept its packets
                self.async_oneside = true;
                self.finish_handshake(out, cfg);
                self.state_open(dir, tcp, payload, cfg, out);
                return;
            }
            // IDS mode (Suricata): the final ACK may have been missed
            missed_final_ack = true;
        }
        let (c, sv) = (&self.halves[0], &self.halves[1]);
        let seq_lo = c.next_seq;
        let seq_hi = if self.syn_data_acked {
            seq_lo.wrapping_add(self.syn_data.len() as u32)
        } else {
            seq_lo
        };
        let seq_ok = seq_geq(tcp.seq, seq_lo) && seq_leq(tcp.seq, seq_hi);
        let ack_ok = tcp.ack == sv.next_seq;
        if seq_ok && ack_ok {
            self.finish_handshake(out, cfg);
            self.state_open(dir, tcp, payload, cfg, out);
        } else if seq_ok {
            out.event(StreamEvent::ThreeWhsRightSeqWrongAckEvasion);
        } else if seq_gt(tcp.seq, c.next_seq) && seq_leq(tcp.seq, c.next_win) && ack_ok {
            // ACK for missing data: the client's first bytes were not seen
            self.syn_data.clear();
            self.syn_data_acked = false;
            self.finish_handshake(out, cfg);
            self.state_open(dir, tcp, payload, cfg, out);
        } else if missed_final_ack && tcp.ack == c.last_ack && tcp.seq == sv.next_seq {
            self.finish_handshake(out, cfg);
            self.state_open(dir, tcp, payload, cfg, out);
        } else {
            out.event(StreamEvent::ThreeWhsWrongSeqWrongAck);
        }
    }

    /// A FIN before the handshake completed: Suricata handles it as in ESTABLISHED
    /// (`StreamTcpHandleFin`), so a bad ACK or a FIN outside the window raises the FIN
    /// events; an acceptable one moves the session on to closing.
    fn fin_on_syn_recv(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        if !self.ts_ok(dir, tcp, out) {
            return;
        }
        if !self.ack_valid(dir, tcp) {
            out.event(StreamEvent::PktInvalidAck);
            out.event(StreamEvent::FinInvalidAck);
            return;
        }
        let (snd, rcv) = (
            &self.halves[dir.index()],
            &self.halves[dir.reverse().index()],
        );
        let right = snd.last_ack.wrapping_add(rcv.window);
        if seq_lt(tcp.seq, snd.next_seq) || seq_gt(tcp.seq, right) {
            out.event(StreamEvent::FinOutOfWindow);
            return;
        }
        self.finish_handshake(out, cfg);
        self.state_open(dir, tcp, payload, cfg, out);
    }

    /// Final ACK of a split (4-way) handshake, sent by the server.
    fn syn_recv_ack_4whs(
        &mut self,
        dir: Direction,
        tcp: &TcpMeta,
        payload: &[u8],
        cfg: &StreamConfig,
        out: &mut StreamOutput,
    ) {
        if dir != Direction::ToClient {
            out.event(StreamEvent::ThreeWhsAckInWrongDir);
            return;
        }
        let seq_ok = tcp.seq == self.halves[1].next_seq;
        let ack_ok = tcp.ack == self.halves[0].isn.wrapping_add(1);
        match (seq_ok, ack_ok) {
            (true, true) => {
                self.finish_handshake(out, cfg);
                self.state_open(dir, tcp, payload, cfg, out);
            }
            (true, false) => out.event(StreamEvent::FourWhsInvalidAck),
            (false, _) => out.event(StreamEvent::FourWhsWrongSeq),
        }
    }

    /// Records the handshake timestamp of half `i` (SYN or SYN/ACK sender).
    fn set_syn_timestamp(&mut self, i: usize, tcp: &TcpMeta) {
        let now = self.now_secs;
        if i == 0 {
            if let Some((val, _)) = tcp.timestamp {
                if self.syn_tsvals.len() < 16 {
                    self.syn_tsvals.push(val);
                }
            }
        }
        if let Some(h) = self.halves.get_mut(i) {
            match tcp.timestamp {
                Some((val, _)) => {
                    h.ts_seen = true;
                    h.last_ts = val;
                    h.zero_ts = val == 0;
                    h.last_pkt_ts = now;
                }
                None => {
                    h.ts_seen = false;
                    h.last_ts = 0;
                    h.zero_ts = false;
                    h.last_pkt_ts = 0;
                }
            }
        }
    }

    /// Suricata `StreamTcpValidateAck` for a packet sent in `dir`: the ACK may not
    /// acknowledge beyond the window the peer may use, nor fall a window behind.
    fn ack_valid(&self, dir: Direction, tcp: &TcpMeta) -> bool {
        if !tcp.has(F::ACK) {
            return true;
        }
        let (Some(snd), Some(rcv)) = (
            self.halves.get(dir.index()),
            self.halves.get(dir.reverse().index()),
        ) else {
            return true;
        };
        let ack = tcp.ack;
        if (seq_gt(ack, rcv.last_ack) && seq_leq(ack, rcv.next_win)) || ack == rcv.last_ack {
            return true;
        }
        if seq_lt(ack, rcv.last_ack) {
            // the receiver's usable window is the one this sender advertised
            return !(snd.window != 0 && seq_lt(ack, rcv.last_ack.wrapping_sub(snd.window)));
        }
        if self.async_oneside {
            return true;
        }
        !(self.state > TcpState::SynSent && seq_gt(ack, rcv.next_win))
    }

    /// PAWS check when timestamps are in use; raises the event on failure.
    fn ts_ok(&self, dir: Direction, tcp: &TcpMeta, out: &mut StreamOutput) -> bool {
        if !self.ts_enabled {
            return true;
        }
        let ok = timestamp::validate(
            &self.halves[dir.index()],
            tcp,
            self.now_secs,
            self.midstream,
        );
        if !ok {
            out.event(StreamEvent::PktInvalidTimestamp);
        }
        ok
    }

    /// RST acceptance (Windows host-os-policy): timestamp and ACK valid, and the
    /// sequence number is exactly the next expected one.
    fn rst_valid(&self, dir: Direction, tcp: &TcpMeta, out: &mut StreamOutput) -> bool {
        if !self.ts_ok(dir, tcp, out) {
            return false;
        }
        if tcp.has(F::ACK) && tcp.ack != 0 && !self.ack_valid(dir, tcp) {
            out.event(StreamEvent::PktInvalidAck);
            out.event(StreamEvent::RstInvalidAck);
            return false;
        }
        tcp.seq == self.halves[dir.index()].next_seq
    }

    /// Packets Suricata skips before the state machine (keep-alives, outdated ACKs,
    /// bad window updates). Returns true when the packet is to be ignored.
    fn skip_before_dispatch(
        &self,
        dir: Direction,
        tcp: &TcpMeta,
        plen: usize,
        out: &mut StreamOutput,
    ) -> bool {
        if self.state < TcpState::Established || self.state == TcpState::Closed {
            return false;
        }
        if tcp.flags & (F::SYN | F::FIN | F::RST) != 0 {
            return false;
        }
        let (snd, rcv) = (
            &self.halves[dir.index()],
            &self.halves[dir.reverse().index()],
        );
        // keep-alive: one byte (or none) just before next_seq, nothing new acked
        if plen <= 1 && tcp.ack == rcv.last_ack && tcp.seq == snd.next_seq.wrapping_sub(1) {
            return true;
        }
        let pkt_win = u32::from(tcp.window) << snd.wscale.min(MIDSTREAM_WSCALE);
        let window_update = plen == 0
            && tcp.window != 0
            && pkt_win != snd.window
            && tcp.ack == rcv.last_ack
            && tcp.seq == snd.next_seq;
        let fin_shutdown_ack = matches!(
            self.state,
            TcpState::TimeWait | TcpState::CloseWait | TcpState::LastAck
        ) && tcp.flags == F::ACK
            && plen == 0
            && tcp.seq == snd.next_seq.wrapping_add(1)
            && tcp.ack == rcv.next_seq.wrapping_add(1);
        if window_update || fin_shutdown_ack {
            return false;
        }
        // bad window update: the window shrinks by more than the ACK moved
        if pkt_win < snd.window {
            let diff = snd.window - pkt_win;
            if diff as usize > plen
                && seq_gt(tcp.ack, rcv.next_seq)
                && seq_gt(tcp.seq, snd.next_seq)
            {
                let adiff = tcp.ack.wrapping_sub(rcv.last_ack);
                if (pkt_win > 1024 && diff > adiff.saturating_add(32))
                    || (pkt_win <= 1024 && diff > adiff)
                {
                    out.event(StreamEvent::PktBadWindowUpdate);
                    return true;
                }
            }
        }
        // outdated ACK: a pure ACK eclipsed by a later one
        plen == 0
            && tcp.flags & (F::ACK | F::SYN | F::FIN | F::RST) == F::ACK
            && tcp.seq == snd.next_seq
            && seq_lt(tcp.ack, rcv.last_ack)
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
        let est = self.state == TcpState::Established;
        if tcp.has(F::RST) {
            if !self.rst_valid(dir, tcp, out) {
                return;
            }
            if let Some(h) = self.halves.get_mut(s) {
                h.rst_seen = true;
                h.insert(dir, tcp.seq, payload, cfg, out);
            }
            if let Some(h) = self.halves.get_mut(r) {
                h.rst_recv = true;
                if tcp.has(F::ACK) {
                    h.on_peer_ack(dir.reverse(), tcp.ack, cfg, out);
                }
            }
            self.set_closed(cfg, out);
            return;
        }
        let fin = tcp.has(F::FIN);
        if !fin && tcp.has(F::SYN) {
            self.syn_in_open(dir, tcp, out);
            return;
        }
        if !fin && !tcp.has(F::ACK) {
            return;
        }
        if !self.ts_ok(dir, tcp, out) {
            return;
        }
        if !self.ack_valid(dir, tcp) {
            out.event(StreamEvent::PktInvalidAck);
            if est {
                out.event(if fin {
                    StreamEvent::FinInvalidAck
                } else {
                    StreamEvent::EstInvalidAck
                });
            }
            return;
        }
        let plen = payload.len() as u32;
        let end = tcp.seq.wrapping_add(plen);
        let (snd, rcv) = (&self.halves[s], &self.halves[r]);
        if fin {
            let right = snd.last_ack.wrapping_add(rcv.window);
            if seq_lt(tcp.seq, snd.next_seq) || seq_gt(tcp.seq, right) {
                if est {
                    out.event(StreamEvent::FinOutOfWindow);
                }
                return;
            }
            if tcp.has(F::SYN) {
                return;
            }
        } else {
            let keepalive = plen <= 1 && tcp.seq == snd.next_seq.wrapping_sub(1);
            if !keepalive && !seq_geq(end, snd.last_ack) {
                if self.async_oneside {
                    if let Some(h) = self.halves.get_mut(s) {
                        h.last_ack = tcp.seq;
                    }
                } else if !(seq_gt(snd.last_ack, snd.next_seq) && seq_gt(end, snd.next_seq)) {
                    if est {
                        out.event(StreamEvent::EstPktBeforeLastAck);
                    }
                    return;
                }
            }
        }
        let (snd, rcv) = (&self.halves[s], &self.halves[r]);
        let zwp = !fin && plen == 1 && tcp.seq == snd.next_seq && rcv.window == 0;
        let new_next = if fin {
            (tcp.seq == snd.next_seq).then_some(end)
        } else if zwp {
            None
        } else if tcp.seq == snd.next_seq
            || (seq_lt(tcp.seq, snd.next_seq) && seq_gt(end, snd.next_seq))
            || seq_lt(snd.next_seq, snd.last_ack)
        {
            Some(end)
        } else {
            None
        };
        if !(fin || zwp || seq_leq(end, snd.next_win) || self.midstream || self.async_oneside) {
            if est {
                out.event(StreamEvent::EstPacketOutOfWindow);
            }
            return;
        }
        if let Some(n) = new_next {
            self.halves[s].next_seq = n;
        }
        if let Some(h) = self.halves.get_mut(s) {
            let shift = u32::from(h.wscale.min(MIDSTREAM_WSCALE));
            h.window = u32::from(tcp.window) << shift;
        }
        if tcp.has(F::ACK) {
            if let Some(h) = self.halves.get_mut(r) {
                h.on_peer_ack(dir.reverse(), tcp.ack, cfg, out);
                if !self.async_oneside && seq_gt(h.last_ack, h.next_seq) {
                    h.next_seq = h.last_ack;
                }
            }
        }
        if dir == Direction::ToClient {
            self.hs_confirmed = true;
        }
        if self.ts_enabled {
            let (now, mid) = (self.now_secs, self.midstream);
            timestamp::update(&mut self.halves[s], tcp, now, mid);
        }
        let win = self.halves[s].window;
        if let Some(h) = self.halves.get_mut(r) {
            let w = h.last_ack.wrapping_add(win);
            if seq_gt(w, h.next_win) {
                h.next_win = w;
            }
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
        if fin {
            if let Some(h) = self.halves.get_mut(s) {
                if h.fin_seq.is_none() {
                    h.fin_seq = Some(end);
                }
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
            } else if tcp.ack != self.halves[0].last_ack {
                // Suricata compares with the client's last ACKed sequence
                StreamEvent::EstSynackResendWithDifferentAck
            } else if self.hs_confirmed {
                StreamEvent::EstSynackResend
            } else {
                // the server did not get the final ACK of the handshake yet
                return;
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
