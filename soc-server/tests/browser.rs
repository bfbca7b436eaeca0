//! The analyst console in a real browser: headless Chromium driven over W3C WebDriver
//! (Debian `chromium` + `chromium-driver`) against the real `soc-server` binary fed with
//! real Suricata EVE output through the `import` CLI.
//!
//! Steps: sign in, see the inbox fill (no horizontal overflow at 1400 px), page with
//! "load more", search, acknowledge with the `a` key (the row stays selected), open an
//! alert group, acknowledge it with the button, open one of its alerts (summary card,
//! raw JSON folded) and the other events of its flow, close the group with a reason,
//! escalate a group to a case with the `e` key and see the case's observables, comment
//! on the case, assign a group to oneself and comment on it, bulk-acknowledge a
//! selection, create a suppression and see its group leave the inbox, see a new alert
//! ingested through the API appear in the open inbox without reload, and read the audit
//! log (who, before, after).
//!
//! A screenshot of every step lands in `<target dir>/browser-screenshots/` (1400x900),
//! plus the main pages again at 1280x720 (`*-1280`).

mod common;
use common::webdriver::{Browser, Driver, Element, WdError};
use common::*;
use std::path::PathBuf;

/// Real Suricata 7 EVE output (flows, http, dns, tls, ... and 3,029 alerts).
const SAMPLE: &str = "/work/shared/samples/suricata-eve-sample.json";

/// `ET EXPLOIT_KIT RIG EK Landing Sep 12 2016 T2`: several groups in the sample, with
/// http and flow events on the same flows.
const SID: &str = "2023196";

/// `<target dir>/browser-screenshots`, from this test binary's path
/// (`<target dir>/<profile>/deps/browser-<hash>`).
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(|target| target.join("browser-screenshots"))
        .expect("test binary lives in <target>/<profile>/deps")
}

/// The texts of all elements matching `css`.
fn texts(b: &Browser, css: &str) -> Result<Vec<String>, WdError> {
    b.find_all(css)?.iter().map(|e| b.text(e)).collect()
}

/// The text of the status badge of the inbox row for `group` (`/groups/N`), if shown.
fn row_status(b: &Browser, group: &str) -> Result<Option<String>, WdError> {
    let rows = b.find_all(&format!(r#"tr.group[data-href="{group}"] .status"#))?;
    rows.first().map(|e| b.text(e)).transpose()
}

/// Fails when the page is wider than the window (a horizontal scroll bar).
fn assert_no_horizontal_overflow(b: &Browser, what: &str) -> anyhow::Result<()> {
    let v = b.execute(
        "return [document.documentElement.scrollWidth, window.innerWidth];",
        vec![],
    )?;
    let (page, window) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
    assert!(
        page <= window,
        "{what}: page is {page} px wide in a {window} px window"
    );
    Ok(())
}

/// The `data-href` of every inbox row.
fn row_hrefs(b: &Browser) -> Result<Vec<String>, WdError> {
    let mut hrefs = Vec::new();
    for e in b.find_all("tr.group")? {
        hrefs.extend(b.attr(&e, "data-href")?);
    }
    Ok(hrefs)
}

/// The audit log's rows as cells (when, who, action, target, before, after).
fn audit_rows(b: &Browser) -> anyhow::Result<Vec<Vec<String>>> {
    b.find_all("table.audit tbody tr")?
        .iter()
        .map(|tr| {
            let cells = b.execute(
                "return Array.from(arguments[0].cells, c => c.textContent);",
                vec![Browser::arg(tr)],
            )?;
            Ok(cells
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| c.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default())
        })
        .collect()
}

/// Waits until the status badge on a group page reads `want`.
fn wait_group_status(b: &Browser, want: &str) -> Result<(), WdError> {
    b.wait_until(&format!("group status `{want}`"), |b| {
        let st = b.find("dl.facts .status")?;
        Ok((b.text(&st)? == want).then_some(()))
    })
}

#[test]
fn analyst_triages_in_headless_chromium_and_sees_the_audit_trail() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let shots = screenshot_dir();

    // The server, an admin, a registered sensor and real Suricata alerts via the CLI.
    let s = Server::start();
    let password = s.cli(&["user", "add", "root", "--role", "admin"]);
    let token = s.sensor_token("edge-01");
    let imported = s.cli(&["import", "--sensor", "edge-01", SAMPLE]);
    assert!(
        imported.contains("10874 lines: 10874 stored"),
        "import: {imported}"
    );

    let driver = Driver::start();
    let b = Browser::open(&driver, &shots)?;
    let outcome = triage(&s, &b, &password).and_then(|()| workflow(&s, &b, &token));
    if let Err(e) = &outcome {
        // Keep the page that failed for the artifacts.
        let _ = b.screenshot("99-failure");
        eprintln!("failed on {}: {e}", b.url().unwrap_or_default());
    }
    outcome?;
    drop(b);
    drop(driver);
    eprintln!(
        "browser test: {:.1} s, screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    Ok(())
}

/// The analyst's walk through the console, one screenshot a step.
fn triage(s: &Server, b: &Browser, password: &str) -> anyhow::Result<()> {
    let base = format!("http://{}", s.addr);

    // 1. Sign in (the session cookie is `Secure`: Chromium keeps it on http://127.0.0.1).
    b.goto(&format!("{base}/inbox"))?;
    b.wait_for_path("redirect to /login", |p| p.starts_with("/login"))?;
    let user = b.wait_for("input[name=username]")?;
    b.send_keys(&user, "root")?;
    b.send_keys(&b.find("input[name=password]")?, password)?;
    b.screenshot("01-login")?;
    b.click_css("section.login button[type=submit]")?;
    b.wait_for_path("the inbox after sign-in", |p| p.starts_with("/inbox"))?;

    // 2. The inbox is full of alert groups.
    let rows = b.wait_until("inbox rows", |b| {
        let n = b.find_all("tr.group")?.len();
        Ok((n > 0).then_some(n))
    })?;
    let heading = b.text(&b.find("h1")?)?;
    assert!(heading.starts_with("Inbox"), "{heading}");
    assert!(b.text(&b.find("nav .who")?)?.contains("root (admin)"));
    assert!(b.title()?.contains("Inbox"));
    b.screenshot("02-inbox")?;
    assert!(rows > 0, "inbox rows: {rows}");
    assert_no_horizontal_overflow(b, "the inbox at 1400 px")?;
    // Paging: the first page holds 100 groups; "load more" appends the next ones.
    assert_eq!(rows, 100, "one page of the inbox");
    b.click_css("a[data-more]")?;
    b.wait_until("the second page appended", |b| {
        let n = b.find_all("tr.group")?.len();
        Ok((n > 100).then_some(()))
    })?;

    // 3. Search: the RIG EK landing groups.
    let q = b.find("form.search input[name=q]")?;
    b.clear(&q)?;
    b.send_keys(&q, &format!("sid:{SID}"))?;
    b.click_css("form.search button")?;
    b.wait_for_path("the search result", |p| {
        p.contains(&format!("q=sid%3A{SID}"))
    })?;
    let groups: Vec<String> = b.wait_until("search result rows", |b| {
        let mut hrefs = Vec::new();
        for e in b.find_all("tr.group")? {
            hrefs.extend(b.attr(&e, "data-href")?);
        }
        Ok((hrefs.len() >= 2).then_some(hrefs))
    })?;
    for sig in texts(b, "tr.group td:nth-child(2) a")? {
        assert!(sig.contains("RIG EK Landing"), "search hit: {sig}");
    }
    b.screenshot("03-search")?;

    // 4. Keyboard triage: `j` selects the first row, `a` acknowledges it.
    let first = groups[0].clone();
    b.press_key("j")?;
    b.wait_for("tr.group.selected")?;
    b.screenshot("04-selected-with-j")?;
    b.press_key("a")?;
    b.wait_until("the `a` key to acknowledge the selected group", |b| {
        Ok((row_status(b, &first)?.as_deref() == Some("acknowledged")).then_some(()))
    })?;
    assert_eq!(
        b.find_all(&format!(r#"tr.group.selected[data-href="{first}"]"#))?
            .len(),
        1,
        "the row keeps its highlight after `a`"
    );
    b.press_key("j")?;
    b.wait_for(&format!(r#"tr.group.selected[data-href="{}"]"#, groups[1]))?;
    b.press_key("k")?;
    b.wait_for(&format!(r#"tr.group.selected[data-href="{first}"]"#))?;
    b.screenshot("05-acknowledged-with-a")?;

    // 5. Open another group and acknowledge it with the button.
    let second = groups[1].clone();
    b.click_css(&format!(r#"tr.group[data-href="{second}"] td a"#))?;
    b.wait_for_path("the group page", |p| p == second)?;
    b.wait_for("dl.facts")?;
    wait_group_status(b, "new")?;
    let facts = b.text(&b.find("dl.facts")?)?;
    assert!(facts.contains(SID) && facts.contains("edge-01"), "{facts}");
    b.screenshot("06-group")?;
    b.click_css("form.act-ack button")?;
    wait_group_status(b, "acknowledged")?;
    b.screenshot("07-group-acknowledged")?;

    // 6. One alert of the group with the other events of its flow.
    let alert_link = b.find(r#"table.inbox tbody a[href^="/events/"]"#)?;
    let event = b.attr(&alert_link, "href")?.unwrap_or_default();
    b.click(&alert_link)?;
    b.wait_for_path("the event page", |p| p == event)?;
    let card = b.text(&b.wait_for("section.summary")?)?;
    assert!(
        card.contains("RIG EK Landing") && card.contains("edge-01") && card.contains("TCP"),
        "summary card: {card}"
    );
    assert_eq!(
        b.text(&b.find("pre.eve")?)?,
        "",
        "the raw JSON is folded under the summary"
    );
    b.click_css("details.raw summary")?;
    let eve = b.text(&b.wait_for("pre.eve")?)?;
    assert!(
        eve.contains("\"event_type\": \"alert\"") && eve.contains(SID),
        "{eve}"
    );
    let types = texts(b, "table.inbox tbody td:nth-child(2)")?;
    assert!(types.iter().any(|t| t == "alert"), "flow events: {types:?}");
    assert!(
        types.iter().any(|t| t == "http") && types.iter().any(|t| t == "flow"),
        "the alert's flow shows its http and flow events: {types:?}"
    );
    assert_eq!(
        b.find_all("table.inbox tbody tr.current")?.len(),
        1,
        "the alert itself is marked in its flow"
    );
    b.screenshot("08-event-and-flow")?;
    let flow_table = b.find("table.inbox")?;
    b.scroll_to(&flow_table)?;
    b.screenshot("09-event-flow-table")?;

    // 7. Back to the group; close it as a false positive.
    b.click_css(r#"a[href^="/groups/"]"#)?;
    b.wait_for_path("back on the group page", |p| p == second)?;
    wait_group_status(b, "acknowledged")?;
    b.click_css(r#"form.act-close select option[value="false_positive"]"#)?;
    let reason: Element = b.find("form.act-close select")?;
    assert_eq!(
        b.execute("return arguments[0].value;", vec![Browser::arg(&reason)])?,
        "false_positive"
    );
    b.click_css("form.act-close button")?;
    wait_group_status(b, "closed (false_positive)")?;
    assert!(
        b.find_all("form.act-ack, form.act-close")?.is_empty(),
        "a closed group offers only reopening"
    );
    b.screenshot("10-group-closed")?;

    // The closed group left the open inbox; the acknowledged one is still there.
    b.goto(&format!("{base}/inbox?q=sid%3A{SID}"))?;
    b.wait_for("tr.group")?;
    assert_eq!(
        row_status(b, &second)?,
        None,
        "closed groups leave the inbox"
    );
    assert_eq!(row_status(b, &first)?.as_deref(), Some("acknowledged"));

    // 9. The audit log shows who changed what, before and after.
    b.click_css(r#"nav a[href="/admin"]"#)?;
    b.wait_for_path("the admin page", |p| p == "/admin")?;
    let audit = b.wait_for("table.audit")?;
    let entries: Vec<Vec<String>> = b
        .find_all("table.audit tbody tr")?
        .iter()
        .map(|tr| {
            let cells = b.execute(
                "return Array.from(arguments[0].cells, c => c.textContent);",
                vec![Browser::arg(tr)],
            )?;
            Ok(cells
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| c.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default())
        })
        .collect::<anyhow::Result<_>>()?;
    // Columns: when, who, action, target, before, after.
    let status_changes = |group: &str| -> Vec<(String, String, String)> {
        let target = group.replace("/groups/", "group:");
        entries
            .iter()
            .filter(|c| c.len() == 6 && c[2] == "group.status" && c[3] == target)
            .map(|c| (c[1].clone(), c[4].clone(), c[5].clone()))
            .collect()
    };
    let a = status_changes(&first);
    assert_eq!(a.len(), 1, "one change of {first}: {entries:?}");
    assert_eq!(a[0].0, "user:root");
    assert!(a[0].1.contains(r#""status":"new""#), "{a:?}");
    assert!(a[0].2.contains(r#""status":"acknowledged""#), "{a:?}");
    let closing = status_changes(&second);
    assert_eq!(closing.len(), 2, "two changes of {second}: {entries:?}");
    assert!(closing.iter().all(|c| c.0 == "user:root"), "{closing:?}");
    assert!(
        closing.iter().any(
            |c| c.1.contains(r#""status":"new""#) && c.2.contains(r#""status":"acknowledged""#)
        ),
        "acknowledged: {closing:?}"
    );
    assert!(
        closing
            .iter()
            .any(|c| c.1.contains(r#""status":"acknowledged""#)
                && c.2.contains(r#""status":"closed""#)
                && c.2.contains("false_positive")),
        "closed with its reason: {closing:?}"
    );
    assert!(
        entries
            .iter()
            .any(|c| c.len() == 6 && c[1] == "cli" && c[2] == "sensor.create"),
        "the CLI's sensor registration is audited too"
    );
    b.scroll_to(&audit)?;
    b.screenshot("11-audit-log")?;
    Ok(())
}

/// Cases, comments, assignment, bulk actions, suppressions, the live inbox, their audit
/// entries, and the main pages at 1280x720.
fn workflow(s: &Server, b: &Browser, sensor_token: &str) -> anyhow::Result<()> {
    let base = format!("http://{}", s.addr);

    // 10. Escalate the selected group with `e`: a case with the group's observables.
    b.goto(&format!("{base}/inbox?q=sid%3A{SID}"))?;
    b.wait_for("tr.group")?;
    b.press_key("j")?;
    let selected = b.wait_for("tr.group.selected")?;
    let group = b.attr(&selected, "data-href")?.unwrap_or_default();
    let ips = texts(b, "tr.group.selected td.ip")?;
    assert_eq!(ips.len(), 2, "source and destination: {ips:?}");
    b.press_key("e")?;
    let case = b.wait_for_path("the new case page", |p| p.starts_with("/cases/"))?;
    b.wait_for("table.observables")?;
    let heading = b.text(&b.find("h1")?)?;
    assert!(heading.contains("RIG EK Landing"), "{heading}");
    let values = texts(b, "table.observables td.obs")?;
    let kinds = texts(b, "table.observables .kind")?;
    for ip in &ips {
        assert!(values.contains(ip), "observable {ip} in {values:?}");
    }
    assert!(
        kinds.iter().any(|k| k == "URL") || kinds.iter().any(|k| k == "DOMAIN"),
        "the alerts' http fields give a domain or URL: {kinds:?} {values:?}"
    );
    let groups_in_case = b.find_all(&format!(r#"a[href="{group}"]"#))?.len();
    assert!(groups_in_case >= 1, "the case lists {group}");
    let timeline = b.text(&b.find("ol.timeline")?)?;
    assert!(
        timeline.contains("ESCALATION") || timeline.contains("escalation"),
        "{timeline}"
    );
    b.screenshot("12-case-from-e-key")?;

    // 11. Comment on the case and take it in progress.
    let ta = b.find("form.comment-form textarea")?;
    b.send_keys(
        &ta,
        "Landing page served to the client; checking the host for the payload.",
    )?;
    b.click_css("form.comment-form button")?;
    b.wait_until("the comment on the case timeline", |b| {
        Ok(texts(b, "ol.timeline .comment-body")?
            .iter()
            .any(|t| t.contains("checking the host"))
            .then_some(()))
    })?;
    b.click_css(r#"form.case-edit select[name=status] option[value="in_progress"]"#)?;
    b.click_css("form.case-edit button")?;
    b.wait_until("the case in progress", |b| {
        let st = b.find("div.head .status")?;
        Ok((b.text(&st)? == "in_progress").then_some(()))
    })?;
    b.screenshot("13-case-comment-and-status")?;
    b.click_css(r#"nav a[href="/cases"]"#)?;
    b.wait_for_path("the case list", |p| p == "/cases")?;
    let listed = b.find_all(&format!(r#"table.cases a[href="{case}"]"#))?;
    assert_eq!(listed.len(), 1, "the case list shows {case}");
    b.screenshot("14-cases")?;

    // 12. Assign the escalated group to oneself and comment on it.
    b.goto(&format!("{base}{group}"))?;
    b.wait_for("dl.facts")?;
    assert!(b.text(&b.find("dd.case")?)?.starts_with("case #"));
    b.click_css("form.act-assign-me button")?;
    b.wait_until("the group assigned to root", |b| {
        let a = b.find("dd.assignee")?;
        Ok((b.text(&a)? == "root").then_some(()))
    })?;
    let ta = b.find("#comments textarea")?;
    b.send_keys(&ta, "Same exploit kit as last week.")?;
    b.click_css("#comments form button")?;
    b.wait_until("the group comment", |b| {
        Ok(texts(b, "#comments .comment-body")?
            .iter()
            .any(|t| t == "Same exploit kit as last week.")
            .then_some(()))
    })?;
    b.screenshot("15-group-assigned-and-commented")?;

    // 13. Bulk: select two rows with their check boxes, acknowledge both.
    b.goto(&format!("{base}/inbox?status=new"))?;
    b.wait_for("tr.group")?;
    let picked: Vec<String> = row_hrefs(b)?.into_iter().take(2).collect();
    assert_eq!(picked.len(), 2);
    for href in &picked {
        b.click_css(&format!(r#"tr.group[data-href="{href}"] td.sel input"#))?;
    }
    let count = b.text(&b.find("#sel-count")?)?;
    assert_eq!(count, "2 selected");
    b.screenshot("16-bulk-selection")?;
    b.click_css(r#"form.bulk button[value="acknowledge"]"#)?;
    b.wait_until("both rows acknowledged (they leave the `new` view)", |b| {
        let hrefs = row_hrefs(b)?;
        Ok((!hrefs.is_empty() && picked.iter().all(|p| !hrefs.contains(p))).then_some(()))
    })?;
    b.goto(&format!("{base}/inbox?status=acknowledged"))?;
    b.wait_for("tr.group")?;
    for href in &picked {
        assert_eq!(
            row_status(b, href)?.as_deref(),
            Some("acknowledged"),
            "{href}"
        );
    }

    // Close from the inbox with the keyboard: `c` focuses the reason, Enter closes; the
    // row leaves without a reload and the selection moves on.
    b.execute("window.__sameDocument = 7;", vec![])?;
    b.press_key("j")?;
    let closing = b.attr(&b.wait_for("tr.group.selected")?, "data-href")?;
    b.press_key("c")?;
    b.press_key("\u{E007}")?; // Enter
    b.wait_until("the closed row to leave the inbox", |b| {
        Ok((!row_hrefs(b)?.contains(closing.as_ref().unwrap_or(&String::new()))).then_some(()))
    })?;
    assert_eq!(b.execute("return window.__sameDocument;", vec![])?, 7);

    // 14. Suppress one group from its page: it leaves the inbox, the toggle shows it.
    b.goto(&format!("{base}/inbox"))?;
    b.wait_for("tr.group")?;
    let victim = row_hrefs(b)?
        .into_iter()
        .find(|h| *h != group && !picked.contains(h))
        .ok_or_else(|| anyhow::anyhow!("no group left to suppress"))?;
    b.goto(&format!("{base}{victim}"))?;
    b.click_css(r#"a.button[href^="/suppressions"]"#)?;
    b.wait_for_path("the suppression form", |p| {
        p.starts_with("/suppressions?sid=")
    })?;
    let reason = b.wait_for("form.supp-form input[name=reason]")?;
    b.send_keys(&reason, "Known scanner in the lab network")?;
    b.click_css("form.supp-form button")?;
    b.wait_for_path("the suppression list", |p| p == "/suppressions")?;
    let rows = texts(b, "table.supp tbody tr")?;
    assert!(
        rows.iter()
            .any(|r| r.contains("Known scanner") && r.contains("active") && r.contains("root")),
        "{rows:?}"
    );
    b.screenshot("17-suppressions")?;
    b.goto(&format!("{base}/inbox"))?;
    b.wait_for("tr.group")?;
    assert!(
        !row_hrefs(b)?.contains(&victim),
        "a suppressed group leaves the inbox"
    );
    b.goto(&format!("{base}/inbox?suppressed=1"))?;
    b.wait_for("tr.group")?;
    assert_eq!(
        b.find_all(&format!(
            r#"tr.group.suppressed[data-href="{victim}"] .tag-supp"#
        ))?
        .len(),
        1,
        "the toggle shows it, marked"
    );

    // 15. Live: a new alert ingested through the API appears without a reload, and the
    // keyboard selection stays where it was.
    b.goto(&format!("{base}/inbox"))?;
    b.wait_for("tr.group")?;
    b.wait_for("#live.on")?;
    b.press_key("j")?;
    let before = b.attr(&b.wait_for("tr.group.selected")?, "data-href")?;
    b.execute("window.__sameDocument = 42;", vec![])?;
    let now = soc_server::evetime::format_timestamp(soc_server::evetime::now_micros());
    let line = alert(
        &now,
        9_000_001,
        "CITY LIVE beacon to known C2",
        "10.9.9.9",
        "203.0.113.50",
        991,
    );
    let r = s.ingest(sensor_token, 10_874, format!("{line}\n").as_bytes(), &[]);
    assert_eq!(r.status, 200, "ingest: {}", r.text());
    let live_row = b.wait_until("the live row", |b| {
        for e in b.find_all("tr.group")? {
            if b.text(&e)?.contains("CITY LIVE beacon") {
                return Ok(Some(e));
            }
        }
        Ok(None)
    })?;
    assert_eq!(
        b.execute("return window.__sameDocument;", vec![])?,
        42,
        "no reload"
    );
    let first_row = b.find("table.inbox tbody tr.group")?;
    assert_eq!(
        b.attr(&first_row, "data-href")?,
        b.attr(&live_row, "data-href")?,
        "the newest group goes on top"
    );
    assert_eq!(
        b.attr(&b.find("tr.group.selected")?, "data-href")?,
        before,
        "the keyboard selection stays on its row"
    );
    b.screenshot("18-live-inbox")?;

    // 16. The audit log has every workflow change.
    b.click_css(r#"nav a[href="/admin"]"#)?;
    b.wait_for("table.audit")?;
    let entries = audit_rows(b)?;
    let has = |action: &str, target: &str| {
        entries.iter().any(|c| {
            c.len() == 6 && c[1] == "user:root" && c[2] == action && c[3].starts_with(target)
        })
    };
    let case_target = case.replace("/cases/", "case:");
    let group_target = group.replace("/groups/", "group:");
    for (action, target) in [
        ("case.create", case_target.as_str()),
        ("case.comment", case_target.as_str()),
        ("case.update", case_target.as_str()),
        ("group.escalate", group_target.as_str()),
        ("group.assign", group_target.as_str()),
        ("group.comment", group_target.as_str()),
        ("suppression.create", "suppression:"),
    ] {
        assert!(has(action, target), "audit {action} {target}: {entries:?}");
    }
    for href in &picked {
        let t = href.replace("/groups/", "group:");
        assert!(
            entries.iter().any(|c| c.len() == 6
                && c[2] == "group.status"
                && c[3] == t
                && c[5].contains("acknowledged")),
            "one audit entry per bulk-acknowledged group ({t})"
        );
    }
    let table = b.find("table.audit")?;
    b.scroll_to(&table)?;
    b.screenshot("19-audit-workflow")?;

    // 17. The same pages on a 1280x720 laptop screen.
    b.set_window_size(1280, 720)?;
    for (path, name) in [
        ("/inbox".to_string(), "20-inbox-1280"),
        (group.clone(), "21-group-1280"),
        (case.clone(), "22-case-1280"),
        ("/suppressions".to_string(), "23-suppressions-1280"),
    ] {
        b.goto(&format!("{base}{path}"))?;
        b.wait_for("main h1")?;
        assert_no_horizontal_overflow(b, &path)?;
        b.screenshot(name)?;
    }
    b.goto(&format!("{base}{group}"))?;
    let ev = b.wait_for(r#"table.inbox tbody a[href^="/events/"]"#)?;
    b.click(&ev)?;
    b.wait_for("section.summary")?;
    assert_no_horizontal_overflow(b, "the event page")?;
    b.screenshot("24-event-1280")?;
    b.set_window_size(1400, 900)?;
    Ok(())
}
