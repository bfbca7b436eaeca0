//! Fast pattern selection (Suricata's RetrieveFPForSig, approximated).

use crate::ops::{BufferMatch, MatchOp};
use crate::rule::FastPattern;

/// Suricata's pattern strength: distinct bytes score by class, repeats score 1.
pub fn pattern_strength(pat: &[u8]) -> u32 {
    let mut seen = [false; 256];
    let mut s = 0u32;
    for &b in pat {
        let slot = &mut seen[usize::from(b)];
        if *slot {
            s += 1;
        } else {
            *slot = true;
            s += if b.is_ascii_alphabetic() {
                3
            } else if b.is_ascii_graphic() || b == b' ' || b == 0 || b == 1 || b == 0xff {
                4
            } else {
                6
            };
        }
    }
    s
}

/// Choose the fast pattern like Suricata 7: an explicit `fast_pattern` wins; else
/// among non-negated contents the buffer with the highest priority, then the longest
/// pattern, then the strongest. Only when a rule has no positive content, the longest
/// (then strongest) negated content is used as a negative prefilter.
pub fn choose_fast_pattern(buffers: &[BufferMatch]) -> Option<FastPattern> {
    type Score = (u8, usize, u32);
    let mut best: Option<(Score, usize, usize)> = None;
    let mut best_neg: Option<(Score, usize, usize)> = None;
    for (bi, b) in buffers.iter().enumerate() {
        for (oi, op) in b.ops.iter().enumerate() {
            if matches!(op, MatchOp::Base64Data) {
                break;
            }
            let MatchOp::Content(c) = op else { continue };
            if c.fast_pattern.set {
                return Some(make(buffers, bi, oi));
            }
            // Suricata scores nocase patterns in lowercase
            let strength = if c.nocase {
                pattern_strength(&c.pattern.to_ascii_lowercase())
            } else {
                pattern_strength(&c.pattern)
            };
            let score = (b.kind.mpm_priority(), c.pattern.len(), strength);
            let slot = if c.negated { &mut best_neg } else { &mut best };
            // on a tie the first pattern wins
            let better = match slot {
                None => true,
                Some((s, _, _)) => score > *s,
            };
            if better {
                *slot = Some((score, bi, oi));
            }
        }
    }
    if let Some((_, bi, oi)) = best {
        return Some(make(buffers, bi, oi));
    }
    // A negated pattern is only a usable (negative) prefilter without position limits.
    let (_, bi, oi) = best_neg?;
    match buffers.get(bi).and_then(|b| b.ops.get(oi)) {
        Some(MatchOp::Content(c))
            if c.offset.is_none() && c.depth.is_none() && !c.is_relative() && !c.startswith =>
        {
            Some(make(buffers, bi, oi))
        }
        _ => None,
    }
}

fn make(buffers: &[BufferMatch], bi: usize, oi: usize) -> FastPattern {
    let c = match buffers.get(bi).and_then(|b| b.ops.get(oi)) {
        Some(MatchOp::Content(c)) => c,
        _ => {
            return FastPattern {
                buffer_index: bi,
                op_index: oi,
                bytes: Vec::new(),
                nocase: false,
                only: false,
                negated: false,
            }
        }
    };
    let bytes = match c.fast_pattern.chop {
        Some((o, l)) => c
            .pattern
            .get(usize::from(o)..usize::from(o) + usize::from(l))
            .unwrap_or(&c.pattern)
            .to_vec(),
        None => c.pattern.clone(),
    };
    FastPattern {
        buffer_index: bi,
        op_index: oi,
        bytes,
        nocase: c.nocase,
        only: c.fast_pattern.only,
        negated: c.negated,
    }
}
