//! Error types of the rule language.

use thiserror::Error;

/// An error raised while parsing one rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// The rule text is malformed.
    #[error("syntax error: {0}")]
    Syntax(String),
    /// A keyword is valid Suricata but not supported by this sensor.
    #[error("keyword `{keyword}`: {reason}")]
    Unsupported {
        /// The keyword that cannot be honoured.
        keyword: String,
        /// Why it is not supported.
        reason: String,
    },
    /// A keyword has an invalid value.
    #[error("keyword `{keyword}`: {reason}")]
    InvalidValue {
        /// The keyword whose value is invalid.
        keyword: String,
        /// What is wrong.
        reason: String,
    },
    /// A `$VAR` is not defined.
    #[error("undefined variable `{0}`")]
    UndefinedVar(String),
}

impl RuleError {
    /// The keyword the error refers to, if any.
    pub fn keyword(&self) -> Option<&str> {
        match self {
            RuleError::Unsupported { keyword, .. } | RuleError::InvalidValue { keyword, .. } => {
                Some(keyword)
            }
            _ => None,
        }
    }

    /// Shortcut for an invalid value error.
    pub(crate) fn invalid(keyword: &str, reason: impl Into<String>) -> Self {
        RuleError::InvalidValue {
            keyword: keyword.to_string(),
            reason: reason.into(),
        }
    }

    /// Shortcut for an unsupported keyword error.
    pub(crate) fn unsupported(keyword: &str, reason: impl Into<String>) -> Self {
        RuleError::Unsupported {
            keyword: keyword.to_string(),
            reason: reason.into(),
        }
    }
}

/// An error raised while reading a config file (classification, threshold).
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// File path.
        file: String,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("{file}:{line}: {reason}")]
    Parse {
        /// File path.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}
