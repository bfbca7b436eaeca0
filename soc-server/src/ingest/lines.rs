//! Splitting a body into numbered EVE lines and parsing each on its own, so that one bad
//! line never spoils the batch.

use crate::store::sqlite::fts;
use crate::store::{IngestBatch, IngestEvent};
use serde::Serialize;

/// A line that was not stored, with its 1-based line number in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// 1-based line number within the body.
    pub line: u64,
    /// Why.
    pub error: String,
}

/// The batch to store plus the lines refused.
#[derive(Debug, Clone, Default)]
pub struct ParsedBatch {
    /// Valid events with sequence numbers.
    pub batch: IngestBatch,
    /// Refused lines.
    pub rejected: Vec<Rejected>,
}

/// Longest line accepted (a single EVE record).
pub const MAX_LINE: usize = 1 << 20;

/// Parses a body whose first line has sequence number `first_seq`. Every line, blank or
/// not, takes one sequence number; a final newline does not start a line. Blank lines are
/// skipped silently.
pub fn parse_batch(body: &[u8], first_seq: i64) -> ParsedBatch {
    let mut out = ParsedBatch::default();
    out.batch.first_seq = first_seq;
    if body.is_empty() {
        return out;
    }
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    // Valid lines are copied once into the batch's text, full-text alongside.
    out.batch.lines.reserve(body.len());
    out.batch.fts_text.reserve(body.len() / 2);
    let mut last_seq = first_seq - 1;
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let seq = first_seq.saturating_add(i as i64);
        last_seq = seq;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let reject = |error: String| Rejected {
            line: line_no,
            error,
        };
        if raw.len() > MAX_LINE {
            out.rejected
                .push(reject(format!("line longer than {MAX_LINE} bytes")));
            continue;
        }
        let text = match std::str::from_utf8(raw) {
            Ok(t) => t.trim(),
            Err(e) => {
                out.rejected.push(reject(format!("not UTF-8: {e}")));
                continue;
            }
        };
        let event = match eve::Event::from_json(text) {
            Ok(ev) => ev,
            Err(e) => {
                out.rejected.push(reject(format!("invalid EVE JSON: {e}")));
                continue;
            }
        };
        if event.event_type.is_empty() {
            out.rejected.push(reject("empty event_type".into()));
            continue;
        }
        let ts = match crate::evetime::parse_timestamp(&event.timestamp) {
            Ok(ts) => ts,
            Err(e) => {
                out.rejected.push(reject(e.to_string()));
                continue;
            }
        };
        let start = out.batch.lines.len();
        out.batch.lines.push_str(text);
        let fts = fts::append_text(&event, &mut out.batch.fts_text);
        out.batch.events.push(IngestEvent {
            seq,
            ts,
            event,
            raw: start..out.batch.lines.len(),
            fts,
        });
    }
    out.batch.last_seq = Some(last_seq);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"timestamp":"2023-11-14T22:13:20.000000+0000","event_type":"flow"}"#;

    #[test]
    fn every_line_takes_a_sequence_number() {
        let body = format!("{GOOD}\n\n{GOOD}\r\n");
        let p = parse_batch(body.as_bytes(), 10);
        let seqs: Vec<i64> = p.batch.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![10, 12]);
        for e in &p.batch.events {
            assert_eq!(p.batch.raw(e), GOOD);
            assert_eq!(p.batch.fts(e), None, "flow records have no full-text");
        }
        assert_eq!(p.batch.last_seq, Some(12));
        assert!(p.rejected.is_empty());
    }

    #[test]
    fn malformed_lines_are_rejected_with_their_line_number() {
        let body = format!("{GOOD}\n{{not json\n{GOOD}\n{{\"timestamp\":\"yesterday\",\"event_type\":\"x\"}}\n\u{0}\u{ff}");
        let p = parse_batch(body.as_bytes(), 1);
        assert_eq!(p.batch.events.len(), 2);
        let lines: Vec<u64> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4, 5]);
        assert!(
            p.rejected[0].error.contains("invalid EVE JSON"),
            "{:?}",
            p.rejected
        );
        assert!(
            p.rejected[1].error.contains("timestamp"),
            "{:?}",
            p.rejected
        );
    }

    #[test]
    fn empty_body_is_an_empty_batch() {
        let p = parse_batch(b"", 5);
        assert!(p.batch.events.is_empty());
        assert_eq!(p.batch.last_seq, None);
    }
}
