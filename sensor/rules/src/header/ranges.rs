//! Sorted, non-overlapping inclusive ranges: the compiled form of address and port sets.

/// Normalise a list of inclusive ranges: sort and merge overlapping/adjacent ones.
pub(crate) fn normalize<T: Copy + Ord + Step>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
    v.retain(|(a, b)| a <= b);
    v.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        if let Some(last) = out.last_mut() {
            if a <= last.1 || last.1.next() == Some(a) {
                if b > last.1 {
                    last.1 = b;
                }
                continue;
            }
        }
        out.push((a, b));
    }
    out
}

/// Complement of normalised ranges within `[T::MIN_V, T::MAX_V]`.
pub(crate) fn complement<T: Copy + Ord + Step>(v: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::with_capacity(v.len() + 1);
    let mut next = Some(T::MIN_V);
    for &(a, b) in v {
        if let Some(n) = next {
            if a > n {
                if let Some(p) = a.prev() {
                    out.push((n, p));
                }
            }
        }
        next = b.next();
    }
    if let Some(n) = next {
        out.push((n, T::MAX_V));
    }
    out
}

/// `a \ b` for normalised range lists.
pub(crate) fn subtract<T: Copy + Ord + Step>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    intersect(a, &complement(b))
}

/// `a ∩ b` for normalised range lists.
pub(crate) fn intersect<T: Copy + Ord + Step>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
        let lo = a0.max(b0);
        let hi = a1.min(b1);
        if lo <= hi {
            out.push((lo, hi));
        }
        if a1 < b1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Membership test by binary search.
#[inline]
pub(crate) fn contains<T: Copy + Ord>(v: &[(T, T)], x: T) -> bool {
    let idx = v.partition_point(|&(_, hi)| hi < x);
    matches!(v.get(idx), Some(&(lo, _)) if lo <= x)
}

/// Integer types usable in ranges.
pub(crate) trait Step: Sized {
    const MIN_V: Self;
    const MAX_V: Self;
    fn next(self) -> Option<Self>;
    fn prev(self) -> Option<Self>;
}

macro_rules! step {
    ($t:ty) => {
        impl Step for $t {
            const MIN_V: Self = <$t>::MIN;
            const MAX_V: Self = <$t>::MAX;
            fn next(self) -> Option<Self> {
                self.checked_add(1)
            }
            fn prev(self) -> Option<Self> {
                self.checked_sub(1)
            }
        }
    };
}
step!(u16);
step!(u32);
step!(u128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_and_complement() {
        let v = normalize(vec![(5u16, 10), (1, 3), (4, 4), (20, 30)]);
        assert_eq!(v, vec![(1, 10), (20, 30)]);
        let c = complement(&v);
        assert_eq!(c, vec![(0, 0), (11, 19), (31, u16::MAX)]);
        assert!(contains(&v, 7));
        assert!(!contains(&v, 15));
        assert_eq!(
            subtract(&[(0u16, 100)], &[(10, 20)]),
            vec![(0, 9), (21, 100)]
        );
    }
}
