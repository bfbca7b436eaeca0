//! Per-packet output of the stream engine. Reused between packets (no allocation once warm).

use super::counters::StreamCounters;
use super::events::StreamEvent;
use crate::packet::Direction;

/// One item of reassembled output, in the order it became available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamItem {
    /// Newly contiguous bytes: `out.bytes()[start..end]`, starting at stream offset
    /// `stream_offset` (bytes of the direction, gaps included).
    Data {
        /// Direction of the data.
        dir: Direction,
        /// Offset of the first byte in the direction's stream.
        stream_offset: u64,
        /// Start in [`StreamOutput::bytes`].
        start: usize,
        /// End (exclusive) in [`StreamOutput::bytes`].
        end: usize,
    },
    /// A hole of `len` bytes that will never be filled, at stream offset `stream_offset`.
    Gap {
        /// Direction of the gap.
        dir: Direction,
        /// Offset of the hole in the direction's stream.
        stream_offset: u64,
        /// Length of the hole in bytes.
        len: u64,
    },
}

/// Results of processing one packet (or a flush).
#[derive(Debug, Default, Clone)]
pub struct StreamOutput {
    /// Data and gap items in order.
    pub items: Vec<StreamItem>,
    /// Backing bytes of the data items.
    pub buf: Vec<u8>,
    /// Stream events raised by the packet.
    pub events: Vec<StreamEvent>,
    /// The session is tracked by the stream engine (handshake seen or picked up).
    pub tracked: bool,
    /// The session became established with this packet.
    pub established_now: bool,
    /// The session became closed with this packet.
    pub closed_now: bool,
    /// Counter increments caused by this packet (add them to the global counters).
    pub counters: StreamCounters,
}

impl StreamOutput {
    /// New empty output.
    pub fn new() -> Self {
        Self::default()
    }

    /// Clears everything, keeping capacity.
    pub fn clear(&mut self) {
        self.items.clear();
        self.buf.clear();
        self.events.clear();
        self.tracked = false;
        self.established_now = false;
        self.closed_now = false;
        self.counters = StreamCounters::default();
    }

    /// All data bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes of a data item (empty for gaps).
    pub fn item_bytes(&self, item: &StreamItem) -> &[u8] {
        match *item {
            StreamItem::Data { start, end, .. } => self.buf.get(start..end).unwrap_or(&[]),
            StreamItem::Gap { .. } => &[],
        }
    }

    /// Iterator over data chunks as (direction, stream offset, bytes).
    pub fn data(&self) -> impl Iterator<Item = (Direction, u64, &[u8])> + '_ {
        self.items.iter().filter_map(move |it| match *it {
            StreamItem::Data {
                dir,
                stream_offset,
                start,
                end,
            } => Some((dir, stream_offset, self.buf.get(start..end).unwrap_or(&[]))),
            StreamItem::Gap { .. } => None,
        })
    }

    /// Iterator over gaps as (direction, stream offset, length).
    pub fn gaps(&self) -> impl Iterator<Item = (Direction, u64, u64)> + '_ {
        self.items.iter().filter_map(|it| match *it {
            StreamItem::Gap {
                dir,
                stream_offset,
                len,
            } => Some((dir, stream_offset, len)),
            StreamItem::Data { .. } => None,
        })
    }

    /// Concatenated data of one direction (convenience for tests and slow paths).
    pub fn data_of(&self, d: Direction) -> Vec<u8> {
        let mut v = Vec::new();
        for (dir, _, b) in self.data() {
            if dir == d {
                v.extend_from_slice(b);
            }
        }
        v
    }

    /// Whether an event was raised.
    pub fn has_event(&self, e: StreamEvent) -> bool {
        self.events.contains(&e)
    }

    pub(crate) fn event(&mut self, e: StreamEvent) {
        if !self.events.contains(&e) {
            self.events.push(e);
        }
    }

    pub(crate) fn push_data(&mut self, dir: Direction, stream_offset: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let start = self.buf.len();
        self.buf.extend_from_slice(bytes);
        self.items.push(StreamItem::Data {
            dir,
            stream_offset,
            start,
            end: self.buf.len(),
        });
    }

    pub(crate) fn push_gap(&mut self, dir: Direction, stream_offset: u64, len: u64) {
        if len > 0 {
            self.items.push(StreamItem::Gap {
                dir,
                stream_offset,
                len,
            });
        }
    }
}
