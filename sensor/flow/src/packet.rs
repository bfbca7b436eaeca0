//! Input types: the decoded facts about one packet that flow tracking needs.

use std::net::IpAddr;

/// TCP flag bits as found in the TCP header.
pub mod tcp_flags {
    /// FIN flag.
    pub const FIN: u8 = 0x01;
    /// SYN flag.
    pub const SYN: u8 = 0x02;
    /// RST flag.
    pub const RST: u8 = 0x04;
    /// PSH flag.
    pub const PSH: u8 = 0x08;
    /// ACK flag.
    pub const ACK: u8 = 0x10;
    /// URG flag.
    pub const URG: u8 = 0x20;
}

/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of ICMPv6.
pub const PROTO_ICMPV6: u8 = 58;

/// Direction of a packet relative to its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the client (initiator) to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
}

impl Direction {
    /// The opposite direction.
    #[inline]
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }

    /// 0 for to-server, 1 for to-client (array index).
    #[inline]
    pub fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }
}

/// TCP header facts of one packet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpMeta {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number (meaningful when the ACK flag is set).
    pub ack: u32,
    /// Flags (see [`tcp_flags`]).
    pub flags: u8,
    /// Raw (unscaled) window.
    pub window: u16,
    /// Window scale option (SYN / SYN-ACK only).
    pub wscale: Option<u8>,
    /// SACK permitted option seen.
    pub sack_permitted: bool,
    /// Timestamp option (value, echo reply).
    pub timestamp: Option<(u32, u32)>,
}

impl TcpMeta {
    /// True when all bits of `f` are set.
    #[inline]
    pub fn has(&self, f: u8) -> bool {
        self.flags & f == f
    }
}

/// The decoded facts about one packet.
///
/// For ICMP/ICMPv6 set `icmp` to `(type, code, echo id)`; `sport`/`dport` are then ignored
/// by the flow table, which keys ICMP flows like Suricata does: on the type and its
/// request/reply counterpart (so an echo request and its reply share a flow). The echo
/// id is not part of the key.
#[derive(Debug, Clone, Copy)]
pub struct PacketMeta<'a> {
    /// Capture timestamp in microseconds since the epoch.
    pub ts_micros: i64,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port (0 when the protocol has none).
    pub sport: u16,
    /// Destination port (0 when the protocol has none).
    pub dport: u16,
    /// IP protocol number.
    pub proto: u8,
    /// VLAN ids, outermost first; only the first `vlan_count` are used.
    pub vlan: [u16; 3],
    /// Number of valid entries in `vlan`.
    pub vlan_count: u8,
    /// TCP header facts (for TCP packets).
    pub tcp: Option<TcpMeta>,
    /// ICMP (type, code, echo id).
    pub icmp: Option<(u8, u8, Option<u16>)>,
    /// Transport payload.
    pub payload: &'a [u8],
    /// Bytes on the wire.
    pub len: u32,
}
