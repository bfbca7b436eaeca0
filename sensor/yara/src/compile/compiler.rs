//! RAII wrapper around `YR_COMPILER` that collects every diagnostic through the compiler
//! callback.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fs::File;
use std::ptr::{self, NonNull};

use crate::error::{error_meaning, CompileDiagnostic, YaraError};
use crate::ffi;

/// One rule source to add to a compiler.
pub(crate) enum Source<'a> {
    /// An already opened rule file and the name used in diagnostics and include resolution.
    File {
        /// Open file.
        file: &'a File,
        /// Display name (the path as given).
        name: &'a str,
    },
    /// In-memory rule text and its display name.
    Text {
        /// Rule text (without interior NUL bytes).
        text: &'a CStr,
        /// Display name.
        name: &'a str,
    },
}

impl Source<'_> {
    fn name(&self) -> &str {
        match self {
            Source::File { name, .. } | Source::Text { name, .. } => name,
        }
    }
}

/// Diagnostics written by the compiler callback.
#[derive(Default)]
struct DiagSink {
    /// Errors reported since the last [`Compiler::take_diagnostics`].
    errors: Vec<CompileDiagnostic>,
    /// Warnings reported since the last [`Compiler::take_diagnostics`].
    warnings: Vec<CompileDiagnostic>,
    /// Name used when libyara passes no file name (string sources).
    current: String,
    /// When set, diagnostics are dropped (re-adding sources that already compiled).
    mute: bool,
}

/// Owned `YR_COMPILER` plus its diagnostic sink.
pub(crate) struct Compiler {
    raw: NonNull<ffi::YrCompiler>,
    /// Heap sink shared with the C callback; only accessed through this raw pointer and only
    /// while no libyara call that may invoke the callback is running on another path.
    sink: NonNull<DiagSink>,
    /// libyara forbids further `yr_compiler_add_*` calls after one failed.
    poisoned: bool,
}

impl Compiler {
    /// Creates a compiler with the diagnostic callback installed.
    pub(crate) fn new() -> Result<Self, YaraError> {
        let mut raw = ptr::null_mut();
        // SAFETY: out-pointer to a local.
        let code = unsafe { ffi::yr_compiler_create(&mut raw) };
        let raw = match NonNull::new(raw) {
            Some(raw) if code == ffi::ERROR_SUCCESS => raw,
            _ => {
                return Err(YaraError::Library {
                    operation: "yr_compiler_create",
                    code,
                    meaning: error_meaning(code),
                })
            }
        };
        let sink = NonNull::from(Box::leak(Box::<DiagSink>::default()));
        // SAFETY: `raw` is a live compiler; `sink` outlives it (freed in Drop after the compiler).
        unsafe {
            ffi::yr_compiler_set_callback(
                raw.as_ptr(),
                Some(compiler_callback),
                sink.as_ptr().cast::<c_void>(),
            );
        }
        Ok(Compiler {
            raw,
            sink,
            poisoned: false,
        })
    }

    /// True once an add call has failed (the compiler must then be replaced).
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Adds one source to the default namespace; returns the number of errors it produced.
    /// With `mute`, diagnostics are discarded.
    pub(crate) fn add(&mut self, source: &Source<'_>, mute: bool) -> u32 {
        if self.poisoned {
            return 1;
        }
        {
            // SAFETY: no libyara call is running; the sink is only reachable through this pointer.
            let sink = unsafe { &mut *self.sink.as_ptr() };
            sink.mute = mute;
            sink.current.clear();
            sink.current.push_str(source.name());
        }
        let errors_before = self.error_count();
        let n = match source {
            Source::File { file, name } => add_file(self.raw, file, name),
            Source::Text { text, .. } => {
                // SAFETY: live compiler, NUL-terminated text; NULL namespace = "default".
                unsafe {
                    ffi::yr_compiler_add_string(self.raw.as_ptr(), text.as_ptr(), ptr::null())
                }
            }
        };
        let n = u32::try_from(n).unwrap_or(0);
        if n > 0 {
            self.poisoned = true;
            // Never lose a failure even if libyara did not call back with a message.
            if !mute && self.error_count() == errors_before {
                // SAFETY: as above.
                let sink = unsafe { &mut *self.sink.as_ptr() };
                sink.errors.push(CompileDiagnostic {
                    file: source.name().to_owned(),
                    line: 0,
                    message: format!("{n} compilation error(s)"),
                });
            }
        }
        n
    }

    fn error_count(&self) -> usize {
        // SAFETY: no libyara call is running.
        unsafe { (*self.sink.as_ptr()).errors.len() }
    }

    /// Moves out the errors and warnings collected so far.
    pub(crate) fn take_diagnostics(&mut self) -> (Vec<CompileDiagnostic>, Vec<CompileDiagnostic>) {
        // SAFETY: no libyara call is running.
        let sink = unsafe { &mut *self.sink.as_ptr() };
        (
            std::mem::take(&mut sink.errors),
            std::mem::take(&mut sink.warnings),
        )
    }

    /// Produces the compiled rules (valid only when no add call failed).
    pub(crate) fn get_rules(&mut self) -> Result<NonNull<ffi::YrRules>, YaraError> {
        let mut rules = ptr::null_mut();
        // SAFETY: live compiler, out-pointer to a local. The returned rules hold their own
        // reference to the arena and stay valid after the compiler is destroyed.
        let code = unsafe { ffi::yr_compiler_get_rules(self.raw.as_ptr(), &mut rules) };
        match NonNull::new(rules) {
            Some(rules) if code == ffi::ERROR_SUCCESS => Ok(rules),
            _ => Err(YaraError::Library {
                operation: "yr_compiler_get_rules",
                code,
                meaning: error_meaning(code),
            }),
        }
    }
}

impl Drop for Compiler {
    fn drop(&mut self) {
        // SAFETY: the compiler is live and destroyed once; the sink was leaked from a Box in
        // `new` and is freed once, after the compiler (and its callback) is gone.
        unsafe {
            ffi::yr_compiler_destroy(self.raw.as_ptr());
            drop(Box::from_raw(self.sink.as_ptr()));
        }
    }
}

#[cfg(unix)]
fn add_file(raw: NonNull<ffi::YrCompiler>, file: &File, name: &str) -> c_int {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::io::AsRawFd;
    // The same file may be added again (after an earlier source failed): start from the top.
    let mut f = file;
    if f.seek(SeekFrom::Start(0)).is_err() {
        return 1;
    }
    // A NUL inside a path cannot be passed to C; fall back to a lossy display name.
    let cname = CString::new(name).unwrap_or_else(|_| c"<rule file>".to_owned());
    // SAFETY: live compiler; the fd stays open for the duration of the call (borrowed `file`);
    // libyara reads from the fd without closing it.
    unsafe { ffi::yr_compiler_add_fd(raw.as_ptr(), file.as_raw_fd(), ptr::null(), cname.as_ptr()) }
}

#[cfg(not(unix))]
fn add_file(raw: NonNull<ffi::YrCompiler>, file: &File, _name: &str) -> c_int {
    use std::io::{Read, Seek, SeekFrom};
    let mut text = Vec::new();
    let mut f = file;
    if f.seek(SeekFrom::Start(0)).is_err() || f.read_to_end(&mut text).is_err() {
        return 1;
    }
    let Ok(text) = CString::new(text) else {
        return 1;
    };
    // SAFETY: live compiler, NUL-terminated text.
    unsafe { ffi::yr_compiler_add_string(raw.as_ptr(), text.as_ptr(), ptr::null()) }
}

/// `YR_COMPILER_CALLBACK_FUNC`: records one error or warning.
unsafe extern "C" fn compiler_callback(
    error_level: c_int,
    file_name: *const c_char,
    line_number: c_int,
    _rule: *const ffi::YrRule,
    message: *const c_char,
    user_data: *mut c_void,
) {
    let record = std::panic::AssertUnwindSafe(|| {
        if user_data.is_null() {
            return;
        }
        // SAFETY: `user_data` is the live sink installed in `Compiler::new`; the Rust side does
        // not touch it while libyara runs.
        let sink = unsafe { &mut *user_data.cast::<DiagSink>() };
        if sink.mute {
            return;
        }
        let file = if file_name.is_null() {
            sink.current.clone()
        } else {
            // SAFETY: libyara passes a NUL-terminated file name.
            unsafe { CStr::from_ptr(file_name) }
                .to_string_lossy()
                .into_owned()
        };
        let message = if message.is_null() {
            String::new()
        } else {
            // SAFETY: libyara passes a NUL-terminated message.
            unsafe { CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        };
        let diag = CompileDiagnostic {
            file,
            line: u32::try_from(line_number).unwrap_or(0),
            message,
        };
        if error_level == ffi::YARA_ERROR_LEVEL_ERROR {
            sink.errors.push(diag);
        } else {
            sink.warnings.push(diag);
        }
    });
    // Never unwind into C.
    let _ = std::panic::catch_unwind(record);
}
