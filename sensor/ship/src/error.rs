//! Typed errors of the spool and of the shipper.

use std::path::PathBuf;

/// An error of the on-disk spool.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A file operation failed.
    #[error("spool {op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An event cannot be stored as one line.
    #[error("event {index} of the batch is not a single line of JSON")]
    InvalidEvent {
        /// Index of the event in the appended batch.
        index: usize,
    },
}

impl SpoolError {
    /// Wraps an I/O error with the operation and the path it concerned.
    pub(crate) fn io(
        op: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| SpoolError::Io { op, path, source }
    }
}

/// An error of the shipper.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    /// The spool failed.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The configuration is unusable (URL, TLS pin, CA file).
    #[error("shipper configuration: {0}")]
    Config(String),
    /// The server refused the sensor token: retrying cannot help.
    #[error(
        "the SOC server refused the sensor token (HTTP {status}): check the token or enroll the sensor again; \
         events stay in the spool"
    )]
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// The server refused a batch for a reason that retrying cannot fix.
    #[error("the SOC server refused a batch (HTTP {status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's explanation.
        message: String,
    },
    /// Not everything was acknowledged before the deadline.
    #[error(
        "shipping timed out: {pending} event(s) from sequence {first_pending} not acknowledged \
         (kept in the spool); last error: {last_error}"
    )]
    Timeout {
        /// First sequence number not acknowledged.
        first_pending: u64,
        /// Events in the spool after the cursor.
        pending: u64,
        /// The most recent failure.
        last_error: String,
    },
}
