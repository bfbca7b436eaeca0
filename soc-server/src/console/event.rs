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
{summary}
<details class="raw"><summary>Raw EVE record (JSON)</summary><pre class="eve">{eve}</pre></details>{payload}<h2>Same flow</h2>{flow_html}"#,
        summary = summary(&v, &ev.sensor),
        t = esc(&title),
        sensor = esc(&ev.sensor),
        eve = esc(&pretty),
    );
    page(&title, Some(&cu.user), cu.csrf(), &body)
}

/// A string, number or bool at `path` as text.
fn field(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for k in path {
        cur = cur.get(k)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The summary card: when, where, what, the 5-tuple and the key application fields.
pub fn summary(v: &Value, sensor: &str) -> String {
    let f = |path: &[&str]| field(v, path).unwrap_or_default();
    let mut rows: Vec<(&str, String)> = vec![
        ("Time", esc(&f(&["timestamp"]))),
        ("Sensor", esc(sensor)),
        ("Type", esc(&f(&["event_type"]))),
    ];
    if v.get("alert").is_some() {
        let sev = field(v, &["alert", "severity"])
            .and_then(|s| s.parse::<i64>().ok())
            .map(super::html::severity)
            .unwrap_or_default();
        rows.push((
            "Signature",
            format!(
                r#"{sev} {sig} <span class="muted">sid {sid} rev {rev}</span>"#,
                sig = esc(&f(&["alert", "signature"])),
                sid = esc(&f(&["alert", "signature_id"])),
                rev = esc(&f(&["alert", "rev"])),
            ),
        ));
        rows.push(("Category", esc(&f(&["alert", "category"]))));
        rows.push(("Action", esc(&f(&["alert", "action"]))));
    }
    let port = |k: &str| field(v, &[k]).map(|p| format!(":{p}")).unwrap_or_default();
    if v.get("src_ip").is_some() {
        rows.push((
            "Flow",
            format!(
                r#"<code>{src}{sp}</code> &rarr; <code>{dst}{dp}</code> <span class="badge-proto">{proto}</span>"#,
                src = esc(&f(&["src_ip"])),
                sp = esc(&port("src_port")),
                dst = esc(&f(&["dest_ip"])),
                dp = esc(&port("dest_port")),
                proto = esc(&f(&["proto"])),
            ),
        ));
    }
    let app = f(&["app_proto"]);
    if !app.is_empty() {
        rows.push(("App proto", esc(&app)));
    }
    let keyed: [(&str, &[&str]); 14] = [
        ("HTTP host", &["http", "hostname"]),
        ("HTTP URL", &["http", "url"]),
        ("HTTP method", &["http", "http_method"]),
        ("HTTP status", &["http", "status"]),
        ("User agent", &["http", "http_user_agent"]),
        ("Content type", &["http", "http_content_type"]),
        ("DNS query", &["dns", "rrname"]),
        ("DNS type", &["dns", "rrtype"]),
        ("DNS rcode", &["dns", "rcode"]),
        ("TLS SNI", &["tls", "sni"]),
        ("TLS version", &["tls", "version"]),
        ("TLS subject", &["tls", "subject"]),
        ("TLS issuer", &["tls", "issuerdn"]),
        ("JA3", &["tls", "ja3", "hash"]),
    ];
    for (label, path) in keyed {
        if let Some(x) = field(v, path) {
            rows.push((label, format!("<code>{}</code>", esc(&x))));
        }
    }
    if let Some(q) = v
        .get("dns")
        .and_then(|d| d.get("queries"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        if let Some(name) = q.get("rrname").and_then(Value::as_str) {
            rows.push(("DNS query", format!("<code>{}</code>", esc(name))));
        }
    }
    for key in ["flow_id", "community_id"] {
        if let Some(x) = field(v, &[key]) {
            rows.push((
                if key == "flow_id" {
                    "Flow id"
                } else {
                    "Community id"
                },
                format!(r#"<code class="muted">{}</code>"#, esc(&x)),
            ));
        }
    }
    let items: String = rows
        .iter()
        .filter(|(_, x)| !x.is_empty())
        .map(|(k, x)| format!("<dt>{k}</dt><dd>{x}</dd>"))
        .collect();
    format!(r#"<section class="card summary"><dl class="facts">{items}</dl></section>"#)
}

#[cfg(test)]
mod tests {
    #[test]
    fn summary_shows_the_key_fields_escaped() {
        let v: Value = serde_json::json!({
            "timestamp": "2023-11-14T22:13:20.000000+0000", "event_type": "alert",
            "src_ip": "10.0.0.66", "src_port": 40000, "dest_ip": "10.0.0.10", "dest_port": 80,
            "proto": "TCP", "app_proto": "http",
            "alert": {"signature": "CITY <script>", "signature_id": 1000001, "rev": 1, "severity": 1},
            "http": {"hostname": "shop.city.test", "url": "/x?a=<b>"}
        });
        let s = summary(&v, "edge-01");
        assert!(
            s.contains("10.0.0.66:40000") && s.contains("10.0.0.10:80"),
            "{s}"
        );
        assert!(
            s.contains("CITY &lt;script&gt;") && s.contains("sid 1000001"),
            "{s}"
        );
        assert!(
            s.contains("shop.city.test") && s.contains("/x?a=&lt;b&gt;"),
            "{s}"
        );
        assert!(s.contains("edge-01") && s.contains("http"), "{s}");
    }

    use super::*;

    #[test]
    fn hexdump_shows_offsets_hex_and_text() {
        let d = hexdump(b"GET / HTTP/1.1\r\nHost");
        assert!(d.starts_with("00000000  47 45 54 20"), "{d}");
        assert!(d.contains("GET / HTTP/1.1.."), "{d}");
        assert!(d.contains("00000010  48 6f 73 74"), "{d}");
    }
}
