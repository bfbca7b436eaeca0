//! The game server's core: clock, flags, verdicts, scoring, persistence.

pub mod clock;
pub mod config;
pub mod engine;
pub mod flag;
pub mod journal;
pub mod scoring;
pub mod status;
pub mod verdict;

pub use clock::{Clock, Phase};
pub use config::GameConfig;
pub use engine::{Game, GameError};
pub use flag::{FlagId, FlagKey};
pub use status::SlaStatus;
pub use verdict::Verdict;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64)
}
