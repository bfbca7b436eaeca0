//! The text indexed for free-text search: every string (and the alert signature) in the
//! record except bulky binary fields, space-separated.

use serde_json::Value;

/// Keys whose values are not worth indexing (base64 blobs, timestamps).
const SKIP: &[&str] = &[
    "payload",
    "packet",
    "timestamp",
    "start",
    "end",
    "flow_id",
    "pcap_cnt",
    "tx_id",
];

/// Most text indexed per event (bytes); the rest stays searchable by field.
const MAX_TEXT: usize = 16 * 1024;

/// Event types without text worth a full-text search: their fields (addresses, ports,
/// counters) are searched by field. Skipping them keeps the full-text index to the
/// records analysts read.
const NO_TEXT: &[&str] = &["flow", "netflow", "stats"];

/// The text of an event for the full-text index; `None` for event types not indexed.
#[cfg(test)]
pub fn text_of(ev: &eve::Event) -> Option<String> {
    let mut out = String::new();
    text_into(ev, &mut out).then_some(out)
}

/// The full-text of an event written into a buffer the caller reuses across events (it is
/// cleared first); `false` (and an empty buffer) for event types not indexed.
#[cfg(test)]
pub fn text_into(ev: &eve::Event, out: &mut String) -> bool {
    out.clear();
    append_text(ev, out).is_some()
}

/// Appends the full-text of an event to `out` (one buffer for a whole batch, so that no
/// string is allocated per event); returns its byte range in `out`, `None` (nothing
/// appended) for event types not indexed.
pub fn append_text(ev: &eve::Event, out: &mut String) -> Option<std::ops::Range<usize>> {
    if NO_TEXT.contains(&ev.event_type.as_str()) {
        return None;
    }
    let mut t = Text {
        start: out.len(),
        out,
    };
    for v in [
        &ev.event_type,
        ev.src_ip.as_deref().unwrap_or(""),
        ev.dest_ip.as_deref().unwrap_or(""),
    ] {
        t.push(v);
    }
    for v in [
        ev.proto.as_deref(),
        ev.app_proto.as_deref(),
        ev.community_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        t.push(v);
    }
    if let Some(a) = &ev.alert {
        t.push(&a.signature);
        t.push(&a.category);
    }
    for (k, v) in &ev.rest {
        if !SKIP.contains(&k.as_str()) {
            t.walk(v);
        }
    }
    let start = t.start;
    if out.len() - start > MAX_TEXT {
        let mut cut = start + MAX_TEXT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Some(start..out.len())
}

/// One event's text being appended at `start` of `out`.
struct Text<'a> {
    out: &'a mut String,
    start: usize,
}

impl Text<'_> {
    fn push(&mut self, s: &str) {
        let len = self.out.len() - self.start;
        if s.is_empty() || len > MAX_TEXT {
            return;
        }
        if len > 0 {
            self.out.push(' ');
        }
        self.out.push_str(s);
    }

    fn walk(&mut self, v: &Value) {
        match v {
            Value::String(s) => self.push(s),
            Value::Array(a) => a.iter().for_each(|x| self.walk(x)),
            Value::Object(m) => {
                for (k, x) in m {
                    if !SKIP.contains(&k.as_str()) {
                        self.walk(x);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_strings_but_not_payloads() {
        let ev = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"alert","src_ip":"10.0.0.1","alert":{"action":"allowed","gid":1,"signature_id":1,"rev":1,"signature":"CITY WEB traversal","category":"x","severity":1},"http":{"hostname":"shop.test","url":"/a"},"payload":"QUFBQQ=="}"#,
        )
        .unwrap();
        let t = text_of(&ev).unwrap();
        assert!(
            t.contains("CITY WEB traversal") && t.contains("shop.test") && t.contains("10.0.0.1"),
            "{t}"
        );
        assert!(!t.contains("QUFBQQ"), "{t}");
    }

    #[test]
    fn a_reused_buffer_holds_only_the_current_event() {
        let alert = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"alert","src_ip":"10.0.0.1","alert":{"action":"allowed","gid":1,"signature_id":1,"rev":1,"signature":"FIRST sig","category":"x","severity":1}}"#,
        )
        .unwrap();
        let dns = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"dns","src_ip":"10.0.0.2","dns":{"rrname":"second.test"}}"#,
        )
        .unwrap();
        let flow = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"flow","src_ip":"10.0.0.3"}"#,
        )
        .unwrap();
        let mut buf = String::new();
        assert!(text_into(&alert, &mut buf));
        assert_eq!(Some(buf.clone()), text_of(&alert));
        assert!(text_into(&dns, &mut buf));
        assert_eq!(Some(buf.clone()), text_of(&dns));
        assert!(!buf.contains("FIRST"), "{buf}");
        assert!(!text_into(&flow, &mut buf));
        assert!(buf.is_empty(), "{buf}");
    }

    #[test]
    fn appended_texts_are_those_of_each_event() {
        let alert = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"alert","src_ip":"10.0.0.1","alert":{"action":"allowed","gid":1,"signature_id":1,"rev":1,"signature":"FIRST sig","category":"x","severity":1}}"#,
        )
        .unwrap();
        let flow = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"flow","src_ip":"10.0.0.3"}"#,
        )
        .unwrap();
        let big = format!(
            r#"{{"timestamp":"2023-11-14T22:13:20Z","event_type":"http","http":{{"url":"/{}é"}}}}"#,
            "a".repeat(MAX_TEXT)
        );
        let big = eve::Event::from_json(&big).unwrap();
        let mut buf = String::new();
        let a = append_text(&alert, &mut buf).unwrap();
        assert_eq!(append_text(&flow, &mut buf), None);
        let b = append_text(&big, &mut buf).unwrap();
        let a2 = append_text(&alert, &mut buf).unwrap();
        assert_eq!(Some(&buf[a.clone()]), text_of(&alert).as_deref());
        assert_eq!(Some(&buf[b]), text_of(&big).as_deref());
        assert_eq!(&buf[a2], &buf[a]);
    }

    #[test]
    fn flow_records_are_not_indexed() {
        let ev = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"flow","src_ip":"10.0.0.1","flow":{"state":"closed"}}"#,
        )
        .unwrap();
        assert_eq!(text_of(&ev), None);
    }
}
