//! Wrapping (modulo 2^32) TCP sequence number comparisons.

/// Signed distance `a - b` in sequence space.
#[inline]
pub fn seq_diff(a: u32, b: u32) -> i32 {
    a.wrapping_sub(b) as i32
}

/// `a < b` in sequence space.
#[inline]
pub fn seq_lt(a: u32, b: u32) -> bool {
    seq_diff(a, b) < 0
}

/// `a <= b` in sequence space.
#[inline]
pub fn seq_leq(a: u32, b: u32) -> bool {
    seq_diff(a, b) <= 0
}

/// `a > b` in sequence space.
#[inline]
pub fn seq_gt(a: u32, b: u32) -> bool {
    seq_diff(a, b) > 0
}

/// `a >= b` in sequence space.
#[inline]
pub fn seq_geq(a: u32, b: u32) -> bool {
    seq_diff(a, b) >= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps() {
        assert!(seq_lt(u32::MAX - 5, 3));
        assert!(seq_gt(3, u32::MAX - 5));
        assert!(seq_leq(7, 7) && seq_geq(7, 7));
        assert_eq!(seq_diff(2, u32::MAX), 3);
    }
}
