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
pub fn text_of(ev: &eve::Event) -> Option<String> {
    if NO_TEXT.contains(&ev.event_type.as_str()) {
        return None;
    }
    let mut out = String::new();
    for v in [
        &ev.event_type,
        ev.src_ip.as_deref().unwrap_or(""),
        ev.dest_ip.as_deref().unwrap_or(""),
    ] {
        push(&mut out, v);
    }
    for v in [
        ev.proto.as_deref(),
        ev.app_proto.as_deref(),
        ev.community_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        push(&mut out, v);
    }
    if let Some(a) = &ev.alert {
        push(&mut out, &a.signature);
        push(&mut out, &a.category);
    }
    for (k, v) in &ev.rest {
        if !SKIP.contains(&k.as_str()) {
            walk(v, &mut out);
        }
    }
    if out.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    Some(out)
}

fn push(out: &mut String, s: &str) {
    if s.is_empty() || out.len() > MAX_TEXT {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(s);
}

fn walk(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => push(out, s),
        Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                if !SKIP.contains(&k.as_str()) {
                    walk(x, out);
                }
            }
        }
        _ => {}
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
    fn flow_records_are_not_indexed() {
        let ev = eve::Event::from_json(
            r#"{"timestamp":"2023-11-14T22:13:20Z","event_type":"flow","src_ip":"10.0.0.1","flow":{"state":"closed"}}"#,
        )
        .unwrap();
        assert_eq!(text_of(&ev), None);
    }
}
