//! Multi-pattern prefilter: one matcher per (transport group, buffer kind).

use sensor_mpm::{Backend, Matcher, MpmError, Pattern, Scratch};
use sensor_rules::BufferKind;

/// A matcher whose pattern ids are rule indices.
pub(crate) struct Prefilter {
    pub kind: BufferKind,
    pub matcher: Matcher,
    /// Rules of this prefilter (for statistics).
    pub rules: usize,
}

impl Prefilter {
    pub fn build(
        kind: BufferKind,
        patterns: Vec<Pattern>,
        backend: Backend,
    ) -> Result<Prefilter, MpmError> {
        let rules = patterns.len();
        Ok(Prefilter {
            kind,
            matcher: Matcher::build(&patterns, backend)?,
            rules,
        })
    }

    pub fn scan(&self, scratch: &mut Scratch, data: &[u8], on_match: &mut dyn FnMut(u32)) {
        if !data.is_empty() {
            self.matcher.scan(scratch, data, on_match);
        }
    }
}
