//! Builders for test packets (Ethernet/VLAN/IPv4/IPv6/TCP/UDP/ICMP, fragments) and a TCP
//! conversation generator. Public (not `cfg(test)`) so that other crates' tests can use it.
//! Checksums are computed correctly.

mod conversation;
mod packets;

pub use conversation::TcpConversation;
pub use packets::*;
