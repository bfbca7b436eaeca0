//! Answers to a flag submission.

use serde::Serialize;

/// The answer to one submitted flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Accepted: a new capture.
    Ok,
    /// This team already submitted this flag.
    Dup,
    /// The team's own flag.
    Own,
    /// Older than the flag lifetime.
    Old,
    /// Not a valid flag of this game.
    Inv,
    /// Not accepted now (game paused, not running, rate limit, server error).
    Err,
}

impl Verdict {
    /// The protocol word.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Dup => "DUP",
            Verdict::Own => "OWN",
            Verdict::Old => "OLD",
            Verdict::Inv => "INV",
            Verdict::Err => "ERR",
        }
    }
}
