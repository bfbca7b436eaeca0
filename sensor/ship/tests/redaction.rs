//! The sensor token never appears in logs (ours or ureq's) nor in `Debug` output.

mod common;

use common::{events, fast_config, FakeServer};
use sensor_ship::{Shipper, Spool, SpoolConfig};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "SECRET-sensor-token-4242";

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buf").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn token_never_appears_in_logs_or_debug_output() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .try_init()
        .expect("subscriber");
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    server.script([common::Act::Status(500), common::Act::Drop]);
    let spool = Arc::new(Spool::open(dir.path(), SpoolConfig::default()).expect("open"));
    spool.append(&events(0, 100, 2)).expect("append");
    let cfg = fast_config(&server.url(), TOKEN);
    let mut shipper = Shipper::new(spool.clone(), cfg.clone()).expect("shipper");
    shipper
        .run_until_idle(Duration::from_secs(10))
        .expect("shipped");
    // A refused token is logged too.
    spool.append(&events(100, 10, 2)).expect("append");
    let mut wrong = cfg.clone();
    wrong.token = sensor_ship::SensorToken::new(format!("{TOKEN}-revoked"));
    let mut bad = Shipper::new(spool.clone(), wrong).expect("shipper");
    assert!(bad.run_until_idle(Duration::from_secs(5)).is_err());
    let debug = format!("{cfg:?} {shipper:?} {bad:?} {:?}", cfg.token);
    assert!(!debug.contains(TOKEN), "Debug leaks the token: {debug}");
    let logs = String::from_utf8(buf.0.lock().expect("buf").clone()).expect("utf8");
    assert!(logs.contains("shipper ready"), "logs were captured: {logs}");
    assert!(
        logs.contains("writing prelude"),
        "ureq's request logs were captured too"
    );
    assert!(!logs.contains(TOKEN), "the token leaked into the logs");
}
