//! A complete TCP session generator: handshake, data both ways with correct seq/ack, FIN teardown.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use super::packets::{ethernet, ip, tcp};
use crate::capture::{PcapWriter, Timestamp, LINKTYPE_ETHERNET};
use crate::decode::tcp_flags::{ACK, FIN, PSH, SYN};

/// Maximum segment size used to split data.
const MSS: usize = 1460;

/// Builds the Ethernet frames of one TCP conversation, in order.
///
/// ```
/// use sensor_net::testkit::TcpConversation;
/// let mut c = TcpConversation::new("10.0.0.1:40000".parse().unwrap(), "10.0.0.2:80".parse().unwrap());
/// c.handshake().client_send(b"GET / HTTP/1.0\r\n\r\n").server_send(b"HTTP/1.0 200 OK\r\n\r\n").close();
/// assert_eq!(c.frames().len(), 3 + 2 + 2 + 3);
/// ```
#[derive(Debug, Clone)]
pub struct TcpConversation {
    client: SocketAddr,
    server: SocketAddr,
    client_seq: u32,
    server_seq: u32,
    ts: Timestamp,
    step_us: i64,
    ack_data: bool,
    frames: Vec<(Timestamp, Vec<u8>)>,
}

impl TcpConversation {
    /// A conversation between `client` and `server` (same address family), ISNs 1000 / 5000,
    /// starting at 2023-11-14T22:13:20Z, 1 ms between frames.
    pub fn new(client: SocketAddr, server: SocketAddr) -> Self {
        TcpConversation {
            client,
            server,
            client_seq: 1000,
            server_seq: 5000,
            ts: Timestamp::new(1_700_000_000, 0),
            step_us: 1000,
            ack_data: true,
            frames: Vec::new(),
        }
    }

    /// Sets the initial sequence numbers (before `handshake`).
    pub fn with_isn(mut self, client_isn: u32, server_isn: u32) -> Self {
        self.client_seq = client_isn;
        self.server_seq = server_isn;
        self
    }

    /// Sets the start time and the gap between frames.
    pub fn with_time(mut self, start: Timestamp, step_us: i64) -> Self {
        self.ts = start;
        self.step_us = step_us;
        self
    }

    /// Whether each data segment is acknowledged by a bare ACK from the peer (default true).
    pub fn with_data_acks(mut self, ack: bool) -> Self {
        self.ack_data = ack;
        self
    }

    /// Next client sequence number.
    pub fn client_seq(&self) -> u32 {
        self.client_seq
    }

    /// Next server sequence number.
    pub fn server_seq(&self) -> u32 {
        self.server_seq
    }

    fn push(&mut self, from_client: bool, flags: u8, payload: &[u8]) {
        let (src, dst, seq, ack) = if from_client {
            (self.client, self.server, self.client_seq, self.server_seq)
        } else {
            (self.server, self.client, self.server_seq, self.client_seq)
        };
        let ack = if flags & ACK != 0 { ack } else { 0 };
        let seg = tcp(
            src.ip(),
            dst.ip(),
            src.port(),
            dst.port(),
            seq,
            ack,
            flags,
            payload,
        );
        let ethertype = if matches!(src.ip(), IpAddr::V4(_)) {
            0x0800
        } else {
            0x86dd
        };
        let frame = ethernet(ethertype, &ip(src.ip(), dst.ip(), 6, &seg));
        self.frames.push((self.ts, frame));
        self.ts = Timestamp::from_micros(self.ts.as_micros() + self.step_us);
        let mut adv = payload.len() as u32;
        if flags & (SYN | FIN) != 0 {
            adv += 1;
        }
        if from_client {
            self.client_seq = self.client_seq.wrapping_add(adv);
        } else {
            self.server_seq = self.server_seq.wrapping_add(adv);
        }
    }

    /// Appends SYN, SYN/ACK, ACK.
    pub fn handshake(&mut self) -> &mut Self {
        self.push(true, SYN, &[]);
        self.push(false, SYN | ACK, &[]);
        self.push(true, ACK, &[]);
        self
    }

    /// Appends client data (split at 1460 bytes), each segment ACKed by the server.
    pub fn client_send(&mut self, data: &[u8]) -> &mut Self {
        self.send(true, data)
    }

    /// Appends server data (split at 1460 bytes), each segment ACKed by the client.
    pub fn server_send(&mut self, data: &[u8]) -> &mut Self {
        self.send(false, data)
    }

    fn send(&mut self, from_client: bool, data: &[u8]) -> &mut Self {
        for chunk in data.chunks(MSS) {
            self.push(from_client, PSH | ACK, chunk);
            if self.ack_data {
                self.push(!from_client, ACK, &[]);
            }
        }
        self
    }

    /// Appends client FIN, server FIN/ACK, client ACK.
    pub fn close(&mut self) -> &mut Self {
        self.push(true, FIN | ACK, &[]);
        self.push(false, FIN | ACK, &[]);
        self.push(true, ACK, &[]);
        self
    }

    /// Frames so far, with their timestamps.
    pub fn frames(&self) -> &[(Timestamp, Vec<u8>)] {
        &self.frames
    }

    /// Takes the frames.
    pub fn into_frames(self) -> Vec<(Timestamp, Vec<u8>)> {
        self.frames
    }

    /// Writes the frames to an Ethernet pcap file.
    pub fn write_pcap(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET)?;
        for (ts, f) in &self.frames {
            w.write_packet(*ts, f)?;
        }
        w.flush()
    }
}
