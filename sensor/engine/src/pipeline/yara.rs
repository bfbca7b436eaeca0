//! YARA scanning of HTTP bodies and reassembled streams (`sensor run --yara FILE`).
//!
//! Each YARA rule gets a signature id of its own: [`YARA_SID_BASE`] + its position in the
//! compiled rule set; the alert's signature is `YARA <rule name>`. A rule alerts at most
//! once per flow and direction.

use sensor_yara::{YaraMatch, YaraRules, YaraScanner};

/// First signature id of YARA alerts (gid 1): far above ET Open's and Suricata's ranges.
pub const YARA_SID_BASE: u32 = 9_000_000;

/// A per-thread scanner with the matches buffer.
pub struct YaraCtx<'r> {
    scanner: YaraScanner<'r>,
    hits: Vec<YaraMatch>,
    /// Scan failures (timeouts included), counted and logged, never fatal.
    pub errors: u64,
}

/// One YARA match to report.
#[derive(Debug, Clone)]
pub struct YaraHit {
    pub sid: u32,
    pub rule: String,
    pub severity: u32,
    pub tags: Vec<String>,
}

impl<'r> YaraCtx<'r> {
    pub fn new(rules: &'r YaraRules) -> anyhow::Result<Self> {
        Ok(YaraCtx {
            scanner: YaraScanner::new(rules)?,
            hits: Vec::new(),
            errors: 0,
        })
    }

    /// Scans `data`; returns the rules that matched and had not fired before on this flow
    /// direction (`fired` holds the rule indices that did).
    pub fn scan(&mut self, data: &[u8], fired: &mut Vec<usize>) -> Vec<YaraHit> {
        if data.is_empty() {
            return Vec::new();
        }
        self.hits.clear();
        if let Err(e) = self.scanner.scan(data, &mut self.hits) {
            self.errors += 1;
            tracing::warn!(error = %e, "yara scan failed");
            return Vec::new();
        }
        let mut out = Vec::new();
        for m in self.hits.drain(..) {
            if fired.contains(&m.rule_index) {
                continue;
            }
            fired.push(m.rule_index);
            let severity = m
                .meta
                .iter()
                .find(|(k, _)| k == "severity")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(2);
            out.push(YaraHit {
                sid: YARA_SID_BASE.saturating_add(u32::try_from(m.rule_index).unwrap_or(u32::MAX)),
                rule: m.rule,
                severity,
                tags: m.tags,
            });
        }
        out
    }
}
