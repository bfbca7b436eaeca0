//! Error type of the crate.

use thiserror::Error;

/// Errors reported by the flow and stream configuration.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FlowError {
    /// A configuration value is out of its valid range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(&'static str),
}
