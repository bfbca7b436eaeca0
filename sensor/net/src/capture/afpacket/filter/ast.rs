//! Syntax tree of a parsed filter expression.

use std::net::IpAddr;

/// Which address or port of a packet a primitive looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Source only (`src`).
    Src,
    /// Destination only (`dst`).
    Dst,
    /// Either (no qualifier).
    Either,
}

/// Transport protocol a port primitive is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortProto {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// SCTP (132).
    Sctp,
}

impl PortProto {
    /// IP protocol number.
    pub fn number(self) -> u8 {
        match self {
            PortProto::Tcp => 6,
            PortProto::Udp => 17,
            PortProto::Sctp => 132,
        }
    }
}

/// IP version a `proto` primitive is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpVersion {
    /// IPv4 only (`ip proto N`).
    V4,
    /// IPv6 only (`ip6 proto N`).
    V6,
    /// Both (`proto N`).
    Any,
}

/// A single test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Primitive {
    /// `[src|dst] host ADDR`.
    Host {
        /// Direction.
        dir: Dir,
        /// Address (v4 or v6).
        addr: IpAddr,
    },
    /// `[src|dst] net ADDR/LEN` (or `net ADDR` = host-length prefix).
    Net {
        /// Direction.
        dir: Dir,
        /// Network address (no bits set past the prefix).
        addr: IpAddr,
        /// Prefix length.
        prefix: u8,
    },
    /// `[tcp|udp|sctp] [src|dst] port N`, or `portrange A-B` (`lo == hi` for a single port).
    Port {
        /// Direction.
        dir: Dir,
        /// Restricting transport protocol (TCP, UDP or SCTP when absent).
        proto: Option<PortProto>,
        /// Lowest port matched.
        lo: u16,
        /// Highest port matched.
        hi: u16,
    },
    /// `[ip|ip6] proto N`, and the keywords `tcp`, `udp`, `sctp`, `icmp`, `icmp6`.
    IpProto {
        /// IP version(s) the test applies to.
        version: IpVersion,
        /// Protocol number.
        proto: u8,
    },
    /// `ip`: any IPv4 packet.
    Ip,
    /// `ip6`: any IPv6 packet.
    Ip6,
    /// `vlan [ID]`: 802.1Q/802.1ad tagged frame (optionally with that VLAN id).
    Vlan(Option<u16>),
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Matches everything (the empty expression).
    All,
    /// Both sides.
    And(Box<Expr>, Box<Expr>),
    /// Either side.
    Or(Box<Expr>, Box<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A test.
    Prim(Primitive),
}
