//! [`YaraRules`]: a compiled, shareable rule set.

use std::ffi::CString;
use std::fmt;
use std::fs::File;
use std::path::PathBuf;
use std::ptr::NonNull;

use super::compiler::{Compiler, Source};
use super::rule_info::{read_table, RuleInfo};
use crate::error::{CompileDiagnostic, YaraError};
use crate::ffi;
use crate::init::ensure_initialized;

/// Display name used in diagnostics for [`YaraRules::compile_str`].
const STRING_SOURCE_NAME: &str = "<string>";

/// Compiled YARA rules (`YR_RULES`). `Send + Sync`: libyara 4.x rules are read-only while
/// scanning, and every scan uses its own scanner context.
pub struct YaraRules {
    raw: NonNull<ffi::YrRules>,
    /// Rules in declaration order (index = position in libyara's rules table).
    rules: Vec<RuleInfo>,
    /// Compiler warnings (compilation succeeded anyway).
    warnings: Vec<CompileDiagnostic>,
}

// SAFETY: `YR_RULES` is immutable after compilation; libyara 4.x supports concurrent scans of
// one rule set from many threads (each with its own `YR_SCANNER`), and destroying it requires
// `&mut`/ownership, which excludes concurrent use.
unsafe impl Send for YaraRules {}
// SAFETY: see `Send`; shared access only reads the rules.
unsafe impl Sync for YaraRules {}

impl YaraRules {
    /// Compiles rule files; errors carry file:line and the compiler message (collect ALL errors via the
    /// compiler callback, report them together).
    ///
    /// All files go into the `default` namespace, so rules in later files may reference rules
    /// of earlier ones. After a file fails, the remaining files are still compiled (on a fresh
    /// compiler pre-loaded with the files that compiled) so that every file's errors are
    /// reported in one [`YaraError::Compile`]. A file that cannot be opened yields
    /// [`YaraError::Io`] before anything is compiled.
    pub fn compile_files(paths: &[PathBuf]) -> Result<YaraRules, YaraError> {
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let file = File::open(path).map_err(|source| YaraError::Io {
                path: path.clone(),
                source,
            })?;
            files.push((file, path.to_string_lossy().into_owned()));
        }
        let sources: Vec<Source<'_>> = files
            .iter()
            .map(|(file, name)| Source::File { file, name })
            .collect();
        compile_sources(&sources)
    }

    /// Compiles rules from a string (diagnostics name the file `<string>`).
    pub fn compile_str(source: &str) -> Result<YaraRules, YaraError> {
        let text = CString::new(source).map_err(|e| YaraError::Compile {
            errors: vec![CompileDiagnostic {
                file: STRING_SOURCE_NAME.to_owned(),
                line: line_of(source, e.nul_position()),
                message: "rule text contains a NUL byte".to_owned(),
            }],
        })?;
        compile_sources(&[Source::Text {
            text: &text,
            name: STRING_SOURCE_NAME,
        }])
    }

    /// Number of rules (including `private` and `global` ones).
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Rules in declaration order, so the sensor can give each a stable signature id (sid = base + index).
    pub fn rule_names(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.name.clone()).collect()
    }

    /// Warnings the compiler reported for rules that nevertheless compiled.
    pub fn warnings(&self) -> &[CompileDiagnostic] {
        &self.warnings
    }

    /// Raw handle for the scanner.
    pub(crate) fn raw(&self) -> NonNull<ffi::YrRules> {
        self.raw
    }

    /// Rule info for a `YR_RULE*` handed to the scan callback, with its declaration index.
    pub(crate) fn lookup(&self, rule: *const ffi::YrRule) -> Option<(usize, &RuleInfo)> {
        // SAFETY: `raw` is live for `&self`; reading the `rules_table` pointer field.
        let table = unsafe { (*self.raw.as_ptr()).rules_table };
        let offset = (rule as usize).checked_sub(table as usize)?;
        let size = std::mem::size_of::<ffi::YrRule>();
        if offset % size != 0 {
            return None;
        }
        let index = offset / size;
        self.rules.get(index).map(|info| (index, info))
    }
}

impl Drop for YaraRules {
    fn drop(&mut self) {
        // SAFETY: owned rules, destroyed once; scanners borrow `self`, so none is alive.
        unsafe {
            ffi::yr_rules_destroy(self.raw.as_ptr());
        }
    }
}

impl fmt::Debug for YaraRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YaraRules")
            .field("rules", &self.rules.len())
            .field("warnings", &self.warnings.len())
            .finish()
    }
}

/// 1-based line number of byte offset `pos` in `text`.
fn line_of(text: &str, pos: usize) -> u32 {
    let prefix = text.as_bytes().get(..pos).unwrap_or(text.as_bytes());
    let newlines = prefix.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines.saturating_add(1)).unwrap_or(u32::MAX)
}

/// Compiles sources in order into one rule set, collecting the errors of every source.
fn compile_sources(sources: &[Source<'_>]) -> Result<YaraRules, YaraError> {
    ensure_initialized()?;
    let mut compiler = Compiler::new()?;
    let mut compiled_ok: Vec<usize> = Vec::with_capacity(sources.len());
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    for (i, source) in sources.iter().enumerate() {
        if compiler.is_poisoned() {
            // libyara cannot continue after an error: rebuild from the good sources so the
            // remaining files are checked in the same context.
            let (e, w) = compiler.take_diagnostics();
            errors.extend(e);
            warnings.extend(w);
            compiler = Compiler::new()?;
            for &good in &compiled_ok {
                if let Some(src) = sources.get(good) {
                    compiler.add(src, true);
                }
            }
        }
        if compiler.add(source, false) == 0 {
            compiled_ok.push(i);
        }
    }
    let (e, w) = compiler.take_diagnostics();
    errors.extend(e);
    warnings.extend(w);
    if !errors.is_empty() {
        return Err(YaraError::Compile { errors });
    }

    let raw = compiler.get_rules()?;
    drop(compiler);
    // SAFETY: `raw` is a live YR_RULES whose table is sentinel-terminated.
    let rules = unsafe { read_table((*raw.as_ptr()).rules_table) };
    Ok(YaraRules {
        raw,
        rules,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("abc", 1), 1);
        assert_eq!(line_of("a\nb\nc", 4), 3);
        assert_eq!(line_of("a\n", 99), 2);
    }
}
