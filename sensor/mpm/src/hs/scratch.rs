//! Owned Hyperscan scratch space.

use std::ptr;

use super::database::HsDatabase;
use super::ffi;
use crate::MpmError;

/// Owned `hs_scratch_t`; one per thread (it is `Send`, not shared).
#[derive(Debug)]
pub(crate) struct HsScratch {
    ptr: *mut ffi::hs_scratch_t,
}

// SAFETY: a Hyperscan scratch region may be used from any thread as long as it is not used by two
// scans at once; `HsScratch` is only reachable through `&mut` during a scan and is not `Sync`.
unsafe impl Send for HsScratch {}

impl HsScratch {
    /// Allocates scratch space suitable for `db`.
    pub(crate) fn alloc(db: &HsDatabase) -> Result<Self, MpmError> {
        let mut p: *mut ffi::hs_scratch_t = ptr::null_mut();
        // SAFETY: db.as_ptr() is a valid compiled database; `p` starts NULL so libhs allocates.
        let rc = unsafe { ffi::hs_alloc_scratch(db.as_ptr(), &mut p) };
        Self::wrap(rc, p, "hs_alloc_scratch")
    }

    /// Clones this scratch region (`hs_clone_scratch`).
    pub(crate) fn try_clone(&self) -> Result<Self, MpmError> {
        let mut p: *mut ffi::hs_scratch_t = ptr::null_mut();
        // SAFETY: self.ptr is a valid scratch; cloning only reads it.
        let rc = unsafe { ffi::hs_clone_scratch(self.ptr, &mut p) };
        Self::wrap(rc, p, "hs_clone_scratch")
    }

    fn wrap(
        rc: ffi::hs_error_t,
        p: *mut ffi::hs_scratch_t,
        call: &'static str,
    ) -> Result<Self, MpmError> {
        if rc != ffi::HS_SUCCESS || p.is_null() {
            return Err(MpmError::HyperscanRuntime { call, code: rc });
        }
        Ok(HsScratch { ptr: p })
    }

    /// Raw pointer for `hs_scan`.
    pub(crate) fn as_mut_ptr(&mut self) -> *mut ffi::hs_scratch_t {
        self.ptr
    }
}

impl Drop for HsScratch {
    fn drop(&mut self) {
        // SAFETY: ptr was allocated by libhs and is freed exactly once here.
        unsafe {
            ffi::hs_free_scratch(self.ptr);
        }
    }
}
