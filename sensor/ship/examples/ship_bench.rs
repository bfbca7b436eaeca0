//! Shipping throughput: events/s appended to the spool, and from the spool to a local
//! fake ingest server (gzip, HTTP/1.1 keep-alive, dedupe by sequence number).
//!
//! `cargo run --release -p sensor-ship --example ship_bench -- [EVENTS] [BATCH]`

#[path = "../tests/common/mod.rs"]
mod common;

use sensor_ship::{Shipper, Spool, SpoolConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A realistic alert-sized EVE record (~600 bytes).
fn eve(n: u64) -> String {
    let ty = if n.checked_rem(10) == Some(0) {
        "alert"
    } else {
        "flow"
    };
    format!(
        concat!(
            r#"{{"timestamp":"2024-05-01T12:00:{:02}.{:06}+0000","flow_id":{},"in_iface":"eth1","event_type":"{}","#,
            r#""src_ip":"10.1.{}.{}","src_port":{},"dest_ip":"192.168.1.10","dest_port":80,"proto":"TCP","#,
            r#""alert":{{"action":"allowed","gid":1,"signature_id":2010935,"rev":3,"#,
            r#""signature":"ET SCAN Suspicious inbound to MSSQL port 1433","category":"Potentially Bad Traffic","severity":2}},"#,
            r#""http":{{"hostname":"www.example.org","url":"/index.php?id={}","http_user_agent":"Mozilla/5.0","#,
            r#""http_method":"GET","protocol":"HTTP/1.1","status":200,"length":{}}},"app_proto":"http","#,
            r#""flow":{{"pkts_toserver":{},"pkts_toclient":{},"bytes_toserver":{},"bytes_toclient":{}}}}}"#
        ),
        n % 60,
        n % 1_000_000,
        1_000_000_000 + n,
        ty,
        n % 250,
        n % 200,
        1024 + n % 60000,
        n,
        n % 5000,
        n % 17,
        n % 13,
        n % 9000,
        n % 70000
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let total: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let batch: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let dir = std::env::temp_dir().join(format!("ship-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let spool = Arc::new(Spool::open(&dir, SpoolConfig::default())?);
    let events: Vec<String> = (0..total).map(eve).collect();
    let bytes: usize = events.iter().map(|e| e.len() + 1).sum();

    // 1. Append (fsync after every 1000-event batch, the default policy).
    let t = Instant::now();
    for chunk in events.chunks(1000) {
        spool.append(chunk)?;
    }
    let append_s = t.elapsed().as_secs_f64();
    println!(
        "append: {total} events ({:.1} MiB) in {append_s:.2}s = {:.0} events/s (fsync every 1000)",
        bytes as f64 / 1048576.0,
        total as f64 / append_s
    );

    // 2. Ship the backlog to the fake server.
    let server = common::FakeServer::start("bench-token");
    let mut cfg =
        sensor_ship::ShipperConfig::new(server.url(), sensor_ship::SensorToken::new("bench-token"));
    cfg.batch_max_events = batch;
    cfg.batch_max_bytes = 4 << 20;
    let mut shipper = Shipper::new(spool.clone(), cfg.clone())?;
    let t = Instant::now();
    let report = shipper.run_until_idle(Duration::from_secs(600))?;
    let ship_s = t.elapsed().as_secs_f64();
    println!(
        "ship backlog: {} events in {} batches of <= {batch} in {ship_s:.2}s = {:.0} events/s ({:.1} MiB/s JSON)",
        report.stored,
        report.batches,
        report.stored as f64 / ship_s,
        bytes as f64 / 1048576.0 / ship_s
    );

    // 3. Live: a background shipper while the pipeline appends 100-event batches.
    let handle = Shipper::new(spool.clone(), cfg)?.spawn()?;
    let t = Instant::now();
    let start = spool.next_seq();
    for chunk in (start..start + total)
        .map(eve)
        .collect::<Vec<_>>()
        .chunks(100)
    {
        spool.append(chunk)?;
    }
    let live = handle.shutdown(Duration::from_secs(600));
    let live_s = t.elapsed().as_secs_f64();
    println!(
        "live (append 100/batch + background ship): {} events acked in {live_s:.2}s = {:.0} events/s, {} batches",
        live.stored,
        live.stored as f64 / live_s,
        live.batches
    );
    let stored = server.store.lock().map(|s| s.events.len()).unwrap_or(0);
    println!(
        "server holds {stored} events (expected {}); spool: {:?}",
        2 * total,
        spool.stats()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
