//! The dashboards page in headless Chromium (Debian `chromium` + `chromium-driver`): a
//! viewer signs in, opens the dashboard, switches the time range and follows a pivot to
//! the inbox. Screenshots land in `<target dir>/browser-screenshots/`.

mod common;
use common::webdriver::{Browser, Driver};
use common::*;
use std::path::PathBuf;

fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(|target| target.join("browser-screenshots"))
        .expect("test binary lives in <target>/<profile>/deps")
}

/// 600 real Suricata alerts from the sample, spread over the last 20 hours.
fn recent_alerts() -> String {
    let path = "/work/shared/samples/suricata-eve-sample.json";
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path} (../shared beside the repository): {e}"));
    let now = soc_server::evetime::now_micros();
    let alerts: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(r#""event_type":"alert""#) && l.contains("src_ip"))
        .collect();
    let mut out = String::new();
    for i in 0..600i64 {
        let line = alerts[(i as usize * 7) % alerts.len()];
        let mut v: serde_json::Value = serde_json::from_str(line).expect("sample line");
        // More alerts in recent hours, a quiet stretch in between.
        let hours_ago = (i * i) % (20 * 20) / 20;
        v["timestamp"] = soc_server::evetime::format_timestamp(
            now - hours_ago * 3_600_000_000 - (i % 50) * 60_000_000,
        )
        .into();
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn viewer_reads_the_dashboard_in_headless_chromium() -> anyhow::Result<()> {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let r = s.ingest(&sensor, 0, recent_alerts().as_bytes(), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let password = s.cli(&["user", "add", "vera", "--role", "viewer"]);

    let driver = Driver::start();
    let b = Browser::open(&driver, &screenshot_dir())?;
    let base = format!("http://{}", s.addr);
    let outcome = (|| -> anyhow::Result<()> {
        b.goto(&format!("{base}/login"))?;
        let user = b.wait_for("input[name=username]")?;
        b.send_keys(&user, "vera")?;
        b.send_keys(&b.find("input[name=password]")?, &password)?;
        b.click_css("section.login button[type=submit]")?;
        b.wait_for_path("the inbox after sign-in", |p| p.starts_with("/inbox"))?;

        b.click_css(r#"nav a[href="/dashboard"]"#)?;
        b.wait_for_path("the dashboard", |p| p.starts_with("/dashboard"))?;
        b.wait_for("svg.chart")?;
        let heading = b.text(&b.find("h1")?)?;
        assert!(heading.contains("600 alerts in the last 24h"), "{heading}");
        let bars = b.find_all("svg.chart rect.bar")?.len();
        assert_eq!(bars, 48, "24 h in 30-minute bars");
        assert!(b.find_all("table.top tr")?.len() >= 4);
        b.screenshot("dash-01-24h")?;

        b.click_css(r#"div.ranges a[href="/dashboard?range=1h"]"#)?;
        b.wait_for_path("the 1 h range", |p| p.contains("range=1h"))?;
        b.wait_for("svg.chart")?;
        assert_eq!(b.find_all("svg.chart rect.bar")?.len(), 60);
        b.screenshot("dash-02-1h")?;

        b.click_css(r#"div.ranges a[href="/dashboard?range=7d"]"#)?;
        b.wait_for_path("the 7 d range", |p| p.contains("range=7d"))?;
        b.wait_for("svg.chart")?;
        b.screenshot("dash-03-7d")?;

        // Pivot: the top source opens the inbox filtered on it.
        let first = b.find("section.panel:nth-of-type(3) table.top a")?;
        let src = b.text(&first)?;
        b.click(&first)?;
        b.wait_for_path("the inbox pivot", |p| p.starts_with("/inbox"))?;
        let q = b.find("form.search input[name=q]")?;
        assert_eq!(
            b.attr(&q, "value")?.unwrap_or_default(),
            format!("src_ip:{src}")
        );
        assert!(!b.find_all("tr.group")?.is_empty(), "pivot finds groups");
        b.screenshot("dash-04-pivot")?;
        Ok(())
    })();
    if outcome.is_err() {
        let _ = b.screenshot("dash-99-failure");
    }
    outcome
}
