//! Packet decoding: link layers, VLAN/PPPoE/MPLS, IPv4/IPv6 (with defragmentation and tunnels),
//! TCP/UDP/ICMP, with Suricata-named decoder events and counters.

mod bytes;
mod counters;
mod decoder;
mod defrag;
mod events;
mod gre;
mod icmp;
mod ipv4;
mod ipv6;
mod link;
mod packet;
mod proto;
mod tcp;
mod udp;

pub use counters::{DecodeCounters, DefragCounters, DefragFamilyCounters, EventCounts};
pub use decoder::{Decoder, DecoderConfig, MAX_EVENTS};
pub use defrag::DefragConfig;
pub use events::{DecodeEvent, EVENT_COUNT};
pub use packet::{
    ip_flags, recycle_packets, tcp_flags, IcmpHeader, Ipv4Opts, Ipv6Exts, Packet, TcpHeader,
    UdpHeader, L4,
};
