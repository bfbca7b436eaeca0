//! One spooled event as one line: `<seq> <crc32 hex> <A|E> <json>\n`.
//!
//! The explicit sequence number lets compaction leave gaps; the CRC32 of the JSON text
//! detects torn or corrupt lines after a crash; the class letter lets the size cap drop
//! non-alerts without parsing JSON.

/// Whether an event is an alert (kept longest when the spool is full) or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClass {
    /// `event_type` is `alert`.
    Alert,
    /// Any other event type.
    Other,
}

impl EventClass {
    /// Classifies an EVE JSON line by its `event_type`.
    pub fn of(json: &str) -> Self {
        if json.contains("\"event_type\":\"alert\"") {
            return EventClass::Alert;
        }
        // Pretty-printed or foreign EVE: fall back to a real parse when the fast check misses.
        if json.contains("\"alert\"") {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(json) {
                if v.get("event_type").and_then(|t| t.as_str()) == Some("alert") {
                    return EventClass::Alert;
                }
            }
        }
        EventClass::Other
    }

    fn letter(self) -> u8 {
        match self {
            EventClass::Alert => b'A',
            EventClass::Other => b'E',
        }
    }
}

/// A record parsed back from a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The event's sequence number.
    pub seq: u64,
    /// Alert or other.
    pub class: EventClass,
    /// The EVE JSON text.
    pub json: &'a [u8],
}

/// CRC32 of the JSON text.
fn crc(json: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(json);
    c.sum()
}

/// Appends the line for one event (with its newline) to `out`.
pub fn encode(out: &mut Vec<u8>, seq: u64, class: EventClass, json: &[u8]) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{seq} {:08x} ", crc(json));
    out.push(class.letter());
    out.push(b' ');
    out.extend_from_slice(json);
    out.push(b'\n');
}

/// Parses one line (without its newline); `None` when torn or corrupt.
pub fn decode(line: &[u8]) -> Option<Record<'_>> {
    let mut parts = line.splitn(4, |b| *b == b' ');
    let seq = parse_dec(parts.next()?)?;
    let sum = parse_hex(parts.next()?)?;
    let class = match parts.next()? {
        b"A" => EventClass::Alert,
        b"E" => EventClass::Other,
        _ => return None,
    };
    let json = parts.next()?;
    if json.is_empty() || crc(json) != sum {
        return None;
    }
    Some(Record { seq, class, json })
}

fn parse_dec(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    s.iter().try_fold(0u64, |acc, b| {
        let d = (*b as char).to_digit(10)?;
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

fn parse_hex(s: &[u8]) -> Option<u32> {
    if s.len() != 8 {
        return None;
    }
    s.iter()
        .try_fold(0u32, |acc, b| Some((acc << 4) | (*b as char).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_line_decodes_to_the_same_record() {
        let mut out = Vec::new();
        encode(
            &mut out,
            42,
            EventClass::Alert,
            br#"{"event_type":"alert"}"#,
        );
        assert_eq!(out.last(), Some(&b'\n'));
        let r = decode(&out[..out.len() - 1]).expect("valid");
        assert_eq!(r.seq, 42);
        assert_eq!(r.class, EventClass::Alert);
        assert_eq!(r.json, br#"{"event_type":"alert"}"#);
    }

    #[test]
    fn torn_or_flipped_lines_are_rejected() {
        let mut out = Vec::new();
        encode(
            &mut out,
            7,
            EventClass::Other,
            br#"{"event_type":"flow","x":1}"#,
        );
        let line = &out[..out.len() - 1];
        for cut in 0..line.len() {
            assert!(
                decode(&line[..cut]).is_none(),
                "prefix of {cut} bytes accepted"
            );
        }
        let mut bad = line.to_vec();
        let last = bad.len() - 2;
        bad[last] ^= 1;
        assert!(decode(&bad).is_none());
    }

    #[test]
    fn classifies_alerts_compact_and_spaced() {
        assert_eq!(
            EventClass::of(r#"{"event_type":"alert","alert":{}}"#),
            EventClass::Alert
        );
        assert_eq!(
            EventClass::of(r#"{"event_type": "alert"}"#),
            EventClass::Alert
        );
        assert_eq!(
            EventClass::of(r#"{"event_type":"flow","x":"alert"}"#),
            EventClass::Other
        );
        assert_eq!(EventClass::of("not json alert"), EventClass::Other);
    }
}
