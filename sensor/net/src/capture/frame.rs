//! Frame and timestamp types returned by the readers.

/// A capture timestamp with microsecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Microseconds within the second (0..1_000_000).
    pub usecs: u32,
}

impl Timestamp {
    /// Builds a timestamp, normalising `usecs` overflow into `secs`.
    pub fn new(secs: i64, usecs: u32) -> Self {
        Timestamp {
            secs: secs.saturating_add(i64::from(usecs / 1_000_000)),
            usecs: usecs % 1_000_000,
        }
    }

    /// Builds a timestamp from microseconds since the epoch.
    pub fn from_micros(micros: i64) -> Self {
        Timestamp {
            secs: micros.div_euclid(1_000_000),
            // rem_euclid is in 0..1_000_000, fits u32
            usecs: micros.rem_euclid(1_000_000) as u32,
        }
    }

    /// Microseconds since the epoch (saturating).
    pub fn as_micros(&self) -> i64 {
        self.secs
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.usecs))
    }

    /// Milliseconds since the epoch (saturating).
    pub fn as_millis(&self) -> i64 {
        self.secs
            .saturating_mul(1_000)
            .saturating_add(i64::from(self.usecs / 1_000))
    }

    /// Seconds elapsed from `earlier` to `self` (negative if `earlier` is later).
    pub fn secs_since(&self, earlier: Timestamp) -> i64 {
        self.secs.saturating_sub(earlier.secs)
    }
}

/// One captured frame, borrowed from the reader's internal buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Capture time.
    pub ts: Timestamp,
    /// Link type (LINKTYPE_* value) of the interface the frame was captured on.
    pub linktype: u32,
    /// Captured bytes (possibly fewer than `orig_len`).
    pub data: &'a [u8],
    /// Length of the frame on the wire.
    pub orig_len: u32,
}
