//! Process-wide libyara initialization.
//!
//! `yr_initialize` runs exactly once (guarded by a `OnceLock`, i.e. `std::sync::Once`), its
//! result is remembered, and `yr_finalize` is deliberately never called: rules and scanners may
//! live until process exit, and finalizing under them would free libyara's global state.

use std::ffi::c_int;
use std::sync::OnceLock;

use crate::error::{error_meaning, YaraError};
use crate::ffi;

/// Result code of the single `yr_initialize` call.
static INIT_CODE: OnceLock<c_int> = OnceLock::new();

/// Initializes libyara on first use; later calls return the remembered outcome.
pub(crate) fn ensure_initialized() -> Result<(), YaraError> {
    // SAFETY: `yr_initialize` takes no arguments; `OnceLock` makes it run once, on one thread.
    let code = *INIT_CODE.get_or_init(|| unsafe { ffi::yr_initialize() });
    if code == ffi::ERROR_SUCCESS {
        Ok(())
    } else {
        Err(YaraError::Init {
            code,
            meaning: error_meaning(code),
        })
    }
}
