//! Ticks from the wall clock: tick `n` starts at `start + n × length`, so the schedule never
//! drifts. Pausing freezes the tick number; resuming goes back to the wall clock (ticks that
//! passed during the pause are skipped, nothing shifts).

use serde::{Deserialize, Serialize};

/// Where the game stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", content = "tick", rename_all = "snake_case")]
pub enum Phase {
    /// Before the start.
    NotStarted,
    /// Running in this tick.
    Running(u32),
    /// Paused in this tick.
    Paused(u32),
    /// All ticks are over.
    Over,
}

/// The game clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// Start, Unix milliseconds.
    pub start_ms: i64,
    /// Tick length in milliseconds (at least 1).
    pub tick_ms: u64,
    /// Number of ticks in the game.
    pub ticks: u32,
    /// When a pause began (Unix ms), if paused.
    pub paused_at_ms: Option<i64>,
}

impl Clock {
    /// A running clock.
    pub fn new(start_ms: i64, tick_ms: u64, ticks: u32) -> Self {
        Clock {
            start_ms,
            tick_ms: tick_ms.max(1),
            ticks,
            paused_at_ms: None,
        }
    }

    fn raw(&self, now_ms: i64) -> Phase {
        if now_ms < self.start_ms {
            return Phase::NotStarted;
        }
        let n = (now_ms - self.start_ms) as u64 / self.tick_ms.max(1);
        if n >= u64::from(self.ticks) {
            Phase::Over
        } else {
            Phase::Running(n as u32)
        }
    }

    /// The phase at `now_ms`.
    pub fn phase(&self, now_ms: i64) -> Phase {
        match self.paused_at_ms {
            Some(p) => match self.raw(p) {
                Phase::Running(n) => Phase::Paused(n),
                other => other,
            },
            None => self.raw(now_ms),
        }
    }

    /// The start of tick `n` in Unix ms.
    pub fn tick_start(&self, n: u32) -> i64 {
        self.start_ms
            .saturating_add((u64::from(n) * self.tick_ms).min(i64::MAX as u64) as i64)
    }

    /// Freezes the tick number at `now_ms` (no effect when already paused).
    pub fn pause(&mut self, now_ms: i64) {
        if self.paused_at_ms.is_none() {
            self.paused_at_ms = Some(now_ms);
        }
    }

    /// Goes back to the wall clock.
    pub fn resume(&mut self) {
        self.paused_at_ms = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_n_starts_at_start_plus_n_lengths() {
        let c = Clock::new(1_000, 100, 10);
        assert_eq!(c.phase(999), Phase::NotStarted);
        assert_eq!(c.phase(1_000), Phase::Running(0));
        assert_eq!(c.phase(1_099), Phase::Running(0));
        assert_eq!(c.phase(1_100), Phase::Running(1));
        assert_eq!(c.tick_start(7), 1_700);
        assert_eq!(c.phase(2_000), Phase::Over);
    }

    #[test]
    fn pause_freezes_and_resume_shifts_nothing() {
        let mut c = Clock::new(0, 100, 100);
        c.pause(250);
        assert_eq!(c.phase(900), Phase::Paused(2));
        c.resume();
        assert_eq!(c.phase(900), Phase::Running(9));
    }
}
