//! `pcre:` option parsing and compilation.

use crate::buffer::BufferKind;
use crate::error::RuleError;
use crate::ops::PcreOp;
use crate::parse::util::unquote;
use pcre2::bytes::RegexBuilder;

/// A parsed pcre option: the op and the buffer a flag letter moved it to.
pub(crate) struct ParsedPcre {
    pub op: PcreOp,
    pub buffer: Option<BufferKind>,
}

/// Parse `pcre:` value like `!"/abc/iR, pkt:name"`.
pub(crate) fn parse_pcre(value: &str) -> Result<ParsedPcre, RuleError> {
    let kw = "pcre";
    let v = value.trim();
    let (negated, v) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, v),
    };
    let v = unquote(v);
    let body = v
        .strip_prefix('/')
        .ok_or_else(|| RuleError::invalid(kw, "pattern must start with `/`"))?;
    let last = body
        .rfind('/')
        .ok_or_else(|| RuleError::invalid(kw, "pattern must end with `/`"))?;
    let pattern = &body[..last];
    let rest = &body[last + 1..];
    let (flags, capture_part) = match rest.split_once(',') {
        Some((f, c)) => (f.trim(), Some(c)),
        None => (rest.trim(), None),
    };
    let mut b = RegexBuilder::new();
    b.jit_if_available(true);
    let mut prefix = String::new();
    let mut anchored = false;
    let mut relative = false;
    let mut buffer = None;
    let mut extended = false;
    for c in flags.chars() {
        match c {
            'i' => {
                b.caseless(true);
            }
            's' => {
                b.dotall(true);
            }
            'm' => {
                b.multi_line(true);
            }
            'x' => {
                b.extended(true);
                extended = true;
            }
            'A' => anchored = true,
            'E' => {
                // PCRE2_DOLLAR_ENDONLY: `$` only at the very end. Emulated by the
                // engine-independent approximation of leaving `$` as is.
            }
            'G' => prefix.push_str("(?U)"),
            'R' => relative = true,
            'O' => {}
            c => match BufferKind::from_pcre_flag(c) {
                Some(k) => {
                    if buffer.is_some_and(|p| p != k) {
                        return Err(RuleError::invalid(kw, "several buffer flags"));
                    }
                    buffer = Some(k);
                }
                None => {
                    return Err(RuleError::invalid(kw, format!("unknown flag `{c}`")));
                }
            },
        }
    }
    let mut full = prefix;
    if anchored {
        full.push_str("\\A(?:");
        full.push_str(pattern);
        if extended {
            full.push('\n');
        }
        full.push(')');
    } else {
        full.push_str(pattern);
    }
    let regex = b
        .build(&full)
        .map_err(|e| RuleError::invalid(kw, format!("pcre2 compile error: {e}")))?;
    let mut captures = Vec::new();
    if let Some(c) = capture_part {
        for name in c.split(',') {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            if !(name.starts_with("pkt:")
                || name.starts_with("flow:")
                || name.starts_with("alert:"))
            {
                return Err(RuleError::invalid(kw, format!("invalid capture `{name}`")));
            }
            captures.push(name.to_string());
        }
    }
    Ok(ParsedPcre {
        op: PcreOp {
            regex,
            source: value.to_string(),
            negated,
            relative,
            captures,
            relative_next: false,
        },
        buffer,
    })
}

/// Compile a `pcrexform` regex.
pub(crate) fn parse_pcrexform(value: &str) -> Result<pcre2::bytes::Regex, RuleError> {
    let p = unquote(value);
    let mut b = RegexBuilder::new();
    b.jit_if_available(true);
    let re = b
        .build(p)
        .map_err(|e| RuleError::invalid("pcrexform", format!("pcre2 compile error: {e}")))?;
    if re.captures_len() < 2 {
        return Err(RuleError::invalid("pcrexform", "needs a capture group"));
    }
    Ok(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let p = parse_pcre(r#""/\/[0-9]{2,8}\.functions/Ui""#).unwrap();
        assert_eq!(p.buffer, Some(BufferKind::HttpUri));
        assert!(p.op.regex.is_match(b"/123.FUNCTIONS").unwrap());
        let p = parse_pcre(r#"!"/^abc/R""#).unwrap();
        assert!(p.op.negated && p.op.relative);
        let p = parse_pcre(r#""/b/A""#).unwrap();
        assert!(!p.op.regex.is_match(b"ab").unwrap());
        let p = parse_pcre(r#""/uid=(\d+)/, pkt:uid""#).unwrap();
        assert_eq!(p.op.captures, vec!["pkt:uid".to_string()]);
        assert!(parse_pcre(r#""/a(/""#).is_err());
        assert!(parse_pcre(r#""/a/q""#).is_err());
        assert!(parse_pcre("/blah/U").is_ok());
    }
}
