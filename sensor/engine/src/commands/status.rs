//! `sensor status`: what a running (or finished) sensor last reported, read from its log
//! directory — the last `stats` record of eve.json — for the operator on call.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;

/// How far back from the end of eve.json the last `stats` record is looked for.
const TAIL: u64 = 8 << 20;

/// Prints the sensor's last status; exit 0 when it is recent, 1 when stale or absent.
pub fn status(log_dir: &Path, filename: &str, max_age_secs: u64) -> anyhow::Result<ExitCode> {
    let path = log_dir.join(filename);
    let mut f = std::fs::File::open(&path).with_context(|| {
        format!(
            "cannot open {} (is -l the sensor's log directory?)",
            path.display()
        )
    })?;
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(TAIL)))?;
    let mut bytes = Vec::new();
    (&mut f).take(TAIL).read_to_end(&mut bytes)?;
    // The cut may fall inside a character or a line: only whole stats lines are parsed.
    let text = String::from_utf8_lossy(&bytes);
    let Some(stats) = text
        .lines()
        .rev()
        .filter(|l| l.contains("\"event_type\":\"stats\""))
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
    else {
        println!(
            "no stats record in the last {} MiB of {}",
            TAIL >> 20,
            path.display()
        );
        return Ok(ExitCode::from(1));
    };
    let ts = stats["timestamp"].as_str().unwrap_or("?");
    let s = &stats["stats"];
    let age = age_secs(ts);
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    println!(
        "last report     {ts}{}",
        age.map(|a| format!(" ({a} s ago)")).unwrap_or_default()
    );
    let cap = &s["capture"];
    println!(
        "capture         {} frames, kernel packets {}, kernel drops {}",
        n(&cap["frames"]),
        n(&cap["kernel_packets"]),
        n(&cap["kernel_drops"])
    );
    println!(
        "decoder         {} packets, {} invalid",
        n(&s["decoder"]["pkts"]),
        n(&s["decoder"]["invalid"])
    );
    println!(
        "flows           {} total, {} active, {} evicted",
        n(&s["flow"]["total"]),
        n(&s["flow"]["active"]),
        n(&s["flow"]["evicted"])
    );
    let det = &s["detect"];
    println!(
        "detect          {} alerts, rules {} loaded / {} skipped, matcher {}{}",
        n(&det["alert"]),
        n(&det["engines"][0]["rules_loaded"]),
        n(&det["engines"][0]["rules_failed"]),
        det["mpm_backend"].as_str().unwrap_or("?"),
        det["ruleset_version"]
            .as_str()
            .map(|v| format!(", ruleset {v}"))
            .unwrap_or_default()
    );
    match s.get("spool").filter(|v| !v.is_null()) {
        Some(sp) => println!(
            "shipping        {} pending, {} acked, dropped {} non-alerts and {} alerts",
            n(&sp["pending"]),
            n(&sp["acked"]),
            n(&sp["dropped_non_alert"]),
            n(&sp["dropped_alert"])
        ),
        None => println!("shipping        off"),
    }
    Ok(match age {
        Some(a) if a <= max_age_secs => ExitCode::SUCCESS,
        _ => {
            println!("status          STALE: no report for more than {max_age_secs} s");
            ExitCode::from(1)
        }
    })
}

/// Seconds since an EVE timestamp (`2023-11-14T22:13:20.123456+0000`), if it parses.
fn age_secs(ts: &str) -> Option<u64> {
    let (date, rest) = ts.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = rest.get(..8)?.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi, s) = (t.next()??, t.next()??, t.next()??);
    // Days from civil (Howard Hinnant).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let then = days * 86_400 + h * 3600 + mi * 60 + s;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    u64::try_from(now - then).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_of_a_timestamp_round_trips_through_eve_format() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as i64;
        let ts = eve::format_timestamp(now - 90_000_000);
        let age = age_secs(&ts).expect("parses");
        assert!((89..=91).contains(&age), "{age}");
        assert_eq!(age_secs("garbage"), None);
    }
}
