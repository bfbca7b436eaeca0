//! Errors raised while compiling a filter expression.

use thiserror::Error;

/// A filter expression could not be compiled. Positions are byte offsets into the expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    /// A token did not fit the grammar.
    #[error("filter syntax error at offset {pos}: expected {expected}, found {found}")]
    Syntax {
        /// Byte offset of the offending token.
        pos: usize,
        /// What the parser expected there.
        expected: &'static str,
        /// What it found (the token text, or "end of expression").
        found: String,
    },
    /// A value was well-formed but not acceptable (port out of range, host bits in a net ...).
    #[error("invalid value at offset {pos}: {reason}")]
    Value {
        /// Byte offset of the value.
        pos: usize,
        /// Why it was refused.
        reason: String,
    },
    /// The compiled program does not fit classic BPF limits (jump distance or length).
    #[error("filter too large for classic BPF: {0}")]
    TooLarge(&'static str),
}
