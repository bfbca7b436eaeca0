//! Capture-file reading and writing: classic pcap and pcapng, without libpcap; on Linux, live
//! capture with `AF_PACKET` ([`afpacket`]).

#[cfg(target_os = "linux")]
pub mod afpacket;

mod error;
mod frame;
mod pcap;
mod pcapng;
mod reader;
mod writer;

pub use error::CaptureError;
pub use frame::{Frame, Timestamp};
pub use reader::{BoxedRead, FileFormat, FileReader};
pub use writer::{PcapNgWriter, PcapWriter};

/// Largest record / block / snaplen accepted (256 MiB); anything larger is treated as corruption.
pub const MAX_RECORD_LEN: u32 = 256 * 1024 * 1024;

/// Link type: BSD loopback (4-byte address family in host byte order).
pub const LINKTYPE_NULL: u32 = 0;
/// Link type: Ethernet.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// Link type: raw IP (BSD value 12).
pub const LINKTYPE_RAW_BSD12: u32 = 12;
/// Link type: raw IP (BSD value 14).
pub const LINKTYPE_RAW_BSD14: u32 = 14;
/// Link type: raw IP (v4 or v6 by version nibble).
pub const LINKTYPE_RAW: u32 = 101;
/// Link type: OpenBSD loopback (4-byte address family in network byte order).
pub const LINKTYPE_LOOP: u32 = 108;
/// Link type: Linux cooked capture v1.
pub const LINKTYPE_LINUX_SLL: u32 = 113;
/// Link type: raw IPv4.
pub const LINKTYPE_IPV4: u32 = 228;
/// Link type: raw IPv6.
pub const LINKTYPE_IPV6: u32 = 229;
/// Link type: Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: u32 = 276;
