//! The dashboards page: alerts over time (an SVG bar chart rendered here, no JS
//! library), top signatures, sources, destinations and sensors, and the severity mix, for
//! the last hour, day or week. Every entry is a pivot into the inbox search. Any signed-in
//! role may look.

use super::guard::{page_user, to_page};
use super::html::{esc, page, time, url};
use crate::api::{run_blocking, ApiError, AppState};
use crate::store::{Dashboard, DashboardQuery, TopEntry};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;

/// `?range=1h|24h|7d`.
#[derive(Debug, Deserialize, Default)]
pub struct DashParams {
    #[serde(default)]
    range: String,
}

const MINUTE: i64 = 60_000_000;

/// (name, window, bucket) of the selectable ranges.
const RANGES: [(&str, i64, i64); 3] = [
    ("1h", 60 * MINUTE, MINUTE),
    ("24h", 24 * 60 * MINUTE, 30 * MINUTE),
    ("7d", 7 * 24 * 60 * MINUTE, 2 * 60 * MINUTE),
];

/// `GET /dashboard`.
pub async fn page_handler(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(p): Query<DashParams>,
) -> Response {
    let cu = match page_user(&state, &headers).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let range = if p.range.is_empty() { "24h" } else { &p.range };
    let Some(&(name, window, bucket)) = RANGES.iter().find(|r| r.0 == range) else {
        return to_page(ApiError::bad_request(format!(
            "range '{range}': expected 1h, 24h or 7d"
        )));
    };
    // Buckets aligned to their width, the last one holding now.
    let now = crate::evetime::now_micros();
    let until = (now / bucket + 1) * bucket;
    let q = DashboardQuery {
        since: until - window,
        until,
        bucket,
        top: 10,
    };
    let d = match run_blocking(&state, move |s| s.dashboard(&q)).await {
        Ok(d) => d,
        Err(e) => return to_page(e),
    };
    page(
        "Dashboard",
        Some(&cu.user),
        cu.csrf(),
        &render(name, bucket, &d),
    )
}

fn pivot(q: &str) -> String {
    format!("/inbox?status=all&q={}", url(q))
}

fn render(range: &str, bucket: i64, d: &Dashboard) -> String {
    let mut out = String::new();
    let selector: String = RANGES
        .iter()
        .map(|(n, _, _)| {
            let cur = if *n == range {
                r#" class="current" aria-current="page""#
            } else {
                ""
            };
            format!(r#"<a href="/dashboard?range={n}"{cur}>{n}</a>"#)
        })
        .collect();
    let _ = write!(
        out,
        r#"<h1>Dashboard <small>{total} alerts in the last {range}</small></h1>
<div class="ranges">{selector}</div>
<section class="panel wide"><h2>Alerts over time</h2>{chart}</section>
<div class="dash-grid">
<section class="panel"><h2>Top signatures</h2>{sigs}</section>
<section class="panel"><h2>Severity</h2>{sev}</section>
<section class="panel"><h2>Top sources</h2>{src}</section>
<section class="panel"><h2>Top destinations</h2>{dst}</section>
<section class="panel"><h2>Top sensors</h2>{sensors}</section>
</div>"#,
        total = d.total,
        chart = chart(&d.series, bucket),
        sigs = top_table(&d.signatures, |e| pivot(&format!(
            "sid:{}",
            e.sid.unwrap_or(0)
        ))),
        sev = severity(&d.severities),
        src = top_table(&d.sources, |e| pivot(&format!("src_ip:{}", e.key))),
        dst = top_table(&d.destinations, |e| pivot(&format!("dest_ip:{}", e.key))),
        sensors = top_table(&d.sensors, |e| pivot(&format!("sensor:{}", e.key))),
    );
    out
}

/// Bars of alerts per bucket; each bar links to the inbox for its time slice.
fn chart(series: &[(i64, u64)], bucket: i64) -> String {
    const W: f64 = 960.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 48.0;
    const BOTTOM: f64 = 24.0;
    let max = series.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let n = series.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let bar = (slot * 0.8).max(1.0);
    let plot_h = H - BOTTOM - 8.0;
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="alerts over time">
<line x1="{LEFT}" y1="{y0}" x2="{W}" y2="{y0}" stroke="#3a4652"/>
<text x="{lx}" y="14" fill="#8b98a5" font-size="11" text-anchor="end">{max}</text>
<text x="{lx}" y="{y0}" fill="#8b98a5" font-size="11" text-anchor="end">0</text>"##,
        y0 = H - BOTTOM,
        lx = LEFT - 6.0,
    );
    for (i, (start, count)) in series.iter().enumerate() {
        let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
        let h = plot_h * (*count as f64) / (max as f64);
        let y = H - BOTTOM - h;
        let q = format!(
            "timestamp:>={} AND timestamp:<{}",
            crate::evetime::format_timestamp(*start),
            crate::evetime::format_timestamp(start + bucket)
        );
        let _ = write!(
            svg,
            r##"<a href="{href}"><rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="#3d8bfd"><title>{t}: {count}</title></rect></a>"##,
            href = esc(&pivot(&q)),
            t = time(*start),
        );
    }
    // A few time labels along the axis.
    let step = (series.len() / 6).max(1);
    for (i, (start, _)) in series.iter().enumerate().step_by(step) {
        let x = LEFT + i as f64 * slot;
        let label = time(*start);
        let short = label.get(5..16).unwrap_or(&label);
        let _ = write!(
            svg,
            r##"<text x="{x:.1}" y="{ty}" fill="#8b98a5" font-size="11">{short}</text>"##,
            ty = H - 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn top_table(entries: &[TopEntry], href: impl Fn(&TopEntry) -> String) -> String {
    if entries.is_empty() {
        return r#"<p class="hint">No alerts in this range.</p>"#.into();
    }
    let max = entries.iter().map(|e| e.count).max().unwrap_or(1).max(1);
    let mut rows = String::new();
    for e in entries {
        let label = match e.sid {
            Some(sid) => format!("{} <small>sid {sid}</small>", esc(&e.key)),
            None => esc(&e.key),
        };
        let w = 100.0 * e.count as f64 / max as f64;
        let _ = write!(
            rows,
            r##"<tr><td><a href="{href}">{label}</a></td><td class="num">{count}</td><td class="meter"><svg viewBox="0 0 100 8" width="100" height="8" preserveAspectRatio="none"><rect width="{w:.1}" height="8" fill="#3d8bfd"/></svg></td></tr>"##,
            href = esc(&href(e)),
            count = e.count,
        );
    }
    format!(r#"<table class="top">{rows}</table>"#)
}

/// The severity mix as one stacked bar with a legend; each part links to its alerts.
fn severity(sevs: &[(i64, u64)]) -> String {
    let total: u64 = sevs.iter().map(|s| s.1).sum();
    if total == 0 {
        return r#"<p class="hint">No alerts in this range.</p>"#.into();
    }
    let color = |s: i64| match s {
        1 => "#c0392b",
        2 => "#d68910",
        3 => "#2e86c1",
        _ => "#7f8c8d",
    };
    let mut bar = String::from(
        r#"<svg class="sevbar" viewBox="0 0 400 28" width="100%" height="28" role="img" aria-label="severity mix">"#,
    );
    let mut legend = String::new();
    let mut x = 0.0;
    for (sev, n) in sevs {
        let w = 400.0 * *n as f64 / total as f64;
        let href = esc(&pivot(&format!("severity:{sev}")));
        let _ = write!(
            bar,
            r#"<a href="{href}"><rect x="{x:.1}" y="0" width="{w:.1}" height="28" fill="{c}"><title>severity {sev}: {n}</title></rect></a>"#,
            c = color(*sev),
        );
        x += w;
        let _ = write!(
            legend,
            r#"<li><svg width="10" height="10"><rect width="10" height="10" fill="{c}"/></svg> <a href="{href}">severity {sev}</a>: {n} ({pct:.0}%)</li>"#,
            c = color(*sev),
            pct = 100.0 * *n as f64 / total as f64,
        );
    }
    bar.push_str("</svg>");
    format!(r#"{bar}<ul class="legend">{legend}</ul>"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_panel_with_pivots_and_escapes() {
        let d = Dashboard {
            total: 7,
            series: vec![(0, 3), (MINUTE, 4)],
            signatures: vec![TopEntry {
                key: "<ET> scan".into(),
                sid: Some(2000001),
                count: 7,
            }],
            sources: vec![TopEntry {
                key: "10.0.0.1".into(),
                sid: None,
                count: 7,
            }],
            destinations: vec![],
            sensors: vec![],
            severities: vec![(1, 2), (3, 5)],
        };
        let html = render("1h", MINUTE, &d);
        assert!(html.contains("&lt;ET&gt; scan"), "{html}");
        assert!(
            html.contains("/inbox?status=all&amp;q=sid%3A2000001"),
            "{html}"
        );
        assert!(html.contains("q=src_ip%3A10.0.0.1"), "{html}");
        assert!(html.contains("q=severity%3A1"), "{html}");
        assert_eq!(html.matches(r#"class="bar""#).count(), 2);
        assert!(html.contains("No alerts in this range."));
    }
}
