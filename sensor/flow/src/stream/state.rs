//! TCP connection states as Suricata names them.

/// TCP session state (client-centred, like Suricata).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum TcpState {
    /// No session yet.
    #[default]
    None,
    /// SYN seen.
    SynSent,
    /// SYN/ACK seen.
    SynRecv,
    /// Handshake completed (or picked up).
    Established,
    /// Client sent FIN.
    FinWait1,
    /// Client FIN acknowledged.
    FinWait2,
    /// Both sent FIN, client FIN not yet acknowledged.
    Closing,
    /// Server sent FIN.
    CloseWait,
    /// Server sent FIN, then the client.
    LastAck,
    /// Both FINs seen, client FIN acknowledged.
    TimeWait,
    /// Closed by FIN exchange or RST.
    Closed,
}

impl TcpState {
    /// Name as in Suricata EVE `tcp.state`.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::None => "none",
            TcpState::SynSent => "syn_sent",
            TcpState::SynRecv => "syn_recv",
            TcpState::Established => "established",
            TcpState::FinWait1 => "fin_wait1",
            TcpState::FinWait2 => "fin_wait2",
            TcpState::Closing => "closing",
            TcpState::CloseWait => "close_wait",
            TcpState::LastAck => "last_ack",
            TcpState::TimeWait => "time_wait",
            TcpState::Closed => "closed",
        }
    }
}
