//! The sensor's bearer token, which never appears in logs or `Debug` output.

use std::fmt;

/// A secret bearer token. `Debug` prints `<redacted>`; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SensorToken(String);

impl SensorToken {
    /// Wraps a token (surrounding whitespace, e.g. from a file, is removed).
    pub fn new(token: impl Into<String>) -> Self {
        SensorToken(token.into().trim().to_string())
    }

    /// The secret itself: only for writing the sensor's credentials file (mode 0600).
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The `Authorization` header value. Only for building requests.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// True when the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SensorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SensorToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_token() {
        let t = SensorToken::new("  s3cr3t-token\n");
        assert_eq!(format!("{t:?}"), "SensorToken(<redacted>)");
        assert_eq!(format!("{t:#?}"), "SensorToken(<redacted>)");
        assert_eq!(t.bearer(), "Bearer s3cr3t-token");
    }
}
