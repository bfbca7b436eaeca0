//! Allocation-free "seen" set over dense indices, cleared in O(1) by bumping an epoch.

/// A set of small integers `0..len` that is reset in constant time per scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct EpochSet {
    marks: Vec<u32>,
    epoch: u32,
}

impl EpochSet {
    /// Creates a set able to hold indices `0..len`.
    pub(crate) fn new(len: usize) -> Self {
        EpochSet {
            marks: vec![0; len],
            epoch: 0,
        }
    }

    /// Starts a new scan: empties the set.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.marks.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
    }

    /// Inserts `i`; returns true if it was not yet present in this scan.
    /// Out-of-range indices are always reported as new.
    #[inline]
    pub(crate) fn insert(&mut self, i: usize) -> bool {
        match self.marks.get_mut(i) {
            Some(m) if *m == self.epoch => false,
            Some(m) => {
                *m = self.epoch;
                true
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EpochSet;

    #[test]
    fn insert_and_clear() {
        let mut s = EpochSet::new(4);
        s.clear();
        assert!(s.insert(1));
        assert!(!s.insert(1));
        assert!(s.insert(3));
        assert!(s.insert(10));
        s.clear();
        assert!(s.insert(1));
    }

    #[test]
    fn epoch_wraparound_resets_marks() {
        let mut s = EpochSet::new(2);
        s.epoch = u32::MAX - 1;
        s.clear();
        assert!(s.insert(0));
        s.clear(); // wraps to 0 -> full reset, epoch 1
        assert_eq!(s.epoch, 1);
        assert!(s.insert(0));
        assert!(!s.insert(0));
    }
}
