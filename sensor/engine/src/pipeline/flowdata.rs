//! What the pipeline keeps per flow besides the flow table's own fields.

use sensor_app::detect::Outcome;
use sensor_app::AppState;
use sensor_detect::FlowDetectState;

/// Bytes of un-inspected stream data after which the stream is inspected even without an
/// application-layer trigger (Suricata's `stream.reassembly.toserver-chunk-size`).
pub const STREAM_CHUNK: usize = 2560;
/// Bytes buffered for protocol detection per direction before giving up.
pub const PROBE_LIMIT: usize = 4096;
/// Bytes of one direction held for replay into a parser that pattern detection selects.
pub const REPLAY_LIMIT: usize = 16384;

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
    /// Per direction: where detection of that side stands (both sides are followed to
    /// the end, for `applayer_detect_protocol_only_one_direction`).
    pub outcome: [Outcome; 2],
    /// Per direction: the first bytes, kept while that side's outcome is pending.
    pub outcome_buf: [Vec<u8>; 2],
    /// The direction index of the next packet that carries the only-one-direction event
    /// (the packet answering the data that settled detection, as Suricata's ACK-driven
    /// app layer raises it).
    pub one_direction_event: Option<usize>,
    /// Per direction: reassembled bytes not yet inspected by stream rules.
    pub pending: [Vec<u8>; 2],
    /// Per direction: stream bytes already inspected before the stream delivered them
    /// (TCP Fast Open data, inspected with its SYN).
    pub inspected_ahead: [u64; 2],
    /// Detection state: flowbits, IP-only progress.
    pub detect: FlowDetectState,
    /// Engine generation `detect` belongs to (see `detector::detect_state`).
    pub detect_generation: u64,
    /// The TLS record of the flow was written.
    pub tls_logged: bool,
    /// HTTP transactions already written as `http` events (by id).
    pub http_logged: Vec<u64>,
    /// HTTP transactions whose events were handed on: (transaction id, events counted).
    pub http_events_seen: Vec<(u64, usize)>,
    /// HTTP transaction events waiting for the packets that inspect them.
    pub deferred_http_events: Vec<DeferredEvents>,
    /// Per direction: bytes delivered while no parser had the flow and detection was still
    /// going on (at most [`REPLAY_LIMIT`]), replayed into a parser that pattern detection
    /// selects later (SMTP: the server's banner before the client's EHLO).
    pub replay: [Vec<u8>; 2],
    /// Transaction events of the SMTP parser waiting for the packets that inspect them.
    pub deferred_tx_events: Vec<DeferredEvents>,
    /// Per direction: YARA rules (by index) that already alerted on this flow.
    pub yara_fired: [Vec<usize>; 2],
}

/// Most deferred event sets a flow keeps (the oldest are dropped beyond).
pub const MAX_DEFERRED_EVENTS: usize = 64;

/// Transaction events raised by data of direction `origin` (0 = to server).
pub struct DeferredEvents {
    pub events: Vec<&'static str>,
    pub origin: usize,
    /// 0: waiting for a packet of the other direction; 1: waiting for one of `origin`.
    pub stage: u8,
}

/// Queues `events` raised by data of direction `origin` for the packets that inspect them
/// (the oldest entry goes when [`MAX_DEFERRED_EVENTS`] are waiting).
pub fn defer_events(list: &mut Vec<DeferredEvents>, events: Vec<&'static str>, origin: usize) {
    if list.len() >= MAX_DEFERRED_EVENTS {
        list.remove(0);
    }
    list.push(DeferredEvents {
        events,
        origin,
        stage: 0,
    });
}

/// The deferred events a packet of direction `di` inspects, as Suricata's IDS mode sees a
/// transaction's events: by the other direction's next packet, then by the origin
/// direction's next packet (after which the entry is done).
pub fn due_events(list: &mut Vec<DeferredEvents>, di: usize, mut due: impl FnMut(&[&'static str])) {
    list.retain_mut(|d| {
        if d.stage == 0 && di != d.origin {
            d.stage = 1;
            due(&d.events);
            true
        } else if d.stage == 1 && di == d.origin {
            due(&d.events);
            false
        } else {
            true
        }
    });
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
