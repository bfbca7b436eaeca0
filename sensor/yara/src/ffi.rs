//! Hand-written FFI to the system libyara (checked against the 4.2.3 headers: `yara/types.h`,
//! `yara/compiler.h`, `yara/rules.h`, `yara/scanner.h`, `yara/scan.h`, `yara/libyara.h`).
//!
//! Only the functions, constants and struct prefixes this crate needs are declared. Struct
//! layouts are verified against the C headers by a unit test (`layout_matches_c_headers`).

use std::ffi::{c_char, c_int, c_void};

/// Opaque `YR_COMPILER`.
#[repr(C)]
pub(crate) struct YrCompiler {
    _private: [u8; 0],
}

/// Opaque `YR_SCANNER` (`YR_SCAN_CONTEXT`).
#[repr(C)]
pub(crate) struct YrScanner {
    _private: [u8; 0],
}

/// `DECLARE_REFERENCE(type, name)`: a union of a pointer and an 8-byte `YR_ARENA_REF`,
/// aligned to 8 bytes, so that it is 8 bytes wide on every target.
#[repr(C, align(8))]
pub(crate) union ArenaPtr<T> {
    /// The relocated pointer (what a loaded rule set holds).
    pub(crate) ptr: *const T,
    /// `YR_ARENA_REF { uint32_t buffer_id; uint32_t offset; }`.
    _arena_ref: [u32; 2],
}

impl<T> ArenaPtr<T> {
    /// Reads the pointer member.
    pub(crate) fn get(&self) -> *const T {
        // SAFETY: in compiled rules (`YR_RULES`) every reference has been relocated to a pointer;
        // any bit pattern is a valid raw pointer value, and we never read it as anything else.
        unsafe { self.ptr }
    }
}

/// `YR_NAMESPACE`.
#[repr(C)]
pub(crate) struct YrNamespace {
    /// Namespace name.
    pub(crate) name: ArenaPtr<c_char>,
    /// `YR_ALIGN(8) uint32_t idx` (struct alignment 8 pads it to 16 bytes).
    pub(crate) idx: u32,
}

/// `YR_META`.
#[repr(C)]
pub(crate) struct YrMeta {
    /// Meta identifier.
    pub(crate) identifier: ArenaPtr<c_char>,
    /// String value (for `META_TYPE_STRING`).
    pub(crate) string: ArenaPtr<c_char>,
    /// Integer or boolean value.
    pub(crate) integer: i64,
    /// `META_TYPE_*`.
    pub(crate) type_: i32,
    /// `META_FLAGS_*`.
    pub(crate) flags: i32,
}

/// `YR_RULE`.
#[repr(C)]
pub(crate) struct YrRule {
    /// `RULE_FLAGS_*`.
    pub(crate) flags: i32,
    /// Number of atoms generated for this rule.
    pub(crate) num_atoms: i32,
    /// Rule identifier.
    pub(crate) identifier: ArenaPtr<c_char>,
    /// NUL-separated tag list terminated by an empty string (or NULL when there are no tags).
    pub(crate) tags: ArenaPtr<c_char>,
    /// Meta array terminated by an entry with `META_FLAGS_LAST_IN_RULE` (or NULL).
    pub(crate) metas: ArenaPtr<YrMeta>,
    /// Strings (unused here).
    pub(crate) strings: ArenaPtr<c_void>,
    /// Namespace.
    pub(crate) ns: ArenaPtr<YrNamespace>,
}

/// Leading fields of `YR_RULES` (only the prefix we read; the struct is never allocated by us).
#[repr(C)]
pub(crate) struct YrRulesHead {
    /// `YR_ARENA* arena`.
    pub(crate) arena: *mut c_void,
    /// `YR_RULE* rules_table`: contiguous array ending with a `RULE_FLAGS_NULL` entry.
    pub(crate) rules_table: *const YrRule,
}

/// Opaque handle type for `YR_RULES*`.
pub(crate) type YrRules = YrRulesHead;

/// `YR_CALLBACK_FUNC`.
pub(crate) type YrCallbackFunc = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        message: c_int,
        message_data: *mut c_void,
        user_data: *mut c_void,
    ) -> c_int,
>;

/// `YR_COMPILER_CALLBACK_FUNC`.
pub(crate) type YrCompilerCallbackFunc = Option<
    unsafe extern "C" fn(
        error_level: c_int,
        file_name: *const c_char,
        line_number: c_int,
        rule: *const YrRule,
        message: *const c_char,
        user_data: *mut c_void,
    ),
>;

/// `ERROR_SUCCESS`.
pub(crate) const ERROR_SUCCESS: c_int = 0;

/// `RULE_FLAGS_PRIVATE`.
pub(crate) const RULE_FLAGS_PRIVATE: i32 = 0x01;
/// `RULE_FLAGS_NULL`: marks the sentinel entry ending `rules_table`.
pub(crate) const RULE_FLAGS_NULL: i32 = 0x04;

/// `META_TYPE_INTEGER`.
pub(crate) const META_TYPE_INTEGER: i32 = 1;
/// `META_TYPE_STRING`.
pub(crate) const META_TYPE_STRING: i32 = 2;
/// `META_TYPE_BOOLEAN`.
pub(crate) const META_TYPE_BOOLEAN: i32 = 3;
/// `META_FLAGS_LAST_IN_RULE`.
pub(crate) const META_FLAGS_LAST_IN_RULE: i32 = 1;

/// `CALLBACK_MSG_RULE_MATCHING`.
pub(crate) const CALLBACK_MSG_RULE_MATCHING: c_int = 1;
/// `CALLBACK_CONTINUE`.
pub(crate) const CALLBACK_CONTINUE: c_int = 0;
/// `CALLBACK_ERROR`.
pub(crate) const CALLBACK_ERROR: c_int = 2;

/// `SCAN_FLAGS_NO_TRYCATCH`: do not install SIGSEGV/SIGBUS handlers around the scan (only
/// needed for memory-mapped files; we scan owned buffers).
pub(crate) const SCAN_FLAGS_NO_TRYCATCH: c_int = 4;
/// `SCAN_FLAGS_REPORT_RULES_MATCHING`.
pub(crate) const SCAN_FLAGS_REPORT_RULES_MATCHING: c_int = 8;

/// `YARA_ERROR_LEVEL_ERROR`.
pub(crate) const YARA_ERROR_LEVEL_ERROR: c_int = 0;

#[link(name = "yara")]
extern "C" {
    pub(crate) fn yr_initialize() -> c_int;

    pub(crate) fn yr_compiler_create(compiler: *mut *mut YrCompiler) -> c_int;
    pub(crate) fn yr_compiler_destroy(compiler: *mut YrCompiler);
    pub(crate) fn yr_compiler_set_callback(
        compiler: *mut YrCompiler,
        callback: YrCompilerCallbackFunc,
        user_data: *mut c_void,
    );
    pub(crate) fn yr_compiler_add_fd(
        compiler: *mut YrCompiler,
        rules_fd: c_int,
        namespace_: *const c_char,
        file_name: *const c_char,
    ) -> c_int;
    pub(crate) fn yr_compiler_add_string(
        compiler: *mut YrCompiler,
        rules_string: *const c_char,
        namespace_: *const c_char,
    ) -> c_int;
    pub(crate) fn yr_compiler_get_rules(
        compiler: *mut YrCompiler,
        rules: *mut *mut YrRules,
    ) -> c_int;

    pub(crate) fn yr_rules_destroy(rules: *mut YrRules) -> c_int;

    pub(crate) fn yr_scanner_create(rules: *mut YrRules, scanner: *mut *mut YrScanner) -> c_int;
    pub(crate) fn yr_scanner_destroy(scanner: *mut YrScanner);
    pub(crate) fn yr_scanner_set_callback(
        scanner: *mut YrScanner,
        callback: YrCallbackFunc,
        user_data: *mut c_void,
    );
    pub(crate) fn yr_scanner_set_timeout(scanner: *mut YrScanner, timeout: c_int);
    pub(crate) fn yr_scanner_set_flags(scanner: *mut YrScanner, flags: c_int);
    pub(crate) fn yr_scanner_scan_mem(
        scanner: *mut YrScanner,
        buffer: *const u8,
        buffer_size: usize,
    ) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};
    use std::path::Path;
    use std::process::Command;

    /// Compiles a tiny C program against the installed headers and compares `sizeof`/`offsetof`
    /// with the Rust declarations. Skipped (with a note) when `cc` or the headers are missing.
    #[test]
    fn layout_matches_c_headers() {
        if !Path::new("/usr/include/yara.h").exists() {
            eprintln!("skipping: /usr/include/yara.h not installed");
            return;
        }
        let dir = std::env::temp_dir().join(format!("sensor-yara-layout-{}", std::process::id()));
        if std::fs::create_dir_all(&dir).is_err() {
            eprintln!("skipping: cannot create temp dir");
            return;
        }
        let src = dir.join("layout.c");
        let exe = dir.join("layout");
        let c = r#"
#include <stdio.h>
#include <stddef.h>
#include <yara.h>
int main(void) {
  printf("%zu %zu %zu %zu %zu %zu %zu\n", sizeof(YR_RULE), offsetof(YR_RULE, identifier),
         offsetof(YR_RULE, tags), offsetof(YR_RULE, metas), offsetof(YR_RULE, strings),
         offsetof(YR_RULE, ns), offsetof(YR_RULE, num_atoms));
  printf("%zu %zu %zu %zu %zu %zu\n", sizeof(YR_META), offsetof(YR_META, identifier),
         offsetof(YR_META, string), offsetof(YR_META, integer), offsetof(YR_META, type),
         offsetof(YR_META, flags));
  printf("%zu %zu\n", sizeof(YR_NAMESPACE), offsetof(YR_NAMESPACE, idx));
  printf("%zu %zu\n", offsetof(YR_RULES, arena), offsetof(YR_RULES, rules_table));
  printf("%d %d %d %d %d %d %d %d %d %d %d\n", RULE_FLAGS_PRIVATE,
         RULE_FLAGS_NULL, META_TYPE_INTEGER, META_TYPE_STRING, META_TYPE_BOOLEAN,
         META_FLAGS_LAST_IN_RULE, CALLBACK_MSG_RULE_MATCHING, CALLBACK_CONTINUE, CALLBACK_ERROR,
         SCAN_FLAGS_NO_TRYCATCH, SCAN_FLAGS_REPORT_RULES_MATCHING);
  printf("%d\n", YARA_ERROR_LEVEL_ERROR);
  return 0;
}
"#;
        if std::fs::write(&src, c).is_err() {
            eprintln!("skipping: cannot write C source");
            return;
        }
        let status = Command::new("cc").arg(&src).arg("-o").arg(&exe).status();
        match status {
            Ok(s) if s.success() => {}
            _ => {
                eprintln!("skipping: cc unavailable or failed");
                let _ = std::fs::remove_dir_all(&dir);
                return;
            }
        }
        let out = Command::new(&exe).output().expect("run layout probe");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8(out.stdout).expect("utf8");
        let expected = format!(
            "{} {} {} {} {} {} {}\n{} {} {} {} {} {}\n{} {}\n{} {}\n{} {} {} {} {} {} {} {} {} {} {}\n{}\n",
            size_of::<YrRule>(),
            offset_of!(YrRule, identifier),
            offset_of!(YrRule, tags),
            offset_of!(YrRule, metas),
            offset_of!(YrRule, strings),
            offset_of!(YrRule, ns),
            offset_of!(YrRule, num_atoms),
            size_of::<YrMeta>(),
            offset_of!(YrMeta, identifier),
            offset_of!(YrMeta, string),
            offset_of!(YrMeta, integer),
            offset_of!(YrMeta, type_),
            offset_of!(YrMeta, flags),
            size_of::<YrNamespace>(),
            offset_of!(YrNamespace, idx),
            offset_of!(YrRulesHead, arena),
            offset_of!(YrRulesHead, rules_table),
            RULE_FLAGS_PRIVATE,
            RULE_FLAGS_NULL,
            META_TYPE_INTEGER,
            META_TYPE_STRING,
            META_TYPE_BOOLEAN,
            META_FLAGS_LAST_IN_RULE,
            CALLBACK_MSG_RULE_MATCHING,
            CALLBACK_CONTINUE,
            CALLBACK_ERROR,
            SCAN_FLAGS_NO_TRYCATCH,
            SCAN_FLAGS_REPORT_RULES_MATCHING,
            YARA_ERROR_LEVEL_ERROR,
        );
        assert_eq!(text, expected);
    }
}
