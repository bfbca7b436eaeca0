//! Prebuilt single-pattern searchers (case-sensitive and ASCII case-insensitive).

use memchr::memmem;

/// A single-pattern searcher built once at rule load.
#[derive(Debug, Clone)]
pub struct Searcher {
    kind: SearchKind,
}

#[derive(Debug, Clone)]
enum SearchKind {
    Empty,
    Exact(Box<memmem::Finder<'static>>),
    /// ASCII case-insensitive: lowercase pattern, anchor byte index, its two cases.
    NoCase {
        lower: Vec<u8>,
        anchor: usize,
        b1: u8,
        b2: u8,
    },
}

/// Rough rarity rank of a byte in network traffic (lower = rarer).
fn commonness(b: u8) -> u8 {
    match b {
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b' ' | b's' | b'r' | b'h' => 200,
        b'a'..=b'z' => 150,
        b'0'..=b'9' => 140,
        0 => 160,
        b'/' | b'.' | b'=' | b'&' | b'-' | b'_' | b':' => 130,
        0x20..=0x7e => 100,
        _ => 50,
    }
}

impl Searcher {
    /// Build a searcher for `pattern`.
    pub fn new(pattern: &[u8], nocase: bool) -> Searcher {
        if pattern.is_empty() {
            return Searcher {
                kind: SearchKind::Empty,
            };
        }
        let has_alpha = pattern.iter().any(u8::is_ascii_alphabetic);
        if !nocase || !has_alpha {
            return Searcher {
                kind: SearchKind::Exact(Box::new(memmem::Finder::new(pattern).into_owned())),
            };
        }
        let lower = pattern.to_ascii_lowercase();
        let mut anchor = 0;
        let mut best = u8::MAX;
        for (i, &b) in lower.iter().enumerate() {
            let c = commonness(b);
            if c < best {
                best = c;
                anchor = i;
            }
        }
        let b1 = lower.get(anchor).copied().unwrap_or(0);
        Searcher {
            kind: SearchKind::NoCase {
                b2: b1.to_ascii_uppercase(),
                lower,
                anchor,
                b1,
            },
        }
    }

    /// Find the first occurrence of the pattern in `hay`; returns its start.
    #[inline]
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        match &self.kind {
            SearchKind::Empty => Some(0),
            SearchKind::Exact(f) => f.find(hay),
            SearchKind::NoCase {
                lower,
                anchor,
                b1,
                b2,
            } => {
                let plen = lower.len();
                if hay.len() < plen {
                    return None;
                }
                // Candidate positions of the anchor byte are [anchor, hay.len() - plen + anchor].
                let last = hay.len() - plen + anchor;
                let mut from = *anchor;
                while from <= last {
                    let window = hay.get(from..=last)?;
                    let rel = if b1 == b2 {
                        memchr::memchr(*b1, window)?
                    } else {
                        memchr::memchr2(*b1, *b2, window)?
                    };
                    let pos = from + rel;
                    let start = pos - anchor;
                    if let Some(cand) = hay.get(start..start + plen) {
                        if cand.eq_ignore_ascii_case(lower) {
                            return Some(start);
                        }
                    }
                    from = pos + 1;
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_nocase() {
        let s = Searcher::new(b"abc", false);
        assert_eq!(s.find(b"xxabcx"), Some(2));
        assert_eq!(s.find(b"xxABCx"), None);
        let s = Searcher::new(b"aBc", true);
        assert_eq!(s.find(b"xxABCx"), Some(2));
        assert_eq!(s.find(b"AB"), None);
        assert_eq!(s.find(b"abcabc"), Some(0));
        let s = Searcher::new(b"x-Y", true);
        assert_eq!(s.find(b"x-x-y"), Some(2));
        let s = Searcher::new(b"|1|", true);
        assert_eq!(s.find(b"a|1|"), Some(1));
        assert_eq!(Searcher::new(b"", true).find(b""), Some(0));
    }
}
