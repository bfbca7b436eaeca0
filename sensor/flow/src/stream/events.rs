//! Stream events (names as used by Suricata's `stream-event:` keyword, without prefix).

macro_rules! stream_events {
    ($($(#[$m:meta])* $v:ident => $n:literal,)*) => {
        /// A TCP stream anomaly, as Suricata's stream events.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum StreamEvent {
            $($(#[$m])* $v,)*
        }

        impl StreamEvent {
            /// All events.
            pub const ALL: &'static [StreamEvent] = &[$(StreamEvent::$v,)*];

            /// Event name as in `stream-event:<name>` (e.g. `3whs_synack_with_wrong_ack`).
            pub fn name(self) -> &'static str {
                match self {
                    $(StreamEvent::$v => $n,)*
                }
            }

            /// Looks up an event by its short name.
            pub fn from_name(name: &str) -> Option<StreamEvent> {
                let name = name.strip_prefix("stream.").unwrap_or(name);
                Self::ALL.iter().copied().find(|e| e.name() == name)
            }
        }
    };
}

stream_events! {
    /// SYN/ACK with an ack that does not match the SYN.
    ThreeWhsSynackWithWrongAck => "3whs_synack_with_wrong_ack",
    /// SYN/ACK sent by the client.
    ThreeWhsSynackInWrongDirection => "3whs_synack_in_wrong_direction",
    /// SYN/ACK resent with a different ack.
    ThreeWhsSynackResendWithDifferentAck => "3whs_synack_resend_with_different_ack",
    /// SYN/ACK resent with a different seq.
    ThreeWhsSynackResendWithDiffSeq => "3whs_synack_resend_with_diff_seq",
    /// SYN/ACK to server in SYN_RECV.
    ThreeWhsSynackToserverOnSynRecv => "3whs_synack_toserver_on_syn_recv",
    /// SYN resent with different seq in SYN_RECV.
    ThreeWhsSynResendDiffSeqOnSynRecv => "3whs_syn_resend_diff_seq_on_syn_recv",
    /// SYN to client in SYN_RECV.
    ThreeWhsSynToclientOnSynRecv => "3whs_syn_toclient_on_syn_recv",
    /// Final ACK of the handshake with wrong seq and ack.
    ThreeWhsWrongSeqWrongAck => "3whs_wrong_seq_wrong_ack",
    /// Final ACK of the handshake with right seq and wrong ack.
    ThreeWhsRightSeqWrongAckEvasion => "3whs_right_seq_wrong_ack_evasion",
    /// ACK in the wrong direction during the handshake.
    ThreeWhsAckInWrongDir => "3whs_ack_in_wrong_dir",
    /// Async ACK with wrong seq.
    ThreeWhsAsyncWrongSeq => "3whs_async_wrong_seq",
    /// Data on the SYN/ACK (TFO) ignored.
    ThreeWhsSynackTfoDataIgnored => "3whs_synack_tfo_data_ignored",
    /// 4WHS SYN/ACK with wrong ack.
    FourWhsSynackWithWrongAck => "4whs_synack_with_wrong_ack",
    /// 4WHS SYN/ACK with wrong seq (does not match the SYN).
    FourWhsSynackWithWrongSyn => "4whs_synack_with_wrong_syn",
    /// 4WHS final ACK with wrong seq.
    FourWhsWrongSeq => "4whs_wrong_seq",
    /// 4WHS final ACK with invalid ack.
    FourWhsInvalidAck => "4whs_invalid_ack",
    /// Packet out of the receive window in an established session.
    EstPacketOutOfWindow => "est_packet_out_of_window",
    /// SYN/ACK resent in an established session.
    EstSynackResend => "est_synack_resend",
    /// SYN/ACK resent with a different ack in an established session.
    EstSynackResendWithDifferentAck => "est_synack_resend_with_different_ack",
    /// SYN/ACK resent with a different seq in an established session.
    EstSynackResendWithDiffSeq => "est_synack_resend_with_diff_seq",
    /// SYN/ACK to server in an established session.
    EstSynackToserver => "est_synack_toserver",
    /// SYN resent in an established session.
    EstSynResend => "est_syn_resend",
    /// SYN resent with different seq in an established session.
    EstSynResendDiffSeq => "est_syn_resend_diff_seq",
    /// SYN to client in an established session.
    EstSynToclient => "est_syn_toclient",
    /// Invalid ack in an established session.
    EstInvalidAck => "est_invalid_ack",
    /// FIN with a sequence number outside the window.
    FinOutOfWindow => "fin_out_of_window",
    /// FIN with an invalid ack in an established session.
    FinInvalidAck => "fin_invalid_ack",
    /// FIN without a session.
    FinButNoSession => "fin_but_no_session",
    /// RST without a session.
    RstButNoSession => "rst_but_no_session",
    /// RST with an invalid sequence/ack.
    RstInvalidAck => "rst_invalid_ack",
    /// SYN resent on a closed/closing session.
    ShutdownSynResend => "shutdown_syn_resend",
    /// Packet with an ack outside the window.
    PktInvalidAck => "pkt_invalid_ack",
    /// ACK flag not set but ack field non-zero.
    PktBrokenAck => "pkt_broken_ack",
    /// Data on a packet in a closing state with a wrong seq.
    ClosingAckWrongSeq => "closing_ack_wrong_seq",
    /// Retransmission of data already seen.
    PktRetransmission => "pkt_retransmission",
    /// Retransmission of data already acknowledged.
    PktSpuriousRetransmission => "pkt_spurious_retransmission",
    /// Data missing in the stream: a gap.
    ReassemblySeqGap => "reassembly_seq_gap",
    /// Overlapping segments with different data.
    ReassemblyOverlapDifferentData => "reassembly_overlap_different_data",
    /// Segment before the base sequence of the stream.
    ReassemblySegmentBeforeBaseSeq => "reassembly_segment_before_base_seq",
    /// Reassembly depth reached.
    ReassemblyDepthReached => "reassembly_depth_reached",
    /// Packet with SYN and FIN.
    FinSyn => "fin_syn",
    /// Packet with a TCP timestamp failing the PAWS check.
    PktInvalidTimestamp => "pkt_invalid_timestamp",
    /// Window update shrinking the window more than the ACK moved.
    PktBadWindowUpdate => "pkt_bad_window_update",
    /// Packet data before the last ack of an established session.
    EstPktBeforeLastAck => "est_pkt_before_last_ack",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_roundtrip() {
        for e in StreamEvent::ALL {
            assert_eq!(StreamEvent::from_name(e.name()), Some(*e));
        }
        assert_eq!(
            StreamEvent::from_name("stream.3whs_synack_with_wrong_ack"),
            Some(StreamEvent::ThreeWhsSynackWithWrongAck)
        );
    }
}
