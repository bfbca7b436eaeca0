//! HTTP header collection and the derived detection buffers.

/// One header as libhtp stores it (duplicates merged with `", "`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// Header name as received.
    pub name: Vec<u8>,
    /// Header value, trimmed, folded lines joined.
    pub value: Vec<u8>,
    /// The name occurred more than once.
    pub repeated: bool,
}

/// Headers of one HTTP message plus the buffers derived from them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderSet {
    headers: Vec<Header>,
    raw: Vec<u8>,
    normalized: Vec<u8>,
    names: Vec<u8>,
}

/// Result of adding one header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// New header stored.
    Added,
    /// Second occurrence of a name: merged with the first.
    Repeated,
    /// Third or later occurrence of a name: merged (libhtp counts these).
    RepeatedAgain,
    /// A repeated Content-Length: the first value is kept; `true` when the
    /// values differ or do not parse (libhtp's "ambiguous C-L").
    ContentLength(bool),
}

/// libhtp's `htp_parse_content_length`: leading whitespace skipped, digits,
/// anything after them ignored; `None` when no digit starts the value.
pub fn parse_content_length(v: &[u8]) -> Option<u64> {
    let start = v.iter().position(|c| *c != b' ' && *c != b'\t')?;
    let digits = v.get(start..).unwrap_or_default();
    let end = digits
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let mut n: u64 = 0;
    for c in digits.get(..end).unwrap_or_default() {
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

/// libhtp's `htp_is_token`: a visible ASCII character that is not a separator.
pub fn is_token_char(c: u8) -> bool {
    (33..127).contains(&c) && !b"()<>@,;:\\\"/[]?={}".contains(&c)
}

impl HeaderSet {
    /// All headers in arrival order.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// First header value with this name (ASCII case-insensitive).
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }

    /// Raw header block as received, including the terminating empty line
    /// (`http.header.raw`).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Normalized header buffer (`http.header`): `Name: value\r\n` per header,
    /// without Cookie (request) / Set-Cookie (response).
    pub fn normalized(&self) -> &[u8] {
        &self.normalized
    }

    /// Header names buffer (`http.header_names`): `\r\nName1\r\nName2\r\n\r\n`.
    pub fn names(&self) -> &[u8] {
        &self.names
    }

    /// Number of distinct headers.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// True when no header was seen.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.headers.clear();
        self.raw.clear();
        self.normalized.clear();
        self.names.clear();
    }

    pub(crate) fn push_raw(&mut self, line: &[u8], limit: usize) {
        let room = limit.saturating_sub(self.raw.len());
        self.raw
            .extend_from_slice(line.get(..room.min(line.len())).unwrap_or_default());
    }

    pub(crate) fn add(&mut self, name: &[u8], value: &[u8]) -> AddOutcome {
        if let Some(h) = self
            .headers
            .iter_mut()
            .find(|h| h.name.eq_ignore_ascii_case(name))
        {
            let again = h.repeated;
            h.repeated = true;
            if name.eq_ignore_ascii_case(b"content-length") {
                let old = parse_content_length(&h.value);
                let new = parse_content_length(value);
                return AddOutcome::ContentLength(old.is_none() || new.is_none() || old != new);
            }
            h.value.extend_from_slice(b", ");
            h.value.extend_from_slice(value);
            return if again {
                AddOutcome::RepeatedAgain
            } else {
                AddOutcome::Repeated
            };
        }
        self.headers.push(Header {
            name: name.to_vec(),
            value: value.to_vec(),
            repeated: false,
        });
        AddOutcome::Added
    }

    /// Build the derived buffers once all headers are in.
    pub(crate) fn finish(&mut self, skip_name: &[u8]) {
        self.normalized.clear();
        self.names.clear();
        self.names.extend_from_slice(b"\r\n");
        for h in &self.headers {
            self.names.extend_from_slice(&h.name);
            self.names.extend_from_slice(b"\r\n");
            if h.name.eq_ignore_ascii_case(skip_name) {
                continue;
            }
            self.normalized.extend_from_slice(&h.name);
            self.normalized.extend_from_slice(b": ");
            self.normalized.extend_from_slice(&h.value);
            self.normalized.extend_from_slice(b"\r\n");
        }
        self.names.extend_from_slice(b"\r\n");
    }
}
