//! Address sets (`any`, literals, CIDR, ranges, groups, negation, `$VARS`).

use super::ranges::{complement, contains, normalize, subtract};
use crate::error::RuleError;
use crate::parse::util::split_top_level;
use crate::vars::Vars;
use std::net::{IpAddr, Ipv4Addr};

const MAX_DEPTH: usize = 16;

/// A compiled set of IP addresses: sorted inclusive ranges per family.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddrSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl AddrSet {
    /// The set of all addresses.
    pub fn any() -> AddrSet {
        AddrSet {
            v4: vec![(0, u32::MAX)],
            v6: vec![(0, u128::MAX)],
        }
    }

    /// True if this set contains every address.
    pub fn is_any(&self) -> bool {
        self.v4 == [(0, u32::MAX)] && self.v6 == [(0, u128::MAX)]
    }

    /// True if the set is empty.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Membership test (binary search).
    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => contains(&self.v4, u32::from(a)),
            IpAddr::V6(a) => contains(&self.v6, u128::from(a)),
        }
    }

    /// The IPv4 ranges (inclusive, sorted).
    pub fn v4_ranges(&self) -> &[(u32, u32)] {
        &self.v4
    }

    /// The IPv6 ranges (inclusive, sorted).
    pub fn v6_ranges(&self) -> &[(u128, u128)] {
        &self.v6
    }

    /// Parse an address specification, resolving variables from `vars`.
    pub fn parse(spec: &str, vars: &Vars) -> Result<AddrSet, RuleError> {
        parse_inner(spec.trim(), vars, 0)
    }

    fn union(mut self, other: &AddrSet) -> AddrSet {
        self.v4.extend_from_slice(&other.v4);
        self.v6.extend_from_slice(&other.v6);
        AddrSet {
            v4: normalize(self.v4),
            v6: normalize(self.v6),
        }
    }

    fn complement(&self) -> AddrSet {
        AddrSet {
            v4: complement(&self.v4),
            v6: complement(&self.v6),
        }
    }

    fn minus(&self, other: &AddrSet) -> AddrSet {
        AddrSet {
            v4: subtract(&self.v4, &other.v4),
            v6: subtract(&self.v6, &other.v6),
        }
    }
}

fn parse_inner(s: &str, vars: &Vars, depth: usize) -> Result<AddrSet, RuleError> {
    if depth > MAX_DEPTH {
        return Err(RuleError::Syntax(
            "address variables nested too deep".into(),
        ));
    }
    let s = s.trim();
    if s.is_empty() {
        return Err(RuleError::Syntax("empty address".into()));
    }
    if s.eq_ignore_ascii_case("any") {
        return Ok(AddrSet::any());
    }
    // An unbracketed list (`80,443`) is a group too.
    if !s.starts_with('[') && split_top_level(s, ',').len() > 1 {
        return parse_inner(&format!("[{s}]"), vars, depth + 1);
    }
    if let Some(rest) = s.strip_prefix('!') {
        return Ok(parse_inner(rest, vars, depth + 1)?.complement());
    }
    if let Some(name) = s.strip_prefix('$') {
        let val = vars
            .address(name)
            .ok_or_else(|| RuleError::UndefinedVar(name.to_string()))?;
        return parse_inner(val, vars, depth + 1);
    }
    if let Some(inner) = s.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| RuleError::Syntax(format!("unbalanced address group `{s}`")))?;
        let mut pos: Option<AddrSet> = None;
        let mut neg = AddrSet::default();
        for item in split_top_level(inner, ',') {
            let mut item = item.trim().to_string();
            // Resolve a leading variable textually so that a variable holding a
            // negation (like EXTERNAL_NET) counts as a negative item.
            let mut guard = 0;
            while let Some(name) = item.strip_prefix('$') {
                guard += 1;
                if guard > MAX_DEPTH {
                    return Err(RuleError::Syntax(
                        "address variables nested too deep".into(),
                    ));
                }
                let v = vars
                    .address(name)
                    .ok_or_else(|| RuleError::UndefinedVar(name.to_string()))?;
                item = v.trim().to_string();
            }
            if let Some(rest) = item.strip_prefix('!') {
                neg = neg.union(&parse_inner(rest, vars, depth + 1)?);
            } else {
                let set = parse_inner(&item, vars, depth + 1)?;
                pos = Some(match pos {
                    Some(p) => p.union(&set),
                    None => set,
                });
            }
        }
        let base = pos.unwrap_or_else(AddrSet::any);
        let out = base.minus(&neg);
        return Ok(out);
    }
    parse_literal(s)
}

fn parse_literal(s: &str) -> Result<AddrSet, RuleError> {
    let bad = || RuleError::Syntax(format!("invalid address `{s}`"));
    if let Some((a, b)) = s.split_once('/') {
        let ip: IpAddr = a.trim().parse().map_err(|_| bad())?;
        match ip {
            IpAddr::V4(v4) => {
                let bits: u32 = if b.contains('.') {
                    let m: Ipv4Addr = b.parse().map_err(|_| bad())?;
                    u32::from(m).count_ones()
                } else {
                    b.parse().map_err(|_| bad())?
                };
                if bits > 32 {
                    return Err(bad());
                }
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                let lo = u32::from(v4) & mask;
                Ok(AddrSet {
                    v4: vec![(lo, lo | !mask)],
                    v6: vec![],
                })
            }
            IpAddr::V6(v6) => {
                let bits: u32 = b.parse().map_err(|_| bad())?;
                if bits > 128 {
                    return Err(bad());
                }
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                let lo = u128::from(v6) & mask;
                Ok(AddrSet {
                    v4: vec![],
                    v6: vec![(lo, lo | !mask)],
                })
            }
        }
    } else if let Some((a, b)) = s.split_once('-') {
        let a: IpAddr = a.trim().parse().map_err(|_| bad())?;
        let b: IpAddr = b.trim().parse().map_err(|_| bad())?;
        match (a, b) {
            (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => Ok(AddrSet {
                v4: vec![(a.into(), b.into())],
                v6: vec![],
            }),
            (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => Ok(AddrSet {
                v4: vec![],
                v6: vec![(a.into(), b.into())],
            }),
            _ => Err(bad()),
        }
    } else {
        let ip: IpAddr = s.parse().map_err(|_| bad())?;
        Ok(match ip {
            IpAddr::V4(a) => AddrSet {
                v4: vec![(a.into(), a.into())],
                v6: vec![],
            },
            IpAddr::V6(a) => AddrSet {
                v4: vec![],
                v6: vec![(u128::from(a), u128::from(a))],
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn home_external() {
        let v = Vars::default();
        let home = AddrSet::parse("$HOME_NET", &v).unwrap();
        assert!(home.contains(ip("10.1.2.3")));
        assert!(home.contains(ip("192.168.1.1")));
        assert!(!home.contains(ip("8.8.8.8")));
        let ext = AddrSet::parse("$EXTERNAL_NET", &v).unwrap();
        assert!(ext.contains(ip("8.8.8.8")));
        assert!(ext.contains(ip("::1")));
        assert!(!ext.contains(ip("10.0.0.1")));
        let grp = AddrSet::parse("[$EXTERNAL_NET,!8.8.8.8]", &v).unwrap();
        assert!(!grp.contains(ip("8.8.8.8")));
        assert!(grp.contains(ip("8.8.4.4")));
    }

    #[test]
    fn literals_and_groups() {
        let v = Vars::default();
        let s = AddrSet::parse("[1.2.3.0/24,![1.2.3.4,1.2.3.5]]", &v).unwrap();
        assert!(s.contains(ip("1.2.3.3")));
        assert!(!s.contains(ip("1.2.3.4")));
        assert!(!s.contains(ip("1.2.3.5")));
        let r = AddrSet::parse("10.0.0.1-10.0.0.3", &v).unwrap();
        assert!(r.contains(ip("10.0.0.2")));
        assert!(!r.contains(ip("10.0.0.4")));
        let six = AddrSet::parse("2001:db8::/32", &v).unwrap();
        assert!(six.contains(ip("2001:db8::1")));
        assert!(!six.contains(ip("1.1.1.1")));
        assert!(AddrSet::parse("any", &v).unwrap().is_any());
        assert!(AddrSet::parse("$NOPE", &v).is_err());
        assert!(AddrSet::parse("1.2.3", &v).is_err());
        assert!(AddrSet::parse("[1.2.3.4", &v).is_err());
        let l = AddrSet::parse("$HOME_NET,1.1.1.1", &v).unwrap();
        assert!(l.contains(ip("1.1.1.1")) && l.contains(ip("10.0.0.1")));
    }
}
