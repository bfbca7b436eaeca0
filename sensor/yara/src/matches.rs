//! The match record handed to the sensor.

/// One YARA rule that matched a scanned buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YaraMatch {
    /// Rule identifier.
    pub rule: String,
    /// Rule namespace (`default` for rules compiled by this crate).
    pub namespace: String,
    /// Rule tags, in declaration order.
    pub tags: Vec<String>,
    /// Rule metadata in declaration order; integers are rendered in decimal, booleans as
    /// `true`/`false`.
    pub meta: Vec<(String, String)>,
    /// Index of the rule in declaration order (same index as in
    /// [`crate::YaraRules::rule_names`]), for a stable signature id (`sid = base + index`).
    pub rule_index: usize,
}
