//! `sensor-net`: capture-file reading (pcap, pcapng), packet decoding and IP defragmentation.
//!
//! * [`capture`]: [`capture::FileReader`] yields [`capture::Frame`]s; [`capture::PcapWriter`] writes pcap.
//! * [`decode`]: [`decode::Decoder`] turns frames into [`decode::Packet`]s (tunnels, defragmentation,
//!   decoder events named as Suricata names them).
//! * [`testkit`]: builders for test packets and TCP conversations, usable from other crates' tests.

pub mod capture;
pub mod decode;
pub mod testkit;
