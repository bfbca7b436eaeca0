//! Errors raised by live capture.

use thiserror::Error;

use super::filter::FilterError;

/// An error opening or reading a live capture socket.
#[derive(Debug, Error)]
pub enum LiveError {
    /// The configuration is unusable.
    #[error("invalid live capture configuration: {0}")]
    Config(String),
    /// The interface does not exist (in this network namespace).
    #[error("no such interface {0:?}")]
    NoSuchInterface(String),
    /// The interface's hardware type has no supported link type.
    #[error("interface {interface:?} has unsupported hardware type {arphrd}")]
    UnsupportedLinkType {
        /// Interface name.
        interface: String,
        /// `ARPHRD_*` value.
        arphrd: u16,
    },
    /// The filter expression does not compile.
    #[error("filter: {0}")]
    Filter(#[from] FilterError),
    /// A system call failed; `op` names it (and the option for socket options).
    #[error("{op} failed: {source}")]
    Sys {
        /// The failing operation.
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl LiveError {
    /// Wraps the current `errno` for `op`.
    pub(crate) fn last_os(op: &'static str) -> Self {
        LiveError::Sys {
            op,
            source: std::io::Error::last_os_error(),
        }
    }
}
