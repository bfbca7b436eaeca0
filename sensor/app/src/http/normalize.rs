//! URI splitting and libhtp-style normalization (Suricata "IDS" personality).
//!
//! Path: `%XX` and `%uXXXX` decoding (encoded separators decoded too),
//! backslashes converted to slashes, repeated slashes compressed, and
//! dot-segments removed. Query and fragment are kept as received.

/// Components of a request URI (all slices of the raw URI).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UriParts<'a> {
    /// Host from an absolute URI (`http://host:port/...`) or CONNECT authority.
    pub host: Option<&'a [u8]>,
    /// Port from an absolute URI or CONNECT authority.
    pub port: Option<&'a [u8]>,
    /// Path (may be empty).
    pub path: &'a [u8],
    /// Query string without the leading `?`.
    pub query: Option<&'a [u8]>,
    /// Fragment without the leading `#`.
    pub fragment: Option<&'a [u8]>,
}

/// Split a raw request URI into its components.
pub fn split_uri(uri: &[u8], is_connect: bool) -> UriParts<'_> {
    let mut parts = UriParts::default();
    let mut rest = uri;
    if is_connect {
        let (h, p) = split_host_port(uri);
        parts.host = Some(h);
        parts.port = p;
        return parts;
    }
    if let Some(pos) = find_sub(rest, b"://") {
        let scheme = rest.get(..pos).unwrap_or_default();
        if !scheme.is_empty()
            && scheme
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'-' || *c == b'.')
        {
            let after = rest.get(pos + 3..).unwrap_or_default();
            let end = after
                .iter()
                .position(|c| matches!(c, b'/' | b'?' | b'#'))
                .unwrap_or(after.len());
            let mut authority = after.get(..end).unwrap_or_default();
            if let Some(at) = authority.iter().rposition(|c| *c == b'@') {
                authority = authority.get(at + 1..).unwrap_or_default();
            }
            let (h, p) = split_host_port(authority);
            parts.host = Some(h);
            parts.port = p;
            rest = after.get(end..).unwrap_or_default();
        }
    }
    if let Some(h) = memchr::memchr(b'#', rest) {
        parts.fragment = rest.get(h + 1..);
        rest = rest.get(..h).unwrap_or_default();
    }
    if let Some(q) = memchr::memchr(b'?', rest) {
        parts.query = rest.get(q + 1..);
        rest = rest.get(..q).unwrap_or_default();
    }
    parts.path = rest;
    parts
}

/// Split `host[:port]` (IPv6 literals in brackets supported).
pub fn split_host_port(authority: &[u8]) -> (&[u8], Option<&[u8]>) {
    if authority.first() == Some(&b'[') {
        if let Some(close) = memchr::memchr(b']', authority) {
            let host = authority.get(..=close).unwrap_or_default();
            let rest = authority.get(close + 1..).unwrap_or_default();
            let port = rest.strip_prefix(b":");
            return (host, port);
        }
        return (authority, None);
    }
    match memchr::memrchr(b':', authority) {
        Some(c) => (
            authority.get(..c).unwrap_or_default(),
            authority.get(c + 1..),
        ),
        None => (authority, None),
    }
}

/// libhtp host normalization: lowercase, trailing dots removed.
pub fn normalize_host(host: &[u8]) -> Vec<u8> {
    let mut h = host.to_ascii_lowercase();
    while h.last() == Some(&b'.') {
        h.pop();
    }
    h
}

fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn hex2(a: Option<&u8>, b: Option<&u8>) -> Option<u8> {
    let hi = hex_val(*a?)?;
    let lo = hex_val(*b?)?;
    Some(hi << 4 | lo)
}

/// Decode a path: `%XX`, `%uXXXX` (best-fit to one byte), backslash to
/// slash, and compress repeated slashes. Appends to `out`.
pub fn decode_path(path: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(&c) = path.get(i) {
        let mut byte = c;
        let mut adv = 1;
        if c == b'%' {
            if let Some(v) = hex2(path.get(i + 1), path.get(i + 2)) {
                byte = v;
                adv = 3;
            } else if matches!(path.get(i + 1), Some(b'u') | Some(b'U')) {
                if let (Some(h), Some(l)) = (
                    hex2(path.get(i + 2), path.get(i + 3)),
                    hex2(path.get(i + 4), path.get(i + 5)),
                ) {
                    byte = if h == 0 {
                        l
                    } else if h == 0xff && l <= 0x5e {
                        l + 0x20
                    } else {
                        b'?'
                    };
                    adv = 6;
                }
            }
        }
        if byte == b'\\' {
            byte = b'/';
        }
        if byte == b'/' && out.last() == Some(&b'/') {
            // compress separators
        } else {
            out.push(byte);
        }
        i += adv;
    }
}

/// Remove `.` and `..` segments in place (RFC 3986 section 5.2.4).
pub fn remove_dot_segments(path: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(path.len());
    let absolute = path.first() == Some(&b'/');
    let mut segs: Vec<&[u8]> = Vec::new();
    let trailing = path.ends_with(b"/")
        || path.ends_with(b"/.")
        || path.ends_with(b"/..")
        || path == b"."
        || path == b"..";
    for seg in path.split(|c| *c == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    if absolute {
        out.push(b'/');
    }
    for (n, s) in segs.iter().enumerate() {
        if n > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(s);
    }
    if trailing && !segs.is_empty() {
        out.push(b'/');
    }
    out
}

/// Build the normalized URI (`http.uri`): normalized path plus raw query
/// and fragment.
pub fn normalize_uri(uri: &[u8], is_connect: bool) -> Vec<u8> {
    let parts = split_uri(uri, is_connect);
    if is_connect {
        return uri.to_vec();
    }
    let mut decoded = Vec::with_capacity(parts.path.len());
    decode_path(parts.path, &mut decoded);
    let mut out = remove_dot_segments(&decoded);
    if let Some(q) = parts.query {
        out.push(b'?');
        out.extend_from_slice(q);
    }
    if let Some(f) = parts.fragment {
        out.push(b'#');
        out.extend_from_slice(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_uri(b"/a/./b/../c", false), b"/a/c");
        assert_eq!(normalize_uri(b"/a//b\\c", false), b"/a/b/c");
        assert_eq!(normalize_uri(b"/%61%2fb?x=%41", false), b"/a/b?x=%41");
        assert_eq!(normalize_uri(b"/%zz", false), b"/%zz");
        assert_eq!(normalize_uri(b"http://h:81/x/../y?q", false), b"/y?q");
        assert_eq!(normalize_uri(b"/a/b/", false), b"/a/b/");
        assert_eq!(normalize_uri(b"/../../etc/passwd", false), b"/etc/passwd");
        assert_eq!(normalize_uri(b"/%u0041b", false), b"/Ab");
    }

    #[test]
    fn splits_absolute() {
        let p = split_uri(b"http://user@Example.com:8080/p?q#f", false);
        assert_eq!(p.host, Some(&b"Example.com"[..]));
        assert_eq!(p.port, Some(&b"8080"[..]));
        assert_eq!(p.path, b"/p");
        assert_eq!(p.query, Some(&b"q"[..]));
        assert_eq!(p.fragment, Some(&b"f"[..]));
    }
}
