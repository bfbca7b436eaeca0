//! Errors raised while reading capture files.

use thiserror::Error;

/// An error reading a capture file. Every variant says where (byte offset in the file).
#[derive(Debug, Error)]
pub enum CaptureError {
    /// Underlying I/O failure.
    #[error("I/O error at byte offset {offset}: {source}")]
    Io {
        /// Byte offset in the file where the failing read started.
        offset: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start with a pcap or pcapng magic number.
    #[error("bad magic 0x{magic:08x} at byte offset {offset}: not a pcap or pcapng file")]
    BadMagic {
        /// The four bytes read, as a big-endian number.
        magic: u32,
        /// Byte offset of the magic.
        offset: u64,
    },
    /// A snaplen, record length or block length is absurd (too large or too small).
    #[error("invalid {what} {len} at byte offset {offset}")]
    BadLength {
        /// What was being read ("snaplen", "record length", "block length" ...).
        what: &'static str,
        /// The length found.
        len: u64,
        /// Byte offset of the header holding it.
        offset: u64,
    },
    /// A structural problem in a pcapng file (for example a packet for an unknown interface).
    #[error("malformed pcapng at byte offset {offset}: {reason}")]
    Malformed {
        /// Human-readable reason.
        reason: &'static str,
        /// Byte offset of the offending block.
        offset: u64,
    },
}
