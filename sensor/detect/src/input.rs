//! What the pipeline hands to the engine for one packet.

use std::net::IpAddr;

use sensor_rules::BufferKind;

/// Flow facts for the packet (absent for packets without a flow, e.g. unreassembled fragments).
#[derive(Debug, Clone, Copy, Default)]
pub struct FlowInput {
    /// The packet goes from the client (the side that opened the flow) to the server.
    pub to_server: bool,
    /// TCP: the three-way handshake completed; UDP/others: packets seen both ways.
    pub established: bool,
    /// The TCP session is tracked (handshake seen or picked up midstream).
    pub stream_tracked: bool,
    /// Application protocol detected on the flow (Suricata's name: "http", "dns", "tls").
    pub app_proto: Option<&'static str>,
    /// Stream bytes seen so far by direction (for `stream_size`): client→server, server→client.
    pub stream_bytes: [u64; 2],
}

/// One packet as the detection engine sees it.
#[derive(Debug, Clone, Copy)]
pub struct PacketInput<'a> {
    pub ts_micros: i64,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    /// IP protocol number of the transport (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 …).
    pub ip_proto: u8,
    pub ttl: u8,
    pub ip_id: u32,
    /// IPv4 type of service / IPv6 traffic class.
    pub tos: u8,
    /// IPv4 fragment flags as `fragbits` sees them: RF 0x04, DF 0x02, MF 0x01.
    pub frag_bits: u8,
    /// Fragment offset in 8-byte units.
    pub frag_offset: u16,
    pub is_fragment: bool,
    /// TCP header fields, when TCP.
    pub tcp: Option<TcpInput>,
    /// ICMP type, code, id and sequence, when ICMP/ICMPv6.
    pub icmp: Option<IcmpInput>,
    /// The packet's own payload (L4 payload; the IP payload for other protocols).
    pub payload: &'a [u8],
    /// Newly reassembled stream bytes this packet made available in its direction
    /// (with earlier context as the pipeline chooses), inspected by stream rules.
    pub stream: Option<&'a [u8]>,
    /// The payload went into a tracked TCP stream: payload rules inspect the stream, not
    /// the packet alone.
    pub in_stream: bool,
    pub flow: Option<FlowInput>,
    /// A pseudo packet made when a flow ends to inspect what is left of its streams and
    /// transactions: only stream and transaction rules are evaluated on it.
    pub pseudo: bool,
    /// Decoder, stream and app-layer event names raised on this packet
    /// (`ipv4.trunc_pkt`, `stream.pkt_invalid_ack`, `http.request_field_too_long` …).
    pub events: &'a [&'static str],
}

/// TCP header fields used by rule keywords.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpInput {
    pub flags: u8,
    pub seq: u32,
    pub ack: u32,
    pub window: u16,
}

/// ICMP header fields used by rule keywords.
#[derive(Debug, Clone, Copy, Default)]
pub struct IcmpInput {
    pub itype: u8,
    pub icode: u8,
    pub id: Option<u16>,
    pub seq: Option<u16>,
}

/// An application-layer transaction (or one direction of it) ready for inspection.
///
/// The pipeline passes each transaction direction once, when it is complete (or when the
/// flow ends), so a rule alerts at most once per transaction and direction.
pub trait TxView {
    /// Suricata's protocol name: "http", "dns", "tls".
    fn app_proto(&self) -> &'static str;
    /// Direction of the inspected side: true for requests (client → server).
    fn to_server(&self) -> bool;
    /// How many instances of the buffer this transaction has (0 when absent; `dns.query` may
    /// have several).
    fn buffer_count(&self, kind: BufferKind) -> usize;
    /// Instance `index` of a buffer.
    fn buffer(&self, kind: BufferKind, index: usize) -> Option<&[u8]>;
    /// App-layer events recorded on the transaction (`http.request_field_too_long` …),
    /// for protocols whose parser keeps them per transaction.
    fn events(&self) -> &[&'static str] {
        &[]
    }
}
