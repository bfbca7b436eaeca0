//! HTML building blocks: escaping, the page frame, small formatters.

use crate::store::User;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value.
pub fn url(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A timestamp (µs) as `2023-11-14 22:13:20`.
pub fn time(micros: i64) -> String {
    let t = crate::evetime::format_timestamp(micros);
    t.get(..19).unwrap_or(&t).replace('T', " ")
}

/// The page frame with the navigation bar; `csrf` goes into a meta tag for the JS.
pub fn page(title: &str, user: Option<&User>, csrf: &str, body: &str) -> Response {
    let nav = match user {
        Some(u) => {
            let admin = if u.role.can_admin() {
                r#"<a href="/admin">Admin</a>"#
            } else {
                ""
            };
            format!(
                r#"<nav><a class="brand" href="/inbox">City SOC</a><a href="/inbox">Inbox</a><a href="/dashboard">Dashboard</a><a href="/cases">Cases</a><a href="/suppressions">Suppressions</a><a href="/sensors">Sensors</a><a href="/rulesets">Rulesets</a>{admin}
<span class="who">{} ({})</span><form method="post" action="/logout" class="inline">
<input type="hidden" name="csrf" value="{}"><button>Log out</button></form></nav>"#,
                esc(&u.name),
                u.role,
                esc(csrf)
            )
        }
        None => r#"<nav><span class="brand">City SOC</span></nav>"#.to_string(),
    };
    let doc = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{}"><title>{} · City SOC</title>
<link rel="stylesheet" href="/static/app.css"></head><body>{nav}<main>{body}</main>
<script src="/static/app.js"></script></body></html>"#,
        esc(csrf),
        esc(title)
    );
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; frame-ancestors 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(doc),
    )
        .into_response()
}

/// An error page with a status.
pub fn error(status: StatusCode, message: &str) -> Response {
    let mut r = page(
        "Error",
        None,
        "",
        &format!("<h1>{}</h1><p>{}</p>", status.as_u16(), esc(message)),
    );
    *r.status_mut() = status;
    r
}

/// An audit actor for display: `user:alice` → `alice` (`cli` and others unchanged).
pub fn who(actor: &str) -> &str {
    actor.strip_prefix("user:").unwrap_or(actor)
}

/// Severity as a badge.
pub fn severity(sev: i64) -> String {
    let class = match sev {
        1 => "sev1",
        2 => "sev2",
        _ => "sev3",
    };
    format!(r#"<span class="badge {class}">{sev}</span>"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url("a b&c"), "a%20b%26c");
    }
}
