//! Index of IP-only rules (addresses only: no ports, no content, no packet keywords).
//!
//! Each rule is filed under the smaller of its two address sets; a lookup walks the
//! elementary intervals that contain the packet's source (and destination) address and
//! returns the rules whose interval it is. The caller re-checks the full header.

use std::net::IpAddr;

use sensor_rules::AddrSet;

/// Sorted, disjoint intervals, each with the rules that cover it.
#[derive(Debug, Default)]
struct IntervalMap<T: Copy + Ord> {
    starts: Vec<T>,
    ends: Vec<T>,
    rules: Vec<Vec<u32>>,
}

impl<T: Copy + Ord + std::fmt::Debug> IntervalMap<T> {
    /// Builds from (start, end inclusive, rule) triples.
    fn build(
        mut ranges: Vec<(T, T, u32)>,
        succ: impl Fn(T) -> Option<T>,
        pred: impl Fn(T) -> T,
    ) -> Self {
        // Boundaries: every start, and every end's successor.
        let mut cuts: Vec<T> = Vec::with_capacity(ranges.len() * 2);
        for (s, e, _) in &ranges {
            cuts.push(*s);
            if let Some(n) = succ(*e) {
                cuts.push(n);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        ranges.sort_unstable();
        let mut map = IntervalMap {
            starts: Vec::new(),
            ends: Vec::new(),
            rules: Vec::new(),
        };
        // For each elementary interval [cuts[i], cuts[i+1]-1], collect covering rules.
        // Active set maintained by a sweep over sorted starts; ends checked lazily.
        let mut active: Vec<(T, u32)> = Vec::new(); // (end, rule)
        let mut next = 0;
        for (i, &start) in cuts.iter().enumerate() {
            while next < ranges.len() && ranges[next].0 <= start {
                active.push((ranges[next].1, ranges[next].2));
                next += 1;
            }
            active.retain(|(end, _)| *end >= start);
            if active.is_empty() {
                continue;
            }
            let end = match cuts.get(i + 1) {
                // Coverage is constant up to the next cut.
                Some(&n) => pred(n),
                None => active.iter().map(|(e, _)| *e).max().unwrap_or(start),
            };
            let mut rules: Vec<u32> = active.iter().map(|(_, r)| *r).collect();
            rules.sort_unstable();
            rules.dedup();
            map.starts.push(start);
            map.ends.push(end);
            map.rules.push(rules);
        }
        map
    }

    fn lookup(&self, x: T) -> &[u32] {
        let i = self.starts.partition_point(|s| *s <= x);
        if i == 0 {
            return &[];
        }
        let i = i - 1;
        match (self.ends.get(i), self.rules.get(i)) {
            (Some(e), Some(r)) if x <= *e => r,
            _ => &[],
        }
    }
}

/// Address index over IP-only rules, for both families and both header sides.
#[derive(Debug, Default)]
pub(crate) struct IpOnlyIndex {
    by_src_v4: IntervalMap<u32>,
    by_dst_v4: IntervalMap<u32>,
    by_src_v6: IntervalMap<u128>,
    by_dst_v6: IntervalMap<u128>,
    /// Rules whose both sides are too wide to index: always candidates.
    pub always: Vec<u32>,
    pub count: usize,
}

fn width4(s: &AddrSet) -> u64 {
    s.v4_ranges()
        .iter()
        .map(|(a, b)| u64::from(b - a) + 1)
        .sum()
}

impl IpOnlyIndex {
    /// `rules`: (rule index, src set, dst set, bidirectional).
    pub fn build(rules: &[(u32, &AddrSet, &AddrSet, bool)]) -> Self {
        let mut src4 = Vec::new();
        let mut dst4 = Vec::new();
        let mut src6 = Vec::new();
        let mut dst6 = Vec::new();
        let mut always = Vec::new();
        for &(r, src, dst, bidir) in rules {
            if src.is_any() && dst.is_any() {
                always.push(r);
                continue;
            }
            // File under the narrower side; for `<>` rules file under both sides'
            // orientation by indexing the narrow set in both maps.
            let use_src = width4(src) <= width4(dst);
            let narrow = if use_src { src } else { dst };
            let (m4, m6) = if use_src {
                (&mut src4, &mut src6)
            } else {
                (&mut dst4, &mut dst6)
            };
            for &(a, b) in narrow.v4_ranges() {
                m4.push((a, b, r));
            }
            for &(a, b) in narrow.v6_ranges() {
                m6.push((a, b, r));
            }
            if bidir {
                let (o4, o6) = if use_src {
                    (&mut dst4, &mut dst6)
                } else {
                    (&mut src4, &mut src6)
                };
                for &(a, b) in narrow.v4_ranges() {
                    o4.push((a, b, r));
                }
                for &(a, b) in narrow.v6_ranges() {
                    o6.push((a, b, r));
                }
            }
        }
        IpOnlyIndex {
            by_src_v4: IntervalMap::build(src4, |x: u32| x.checked_add(1), |x| x - 1),
            by_dst_v4: IntervalMap::build(dst4, |x: u32| x.checked_add(1), |x| x - 1),
            by_src_v6: IntervalMap::build(src6, |x: u128| x.checked_add(1), |x| x - 1),
            by_dst_v6: IntervalMap::build(dst6, |x: u128| x.checked_add(1), |x| x - 1),
            always,
            count: rules.len(),
        }
    }

    /// Calls `f` with every rule that may match a packet from `src` to `dst`.
    pub fn candidates(&self, src: IpAddr, dst: IpAddr, f: &mut impl FnMut(u32)) {
        for &r in &self.always {
            f(r);
        }
        match src {
            IpAddr::V4(a) => self
                .by_src_v4
                .lookup(u32::from(a))
                .iter()
                .for_each(|&r| f(r)),
            IpAddr::V6(a) => self
                .by_src_v6
                .lookup(u128::from(a))
                .iter()
                .for_each(|&r| f(r)),
        }
        match dst {
            IpAddr::V4(a) => self
                .by_dst_v4
                .lookup(u32::from(a))
                .iter()
                .for_each(|&r| f(r)),
            IpAddr::V6(a) => self
                .by_dst_v6
                .lookup(u128::from(a))
                .iter()
                .for_each(|&r| f(r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_map_finds_covering_rules() {
        let m = IntervalMap::build(
            vec![(10u32, 20, 1), (15, 30, 2), (40, 40, 3)],
            |x: u32| x.checked_add(1),
            |x| x - 1,
        );
        assert_eq!(m.lookup(5), &[] as &[u32]);
        assert_eq!(m.lookup(10), &[1]);
        assert_eq!(m.lookup(16), &[1, 2]);
        assert_eq!(m.lookup(21), &[2]);
        assert_eq!(m.lookup(30), &[2]);
        assert_eq!(m.lookup(31), &[] as &[u32]);
        assert_eq!(m.lookup(40), &[3]);
        assert_eq!(m.lookup(41), &[] as &[u32]);
        let full = IntervalMap::build(
            vec![(0u32, u32::MAX, 7)],
            |x: u32| x.checked_add(1),
            |x| x - 1,
        );
        assert_eq!(full.lookup(u32::MAX), &[7]);
    }
}
