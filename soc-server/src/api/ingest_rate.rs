//! An optional cap on ingest batches per second across all sensors (`ingest_batches_per_sec`):
//! a token bucket; a batch that finds it empty is answered 429 with `Retry-After`, exactly
//! like one that finds no free ingest slot. It protects a small store from a fleet of
//! sensors catching up at once (and lets tests stall the server on purpose).

use std::sync::Mutex;
use std::time::Instant;

/// The bucket (`None` rate: unlimited).
#[derive(Debug)]
pub struct IngestRate {
    per_sec: f64,
    state: Mutex<(Instant, f64)>,
}

impl IngestRate {
    /// At most `per_sec` batches per second on average, bursts of `max(1, per_sec)`;
    /// `0` means unlimited.
    pub fn new(per_sec: f64) -> Self {
        IngestRate {
            per_sec,
            state: Mutex::new((Instant::now(), per_sec.max(1.0))),
        }
    }

    /// Takes one batch's token; false when the rate is exceeded.
    pub fn try_take(&self) -> bool {
        if self.per_sec <= 0.0 {
            return true;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let burst = self.per_sec.max(1.0);
        s.1 = (s.1 + now.duration_since(s.0).as_secs_f64() * self.per_sec).min(burst);
        s.0 = now;
        if s.1 >= 1.0 {
            s.1 -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_unlimited_and_a_slow_rate_refuses_the_second_batch() {
        let free = IngestRate::new(0.0);
        assert!((0..1000).all(|_| free.try_take()));
        let slow = IngestRate::new(0.1);
        assert!(slow.try_take());
        assert!(!slow.try_take());
    }
}
