//! Loading rule files: comments, continuations, skipped rules, duplicates, summary.

use crate::error::RuleError;
use crate::parse::rule::parse_rule;
use crate::rule::Rule;
use crate::vars::Vars;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A rule that was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// File it came from.
    pub file: PathBuf,
    /// 1-based line of its first line.
    pub line: usize,
    /// Its sid, if one could be found.
    pub sid: Option<u32>,
    /// The keyword responsible (`(syntax)` for malformed rules, `sid` for duplicates).
    pub keyword: String,
    /// Why.
    pub reason: String,
}

/// Result of loading rule files.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Loaded rules, in file order.
    pub rules: Vec<Rule>,
    /// Rules not loaded.
    pub skipped: Vec<Skipped>,
    /// File-level errors (unreadable files).
    pub errors: Vec<String>,
}

impl LoadReport {
    /// Text for `sensor rules check`: one line per skipped rule, the top skip reasons,
    /// and finally `N loaded, M skipped`.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for e in &self.errors {
            let _ = writeln!(s, "error: {e}");
        }
        for k in &self.skipped {
            let sid = k.sid.map_or_else(|| "?".to_string(), |v| v.to_string());
            let _ = writeln!(
                s,
                "{}:{}: sid {}: keyword `{}`: {}",
                k.file.display(),
                k.line,
                sid,
                k.keyword,
                k.reason
            );
        }
        let top = self.top_reasons(10);
        if !top.is_empty() {
            let _ = writeln!(s, "top skip reasons:");
            for (reason, n) in top {
                let _ = writeln!(s, "  {n:>6}  {reason}");
            }
        }
        let _ = write!(
            s,
            "{} loaded, {} skipped",
            self.rules.len(),
            self.skipped.len()
        );
        s
    }

    /// The `n` most frequent skip reasons (`keyword: reason`) with counts.
    pub fn top_reasons(&self, n: usize) -> Vec<(String, usize)> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for k in &self.skipped {
            *counts
                .entry(format!("`{}`: {}", k.keyword, k.reason))
                .or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

/// Extract `sid:N` from raw text (for reporting rules that fail to parse).
fn find_sid(text: &str) -> Option<u32> {
    let mut rest = text;
    while let Some(i) = rest.find("sid") {
        let before_ok = i == 0
            || rest[..i]
                .chars()
                .last()
                .is_some_and(|c| c == ';' || c == '(' || c.is_whitespace());
        let after = rest[i + 3..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix(':') {
                let num: String = v
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = num.parse() {
                    return Some(n);
                }
            }
        }
        rest = &rest[i + 3..];
    }
    None
}

/// Split file contents into (line number, rule text) with `\` continuations joined
/// and comments/blank lines dropped.
pub fn rule_lines(content: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    for (i, line) in content.lines().enumerate() {
        let t = line.trim();
        if cur.is_empty() {
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            start = i + 1;
        }
        if let Some(body) = t.strip_suffix('\\') {
            cur.push_str(body);
            continue;
        }
        cur.push_str(t);
        out.push((start, std::mem::take(&mut cur)));
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out
}

/// Load rules from files. Unsupported or malformed rules are recorded in
/// `skipped`; duplicates (same gid:sid) keep the higher rev (the first on a tie).
pub fn load_files(paths: &[PathBuf], vars: &Vars) -> LoadReport {
    let mut report = LoadReport::default();
    let mut seen: HashMap<(u32, u32), usize> = HashMap::new();
    for path in paths {
        let content = match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                report.errors.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        load_text(&content, path, vars, &mut report, &mut seen);
    }
    report
}

/// Load rules from a string as if read from `path`.
pub fn load_str(content: &str, path: &Path, vars: &Vars) -> LoadReport {
    let mut report = LoadReport::default();
    let mut seen = HashMap::new();
    load_text(content, path, vars, &mut report, &mut seen);
    report
}

fn load_text(
    content: &str,
    path: &Path,
    vars: &Vars,
    report: &mut LoadReport,
    seen: &mut HashMap<(u32, u32), usize>,
) {
    for (line, text) in rule_lines(content) {
        match parse_rule(&text, vars) {
            Ok(mut rule) => {
                rule.file = Some(path.to_path_buf());
                rule.line = line;
                let key = (rule.gid, rule.sid);
                if let Some(&idx) = seen.get(&key) {
                    let Some(old) = report.rules.get_mut(idx) else {
                        continue;
                    };
                    let (loser, keep_new) = if rule.rev > old.rev {
                        (std::mem::replace(old, rule), true)
                    } else {
                        (rule, false)
                    };
                    let kept_rev = report.rules.get(idx).map_or(0, |r| r.rev);
                    report.skipped.push(Skipped {
                        file: loser.file.clone().unwrap_or_default(),
                        line: loser.line,
                        sid: Some(loser.sid),
                        keyword: "sid".into(),
                        reason: format!(
                            "duplicate gid {} sid {}: rev {} {} rev {}",
                            key.0,
                            key.1,
                            loser.rev,
                            if keep_new {
                                "replaced by"
                            } else {
                                "ignored, keeping"
                            },
                            kept_rev
                        ),
                    });
                    continue;
                }
                seen.insert(key, report.rules.len());
                report.rules.push(rule);
            }
            Err(e) => {
                let (keyword, reason) = match &e {
                    RuleError::Unsupported { keyword, reason }
                    | RuleError::InvalidValue { keyword, reason } => {
                        (keyword.clone(), reason.clone())
                    }
                    RuleError::Syntax(m) => ("(syntax)".to_string(), m.clone()),
                    RuleError::UndefinedVar(v) => {
                        ("(header)".to_string(), format!("undefined variable `{v}`"))
                    }
                };
                report.skipped.push(Skipped {
                    file: path.to_path_buf(),
                    line,
                    sid: find_sid(&text),
                    keyword,
                    reason,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_summary() {
        let text = "# c\n\nalert tcp any any -> any any (msg:\"a\"; \\\n sid:1;)\nalert tcp any any -> any any (lua:x; sid:2;)\nalert tcp any any -> any any (sid:1; rev:2;)\nalert tcp any any -> any any (sid:3;\n";
        let l = rule_lines(text);
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].0, 3);
        let r = load_str(text, Path::new("t.rules"), &Vars::default());
        assert_eq!(r.rules.len(), 1);
        assert_eq!(r.rules[0].rev, 2);
        assert_eq!(r.skipped.len(), 3);
        let s = r.summary();
        assert!(s.contains("t.rules:5: sid 2: keyword `lua`"), "{s}");
        assert!(s.ends_with("1 loaded, 3 skipped"), "{s}");
        assert_eq!(find_sid("alert (msg:\"sid\"; sid: 42;)"), Some(42));
    }
}
