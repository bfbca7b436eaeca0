//! A compiler from a pcap-filter subset to classic BPF, for `SO_ATTACH_FILTER`.
//!
//! Supported primitives: `host A`, `src host A`, `dst host A` (IPv4 or IPv6), `[src|dst] net
//! ADDR/LEN`, `[tcp|udp|sctp] [src|dst] port N`, `[...] portrange A-B`, `tcp`, `udp`, `sctp`,
//! `icmp`, `icmp6`, `ip`, `ip6`, `[ip|ip6] proto N`, `vlan [ID]`, combined with `and`/`&&`,
//! `or`/`||`, `not`/`!` and parentheses. Semantics follow libpcap:
//!
//! * `and`/`or` have equal precedence, left to right; a bare value reuses the previous
//!   qualifiers (`port 53 or 853`).
//! * Ports on IPv4 are read after the variable-length header (`ldxb 4*([14]&0xf)`) and only in
//!   the first fragment (fragment offset 0); on IPv6 only when TCP/UDP/SCTP directly follows the
//!   fixed header. `tcp`/`udp`/`icmp6` on IPv6 also look through one fragment header.
//! * `host`/`net` match IPv4/IPv6 packets only (libpcap also matches ARP/RARP addresses).
//! * `vlan [ID]` matches a tag the kernel stripped from the frame (ancillary data, the usual
//!   case on Linux with VLAN acceleration) or an in-band 802.1Q/802.1ad tag. Unlike libpcap,
//!   it does not shift the offsets of the primitives that follow; on Linux they see the frame
//!   as the filter does, i.e. without the stripped outer tag.
//!
//! Accepted packets return the snap length, which the kernel uses to truncate them.

mod ast;
mod codegen;
mod error;
mod insn;
mod lexer;
mod lower;
mod parser;

#[cfg(test)]
mod interp;
#[cfg(test)]
mod tests;

pub use ast::{Dir, Expr, IpVersion, PortProto, Primitive};
pub use error::FilterError;
pub use insn::{op, BpfInsn};
pub use parser::parse;

/// Framing of the packets the filter will see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkLayer {
    /// Ethernet II (14-byte header; also Linux loopback).
    Ethernet,
    /// Raw IP, version in the first nibble (tun devices, `ARPHRD_NONE`).
    RawIp,
}

/// Compiles `expr` to a classic BPF program for frames of `link`. Accepted packets are
/// truncated to `snaplen` bytes. The empty expression accepts everything.
pub fn compile(expr: &str, link: LinkLayer, snaplen: u32) -> Result<Vec<BpfInsn>, FilterError> {
    let ast = parse(expr)?;
    let tree = lower::lower(&ast, link);
    let nl = match link {
        LinkLayer::Ethernet => 14,
        LinkLayer::RawIp => 0,
    };
    codegen::emit(&tree, nl, snaplen)
}

/// A program that accepts every packet, truncated to `snaplen` bytes.
pub fn accept_all(snaplen: u32) -> Vec<BpfInsn> {
    vec![BpfInsn::stmt(op::RET | op::K, snaplen)]
}
