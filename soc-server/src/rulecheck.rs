//! Validation of an uploaded ruleset with the sensor's own rule parser (`sensor-rules`).
//!
//! Policy (the same for the console, the CLI and the API):
//! - **refused** when any rule is malformed (syntax error) or gives a keyword an invalid
//!   value, when the text is not UTF-8, or when no rule at all would load: such a rule
//!   is wrong on every sensor, and a ruleset that silently loses rules must not go out;
//! - **accepted with a report** when rules use keywords the sensor does not support
//!   (the sensor skips exactly those rules, as it does for local files), variables that
//!   are not Suricata's stock ones (a sensor may define them in its config), or repeat a
//!   gid:sid (the higher rev wins). The report is stored with the version and shown in
//!   the console.

use crate::store::NewRuleset;
use sensor_rules::parse::load::rule_lines;
use sensor_rules::{parse_rule, RuleError, Vars};
use serde::Serialize;
use sha2::Digest;

/// Largest ruleset accepted (bytes); the sensor refuses larger ones too.
pub const MAX_RULESET_BYTES: usize = 64 << 20;

/// One rule that did not load, or will not load everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleIssue {
    /// The uploaded file's name.
    pub file: String,
    /// 1-based line of the rule's first line.
    pub line: usize,
    /// The rule's sid, when it could be read.
    pub sid: Option<u32>,
    /// The keyword at fault (`(syntax)` for malformed rules, `(header)` for variables).
    pub keyword: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RuleIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: sid {}: keyword `{}`: {}",
            self.file,
            self.line,
            self.sid.map_or("?".to_string(), |s| s.to_string()),
            self.keyword,
            self.reason
        )
    }
}

/// The result of checking a ruleset.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RulesetReport {
    /// Rules that load.
    pub loaded: usize,
    /// Rules the sensor will skip (unsupported keyword, unknown variable, duplicate).
    pub skipped: Vec<RuleIssue>,
    /// Errors that refuse the upload.
    pub errors: Vec<RuleIssue>,
}

impl RulesetReport {
    /// True when the ruleset may be stored.
    pub fn accepted(&self) -> bool {
        self.errors.is_empty() && self.loaded > 0
    }

    /// Why the upload is refused, one issue per line (empty when accepted).
    pub fn refusal(&self) -> String {
        if self.errors.is_empty() && self.loaded == 0 {
            return "no rule would load: a ruleset needs at least one supported rule".into();
        }
        self.errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Checks an upload and prepares it for the store, or returns the report that refuses it.
pub fn prepare(name: &str, text: &str) -> Result<(NewRuleset, RulesetReport), RulesetReport> {
    let report = check(name, text);
    if !report.accepted() {
        return Err(report);
    }
    let digest = sha2::Sha256::digest(text.as_bytes());
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
    let new = NewRuleset {
        name: name.to_string(),
        text: text.to_string(),
        sha256,
        rules_loaded: i64::try_from(report.loaded).unwrap_or(i64::MAX),
        rules_skipped: i64::try_from(report.skipped.len()).unwrap_or(i64::MAX),
        report: serde_json::to_string(&report).unwrap_or_else(|_| "{}".into()),
    };
    Ok((new, report))
}

/// A file name for display: its last path component, at most 128 characters of letters,
/// digits, `.`, `_`, `-` (others become `_`); `ruleset.rules` when empty.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let n: String = base
        .chars()
        .take(128)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if n.is_empty() {
        "ruleset.rules".into()
    } else {
        n
    }
}

fn find_sid(text: &str) -> Option<u32> {
    let i = text.find("sid:")?;
    text[i + 4..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Checks the ruleset `text` uploaded as `file`.
pub fn check(file: &str, text: &str) -> RulesetReport {
    let vars = Vars::default();
    let mut report = RulesetReport::default();
    let mut seen = std::collections::HashSet::new();
    for (line, rule_text) in rule_lines(text) {
        let issue = |keyword: &str, reason: String| RuleIssue {
            file: file.to_string(),
            line,
            sid: find_sid(&rule_text),
            keyword: keyword.to_string(),
            reason,
        };
        match parse_rule(&rule_text, &vars) {
            Ok(rule) => {
                if seen.insert((rule.gid, rule.sid)) {
                    report.loaded += 1;
                } else {
                    report.skipped.push(issue(
                        "sid",
                        format!(
                            "duplicate gid {} sid {}: the higher rev is kept",
                            rule.gid, rule.sid
                        ),
                    ));
                }
            }
            Err(RuleError::Syntax(m)) => report.errors.push(issue("(syntax)", m)),
            Err(RuleError::InvalidValue { keyword, reason }) => {
                report.errors.push(issue(&keyword, reason))
            }
            Err(RuleError::Unsupported { keyword, reason }) => {
                report.skipped.push(issue(&keyword, reason))
            }
            Err(RuleError::UndefinedVar(v)) => report.skipped.push(issue(
                "(header)",
                format!("undefined variable `{v}` (loads only on sensors that define it)"),
            )),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_refuse_and_unsupported_keywords_are_reported() {
        let ok = "alert tcp any any -> any any (msg:\"a\"; content:\"x\"; sid:1;)\n# c\nalert tcp any any -> any any (msg:\"b\"; lua:x.lua; sid:2;)\n";
        let r = check("a.rules", ok);
        assert!(r.accepted(), "{r:?}");
        assert_eq!(r.loaded, 1);
        assert_eq!(r.skipped.len(), 1);
        assert_eq!(r.skipped[0].keyword, "lua");
        assert_eq!(r.skipped[0].line, 3);

        let bad = "alert tcp any any -> any any (msg:\"a\"; sid:1;)\nalert tcp any any -> any any (msg:\"b\"; content:\"x\" sid:7;)\n";
        let r = check("b.rules", bad);
        assert!(!r.accepted());
        let why = r.refusal();
        assert!(why.starts_with("b.rules:2: sid 7: keyword"), "{why}");

        let r = check("c.rules", "# nothing\n");
        assert!(!r.accepted());
        assert!(r.refusal().contains("no rule"));
    }
}
