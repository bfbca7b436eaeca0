//! Error type of the crate.

use thiserror::Error;

/// Errors returned when building a [`crate::Matcher`] or allocating a [`crate::Scratch`].
#[derive(Debug, Error)]
pub enum MpmError {
    /// A pattern with no bytes was supplied (it would match everywhere).
    #[error("pattern id {id} is empty")]
    EmptyPattern {
        /// Id of the offending pattern.
        id: u32,
    },
    /// More distinct patterns than the backend can index.
    #[error("too many distinct patterns: {0}")]
    TooManyPatterns(usize),
    /// The Hyperscan backend was requested but the crate was built without libhs.
    #[error("hyperscan backend not available: crate built without libhs")]
    HyperscanUnavailable,
    /// libhs is linked but does not support this CPU (`hs_valid_platform` failed).
    #[error("hyperscan does not support this platform (error code {0})")]
    HyperscanPlatform(i32),
    /// Hyperscan failed to compile the pattern database.
    #[error("hyperscan compile error (pattern index {expression}): {message}")]
    HyperscanCompile {
        /// Human-readable message from libhs.
        message: String,
        /// Index of the offending distinct pattern, or negative when not pattern-specific.
        expression: i32,
    },
    /// A Hyperscan runtime call (scratch allocation) failed.
    #[error("hyperscan call {call} failed with error code {code}")]
    HyperscanRuntime {
        /// Name of the failing libhs function.
        call: &'static str,
        /// libhs `hs_error_t` code.
        code: i32,
    },
    /// The aho-corasick automaton could not be built.
    #[error("aho-corasick build error: {0}")]
    AhoCorasick(#[from] aho_corasick::BuildError),
}
