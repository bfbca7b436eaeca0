//! Aho-Corasick backend: one ASCII case-insensitive automaton over all distinct patterns,
//! searched with overlapping semantics so every occurring pattern is reported; matches of
//! case-sensitive patterns are verified against the exact bytes.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::epoch::EpochSet;
use crate::table::PatternTable;
use crate::MpmError;

/// The compiled Aho-Corasick backend. Automaton pattern index == distinct-pattern index.
#[derive(Debug)]
pub(crate) struct AcBackend {
    ac: AhoCorasick,
    total: usize,
}

impl AcBackend {
    /// Compiles the distinct patterns of `table`.
    pub(crate) fn build(table: &PatternTable) -> Result<Self, MpmError> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(table.distinct.iter().map(|d| &d.bytes))?;
        Ok(AcBackend {
            ac,
            total: table.len(),
        })
    }

    /// Scans `haystack`, reporting caller ids through `table`.
    pub(crate) fn scan(
        &self,
        table: &PatternTable,
        seen_patterns: &mut EpochSet,
        seen_ids: &mut EpochSet,
        haystack: &[u8],
        on_match: &mut dyn FnMut(u32),
    ) {
        let mut found = 0usize;
        for m in self.ac.find_overlapping_iter(haystack) {
            let d = m.pattern().as_usize();
            let Some(pattern) = table.distinct.get(d) else {
                continue;
            };
            if !pattern.nocase && haystack.get(m.range()) != Some(pattern.bytes.as_slice()) {
                continue;
            }
            if seen_patterns.insert(d) {
                table.report(d, seen_ids, on_match);
                found += 1;
                if found == self.total {
                    return;
                }
            }
        }
    }
}
