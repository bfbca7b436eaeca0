//! [`YaraScanner`]: a reusable per-thread scan context (`YR_SCANNER`).

use std::ffi::{c_int, c_void};
use std::fmt;
use std::ptr::{self, NonNull};

use crate::compile::YaraRules;
use crate::error::{error_meaning, YaraError};
use crate::ffi;
use crate::matches::YaraMatch;

/// Default per-scan timeout in seconds (libyara checks it periodically during a scan).
pub const DEFAULT_SCAN_TIMEOUT_SECS: u32 = 5;

/// A scan context bound to one [`YaraRules`]. Create one per thread and reuse it for every
/// buffer: creation allocates, scanning does not (beyond the returned matches).
pub struct YaraScanner<'r> {
    raw: NonNull<ffi::YrScanner>,
    rules: &'r YaraRules,
    timeout_secs: u32,
}

// SAFETY: a `YR_SCANNER` has no thread affinity between scans (libyara sets its thread-local
// state only for the duration of a scan); `&mut self` on `scan` prevents concurrent use.
unsafe impl Send for YaraScanner<'_> {}

/// State shared with the match callback for the duration of one scan.
struct ScanState<'a> {
    rules: &'a YaraRules,
    out: &'a mut Vec<YaraMatch>,
}

impl<'r> YaraScanner<'r> {
    /// Creates a scanner for `rules` with [`DEFAULT_SCAN_TIMEOUT_SECS`].
    pub fn new(rules: &'r YaraRules) -> Result<Self, YaraError> {
        let mut raw = ptr::null_mut();
        // SAFETY: live rules (borrowed for 'r), out-pointer to a local.
        let code = unsafe { ffi::yr_scanner_create(rules.raw().as_ptr(), &mut raw) };
        let raw = match NonNull::new(raw) {
            Some(raw) if code == ffi::ERROR_SUCCESS => raw,
            _ => {
                return Err(YaraError::Library {
                    operation: "yr_scanner_create",
                    code,
                    meaning: error_meaning(code),
                })
            }
        };
        // SAFETY: live scanner.
        unsafe {
            ffi::yr_scanner_set_flags(
                raw.as_ptr(),
                ffi::SCAN_FLAGS_REPORT_RULES_MATCHING | ffi::SCAN_FLAGS_NO_TRYCATCH,
            );
        }
        let mut scanner = YaraScanner {
            raw,
            rules,
            timeout_secs: 0,
        };
        scanner.set_timeout(DEFAULT_SCAN_TIMEOUT_SECS);
        Ok(scanner)
    }

    /// Sets the per-scan timeout in seconds (0 disables it).
    pub fn set_timeout(&mut self, seconds: u32) {
        self.timeout_secs = seconds;
        let secs = c_int::try_from(seconds).unwrap_or(c_int::MAX);
        // SAFETY: live scanner, not scanning (`&mut self`).
        unsafe { ffi::yr_scanner_set_timeout(self.raw.as_ptr(), secs) };
    }

    /// Current per-scan timeout in seconds.
    pub fn timeout(&self) -> u32 {
        self.timeout_secs
    }

    /// The rules this scanner matches.
    pub fn rules(&self) -> &'r YaraRules {
        self.rules
    }

    /// Scans a buffer, with a timeout in seconds; returns the matching rules.
    ///
    /// Matches are appended to `out` (existing entries are kept) in rule declaration order;
    /// `private` rules are never reported. On error nothing is appended.
    pub fn scan(&mut self, data: &[u8], out: &mut Vec<YaraMatch>) -> Result<(), YaraError> {
        let start = out.len();
        let code = {
            let mut state = ScanState {
                rules: self.rules,
                out,
            };
            // SAFETY: live scanner; `state` outlives the synchronous scan call, and the callback
            // is the only user of the pointer while the scan runs. `data` is valid for its length
            // (an empty slice passes a dangling but non-dereferenced pointer with size 0).
            unsafe {
                ffi::yr_scanner_set_callback(
                    self.raw.as_ptr(),
                    Some(scan_callback),
                    ptr::addr_of_mut!(state).cast::<c_void>(),
                );
                let code = ffi::yr_scanner_scan_mem(self.raw.as_ptr(), data.as_ptr(), data.len());
                ffi::yr_scanner_set_callback(
                    self.raw.as_ptr(),
                    Some(scan_callback),
                    ptr::null_mut(),
                );
                code
            }
        };
        if code == ffi::ERROR_SUCCESS {
            Ok(())
        } else {
            out.truncate(start);
            Err(YaraError::Scan {
                code,
                meaning: error_meaning(code),
            })
        }
    }
}

impl Drop for YaraScanner<'_> {
    fn drop(&mut self) {
        // SAFETY: owned scanner, destroyed once, before the borrowed rules.
        unsafe { ffi::yr_scanner_destroy(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for YaraScanner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YaraScanner")
            .field("rules", &self.rules.rule_count())
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// `YR_CALLBACK_FUNC`: appends one [`YaraMatch`] per `CALLBACK_MSG_RULE_MATCHING`.
unsafe extern "C" fn scan_callback(
    _context: *mut c_void,
    message: c_int,
    message_data: *mut c_void,
    user_data: *mut c_void,
) -> c_int {
    if message != ffi::CALLBACK_MSG_RULE_MATCHING || user_data.is_null() || message_data.is_null() {
        return ffi::CALLBACK_CONTINUE;
    }
    let record = std::panic::AssertUnwindSafe(|| {
        // SAFETY: `user_data` is the `ScanState` installed by `scan` for this scan only.
        let state = unsafe { &mut *user_data.cast::<ScanState<'_>>() };
        let rule = message_data.cast::<ffi::YrRule>().cast_const();
        match state.rules.lookup(rule) {
            Some((index, info)) => state.out.push(info.to_match(index)),
            None => return false,
        }
        true
    });
    match std::panic::catch_unwind(record) {
        Ok(true) => ffi::CALLBACK_CONTINUE,
        _ => ffi::CALLBACK_ERROR,
    }
}
