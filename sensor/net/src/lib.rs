//! `sensor-net`: capture-file reading (pcap, pcapng), packet decoding and IP defragmentation.
//!
//! * [`capture`]: [`capture::FileReader`] yields [`capture::Frame`]s; [`capture::PcapWriter`] writes pcap.
//! * [`decode`]: [`decode::Decoder`] turns frames into [`decode::Packet`]s (tunnels, defragmentation,
//!   decoder events named as Suricata names them).
//! * [`testkit`]: builders for test packets and TCP conversations, usable from other crates' tests.
//!
//! A read-and-decode loop that reuses one packet vector for every frame:
//!
//! ```
//! use sensor_net::capture::{FileReader, PcapWriter, Timestamp};
//! use sensor_net::decode::{recycle_packets, Decoder, Packet};
//! use sensor_net::testkit::eth_ipv4_udp;
//!
//! let mut w = PcapWriter::new(Vec::new(), 1).unwrap();
//! let frame = eth_ipv4_udp([10, 0, 0, 1].into(), [10, 0, 0, 2].into(), 1000, 53, b"query");
//! w.write_packet(Timestamp::new(1, 0), &frame).unwrap();
//! let file = w.into_inner().unwrap();
//!
//! let mut reader = FileReader::new(file.as_slice()).unwrap();
//! let mut decoder = Decoder::new();
//! let mut spare: Vec<Packet<'static>> = Vec::with_capacity(4);
//! while let Some(frame) = reader.next_frame().unwrap() {
//!     let mut packets = recycle_packets(std::mem::take(&mut spare));
//!     decoder.decode(&frame, &mut packets);
//!     for p in &packets {
//!         assert_eq!(p.ports(), Some((1000, 53)));
//!         assert_eq!(&*p.payload, b"query");
//!     }
//!     spare = recycle_packets(packets);
//! }
//! assert_eq!(decoder.counters().udp, 1);
//! ```

pub mod capture;
pub mod decode;
pub mod testkit;
