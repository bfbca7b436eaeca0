//! Minimal hand-written FFI declarations for libhs (Hyperscan 5.x), from `hs/hs.h`.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void};

/// `hs_error_t`.
pub(crate) type hs_error_t = c_int;

/// `HS_SUCCESS`.
pub(crate) const HS_SUCCESS: hs_error_t = 0;
/// `HS_SCAN_TERMINATED`: the match callback asked to stop.
pub(crate) const HS_SCAN_TERMINATED: hs_error_t = -3;

/// `HS_FLAG_CASELESS`.
pub(crate) const HS_FLAG_CASELESS: c_uint = 1;
/// `HS_FLAG_SINGLEMATCH`.
pub(crate) const HS_FLAG_SINGLEMATCH: c_uint = 8;
/// `HS_MODE_BLOCK`.
pub(crate) const HS_MODE_BLOCK: c_uint = 1;

/// Opaque `hs_database_t`.
#[repr(C)]
pub(crate) struct hs_database_t {
    _private: [u8; 0],
}

/// Opaque `hs_scratch_t`.
#[repr(C)]
pub(crate) struct hs_scratch_t {
    _private: [u8; 0],
}

/// Opaque `hs_platform_info_t` (always passed as NULL: compile for the current host).
#[repr(C)]
pub(crate) struct hs_platform_info_t {
    _private: [u8; 0],
}

/// `hs_compile_error_t`.
#[repr(C)]
pub(crate) struct hs_compile_error_t {
    /// NUL-terminated message.
    pub(crate) message: *mut c_char,
    /// Index of the offending expression or negative.
    pub(crate) expression: c_int,
}

/// `match_event_handler`.
pub(crate) type match_event_handler = Option<
    unsafe extern "C" fn(
        id: c_uint,
        from: c_ulonglong,
        to: c_ulonglong,
        flags: c_uint,
        context: *mut c_void,
    ) -> c_int,
>;

extern "C" {
    pub(crate) fn hs_valid_platform() -> hs_error_t;

    pub(crate) fn hs_compile_lit_multi(
        expressions: *const *const c_char,
        flags: *const c_uint,
        ids: *const c_uint,
        lens: *const usize,
        elements: c_uint,
        mode: c_uint,
        platform: *const hs_platform_info_t,
        db: *mut *mut hs_database_t,
        error: *mut *mut hs_compile_error_t,
    ) -> hs_error_t;

    pub(crate) fn hs_free_compile_error(error: *mut hs_compile_error_t) -> hs_error_t;

    pub(crate) fn hs_free_database(db: *mut hs_database_t) -> hs_error_t;

    pub(crate) fn hs_alloc_scratch(
        db: *const hs_database_t,
        scratch: *mut *mut hs_scratch_t,
    ) -> hs_error_t;

    pub(crate) fn hs_clone_scratch(
        src: *const hs_scratch_t,
        dest: *mut *mut hs_scratch_t,
    ) -> hs_error_t;

    pub(crate) fn hs_free_scratch(scratch: *mut hs_scratch_t) -> hs_error_t;

    pub(crate) fn hs_scan(
        db: *const hs_database_t,
        data: *const c_char,
        length: c_uint,
        flags: c_uint,
        scratch: *mut hs_scratch_t,
        on_event: match_event_handler,
        context: *mut c_void,
    ) -> hs_error_t;
}
