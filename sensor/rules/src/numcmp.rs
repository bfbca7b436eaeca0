//! Numeric comparisons used by dsize, ttl, urilen, bsize, itype, ... (Suricata 7 uint syntax).

use crate::error::RuleError;

/// A numeric comparison as accepted by Suricata 7's integer keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumCmp {
    /// `N`
    Eq(u64),
    /// `!N`
    Ne(u64),
    /// `<N`
    Lt(u64),
    /// `<=N`
    Le(u64),
    /// `>N`
    Gt(u64),
    /// `>=N`
    Ge(u64),
    /// `A<>B` or `A-B`: strictly between A and B.
    Range(u64, u64),
    /// `!A-B` / `!A<>B`: outside the open range.
    NotRange(u64, u64),
}

impl NumCmp {
    /// Parse a comparison; `max` is the largest allowed value for the keyword.
    pub fn parse(keyword: &str, s: &str, max: u64) -> Result<NumCmp, RuleError> {
        let s = s.trim();
        let bad = || RuleError::invalid(keyword, format!("invalid value `{s}`"));
        let num = |t: &str| -> Result<u64, RuleError> {
            let t = t.trim();
            let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                u64::from_str_radix(h, 16).map_err(|_| bad())?
            } else {
                t.parse::<u64>().map_err(|_| bad())?
            };
            if v > max {
                return Err(bad());
            }
            Ok(v)
        };
        let (neg, body) = match s.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, s),
        };
        let range = |a: &str, b: &str| -> Result<NumCmp, RuleError> {
            let (a, b) = (num(a)?, num(b)?);
            if a >= b {
                return Err(bad());
            }
            Ok(if neg {
                NumCmp::NotRange(a, b)
            } else {
                NumCmp::Range(a, b)
            })
        };
        if let Some((a, b)) = body.split_once("<>") {
            return range(a, b);
        }
        if let Some(r) = body.strip_prefix("<=") {
            return if neg {
                Err(bad())
            } else {
                Ok(NumCmp::Le(num(r)?))
            };
        }
        if let Some(r) = body.strip_prefix(">=") {
            return if neg {
                Err(bad())
            } else {
                Ok(NumCmp::Ge(num(r)?))
            };
        }
        if let Some(r) = body.strip_prefix('<') {
            return if neg {
                Err(bad())
            } else {
                Ok(NumCmp::Lt(num(r)?))
            };
        }
        if let Some(r) = body.strip_prefix('>') {
            return if neg {
                Err(bad())
            } else {
                Ok(NumCmp::Gt(num(r)?))
            };
        }
        if let Some(r) = body.strip_prefix('=') {
            let v = num(r)?;
            return Ok(if neg { NumCmp::Ne(v) } else { NumCmp::Eq(v) });
        }
        if let Some((a, b)) = body.split_once('-') {
            return range(a, b);
        }
        let v = num(body)?;
        Ok(if neg { NumCmp::Ne(v) } else { NumCmp::Eq(v) })
    }

    /// Evaluate the comparison against `v`.
    #[inline]
    pub fn matches(&self, v: u64) -> bool {
        match *self {
            NumCmp::Eq(n) => v == n,
            NumCmp::Ne(n) => v != n,
            NumCmp::Lt(n) => v < n,
            NumCmp::Le(n) => v <= n,
            NumCmp::Gt(n) => v > n,
            NumCmp::Ge(n) => v >= n,
            NumCmp::Range(a, b) => v > a && v < b,
            NumCmp::NotRange(a, b) => !(v > a && v < b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let p = |s| NumCmp::parse("dsize", s, 65535).unwrap();
        assert_eq!(p("300"), NumCmp::Eq(300));
        assert_eq!(p("<10"), NumCmp::Lt(10));
        assert_eq!(p(">=10"), NumCmp::Ge(10));
        assert_eq!(p("!5"), NumCmp::Ne(5));
        assert_eq!(p("7<>20"), NumCmp::Range(7, 20));
        assert_eq!(p("7-20"), NumCmp::Range(7, 20));
        assert!(p("7<>20").matches(8) && !p("7<>20").matches(7) && !p("7<>20").matches(20));
        assert!(NumCmp::parse("ttl", "300", 255).is_err());
        assert!(NumCmp::parse("ttl", "abc", 255).is_err());
        assert!(NumCmp::parse("ttl", "20<>7", 255).is_err());
    }
}
