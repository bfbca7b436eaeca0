//! Stand-ins used when the crate is built without the `yara` feature: same API, every
//! constructor returns [`YaraError::Unavailable`].

use std::path::PathBuf;

use crate::error::{CompileDiagnostic, YaraError};
use crate::matches::YaraMatch;

/// Default per-scan timeout in seconds.
pub const DEFAULT_SCAN_TIMEOUT_SECS: u32 = 5;

/// Compiled YARA rules (never constructed without the `yara` feature).
#[derive(Debug)]
pub struct YaraRules {
    _never: (),
}

impl YaraRules {
    /// Always fails: YARA support is not compiled in.
    pub fn compile_files(_paths: &[PathBuf]) -> Result<YaraRules, YaraError> {
        Err(YaraError::Unavailable)
    }

    /// Always fails: YARA support is not compiled in.
    pub fn compile_str(_source: &str) -> Result<YaraRules, YaraError> {
        Err(YaraError::Unavailable)
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        0
    }

    /// Rules in declaration order.
    pub fn rule_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Compiler warnings.
    pub fn warnings(&self) -> &[CompileDiagnostic] {
        &[]
    }
}

/// Scanner stand-in (never constructed without the `yara` feature).
#[derive(Debug)]
pub struct YaraScanner<'r> {
    rules: &'r YaraRules,
}

impl<'r> YaraScanner<'r> {
    /// Always fails: YARA support is not compiled in.
    pub fn new(_rules: &'r YaraRules) -> Result<Self, YaraError> {
        Err(YaraError::Unavailable)
    }

    /// Sets the per-scan timeout in seconds.
    pub fn set_timeout(&mut self, _seconds: u32) {}

    /// Current per-scan timeout in seconds.
    pub fn timeout(&self) -> u32 {
        DEFAULT_SCAN_TIMEOUT_SECS
    }

    /// The rules this scanner matches.
    pub fn rules(&self) -> &'r YaraRules {
        self.rules
    }

    /// Always fails: YARA support is not compiled in.
    pub fn scan(&mut self, _data: &[u8], _out: &mut Vec<YaraMatch>) -> Result<(), YaraError> {
        Err(YaraError::Unavailable)
    }
}
