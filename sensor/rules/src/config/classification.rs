//! `classification.config` parsing.

use crate::error::ConfigError;
use std::collections::HashMap;
use std::path::Path;

/// One classification: description and default priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Short name (`trojan-activity`).
    pub name: String,
    /// Description used as EVE `alert.category`.
    pub description: String,
    /// Priority used as EVE `alert.severity` when the rule has none.
    pub priority: u32,
}

/// Classifications by short name.
#[derive(Debug, Clone, Default)]
pub struct Classifications {
    map: HashMap<String, Classification>,
}

impl Classifications {
    /// Parse the text of a classification file (`file` is used in errors).
    pub fn parse(text: &str, file: &str) -> Result<Classifications, ConfigError> {
        let mut map = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let err = |reason: &str| ConfigError::Parse {
                file: file.to_string(),
                line: i + 1,
                reason: reason.to_string(),
            };
            let body = t.strip_prefix("config classification:").ok_or_else(|| {
                err("expected `config classification: name,description,priority`")
            })?;
            let mut parts = body.splitn(3, ',');
            let name = parts.next().unwrap_or("").trim();
            let desc = parts
                .next()
                .map(str::trim)
                .ok_or_else(|| err("missing description"))?;
            let prio = parts
                .next()
                .and_then(|p| p.trim().parse::<u32>().ok())
                .ok_or_else(|| err("missing or bad priority"))?;
            if name.is_empty() {
                return Err(err("empty name"));
            }
            map.insert(
                name.to_string(),
                Classification {
                    name: name.to_string(),
                    description: desc.to_string(),
                    priority: prio,
                },
            );
        }
        Ok(Classifications { map })
    }

    /// Read and parse a classification file.
    pub fn load(path: &Path) -> Result<Classifications, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            file: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Look up a classtype.
    pub fn get(&self, name: &str) -> Option<&Classification> {
        self.map.get(name)
    }

    /// Number of classifications.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let c = Classifications::parse(
            "# x\nconfig classification: trojan-activity,A Network Trojan was detected, 1\n",
            "c",
        )
        .unwrap();
        let t = c.get("trojan-activity").unwrap();
        assert_eq!(t.priority, 1);
        assert_eq!(t.description, "A Network Trojan was detected");
        assert!(Classifications::parse("config classification: a,b\n", "c").is_err());
    }

    #[test]
    fn shipped_file() {
        let p = Path::new("/work/shared/bench/rules/classification.config");
        if p.exists() {
            let c = Classifications::load(p).unwrap();
            assert!(c.get("trojan-activity").is_some());
        }
    }
}
