//! Deduplication of the input patterns: one entry per distinct `(bytes, nocase)`, each mapped to
//! the list of caller ids that share it.

use std::collections::HashMap;

use crate::epoch::EpochSet;
use crate::{MpmError, Pattern};

/// One distinct pattern handed to a backend.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Distinct {
    /// Pattern bytes (ASCII-lowercased when `nocase`).
    pub(crate) bytes: Vec<u8>,
    /// Case-insensitive.
    pub(crate) nocase: bool,
}

/// Distinct patterns plus the flattened id lists.
#[derive(Debug, Clone)]
pub(crate) struct PatternTable {
    /// Distinct patterns; the backend reports indices into this vector.
    pub(crate) distinct: Vec<Distinct>,
    /// `ids[offsets[i]..offsets[i + 1]]` are the caller ids of distinct pattern `i`.
    offsets: Vec<u32>,
    /// Caller ids (deduplicated within each distinct pattern).
    ids: Vec<u32>,
    /// Dense index of each entry of `ids`, only used when `shared_ids` is set.
    dense: Vec<u32>,
    /// Number of distinct caller ids.
    pub(crate) dense_len: usize,
    /// Whether some caller id belongs to more than one distinct pattern (then ids need their own
    /// per-scan dedup to be reported once).
    pub(crate) shared_ids: bool,
    /// Length of the longest distinct pattern.
    #[cfg_attr(not(has_hyperscan), allow(dead_code))]
    pub(crate) max_len: usize,
}

impl PatternTable {
    /// Builds the table; rejects empty patterns.
    pub(crate) fn build(patterns: &[Pattern]) -> Result<Self, MpmError> {
        let mut index: HashMap<Distinct, usize> = HashMap::with_capacity(patterns.len());
        let mut distinct: Vec<Distinct> = Vec::new();
        let mut lists: Vec<Vec<u32>> = Vec::new();
        for p in patterns {
            if p.bytes.is_empty() {
                return Err(MpmError::EmptyPattern { id: p.id });
            }
            let key = normalize(p);
            let slot = match index.get(&key) {
                Some(&i) => i,
                None => {
                    let i = distinct.len();
                    index.insert(key.clone(), i);
                    distinct.push(key);
                    lists.push(Vec::new());
                    i
                }
            };
            if let Some(list) = lists.get_mut(slot) {
                list.push(p.id);
            }
        }
        if u32::try_from(distinct.len()).is_err() || u32::try_from(patterns.len()).is_err() {
            return Err(MpmError::TooManyPatterns(distinct.len()));
        }

        let mut offsets = Vec::with_capacity(lists.len() + 1);
        let mut ids = Vec::with_capacity(patterns.len());
        offsets.push(0u32);
        for list in &mut lists {
            list.sort_unstable();
            list.dedup();
            ids.extend_from_slice(list);
            // Fits: ids.len() <= patterns.len() <= u32::MAX (checked above).
            offsets.push(u32::try_from(ids.len()).unwrap_or(u32::MAX));
        }

        let mut dense_of: HashMap<u32, u32> = HashMap::new();
        let mut dense = Vec::with_capacity(ids.len());
        for &id in &ids {
            let next = u32::try_from(dense_of.len()).unwrap_or(u32::MAX);
            dense.push(*dense_of.entry(id).or_insert(next));
        }
        let dense_len = dense_of.len();
        let shared_ids = dense_len < ids.len();
        let max_len = distinct.iter().map(|d| d.bytes.len()).max().unwrap_or(0);
        Ok(PatternTable {
            distinct,
            offsets,
            ids,
            dense: if shared_ids { dense } else { Vec::new() },
            dense_len,
            shared_ids,
            max_len,
        })
    }

    /// Number of distinct patterns.
    pub(crate) fn len(&self) -> usize {
        self.distinct.len()
    }

    /// Reports every caller id of distinct pattern `index` (once per scan when ids are shared
    /// between distinct patterns, using `seen_ids`).
    #[inline]
    pub(crate) fn report(
        &self,
        index: usize,
        seen_ids: &mut EpochSet,
        on_match: &mut dyn FnMut(u32),
    ) {
        let (Some(&start), Some(&end)) = (self.offsets.get(index), self.offsets.get(index + 1))
        else {
            return;
        };
        let range = start as usize..end as usize;
        let Some(ids) = self.ids.get(range.clone()) else {
            return;
        };
        if !self.shared_ids {
            ids.iter().for_each(|&id| on_match(id));
            return;
        }
        let dense = self.dense.get(range).unwrap_or(&[]);
        for (&id, &d) in ids.iter().zip(dense) {
            if seen_ids.insert(d as usize) {
                on_match(id);
            }
        }
    }
}

/// Canonical form: nocase patterns are lowercased; patterns without ASCII letters are
/// case-sensitive (both forms are equivalent, so they share one entry).
fn normalize(p: &Pattern) -> Distinct {
    let has_alpha = p.bytes.iter().any(u8::is_ascii_alphabetic);
    let nocase = p.nocase && has_alpha;
    let bytes = if nocase {
        p.bytes.to_ascii_lowercase()
    } else {
        p.bytes.clone()
    };
    Distinct { bytes, nocase }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_of(t: &PatternTable, i: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let mut seen = EpochSet::new(t.dense_len);
        seen.clear();
        t.report(i, &mut seen, &mut |id| out.push(id));
        out
    }

    #[test]
    fn dedups_bytes_and_case() {
        let pats = vec![
            Pattern::new(&b"ABC"[..], true, 1),
            Pattern::new(&b"abc"[..], true, 2),
            Pattern::new(&b"abc"[..], false, 3),
            Pattern::new(&b"\x00\x01"[..], true, 4),
            Pattern::new(&b"\x00\x01"[..], false, 5),
            Pattern::new(&b"abc"[..], true, 2),
        ];
        let t = PatternTable::build(&pats).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(ids_of(&t, 0), vec![1, 2]);
        assert_eq!(ids_of(&t, 1), vec![3]);
        assert_eq!(ids_of(&t, 2), vec![4, 5]);
        assert!(!t.shared_ids);
        assert_eq!(t.max_len, 3);
    }

    #[test]
    fn shared_ids_reported_once() {
        let pats = vec![
            Pattern::new(&b"a"[..], false, 7),
            Pattern::new(&b"b"[..], false, 7),
        ];
        let t = PatternTable::build(&pats).unwrap();
        assert!(t.shared_ids);
        let mut seen = EpochSet::new(t.dense_len);
        seen.clear();
        let mut out = Vec::new();
        t.report(0, &mut seen, &mut |id| out.push(id));
        t.report(1, &mut seen, &mut |id| out.push(id));
        assert_eq!(out, vec![7]);
    }

    #[test]
    fn rejects_empty() {
        let err = PatternTable::build(&[Pattern::new(Vec::new(), false, 9)]);
        assert!(matches!(err, Err(MpmError::EmptyPattern { id: 9 })));
    }

    #[test]
    fn out_of_range_report_is_ignored() {
        let t = PatternTable::build(&[Pattern::new(&b"x"[..], false, 1)]).unwrap();
        assert!(ids_of(&t, 5).is_empty());
    }
}
