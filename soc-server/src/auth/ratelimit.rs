//! Login rate limit: at most `max_failures` failed logins per user name and per client
//! address within a sliding window.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed-login bookkeeping.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// A limiter allowing `max_failures` per `window`.
    pub fn new(max_failures: usize, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether another attempt for any of `keys` is allowed now.
    pub fn allowed(&self, keys: &[&str]) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        keys.iter().all(|k| {
            let v = map.entry((*k).to_string()).or_default();
            v.retain(|t| now.duration_since(*t) < self.window);
            v.len() < self.max_failures
        })
    }

    /// Records a failed attempt for each key.
    pub fn failed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for k in keys {
            map.entry((*k).to_string()).or_default().push(now);
        }
    }

    /// Clears the failures of a key after a successful login.
    pub fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        assert!(l.allowed(&["u:alice"]));
        l.failed(&["u:alice"]);
        l.failed(&["u:alice"]);
        assert!(!l.allowed(&["u:alice"]));
        assert!(l.allowed(&["u:bob"]));
        l.succeeded("u:alice");
        assert!(l.allowed(&["u:alice"]));
    }
}
