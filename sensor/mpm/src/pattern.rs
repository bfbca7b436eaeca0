//! Public input types: patterns and backend selection.

/// One literal pattern to search for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// Raw pattern bytes (may contain NUL and any byte value); must be non-empty.
    pub bytes: Vec<u8>,
    /// Match ASCII letters case-insensitively.
    pub nocase: bool,
    /// Caller-chosen id reported on a match; several patterns may share bytes or ids.
    pub id: u32,
}

impl Pattern {
    /// Convenience constructor.
    pub fn new(bytes: impl Into<Vec<u8>>, nocase: bool, id: u32) -> Self {
        Pattern {
            bytes: bytes.into(),
            nocase,
            id,
        }
    }
}

/// Which matching engine to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// Hyperscan when compiled in, usable on this CPU and the set has more than
    /// [`crate::AUTO_HYPERSCAN_MIN_PATTERNS`] distinct patterns; Aho-Corasick otherwise.
    #[default]
    Auto,
    /// Hyperscan (errors if unavailable).
    Hyperscan,
    /// The `aho-corasick` crate, overlapping search.
    AhoCorasick,
}
