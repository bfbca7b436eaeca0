//! The recursive content inspection engine.

use super::base64;
use super::extract::{apply_bitmask, extract};
use crate::ops::{ByteOp, ContentOp, MatchOp, MathOp, PcreOp, ValueRef};
use crate::parse::rule::MAX_VARS;

/// Suricata's default inspection recursion limit.
pub const RECURSION_LIMIT: u32 = 3000;

const MATCH: i8 = 1;
const NO_MATCH: i8 = 0;
const DISCONTINUE: i8 = -1;

/// Per-thread inspection state: byte_extract variables, recursion counter, scratch.
#[derive(Debug, Clone)]
pub struct InspectCtx {
    /// byte_extract / byte_math variable values by slot.
    pub vars: [u64; MAX_VARS],
    /// Recursion limit (default [`RECURSION_LIMIT`]).
    pub recursion_limit: u32,
    recursion: u32,
    b64: Vec<u8>,
}

impl Default for InspectCtx {
    fn default() -> Self {
        InspectCtx {
            vars: [0; MAX_VARS],
            recursion_limit: RECURSION_LIMIT,
            recursion: 0,
            b64: Vec::new(),
        }
    }
}

impl InspectCtx {
    /// A fresh context.
    pub fn new() -> InspectCtx {
        InspectCtx::default()
    }

    fn value(&self, v: ValueRef) -> i64 {
        match v {
            ValueRef::Lit(n) => n,
            ValueRef::Var(s) => self
                .vars
                .get(s)
                .map_or(0, |x| i64::try_from(*x).unwrap_or(i64::MAX)),
        }
    }
}

/// Inspect `buf` with `ops` (one buffer's ops, in rule order). Returns true on match.
/// Variables set by byte_extract stay in `ctx.vars` for later buffers of the rule.
pub fn inspect_buffer(ops: &[MatchOp], buf: &[u8], ctx: &mut InspectCtx) -> bool {
    ctx.recursion = 0;
    run(ops, 0, buf, ctx, 0) == MATCH
}

/// Find the first occurrence of a content ignoring all position modifiers
/// (for prefilter confirmation). Returns the match start.
#[inline]
pub fn find_content(c: &ContentOp, buf: &[u8]) -> Option<usize> {
    c.searcher.find(buf)
}

/// Evaluate a single content on its own (absolute offset/depth, startswith/endswith,
/// negation honoured; relative modifiers are evaluated from position 0).
pub fn match_content_only(c: &ContentOp, buf: &[u8]) -> bool {
    let mut ctx = InspectCtx::default();
    content(&[], 0, c, buf, &mut ctx, 0) == MATCH
}

fn run(ops: &[MatchOp], mut i: usize, buf: &[u8], ctx: &mut InspectCtx, mut pos: usize) -> i8 {
    ctx.recursion += 1;
    if ctx.recursion >= ctx.recursion_limit {
        return DISCONTINUE;
    }
    let len = buf.len();
    loop {
        let Some(op) = ops.get(i) else {
            return MATCH;
        };
        match op {
            MatchOp::Content(c) => return content(ops, i, c, buf, ctx, pos),
            MatchOp::Pcre(p) => return pcre(ops, i, p, buf, ctx, pos),
            MatchOp::IsDataAt(d) => {
                let is_var = matches!(d.value, ValueRef::Var(_));
                let at = ctx.value(d.value);
                if is_var && at >= 100_000_000 {
                    if d.negated {
                        i += 1;
                        continue;
                    }
                    return NO_MATCH;
                }
                let at = at.max(0) as u64;
                // Suricata 7.0 returns a plain no-match here (earlier contents are retried).
                let fail = NO_MATCH;
                if d.relative {
                    if pos as u64 + at > len as u64 {
                        if !d.negated {
                            return fail;
                        }
                    } else if d.negated {
                        return NO_MATCH;
                    }
                } else if at < len as u64 {
                    if d.negated {
                        return fail;
                    }
                } else if !d.negated {
                    return fail;
                }
            }
            MatchOp::ByteTest(t) => {
                let off = ctx.value(t.offset);
                let Some(start) = start_pos(t.relative, pos, off, len) else {
                    return NO_MATCH;
                };
                let Some((val, _)) = buf
                    .get(start..)
                    .and_then(|d| extract(d, t.nbytes, t.endian, t.base))
                else {
                    return NO_MATCH;
                };
                let val = apply_bitmask(val, t.bitmask);
                let value = ctx.value(t.value) as u64;
                let m = match t.op {
                    ByteOp::Eq => val == value,
                    ByteOp::Lt => val < value,
                    ByteOp::Gt => val > value,
                    ByteOp::Le => val <= value,
                    ByteOp::Ge => val >= value,
                    ByteOp::And => val & value != 0,
                    ByteOp::Xor => val ^ value != 0,
                };
                if m == t.negated {
                    return NO_MATCH;
                }
            }
            MatchOp::ByteJump(j) => {
                let off = ctx.value(j.offset);
                let Some(start) = start_pos(j.relative, pos, off, len) else {
                    return NO_MATCH;
                };
                let Some((val, used)) = buf
                    .get(start..)
                    .and_then(|d| extract(d, j.nbytes, j.endian, j.base))
                else {
                    return NO_MATCH;
                };
                let mut val = apply_bitmask(val, j.bitmask) as i128;
                val *= i128::from(j.multiplier);
                if j.align && val % 4 != 0 {
                    val += 4 - val % 4;
                }
                val += i128::from(j.post_offset);
                let target: i128 = if j.from_beginning {
                    val
                } else if j.from_end {
                    len as i128 + val
                } else {
                    start as i128 + used as i128 + val
                };
                if target > len as i128 {
                    return NO_MATCH;
                }
                pos = if target < 0 { 0 } else { target as usize };
            }
            MatchOp::ByteExtract(e) => {
                let Some(start) = start_pos(e.relative, pos, e.offset, len) else {
                    return NO_MATCH;
                };
                let Some((val, used)) = buf
                    .get(start..)
                    .and_then(|d| extract(d, e.nbytes, e.endian, e.base))
                else {
                    return NO_MATCH;
                };
                let mut val = apply_bitmask(val, e.bitmask).wrapping_mul(e.multiplier);
                if e.align != 0 {
                    let a = u64::from(e.align);
                    if val % a != 0 {
                        val = val.wrapping_add(a - val % a);
                    }
                }
                if let Some(slot) = ctx.vars.get_mut(e.slot) {
                    *slot = val;
                }
                pos = start + used;
            }
            MatchOp::ByteMath(m) => {
                let Some(start) = start_pos(m.relative, pos, m.offset, len) else {
                    return NO_MATCH;
                };
                let Some((val, used)) = buf
                    .get(start..)
                    .and_then(|d| extract(d, m.nbytes, m.endian, m.base))
                else {
                    return NO_MATCH;
                };
                let r = ctx.value(m.rvalue) as u64;
                let out = match m.op {
                    MathOp::Add => val.wrapping_add(r),
                    MathOp::Sub => val.wrapping_sub(r),
                    MathOp::Mul => val.wrapping_mul(r),
                    MathOp::Div => {
                        if r == 0 {
                            return NO_MATCH;
                        }
                        val / r
                    }
                    MathOp::Shl => val.checked_shl(r as u32).unwrap_or(0),
                    MathOp::Shr => val.checked_shr(r as u32).unwrap_or(0),
                };
                let out = apply_bitmask(out, m.bitmask);
                if let Some(slot) = ctx.vars.get_mut(m.slot) {
                    *slot = out;
                }
                pos = start + used;
            }
            MatchOp::Bsize(cmp) => {
                if !cmp.matches(len as u64) {
                    return DISCONTINUE;
                }
            }
            MatchOp::Base64Decode(d) => {
                let base = if d.relative { pos } else { 0 };
                let start = base.saturating_add(d.offset as usize);
                let data = buf.get(start..).unwrap_or(&[]);
                let data = if d.bytes > 0 {
                    data.get(..d.bytes as usize).unwrap_or(data)
                } else {
                    data
                };
                let mut out = std::mem::take(&mut ctx.b64);
                base64::decode(data, &mut out);
                let empty = out.is_empty();
                ctx.b64 = out;
                if empty {
                    return NO_MATCH;
                }
            }
            MatchOp::Base64Data => {
                let decoded = std::mem::take(&mut ctx.b64);
                let r = run(ops, i + 1, &decoded, ctx, 0);
                ctx.b64 = decoded;
                return r;
            }
        }
        i += 1;
    }
}

/// Start of a byte_* extraction; None when outside the buffer.
fn start_pos(relative: bool, pos: usize, off: i64, len: usize) -> Option<usize> {
    let base = if relative { pos as i64 } else { 0 };
    let s = base.checked_add(off)?;
    if s < 0 || s >= len as i64 && relative || s > len as i64 {
        return None;
    }
    Some(s as usize)
}

/// A content modifier value; Suricata truncates extracted values to 32 bits here.
fn cval(vars: &[u64], v: ValueRef) -> i64 {
    match v {
        ValueRef::Lit(n) => n,
        ValueRef::Var(s) => i64::from(vars.get(s).map_or(0, |x| *x as u32)),
    }
}

/// A distance value (signed 32-bit in Suricata).
fn dval(vars: &[u64], v: ValueRef) -> i64 {
    match v {
        ValueRef::Lit(n) => n,
        ValueRef::Var(s) => i64::from(vars.get(s).map_or(0, |x| *x as u32 as i32)),
    }
}

fn content(
    ops: &[MatchOp],
    i: usize,
    c: &ContentOp,
    buf: &[u8],
    ctx: &mut InspectCtx,
    pos: usize,
) -> i8 {
    let buffer_len = buf.len() as i64;
    let plen = c.pattern.len() as i64;
    let prev_buffer_offset = pos as i64;
    let mut prev_offset: i64 = 0;
    let is_var =
        matches!(c.offset, Some(ValueRef::Var(_))) || matches!(c.depth, Some(ValueRef::Var(_)));
    loop {
        let mut depth: i64 = buffer_len;
        let mut offset: i64;
        if c.is_relative() {
            offset = prev_buffer_offset;
            let distance = c.distance.map_or(0, |d| dval(&ctx.vars, d));
            if c.distance.is_some() {
                if distance < 0 && -distance > offset {
                    offset = 0;
                } else {
                    offset += distance;
                }
            }
            if let Some(w) = c.within {
                // C: (int32)depth > (int32)(prev + within + distance), in u32/u64 arithmetic
                let w64: u64 = match w {
                    ValueRef::Lit(n) => n as u64,
                    ValueRef::Var(s) => ctx.vars.get(s).copied().unwrap_or(0),
                };
                let sum = (prev_buffer_offset as u64)
                    .wrapping_add(w64)
                    .wrapping_add(distance as u64);
                if (depth as i32) > (sum as u32 as i32) {
                    depth = i64::from(sum as u32);
                }
            }
            match c.depth {
                Some(ValueRef::Var(s)) => {
                    let v = ctx.vars.get(s).copied().unwrap_or(0);
                    if v.wrapping_add(prev_buffer_offset as u64) < depth as u64 {
                        depth = i64::from((prev_buffer_offset as u32).wrapping_add(v as u32));
                    }
                }
                Some(ValueRef::Lit(d)) if d != 0 && d + prev_buffer_offset < depth => {
                    depth = prev_buffer_offset + d;
                }
                _ => {}
            }
            match c.offset {
                Some(ValueRef::Var(s)) => {
                    let v = ctx.vars.get(s).copied().unwrap_or(0);
                    if v > offset as u64 {
                        offset = i64::from(v as u32);
                    }
                }
                Some(ValueRef::Lit(o)) if o > offset => offset = o,
                _ => {}
            }
        } else {
            match c.depth {
                Some(ValueRef::Var(s)) => depth = cval(&ctx.vars, ValueRef::Var(s)),
                Some(ValueRef::Lit(d)) if d != 0 => depth = d,
                _ => {}
            }
            offset = c.offset.map_or(0, |o| cval(&ctx.vars, o));
        }
        if is_var {
            depth = i64::from((depth as u32).wrapping_add(offset as u32));
        }
        if prev_offset != 0 {
            offset = prev_offset;
        }
        if depth > buffer_len {
            depth = buffer_len;
        }
        if offset > depth || depth <= 0 || offset < 0 {
            return if c.negated {
                run(ops, i + 1, buf, ctx, pos)
            } else {
                NO_MATCH
            };
        }
        let sbuffer_len = depth - offset;
        let found = if (c.endswith && depth < buffer_len) || plen > sbuffer_len {
            None
        } else {
            buf.get(offset as usize..depth as usize)
                .and_then(|s| c.searcher.find(s))
                .map(|p| p as i64 + offset)
        };
        let Some(start) = found else {
            if !c.negated {
                if !c.is_relative() {
                    return DISCONTINUE;
                }
                return NO_MATCH;
            }
            return run(ops, i + 1, buf, ctx, pos);
        };
        let match_offset = start + plen;
        if c.negated {
            if c.endswith && sbuffer_len != match_offset {
                return run(ops, i + 1, buf, ctx, pos);
            }
            if !c.is_relative() && !c.relative_next {
                return DISCONTINUE;
            }
            return NO_MATCH;
        }
        if !c.endswith || match_offset == buffer_len {
            if i + 1 >= ops.len() {
                return MATCH;
            }
            let r = run(ops, i + 1, buf, ctx, match_offset as usize);
            if r == MATCH || r == DISCONTINUE {
                return r;
            }
            if !c.relative_next {
                return DISCONTINUE;
            }
        }
        prev_offset = match_offset - (plen - 1);
    }
}

fn pcre(ops: &[MatchOp], i: usize, p: &PcreOp, buf: &[u8], ctx: &mut InspectCtx, pos: usize) -> i8 {
    let base = if p.relative { pos.min(buf.len()) } else { 0 };
    let subj = buf.get(base..).unwrap_or(&[]);
    let mut start_at = 0usize;
    loop {
        if start_at > subj.len() {
            return NO_MATCH;
        }
        let m = match p.regex.find_at(subj, start_at) {
            Ok(m) => m,
            Err(_) => return NO_MATCH,
        };
        if p.negated {
            return match m {
                Some(_) => NO_MATCH,
                None => run(ops, i + 1, buf, ctx, pos),
            };
        }
        let Some(m) = m else {
            return NO_MATCH;
        };
        let new_pos = base + m.end();
        if !p.relative_next {
            return run(ops, i + 1, buf, ctx, new_pos);
        }
        let r = run(ops, i + 1, buf, ctx, new_pos);
        if r != NO_MATCH {
            return r;
        }
        start_at = m.start() + 1;
    }
}
