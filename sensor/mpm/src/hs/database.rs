//! Compiled Hyperscan literal database and block-mode scanning.

use std::any::Any;
use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void, CStr};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use super::ffi;
use super::scratch::HsScratch;
use crate::epoch::EpochSet;
use crate::table::PatternTable;
use crate::MpmError;

/// Owned, immutable `hs_database_t` compiled in block mode.
#[derive(Debug)]
pub(crate) struct HsDatabase {
    ptr: *mut ffi::hs_database_t,
}

// SAFETY: a compiled database is read-only after compilation; libhs allows concurrent scans of one
// database from several threads (each with its own scratch).
unsafe impl Send for HsDatabase {}
// SAFETY: see above; no interior mutability is reachable through `&HsDatabase`.
unsafe impl Sync for HsDatabase {}

/// Per-scan state handed to the match callback.
struct ScanCtx<'a> {
    table: &'a PatternTable,
    seen_patterns: &'a mut EpochSet,
    seen_ids: &'a mut EpochSet,
    on_match: &'a mut dyn FnMut(u32),
    /// Deduplicate distinct patterns (only needed when one haystack is scanned in chunks).
    dedup_patterns: bool,
    found: usize,
    panic: Option<Box<dyn Any + Send>>,
}

/// Largest block a single `hs_scan` call accepts.
const MAX_BLOCK: usize = c_uint::MAX as usize;

impl HsDatabase {
    /// Compiles all distinct patterns of `table` with the literal API, `HS_FLAG_SINGLEMATCH`
    /// (plus `HS_FLAG_CASELESS` for nocase patterns), in `HS_MODE_BLOCK`. Hyperscan ids are
    /// distinct-pattern indices.
    pub(crate) fn compile(table: &PatternTable) -> Result<Self, MpmError> {
        let n = table.len();
        let elements = c_uint::try_from(n).map_err(|_| MpmError::TooManyPatterns(n))?;
        let mut exprs: Vec<*const c_char> = Vec::with_capacity(n);
        let mut flags: Vec<c_uint> = Vec::with_capacity(n);
        let mut ids: Vec<c_uint> = Vec::with_capacity(n);
        let mut lens: Vec<usize> = Vec::with_capacity(n);
        for (i, d) in table.distinct.iter().enumerate() {
            exprs.push(d.bytes.as_ptr().cast());
            let case = if d.nocase { ffi::HS_FLAG_CASELESS } else { 0 };
            flags.push(ffi::HS_FLAG_SINGLEMATCH | case);
            ids.push(c_uint::try_from(i).map_err(|_| MpmError::TooManyPatterns(n))?);
            lens.push(d.bytes.len());
        }
        let mut db: *mut ffi::hs_database_t = ptr::null_mut();
        let mut err: *mut ffi::hs_compile_error_t = ptr::null_mut();
        // SAFETY: all arrays have `elements` entries and outlive the call; each expression pointer
        // is valid for its length (literal API: no NUL terminator needed); platform NULL = host.
        let rc = unsafe {
            ffi::hs_compile_lit_multi(
                exprs.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                lens.as_ptr(),
                elements,
                ffi::HS_MODE_BLOCK,
                ptr::null(),
                &mut db,
                &mut err,
            )
        };
        if rc != ffi::HS_SUCCESS || db.is_null() {
            return Err(take_compile_error(err, rc));
        }
        Ok(HsDatabase { ptr: db })
    }

    /// Raw pointer for FFI calls.
    pub(crate) fn as_ptr(&self) -> *const ffi::hs_database_t {
        self.ptr
    }

    /// Scans `haystack` (block mode), reporting caller ids through `table`. Haystacks longer than
    /// `u32::MAX` are scanned in overlapping chunks.
    pub(crate) fn scan(
        &self,
        scratch: &mut HsScratch,
        table: &PatternTable,
        seen_patterns: &mut EpochSet,
        seen_ids: &mut EpochSet,
        haystack: &[u8],
        on_match: &mut dyn FnMut(u32),
    ) {
        self.scan_blocks(
            scratch,
            table,
            seen_patterns,
            seen_ids,
            haystack,
            on_match,
            MAX_BLOCK,
        );
    }

    /// Scans `haystack` in overlapping blocks of at most `max_block` bytes.
    #[allow(clippy::too_many_arguments)]
    fn scan_blocks(
        &self,
        scratch: &mut HsScratch,
        table: &PatternTable,
        seen_patterns: &mut EpochSet,
        seen_ids: &mut EpochSet,
        haystack: &[u8],
        on_match: &mut dyn FnMut(u32),
        max_block: usize,
    ) {
        let max_block = max_block.clamp(1, MAX_BLOCK);
        let chunked = haystack.len() > max_block;
        let mut ctx = ScanCtx {
            table,
            seen_patterns,
            seen_ids,
            on_match,
            dedup_patterns: chunked,
            found: 0,
            panic: None,
        };
        let overlap = table.max_len.saturating_sub(1);
        let mut start = 0usize;
        loop {
            let end = haystack.len().min(start.saturating_add(max_block));
            let block = haystack.get(start..end).unwrap_or(&[]);
            let len = c_uint::try_from(block.len()).unwrap_or(c_uint::MAX);
            // SAFETY: db and scratch are valid and matched (scratch allocated for this database);
            // `block` is valid for `len` bytes; `ctx` outlives the call and is only accessed by
            // the callback during it.
            let rc = unsafe {
                ffi::hs_scan(
                    self.ptr,
                    block.as_ptr().cast(),
                    len,
                    0,
                    scratch.as_mut_ptr(),
                    Some(on_event),
                    (&mut ctx as *mut ScanCtx<'_>).cast(),
                )
            };
            debug_assert!(
                rc == ffi::HS_SUCCESS || rc == ffi::HS_SCAN_TERMINATED,
                "hs_scan failed: {rc}"
            );
            if let Some(payload) = ctx.panic.take() {
                panic::resume_unwind(payload);
            }
            if rc != ffi::HS_SUCCESS || end >= haystack.len() || end <= start + overlap {
                break;
            }
            start = end - overlap;
        }
    }
}

impl Drop for HsDatabase {
    fn drop(&mut self) {
        // SAFETY: ptr was returned by hs_compile_lit_multi and is freed exactly once.
        unsafe {
            ffi::hs_free_database(self.ptr);
        }
    }
}

/// Match callback: maps the distinct-pattern index to caller ids. Never unwinds into C.
extern "C" fn on_event(
    id: c_uint,
    _from: c_ulonglong,
    _to: c_ulonglong,
    _flags: c_uint,
    context: *mut c_void,
) -> c_int {
    // SAFETY: `context` is the `ScanCtx` passed to hs_scan by `HsDatabase::scan`, exclusively
    // borrowed for the duration of the call.
    let ctx = unsafe { &mut *context.cast::<ScanCtx<'_>>() };
    let index = id as usize;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        if ctx.dedup_patterns && !ctx.seen_patterns.insert(index) {
            return;
        }
        ctx.table.report(index, ctx.seen_ids, ctx.on_match);
        ctx.found += 1;
    }));
    match result {
        // All distinct patterns seen (SINGLEMATCH): nothing more can be reported, stop early.
        Ok(()) if ctx.found >= ctx.table.len() => 1,
        Ok(()) => 0,
        Err(payload) => {
            ctx.panic = Some(payload);
            1
        }
    }
}

/// Converts (and frees) a libhs compile error.
fn take_compile_error(err: *mut ffi::hs_compile_error_t, rc: ffi::hs_error_t) -> MpmError {
    if err.is_null() {
        return MpmError::HyperscanCompile {
            message: format!("error code {rc}"),
            expression: -1,
        };
    }
    // SAFETY: err is a valid compile error allocated by libhs; message is NUL-terminated or NULL.
    let (message, expression) = unsafe {
        let e = &*err;
        let msg = if e.message.is_null() {
            format!("error code {rc}")
        } else {
            CStr::from_ptr(e.message).to_string_lossy().into_owned()
        };
        (msg, e.expression)
    };
    // SAFETY: freed exactly once, after the message was copied.
    unsafe {
        ffi::hs_free_compile_error(err);
    }
    MpmError::HyperscanCompile {
        message,
        expression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pattern;

    fn run(table: &PatternTable, db: &HsDatabase, hay: &[u8], max_block: usize) -> Vec<u32> {
        let mut scratch = HsScratch::alloc(db).expect("scratch");
        let mut seen_p = EpochSet::new(table.len());
        let mut seen_i = EpochSet::new(table.dense_len);
        seen_p.clear();
        seen_i.clear();
        let mut out = Vec::new();
        db.scan_blocks(
            &mut scratch,
            table,
            &mut seen_p,
            &mut seen_i,
            hay,
            &mut |id| out.push(id),
            max_block,
        );
        out.sort_unstable();
        out
    }

    #[test]
    fn chunked_scan_finds_patterns_across_block_edges() {
        let pats = vec![
            Pattern::new(&b"abcdef"[..], false, 1),
            Pattern::new(&b"XYZ"[..], true, 2),
            Pattern::new(&b"q"[..], false, 3),
        ];
        let table = PatternTable::build(&pats).expect("table");
        let db = HsDatabase::compile(&table).expect("db");
        let hay = b"....abcdef..xyz....abcdef..q";
        let whole = run(&table, &db, hay, MAX_BLOCK);
        assert_eq!(whole, vec![1, 2, 3]);
        for block in 6..hay.len() {
            assert_eq!(run(&table, &db, hay, block), whole, "block {block}");
        }
    }

    #[test]
    fn compile_error_is_reported_not_panicking() {
        let err = take_compile_error(ptr::null_mut(), -4);
        assert!(matches!(
            err,
            MpmError::HyperscanCompile { expression: -1, .. }
        ));
    }
}
