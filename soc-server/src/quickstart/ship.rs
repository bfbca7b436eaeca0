//! Posting an EVE file to the ingest endpoint in gzip batches with sequence numbers,
//! honouring 429 Retry-After: the same path a remote sensor uses.

use crate::client::request;
use anyhow::{bail, Context};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Lines per batch.
const BATCH_LINES: usize = 1000;

/// Totals of a shipped file.
#[derive(Debug, Default, Clone, Copy)]
pub struct Shipped {
    /// Events stored.
    pub stored: u64,
    /// Lines rejected.
    pub rejected: u64,
}

/// Ships `eve` to `addr` (`host:port`) with the sensor `token`, sequence numbers from 0.
pub fn ship_file(addr: &str, token: &str, eve: &Path) -> anyhow::Result<Shipped> {
    let text =
        std::fs::read_to_string(eve).with_context(|| format!("reading {}", eve.display()))?;
    let lines: Vec<&str> = text.lines().collect();
    let auth = format!("Bearer {token}");
    let mut total = Shipped::default();
    for (i, chunk) in lines.chunks(BATCH_LINES).enumerate() {
        let seq = (i * BATCH_LINES).to_string();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for l in chunk {
            gz.write_all(l.as_bytes())?;
            gz.write_all(b"\n")?;
        }
        let body = gz.finish()?;
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/x-ndjson"),
            ("Content-Encoding", "gzip"),
            ("X-Sensor-Seq", seq.as_str()),
        ];
        let mut attempts = 0;
        let resp = loop {
            let r = request(addr, "POST", "/api/v1/ingest", &headers, &body)?;
            if r.status == 429 && attempts < 30 {
                attempts += 1;
                let wait = r
                    .header("retry-after")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1u64);
                std::thread::sleep(Duration::from_secs(wait));
                continue;
            }
            break r;
        };
        if resp.status != 200 {
            bail!("ingest answered {}: {}", resp.status, resp.text());
        }
        let v = resp.json();
        total.stored += v["stored"].as_u64().unwrap_or(0);
        total.rejected += v["rejected"].as_array().map_or(0, |a| a.len() as u64);
    }
    Ok(total)
}
