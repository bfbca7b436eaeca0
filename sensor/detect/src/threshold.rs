//! Alert rate control: `threshold`, `detection_filter` and threshold.config entries,
//! with Suricata's counting semantics (detect-engine-threshold.c).

use std::collections::HashMap;
use std::net::IpAddr;

/// How matches are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Alert on the first `count` matches in each interval.
    Limit,
    /// Alert on every `count`-th match in an interval.
    Threshold,
    /// Alert once per interval, when the `count`-th match happens.
    Both,
    /// `detection_filter`: alert on every match after the first `count` in an interval.
    DetectionFilter,
}

/// What the counter is kept for (Suricata's `track by_*`).
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Track {
    BySrc,
    ByDst,
    ByRule,
    ByBoth,
}

/// One rate rule attached to a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub kind: Kind,
    pub track: Track,
    pub count: u32,
    pub seconds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    rule: u32,
    slot: u8,
    a: Option<IpAddr>,
    b: Option<IpAddr>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    start_micros: i64,
    count: u32,
}

/// Counters for every (rule, tracked address) pair seen.
#[derive(Debug, Default)]
pub struct ThresholdState {
    entries: HashMap<Key, Entry>,
    last_sweep: i64,
}

impl ThresholdState {
    /// Counts one match of `rule` under `spec` (`slot` tells apart several specs of one rule)
    /// and says whether it may alert.
    pub fn allow(
        &mut self,
        rule: u32,
        slot: u8,
        spec: &Spec,
        src: IpAddr,
        dst: IpAddr,
        now: i64,
    ) -> bool {
        self.sweep(now);
        let (a, b) = match spec.track {
            Track::BySrc => (Some(src), None),
            Track::ByDst => (Some(dst), None),
            Track::ByRule => (None, None),
            Track::ByBoth => (Some(src), Some(dst)),
        };
        let key = Key { rule, slot, a, b };
        let window = i64::from(spec.seconds) * 1_000_000;
        match self.entries.get_mut(&key) {
            None => {
                self.entries.insert(
                    key,
                    Entry {
                        start_micros: now,
                        count: 1,
                    },
                );
                match spec.kind {
                    Kind::Limit => true,
                    Kind::Threshold | Kind::Both => spec.count <= 1,
                    Kind::DetectionFilter => spec.count == 0,
                }
            }
            Some(e) => {
                let within = now < e.start_micros.saturating_add(window);
                if !within {
                    e.start_micros = now;
                    e.count = 1;
                    return match spec.kind {
                        Kind::Limit => true,
                        Kind::Threshold | Kind::Both => spec.count <= 1,
                        Kind::DetectionFilter => spec.count == 0,
                    };
                }
                e.count = e.count.saturating_add(1);
                match spec.kind {
                    Kind::Limit => e.count <= spec.count,
                    Kind::Threshold => {
                        if e.count >= spec.count {
                            e.count = 0;
                            true
                        } else {
                            false
                        }
                    }
                    Kind::Both => e.count == spec.count,
                    Kind::DetectionFilter => e.count > spec.count,
                }
            }
        }
    }

    /// Drops entries idle for more than an hour, once a minute of packet time.
    fn sweep(&mut self, now: i64) {
        if now - self.last_sweep < 60_000_000 {
            return;
        }
        self.last_sweep = now;
        self.entries
            .retain(|_, e| now - e.start_micros < 3_600_000_000);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: Kind, count: u32, n: usize) -> Vec<bool> {
        let mut st = ThresholdState::default();
        let spec = Spec {
            kind,
            track: Track::BySrc,
            count,
            seconds: 60,
        };
        let ip: IpAddr = [10, 0, 0, 1].into();
        (0..n)
            .map(|i| st.allow(1, 0, &spec, ip, ip, i as i64 * 1_000_000))
            .collect()
    }

    #[test]
    fn limit_threshold_both_detection_filter() {
        assert_eq!(run(Kind::Limit, 2, 4), [true, true, false, false]);
        assert_eq!(
            run(Kind::Threshold, 2, 5),
            [false, true, false, true, false]
        );
        assert_eq!(run(Kind::Both, 2, 4), [false, true, false, false]);
        assert_eq!(run(Kind::DetectionFilter, 2, 4), [false, false, true, true]);
    }

    #[test]
    fn window_expiry_restarts_counting() {
        let mut st = ThresholdState::default();
        let spec = Spec {
            kind: Kind::Limit,
            track: Track::ByRule,
            count: 1,
            seconds: 10,
        };
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert!(st.allow(1, 0, &spec, ip, ip, 0));
        assert!(!st.allow(1, 0, &spec, ip, ip, 5_000_000));
        assert!(st.allow(1, 0, &spec, ip, ip, 11_000_000));
    }
}
