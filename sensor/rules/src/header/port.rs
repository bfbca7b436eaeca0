//! Port sets (`any`, single, ranges, groups, negation, `$VARS`).

use super::ranges::{complement, contains, normalize, subtract};
use crate::error::RuleError;
use crate::parse::util::split_top_level;
use crate::vars::Vars;

const MAX_DEPTH: usize = 16;

/// A compiled set of ports: sorted inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortSet {
    ranges: Vec<(u16, u16)>,
}

impl PortSet {
    /// All ports.
    pub fn any() -> PortSet {
        PortSet {
            ranges: vec![(0, u16::MAX)],
        }
    }

    /// True if every port is in the set.
    pub fn is_any(&self) -> bool {
        self.ranges == [(0, u16::MAX)]
    }

    /// Membership test (binary search).
    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        contains(&self.ranges, port)
    }

    /// The inclusive ranges, sorted.
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    /// Parse a port specification, resolving variables from `vars`.
    pub fn parse(spec: &str, vars: &Vars) -> Result<PortSet, RuleError> {
        parse_inner(spec.trim(), vars, 0)
    }
}

fn parse_inner(s: &str, vars: &Vars, depth: usize) -> Result<PortSet, RuleError> {
    if depth > MAX_DEPTH {
        return Err(RuleError::Syntax("port variables nested too deep".into()));
    }
    let s = s.trim();
    let bad = || RuleError::Syntax(format!("invalid port `{s}`"));
    if s.is_empty() {
        return Err(bad());
    }
    if s.eq_ignore_ascii_case("any") {
        return Ok(PortSet::any());
    }
    // An unbracketed list (`80,443`) is a group too.
    if !s.starts_with('[') && split_top_level(s, ',').len() > 1 {
        return parse_inner(&format!("[{s}]"), vars, depth + 1);
    }
    if let Some(rest) = s.strip_prefix('!') {
        let inner = parse_inner(rest, vars, depth + 1)?;
        return Ok(PortSet {
            ranges: complement(&inner.ranges),
        });
    }
    if let Some(name) = s.strip_prefix('$') {
        let val = vars
            .port(name)
            .ok_or_else(|| RuleError::UndefinedVar(name.to_string()))?;
        return parse_inner(val, vars, depth + 1);
    }
    if let Some(inner) = s.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(bad)?;
        let mut pos: Vec<(u16, u16)> = Vec::new();
        let mut any_pos = false;
        let mut neg: Vec<(u16, u16)> = Vec::new();
        for item in split_top_level(inner, ',') {
            let mut item = item.trim().to_string();
            let mut guard = 0;
            while let Some(name) = item.strip_prefix('$') {
                guard += 1;
                if guard > MAX_DEPTH {
                    return Err(bad());
                }
                item = vars
                    .port(name)
                    .ok_or_else(|| RuleError::UndefinedVar(name.to_string()))?
                    .trim()
                    .to_string();
            }
            if let Some(rest) = item.strip_prefix('!') {
                neg.extend(parse_inner(rest, vars, depth + 1)?.ranges);
            } else {
                any_pos = true;
                pos.extend(parse_inner(&item, vars, depth + 1)?.ranges);
            }
        }
        let base = if any_pos {
            normalize(pos)
        } else {
            vec![(0, u16::MAX)]
        };
        return Ok(PortSet {
            ranges: subtract(&base, &normalize(neg)),
        });
    }
    let num = |t: &str| t.trim().parse::<u16>().map_err(|_| bad());
    if let Some((a, b)) = s.split_once(':') {
        let lo = if a.trim().is_empty() { 0 } else { num(a)? };
        let hi = if b.trim().is_empty() {
            u16::MAX
        } else {
            num(b)?
        };
        if lo > hi {
            return Err(bad());
        }
        return Ok(PortSet {
            ranges: vec![(lo, hi)],
        });
    }
    let p = num(s)?;
    Ok(PortSet {
        ranges: vec![(p, p)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        let v = Vars::default();
        let p = PortSet::parse("1024:", &v).unwrap();
        assert!(p.contains(1024) && p.contains(65535) && !p.contains(80));
        let p = PortSet::parse(":1023", &v).unwrap();
        assert!(p.contains(0) && !p.contains(1024));
        let p = PortSet::parse("[80,443,8000:8080,!8001]", &v).unwrap();
        assert!(p.contains(443) && p.contains(8000) && !p.contains(8001) && !p.contains(81));
        let p = PortSet::parse("$FILE_DATA_PORTS", &v).unwrap();
        assert!(p.contains(80) && p.contains(110) && p.contains(143) && !p.contains(25));
        let p = PortSet::parse("$SHELLCODE_PORTS", &v).unwrap();
        assert!(!p.contains(80) && p.contains(81));
        let p = PortSet::parse("![1:10,20]", &v).unwrap();
        assert!(p.contains(0) && !p.contains(5) && !p.contains(20) && p.contains(21));
        assert!(PortSet::parse("70000", &v).is_err());
        let p = PortSet::parse("5800,!445", &v).unwrap();
        assert!(p.contains(5800) && !p.contains(445) && !p.contains(80));
        let p = PortSet::parse("$HTTP_PORTS,8080", &v).unwrap();
        assert!(p.contains(80) && p.contains(8080));
        assert!(PortSet::parse("any", &v).unwrap().is_any());
    }
}
