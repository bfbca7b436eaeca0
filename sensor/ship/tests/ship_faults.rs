//! End-to-end shipping against a fake ingest server with failures: in every case the
//! events the server stored equal the events appended (none lost, none twice).

mod common;

use common::{events, fast_config, Act, FakeServer};
use sensor_ship::{ShipError, Shipper, Spool, SpoolConfig};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "test-token-9f8e7d";

/// Appends `evs` and records seq -> JSON in `expected`.
fn append(spool: &Spool, evs: &[String], expected: &mut BTreeMap<u64, String>) {
    let r = spool.append(evs).expect("append").expect("non-empty");
    for (i, e) in evs.iter().enumerate() {
        expected.insert(r.first + i as u64, e.clone());
    }
}

/// The server holds exactly `expected`, each event once and under its own number.
fn assert_exactly(server: &FakeServer, expected: &BTreeMap<u64, String>) {
    let store = server.store.lock().expect("store");
    assert_eq!(
        store.conflicts, 0,
        "a sequence number was sent with two different events"
    );
    assert_eq!(
        store.events.len(),
        expected.len(),
        "stored count differs from appended count"
    );
    let missing: Vec<u64> = expected
        .keys()
        .filter(|k| !store.events.contains_key(k))
        .copied()
        .take(10)
        .collect();
    assert!(missing.is_empty(), "lost events: {missing:?}");
    for (seq, json) in expected {
        assert_eq!(
            store.events.get(seq),
            Some(json),
            "seq {seq} holds another event"
        );
    }
}

fn open(dir: &Path) -> Arc<Spool> {
    Arc::new(Spool::open(dir, SpoolConfig::default()).expect("open spool"))
}

#[test]
fn everything_appended_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    let spool = open(dir.path());
    let mut expected = BTreeMap::new();
    append(&spool, &events(0, 5000, 7), &mut expected);
    let mut shipper =
        Shipper::new(spool.clone(), fast_config(&server.url(), TOKEN)).expect("shipper");
    let report = shipper
        .run_until_idle(Duration::from_secs(30))
        .expect("shipped");
    assert_eq!(report.stored, 5000);
    assert_eq!(report.acked_seq, Some(4999));
    assert_exactly(&server, &expected);
    let st = spool.stats();
    assert_eq!(st.pending, 0);
    assert_eq!(st.acked, 5000);
}

#[test]
fn server_errors_and_dropped_connections_are_retried_without_loss_or_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    server.script([
        Act::Status(500),
        Act::Ok,
        Act::Drop,
        Act::Status(503),
        Act::StoreThenDrop,
        Act::Ok,
        Act::StoreThenDrop,
        Act::StoreThenDrop,
        Act::Status(502),
        Act::Drop,
    ]);
    let spool = open(dir.path());
    let mut expected = BTreeMap::new();
    append(&spool, &events(0, 3000, 5), &mut expected);
    let mut shipper =
        Shipper::new(spool.clone(), fast_config(&server.url(), TOKEN)).expect("shipper");
    let report = shipper
        .run_until_idle(Duration::from_secs(30))
        .expect("shipped");
    // ureq itself may resend once on a pooled connection the server closed.
    assert!(report.retries >= 7, "{report:?}");
    assert!(
        server.script.lock().expect("script").is_empty(),
        "every scripted failure was hit"
    );
    assert!(
        report.duplicates > 0,
        "answers lost after storing must cause deduplicated resends: {report:?}"
    );
    assert_exactly(&server, &expected);
}

#[test]
fn too_many_requests_waits_for_retry_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    server.script([Act::TooMany(1), Act::TooMany(1)]);
    let spool = open(dir.path());
    let mut expected = BTreeMap::new();
    append(&spool, &events(0, 100, 3), &mut expected);
    let mut shipper = Shipper::new(spool, fast_config(&server.url(), TOKEN)).expect("shipper");
    let t = Instant::now();
    let report = shipper
        .run_until_idle(Duration::from_secs(30))
        .expect("shipped");
    assert!(
        t.elapsed() >= Duration::from_secs(2),
        "Retry-After ignored: {:?}",
        t.elapsed()
    );
    assert_eq!(report.retries, 2);
    assert_exactly(&server, &expected);
    assert_eq!(
        server.store.lock().expect("store").statuses[..2],
        [429, 429]
    );
}

#[test]
fn killing_and_restarting_the_server_mid_stream_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = FakeServer::start(TOKEN);
    let url = server.url();
    let spool = open(dir.path());
    let mut expected = BTreeMap::new();
    let handle = Shipper::new(spool.clone(), fast_config(&url, TOKEN))
        .expect("shipper")
        .spawn()
        .expect("spawn");
    for round in 0..6u64 {
        for chunk in 0..10u64 {
            append(
                &spool,
                &events(round * 1000 + chunk * 100, 100, 4),
                &mut expected,
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        if round % 2 == 0 {
            server.kill();
            // Appends go on while the server is down.
            append(&spool, &events(round * 1000 + 900, 50, 4), &mut expected);
            std::thread::sleep(Duration::from_millis(150));
            server.restart();
        }
    }
    let report = handle.shutdown(Duration::from_secs(30));
    assert_eq!(spool.stats().pending, 0, "{report:?}");
    assert_exactly(&server, &expected);
}

#[test]
fn sensor_crash_mid_batch_resumes_from_the_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    let mut expected = BTreeMap::new();
    {
        let spool = open(dir.path());
        append(&spool, &events(0, 2000, 6), &mut expected);
        // The first batch is acknowledged, the second is stored but its answer never
        // arrives, and the sensor "crashes" (Shipper and Spool dropped) while waiting.
        server.script([
            Act::Ok,
            Act::StoreThenDrop,
            Act::Drop,
            Act::Drop,
            Act::Drop,
            Act::Drop,
        ]);
        let mut cfg = fast_config(&server.url(), TOKEN);
        cfg.backoff_initial = Duration::from_millis(200);
        let mut shipper = Shipper::new(spool.clone(), cfg).expect("shipper");
        let err = shipper
            .run_until_idle(Duration::from_millis(400))
            .expect_err("must time out");
        assert!(matches!(err, ShipError::Timeout { .. }), "{err}");
        assert_eq!(spool.acked_seq(), Some(299));
    }
    server.script.lock().expect("script").clear();
    let spool = open(dir.path());
    assert_eq!(spool.acked_seq(), Some(299), "cursor survives the restart");
    assert_eq!(
        spool.next_seq(),
        2000,
        "numbering continues after the restart"
    );
    append(&spool, &events(2000, 500, 6), &mut expected);
    let mut shipper =
        Shipper::new(spool.clone(), fast_config(&server.url(), TOKEN)).expect("shipper");
    let report = shipper
        .run_until_idle(Duration::from_secs(30))
        .expect("shipped");
    assert_eq!(
        report.duplicates, 300,
        "the batch stored before the crash is resent once and deduplicated"
    );
    assert_exactly(&server, &expected);
}

#[test]
fn refused_token_is_fatal_with_a_clear_message_and_keeps_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start(TOKEN);
    let spool = open(dir.path());
    spool.append(&events(0, 10, 2)).expect("append");
    let mut shipper =
        Shipper::new(spool.clone(), fast_config(&server.url(), "wrong-token")).expect("shipper");
    let t = Instant::now();
    let err = shipper
        .run_until_idle(Duration::from_secs(30))
        .expect_err("401");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "401 must not be retried"
    );
    assert!(
        matches!(err, ShipError::Unauthorized { status: 401 }),
        "{err}"
    );
    assert!(
        err.to_string().contains("refused the sensor token"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-token"));
    assert_eq!(spool.stats().pending, 10);
}

#[test]
fn unreachable_server_times_out_and_keeps_everything_in_the_spool() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = FakeServer::start(TOKEN);
    let url = server.url();
    server.kill();
    let spool = open(dir.path());
    spool.append(&events(0, 50, 2)).expect("append");
    let mut shipper = Shipper::new(spool.clone(), fast_config(&url, TOKEN)).expect("shipper");
    let t = Instant::now();
    let err = shipper
        .run_until_idle(Duration::from_millis(500))
        .expect_err("timeout");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "timeout overrun: {:?}",
        t.elapsed()
    );
    match err {
        ShipError::Timeout {
            first_pending,
            pending,
            ..
        } => {
            assert_eq!(first_pending, 0);
            assert_eq!(pending, 50);
        }
        other => panic!("expected a timeout, got {other}"),
    }
    assert_eq!(spool.stats().pending, 50);
}
