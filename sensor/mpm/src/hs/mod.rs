//! Hyperscan backend (hand-written FFI to the system libhs).

mod database;
mod ffi;
mod scratch;

pub(crate) use database::HsDatabase;
pub(crate) use scratch::HsScratch;

/// Whether libhs supports the current CPU (`hs_valid_platform`); returns the error code if not.
pub(crate) fn valid_platform() -> Result<(), i32> {
    // SAFETY: hs_valid_platform takes no arguments and only inspects CPU features.
    let rc = unsafe { ffi::hs_valid_platform() };
    if rc == ffi::HS_SUCCESS {
        Ok(())
    } else {
        Err(rc)
    }
}
