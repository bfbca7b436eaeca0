//! Small text helpers shared by the parsers.

/// Split `s` on `sep` at bracket depth 0 (`[...]`).
pub(crate) fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Split a rule header on whitespace, keeping bracket groups together.
pub(crate) fn split_header(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match c {
            '[' => {
                depth += 1;
                start.get_or_insert(i);
            }
            ']' => {
                depth -= 1;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && depth <= 0 => {
                if let Some(st) = start.take() {
                    out.push(&s[st..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// Split the option section `name:value; name; ...` into (name, value) pairs.
/// Values end at the first `;` not escaped by a backslash.
pub(crate) fn split_options(s: &str) -> Result<Vec<(&str, Option<&str>)>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // skip whitespace
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let mut colon: Option<usize> = None;
        let mut end: Option<usize> = None;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\\' => i += 2,
                b';' => {
                    end = Some(i);
                    break;
                }
                b':' if colon.is_none() => {
                    colon = Some(i);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        // Suricata accepts a last option without its `;`.
        let end = end.unwrap_or(s.len());
        let (name, value) = match colon {
            Some(c) => (
                s.get(start..c).unwrap_or("").trim(),
                Some(s.get(c + 1..end).unwrap_or("").trim()),
            ),
            None => (s.get(start..end).unwrap_or("").trim(), None),
        };
        if name.is_empty() {
            return Err("empty option name".into());
        }
        out.push((name, value));
        i = end + 1;
    }
    Ok(out)
}

/// Strip surrounding double quotes, if present.
pub(crate) fn unquote(s: &str) -> &str {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Unescape `\;`, `\"`, `\\` (and any other `\x` to `x`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parse a signed integer, accepting a `0x` prefix.
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r.trim()),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else {
        body.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let o = split_options(r#"msg:"a\;b"; content:"x"; nocase; sid:1;"#).unwrap();
        assert_eq!(o.len(), 4);
        assert_eq!(o[0], ("msg", Some(r#""a\;b""#)));
        assert_eq!(o[2], ("nocase", None));
        assert_eq!(split_options("sid:1").unwrap(), vec![("sid", Some("1"))]);
        assert_eq!(
            split_header("alert tcp [1.1.1.1, 2.2.2.2] any -> any any"),
            vec![
                "alert",
                "tcp",
                "[1.1.1.1, 2.2.2.2]",
                "any",
                "->",
                "any",
                "any"
            ]
        );
        assert_eq!(unescape(r#"a\;b\"c\\"#), r#"a;b"c\"#);
        assert_eq!(parse_i64("-0x10"), Some(-16));
    }
}
