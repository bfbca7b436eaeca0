//! SLA statuses of a service in a tick.

use serde::{Deserialize, Serialize};

/// The status a checker run gives a team's service in a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SlaStatus {
    /// Works, all flags of the lifetime window retrievable.
    Ok,
    /// Works but answers wrongly.
    Mumble,
    /// Flags lost.
    Corrupt,
    /// Unreachable.
    Down,
    /// Works now, but older flags of the lifetime window are missing.
    Recovering,
    /// The checker failed; never counted against the team (no SLA points either).
    CheckerError,
}

impl SlaStatus {
    /// SLA points before the `sqrt(active teams)` factor.
    pub fn points(self) -> f64 {
        match self {
            SlaStatus::Ok => 1.0,
            SlaStatus::Recovering => 0.5,
            _ => 0.0,
        }
    }
}
