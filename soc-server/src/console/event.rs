//! One event: the EVE record, its payload as hex and text, the other events of its flow.

use super::guard::{page_user, to_page};
use super::html::{esc, page};
use crate::api::{run_blocking, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::Value;
use std::sync::Arc;

/// Hex dump with an ASCII column, 16 bytes a line.
pub fn hexdump(data: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in data.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() || *b == b' ' {
                    *b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<48}  {}\n",
            i * 16,
            hex.join(" "),
            text
        ));
    }
    out
}

/// `GET /events/{id}`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let found = run_blocking(&state, move |s| {
        let Some(ev) = s.event(id)? else {
            return Ok(None);
        };
        let v: Value = serde_json::from_str(&ev.json).unwrap_or_default();
        let flow = match v.get("flow_id").and_then(Value::as_u64) {
            Some(f) => s.flow_events(f, 200)?,
            None => Vec::new(),
        };
        Ok(Some((ev, v, flow)))
    })
    .await;
    let (ev, v, flow) = match found {
        Ok(Some(x)) => x,
        Ok(None) => return super::html::error(StatusCode::NOT_FOUND, "no such event"),
        Err(e) => return to_page(e),
    };
    let pretty = serde_json::to_string_pretty(&v).unwrap_or_else(|_| ev.json.clone());
    let payload = v
        .get("payload")
        .and_then(Value::as_str)
        .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
        .map(|bytes| {
            format!(
                r#"<h2>Payload <small>{} bytes</small></h2><pre class="hex">{}</pre><h3>As text</h3><pre>{}</pre>"#,
                bytes.len(),
                esc(&hexdump(&bytes)),
                esc(&String::from_utf8_lossy(&bytes))
            )
        })
        .unwrap_or_default();
    let mut rows = String::new();
    for f in &flow {
        let fv: Value = serde_json::from_str(&f.json).unwrap_or_default();
        let s = |k: &str| fv.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let detail = fv
            .get("alert")
            .and_then(|a| a.get("signature"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                fv.get("http")
                    .and_then(|h| h.get("url"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| {
                fv.get("dns")
                    .and_then(|h| h.get("rrname"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| {
                fv.get("tls")
                    .and_then(|h| h.get("sni"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let me = if f.id == ev.id {
            r#" class="current""#
        } else {
            ""
        };
        rows.push_str(&format!(
            r#"<tr{me}><td><a href="/events/{id}">{ts}</a></td><td>{et}</td><td>{detail}</td></tr>"#,
            id = f.id,
            ts = esc(&s("timestamp")),
            et = esc(&s("event_type")),
            detail = esc(&detail),
        ));
    }
    let flow_html = if flow.is_empty() {
        "<p>No flow id on this event.</p>".to_string()
    } else {
        format!(
            r#"<table class="inbox"><thead><tr><th>Time</th><th>Type</th><th>Detail</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let back = ev
        .group_id
        .map(|g| format!(r#"<a href="/groups/{g}">&larr; Alert group</a>"#))
        .unwrap_or_default();
    let title = v
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or("event")
        .to_string();
    let body = format!(
        r#"<p>{back} <a href="/inbox">Inbox</a></p><h1>{t} event <small>from {sensor}</small></h1>
<h2>EVE record</h2><pre class="eve">{eve}</pre>{payload}<h2>Same flow</h2>{flow_html}"#,
        t = esc(&title),
        sensor = esc(&ev.sensor),
        eve = esc(&pretty),
    );
    page(&title, Some(&cu.user), cu.csrf(), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexdump_shows_offsets_hex_and_text() {
        let d = hexdump(b"GET / HTTP/1.1\r\nHost");
        assert!(d.starts_with("00000000  47 45 54 20"), "{d}");
        assert!(d.contains("GET / HTTP/1.1.."), "{d}");
        assert!(d.contains("00000010  48 6f 73 74"), "{d}");
    }
}
