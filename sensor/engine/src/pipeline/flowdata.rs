//! What the pipeline keeps per flow besides the flow table's own fields.

use sensor_app::AppState;
use sensor_detect::FlowDetectState;

/// Bytes of un-inspected stream data after which the stream is inspected even without an
/// application-layer trigger (Suricata's `stream.reassembly.toserver-chunk-size`).
pub const STREAM_CHUNK: usize = 2560;
/// Bytes buffered for protocol detection per direction before giving up.
pub const PROBE_LIMIT: usize = 4096;

/// Per-flow state of the pipeline.
#[derive(Default)]
pub struct FlowData {
    /// Application-layer parser, once the protocol is known.
    pub app: Option<AppState>,
    /// Protocol detection gave up on this flow.
    pub probe_failed: bool,
    /// Per direction [to_server, to_client]: the probe said "not this" for the data seen.
    pub probe_rejected: [bool; 2],
    /// Per direction: bytes held while the protocol is being detected.
    pub probe_buf: [Vec<u8>; 2],
    /// Per direction: reassembled bytes not yet inspected by stream rules.
    pub pending: [Vec<u8>; 2],
    /// Per direction: stream bytes already inspected before the stream delivered them
    /// (TCP Fast Open data, inspected with its SYN).
    pub inspected_ahead: [u64; 2],
    /// Per direction: reassembled bytes delivered so far (`stream_size`).
    pub stream_bytes: [u64; 2],
    /// Detection state: flowbits, IP-only progress.
    pub detect: FlowDetectState,
    /// Engine generation `detect` belongs to (see `detector::detect_state`).
    pub detect_generation: u64,
    /// The TLS record of the flow was written.
    pub tls_logged: bool,
    /// HTTP transactions already written as `http` events (by id).
    pub http_logged: Vec<u64>,
    /// Per direction: YARA rules (by index) that already alerted on this flow.
    pub yara_fired: [Vec<usize>; 2],
}

impl FlowData {
    /// Adds newly reassembled bytes of direction `i` to the un-inspected stream data,
    /// minus what was inspected ahead of delivery.
    pub fn append_pending(&mut self, i: usize, bytes: &[u8]) {
        let ahead = &mut self.inspected_ahead[i];
        let skip = usize::try_from(*ahead)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        *ahead -= skip as u64;
        self.pending[i].extend_from_slice(&bytes[skip..]);
    }
}
