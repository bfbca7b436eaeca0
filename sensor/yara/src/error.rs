//! Typed errors and compiler diagnostics.

use std::fmt;
use std::path::PathBuf;

/// One compiler message, rendered as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileDiagnostic {
    /// Rule file the message refers to (`<string>` for [`crate::YaraRules::compile_str`]).
    pub file: String,
    /// 1-based line number reported by libyara (0 when unknown).
    pub line: u32,
    /// Compiler message.
    pub message: String,
}

impl fmt::Display for CompileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Errors returned by this crate.
#[derive(Debug, thiserror::Error)]
pub enum YaraError {
    /// `yr_initialize` failed (the failure is sticky for the process).
    #[error("libyara initialization failed: error {code} ({meaning})")]
    Init {
        /// libyara error code.
        code: i32,
        /// Human-readable meaning of `code`.
        meaning: &'static str,
    },
    /// A rule file could not be opened.
    #[error("cannot open YARA rule file {}: {source}", path.display())]
    Io {
        /// File that failed to open.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The rules did not compile; every error reported by the compiler is listed.
    #[error("{}", render_compile_errors(errors))]
    Compile {
        /// All compiler errors, in the order reported.
        errors: Vec<CompileDiagnostic>,
    },
    /// A libyara call outside compilation/scanning failed (compiler, rules or scanner creation).
    #[error("libyara {operation} failed: error {code} ({meaning})")]
    Library {
        /// The failing operation (e.g. `yr_scanner_create`).
        operation: &'static str,
        /// libyara error code.
        code: i32,
        /// Human-readable meaning of `code`.
        meaning: &'static str,
    },
    /// A scan failed (timeout, too many matches, out of memory, ...).
    #[error("YARA scan failed: error {code} ({meaning})")]
    Scan {
        /// libyara error code (e.g. 26 = `ERROR_SCAN_TIMEOUT`).
        code: i32,
        /// Human-readable meaning of `code`.
        meaning: &'static str,
    },
    /// The crate was built without the `yara` feature (no libyara linked).
    #[error(
        "YARA support not compiled in (build sensor-yara with the `yara` feature and libyara-dev)"
    )]
    Unavailable,
}

impl YaraError {
    /// True for a scan that hit its timeout (`ERROR_SCAN_TIMEOUT`).
    pub fn is_timeout(&self) -> bool {
        matches!(self, YaraError::Scan { code, .. } if *code == ERROR_SCAN_TIMEOUT)
    }
}

/// `ERROR_SCAN_TIMEOUT` from `yara/error.h`.
pub(crate) const ERROR_SCAN_TIMEOUT: i32 = 26;

fn render_compile_errors(errors: &[CompileDiagnostic]) -> String {
    let mut s = format!("YARA compilation failed with {} error(s)", errors.len());
    for e in errors {
        s.push_str("\n  ");
        s.push_str(&e.to_string());
    }
    s
}

/// Meaning of a libyara error code (`yara/error.h`, 4.2).
pub fn error_meaning(code: i32) -> &'static str {
    match code {
        0 => "success",
        1 => "insufficient memory",
        2 => "could not attach to process",
        3 => "could not open file",
        4 => "could not map file",
        6 => "invalid file",
        7 => "corrupt file",
        8 => "unsupported file version",
        9 => "invalid regular expression",
        10 => "invalid hex string",
        11 => "syntax error",
        12 => "loop nesting limit exceeded",
        13 => "duplicated loop identifier",
        14 => "duplicated identifier",
        15 => "duplicated tag identifier",
        16 => "duplicated meta identifier",
        17 => "duplicated string identifier",
        18 => "unreferenced string",
        19 => "undefined string",
        20 => "undefined identifier",
        21 => "misplaced anonymous string",
        22 => "includes circular reference",
        23 => "include depth exceeded",
        24 => "wrong type",
        25 => "exec stack overflow",
        26 => "scan timeout",
        27 => "too many scan threads",
        28 => "callback error",
        29 => "invalid argument",
        30 => "too many matches",
        31 => "internal fatal error",
        32 => "nested for-of loop",
        33 => "invalid field name",
        34 => "unknown module",
        35 => "not a structure",
        36 => "not indexable",
        37 => "not a function",
        38 => "invalid format",
        39 => "too many arguments",
        40 => "wrong arguments",
        41 => "wrong return type",
        42 => "duplicated structure member",
        43 => "empty string",
        44 => "division by zero",
        45 => "regular expression too large",
        46 => "too many regular expression fibers",
        47 => "could not read process memory",
        48 => "invalid external variable type",
        49 => "regular expression too complex",
        50 => "invalid module name",
        51 => "too many strings",
        52 => "integer overflow",
        53 => "callback required",
        54 => "invalid operand",
        55 => "could not read file",
        56 => "duplicated external variable",
        57 => "invalid module data",
        58 => "error writing file",
        59 => "invalid modifier",
        60 => "duplicated modifier",
        61 => "block not ready",
        62 => "invalid percentage",
        63 => "identifier matches wildcard",
        _ => "unknown error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_render_as_file_line_message() {
        let d = CompileDiagnostic {
            file: "a.yar".into(),
            line: 3,
            message: "syntax error".into(),
        };
        assert_eq!(d.to_string(), "a.yar:3: syntax error");
        let e = YaraError::Compile {
            errors: vec![d.clone(), d],
        };
        let text = e.to_string();
        assert!(text.contains("2 error(s)"));
        assert_eq!(text.matches("a.yar:3: syntax error").count(), 2);
    }

    #[test]
    fn timeout_detection_and_meanings() {
        let e = YaraError::Scan {
            code: 26,
            meaning: error_meaning(26),
        };
        assert!(e.is_timeout());
        assert_eq!(error_meaning(26), "scan timeout");
        assert_eq!(error_meaning(-5), "unknown error");
        assert!(!YaraError::Unavailable.is_timeout());
    }
}
