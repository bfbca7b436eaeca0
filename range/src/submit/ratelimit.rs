//! Token-bucket rate limits, one bucket per team.

use std::sync::Mutex;
use std::time::Instant;

use crate::scenario::model::RateLimit;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Per-team buckets refilled at `per_second` up to `burst`.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<Vec<Bucket>>,
}

impl RateLimiter {
    /// Full buckets for `teams` teams.
    pub fn new(limit: RateLimit, teams: usize) -> Self {
        let now = Instant::now();
        RateLimiter {
            limit,
            buckets: Mutex::new(vec![
                Bucket {
                    tokens: f64::from(limit.burst),
                    last: now,
                };
                teams
            ]),
        }
    }

    /// Takes one token for `team` at `now`; false when the team is over its limit.
    pub fn allow(&self, team: usize, now: Instant) -> bool {
        let Ok(mut b) = self.buckets.lock() else {
            return false;
        };
        let Some(b) = b.get_mut(team) else {
            return false;
        };
        let dt = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + dt * self.limit.per_second).min(f64::from(self.limit.burst));
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_at_the_rate() {
        let l = RateLimiter::new(
            RateLimit {
                per_second: 2.0,
                burst: 3,
            },
            2,
        );
        let t0 = Instant::now();
        assert!((0..3).all(|_| l.allow(0, t0)));
        assert!(!l.allow(0, t0));
        assert!(l.allow(1, t0), "teams have separate buckets");
        assert!(l.allow(0, t0 + Duration::from_millis(500)));
        assert!(!l.allow(0, t0 + Duration::from_millis(500)));
        assert!(!l.allow(9, t0), "unknown team");
    }
}
