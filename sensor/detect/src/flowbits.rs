//! Flowbits: named boolean flags stored per flow, set and tested by rules.

use std::collections::HashMap;

/// Maps flowbit names to dense indices, built once when the engine is built.
#[derive(Debug, Default)]
pub struct FlowbitNames {
    index: HashMap<String, u32>,
}

impl FlowbitNames {
    /// The index of a name, allocating a new one on first use.
    pub fn intern(&mut self, name: &str) -> u32 {
        let next = self.index.len() as u32;
        *self.index.entry(name.to_string()).or_insert(next)
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.index.len()
    }
}

/// The flowbits of one flow: a small bitset that grows on demand.
#[derive(Debug, Clone, Default)]
pub struct FlowBits {
    words: Vec<u64>,
}

impl FlowBits {
    /// Whether bit `i` is set.
    pub fn is_set(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Sets bit `i`.
    pub fn set(&mut self, i: u32) {
        let w = (i / 64) as usize;
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (i % 64);
    }

    /// Clears bit `i`.
    pub fn unset(&mut self, i: u32) {
        if let Some(w) = self.words.get_mut((i / 64) as usize) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Flips bit `i`.
    pub fn toggle(&mut self, i: u32) {
        if self.is_set(i) {
            self.unset(i)
        } else {
            self.set(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_grow_and_clear() {
        let mut names = FlowbitNames::default();
        let a = names.intern("a");
        let b = names.intern("b");
        assert_eq!(names.intern("a"), a);
        let mut bits = FlowBits::default();
        bits.set(b);
        bits.set(130);
        assert!(bits.is_set(b) && bits.is_set(130) && !bits.is_set(a));
        bits.toggle(b);
        bits.unset(130);
        bits.unset(5000);
        assert!(!bits.is_set(b) && !bits.is_set(130));
    }
}
