//! The public `Matcher` / `Scratch` pair dispatching to a backend.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::ac::AcBackend;
use crate::epoch::EpochSet;
use crate::table::PatternTable;
use crate::{Backend, MpmError, Pattern};

/// `Backend::Auto` picks Hyperscan only when the set has more than this many distinct patterns.
pub const AUTO_HYPERSCAN_MIN_PATTERNS: usize = 8;

/// Source of unique matcher ids, used to tie a `Scratch` to the `Matcher` that made it.
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// Compiled engine.
#[derive(Debug)]
enum Engine {
    /// No patterns: scanning reports nothing.
    Empty,
    /// aho-corasick crate.
    Ac(AcBackend),
    /// Hyperscan database.
    #[cfg(has_hyperscan)]
    Hs(crate::hs::HsDatabase),
}

/// An immutable multi-pattern matcher (`Send + Sync`); share it between threads and give each
/// thread its own [`Scratch`].
#[derive(Debug)]
pub struct Matcher {
    uid: u64,
    table: PatternTable,
    engine: Engine,
}

/// Per-thread mutable scan state for one [`Matcher`] (`Send`, not `Sync`).
#[derive(Debug)]
pub struct Scratch {
    owner: u64,
    seen_patterns: EpochSet,
    seen_ids: EpochSet,
    #[cfg(has_hyperscan)]
    hs: Option<crate::hs::HsScratch>,
}

impl Scratch {
    /// Duplicates this scratch (for another thread) without going back to the matcher.
    pub fn try_clone(&self) -> Result<Scratch, MpmError> {
        Ok(Scratch {
            owner: self.owner,
            seen_patterns: self.seen_patterns.clone(),
            seen_ids: self.seen_ids.clone(),
            #[cfg(has_hyperscan)]
            hs: match &self.hs {
                Some(s) => Some(s.try_clone()?),
                None => None,
            },
        })
    }
}

impl Matcher {
    /// Compiles `patterns` with the requested backend. Patterns sharing `(bytes, nocase)` are
    /// compiled once. Empty patterns are rejected; an empty set builds a matcher that never
    /// matches.
    pub fn build(patterns: &[Pattern], backend: Backend) -> Result<Matcher, MpmError> {
        let table = PatternTable::build(patterns)?;
        let engine = if table.len() == 0 {
            match backend {
                Backend::Hyperscan => require_hyperscan()?,
                Backend::Auto | Backend::AhoCorasick => {}
            }
            Engine::Empty
        } else {
            match backend {
                Backend::AhoCorasick => Engine::Ac(AcBackend::build(&table)?),
                Backend::Hyperscan => build_hyperscan(&table)?,
                Backend::Auto => build_auto(&table)?,
            }
        };
        Ok(Matcher {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            table,
            engine,
        })
    }

    /// Name of the backend in use: `"hyperscan"`, `"aho-corasick"` or `"empty"`.
    pub fn backend_name(&self) -> &'static str {
        match self.engine {
            Engine::Empty => "empty",
            Engine::Ac(_) => "aho-corasick",
            #[cfg(has_hyperscan)]
            Engine::Hs(_) => "hyperscan",
        }
    }

    /// True when the matcher holds no patterns.
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// Number of distinct `(bytes, nocase)` patterns compiled.
    pub fn distinct_patterns(&self) -> usize {
        self.table.len()
    }

    /// Allocates scan state for this matcher (one per thread).
    pub fn new_scratch(&self) -> Result<Scratch, MpmError> {
        Ok(Scratch {
            owner: self.uid,
            seen_patterns: EpochSet::new(self.table.len()),
            seen_ids: EpochSet::new(if self.table.shared_ids {
                self.table.dense_len
            } else {
                0
            }),
            #[cfg(has_hyperscan)]
            hs: match &self.engine {
                Engine::Hs(db) => Some(crate::hs::HsScratch::alloc(db)?),
                _ => None,
            },
        })
    }

    /// Calls `on_match(id)` for every pattern id that occurs in `haystack`, each id once per scan.
    /// Case-insensitive patterns match ASCII case-insensitively. Does not allocate, except when
    /// `scratch` was made by another matcher: it is then silently re-created for this one (if
    /// that fails, nothing is reported).
    pub fn scan(&self, scratch: &mut Scratch, haystack: &[u8], on_match: &mut dyn FnMut(u32)) {
        if self.is_empty() {
            return;
        }
        if scratch.owner != self.uid {
            match self.new_scratch() {
                Ok(s) => *scratch = s,
                Err(_) => return,
            }
        }
        scratch.seen_patterns.clear();
        scratch.seen_ids.clear();
        match &self.engine {
            Engine::Empty => {}
            Engine::Ac(ac) => ac.scan(
                &self.table,
                &mut scratch.seen_patterns,
                &mut scratch.seen_ids,
                haystack,
                on_match,
            ),
            #[cfg(has_hyperscan)]
            Engine::Hs(db) => {
                if let Some(hs) = scratch.hs.as_mut() {
                    db.scan(
                        hs,
                        &self.table,
                        &mut scratch.seen_patterns,
                        &mut scratch.seen_ids,
                        haystack,
                        on_match,
                    );
                }
            }
        }
    }

    /// Convenience wrapper around [`Matcher::scan`] collecting the ids (allocates; for tests and
    /// tooling, not the hot path).
    pub fn scan_collect(&self, scratch: &mut Scratch, haystack: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        self.scan(scratch, haystack, &mut |id| out.push(id));
        out
    }
}

/// True when this build links libhs.
pub const fn hyperscan_compiled() -> bool {
    cfg!(has_hyperscan)
}

/// Whether the Hyperscan backend can be used right now: compiled in and supported by the CPU.
pub fn hyperscan_available() -> bool {
    require_hyperscan().is_ok()
}

#[cfg(has_hyperscan)]
fn require_hyperscan() -> Result<(), MpmError> {
    crate::hs::valid_platform().map_err(MpmError::HyperscanPlatform)
}

#[cfg(not(has_hyperscan))]
fn require_hyperscan() -> Result<(), MpmError> {
    Err(MpmError::HyperscanUnavailable)
}

#[cfg(has_hyperscan)]
fn build_hyperscan(table: &PatternTable) -> Result<Engine, MpmError> {
    require_hyperscan()?;
    Ok(Engine::Hs(crate::hs::HsDatabase::compile(table)?))
}

#[cfg(not(has_hyperscan))]
fn build_hyperscan(_table: &PatternTable) -> Result<Engine, MpmError> {
    Err(MpmError::HyperscanUnavailable)
}

fn build_auto(table: &PatternTable) -> Result<Engine, MpmError> {
    if table.len() > AUTO_HYPERSCAN_MIN_PATTERNS && hyperscan_available() {
        if let Ok(engine) = build_hyperscan(table) {
            return Ok(engine);
        }
    }
    Ok(Engine::Ac(AcBackend::build(table)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn auto_traits() {
        assert_send_sync::<Matcher>();
        assert_send::<Scratch>();
    }
}
