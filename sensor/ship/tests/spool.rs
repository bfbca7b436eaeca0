//! The on-disk spool alone: numbering across restarts, crash recovery, the size cap.

mod common;

use common::{event, events, fast_config, FakeServer};
use sensor_ship::{FsyncPolicy, Shipper, Spool, SpoolConfig, SpoolError};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "spool"))
        .collect();
    v.sort();
    v
}

/// Reads and acknowledges everything; returns the (seq, json) pairs.
fn drain(spool: &Spool) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    while let Some(b) = spool.next_batch(97, 1 << 20).expect("read") {
        let text = String::from_utf8(b.lines.clone()).expect("utf8");
        for (i, l) in text.lines().enumerate() {
            out.push((b.first_seq + i as u64, l.to_string()));
        }
        spool.ack(b.last_seq).expect("ack");
    }
    out
}

#[test]
fn numbering_continues_after_restart_even_when_everything_was_acked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let small = SpoolConfig {
        segment_bytes: 4096,
        ..SpoolConfig::default()
    };
    {
        let spool = Spool::open(dir.path(), small).expect("open");
        spool.append(&events(0, 500, 0)).expect("append");
        assert_eq!(drain(&spool).len(), 500);
        assert!(
            segments(dir.path()).len() <= 2,
            "acknowledged segments are deleted"
        );
    }
    let spool = Spool::open(dir.path(), small).expect("reopen");
    assert_eq!(spool.next_seq(), 500);
    assert!(
        drain(&spool).is_empty(),
        "nothing is resent after the cursor"
    );
    let r = spool
        .append(&[event(1, 0)])
        .expect("append")
        .expect("range");
    assert_eq!(r.first, 500);
}

#[test]
fn torn_last_line_is_truncated_counted_and_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
        spool.append(&events(0, 10, 0)).expect("append");
    }
    let seg = segments(dir.path()).pop().expect("a segment");
    let full = fs::read(&seg).expect("read");
    // A crash in the middle of writing event 10: half a line, no newline.
    let mut f = OpenOptions::new()
        .append(true)
        .open(&seg)
        .expect("open seg");
    f.write_all(b"10 0badc0de E {\"event_type\":\"fl")
        .expect("write");
    drop(f);
    let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("recovery is not fatal");
    assert_eq!(
        fs::read(&seg).expect("read"),
        full,
        "the torn tail is cut off"
    );
    let st = spool.stats();
    assert_eq!(st.corrupt_lines, 1);
    assert_eq!(
        spool.next_seq(),
        10,
        "the torn event's number was never handed out"
    );
    let got = drain(&spool);
    assert_eq!(got.len(), 10);
    assert_eq!(got[9], (9, event(9, 0)));
}

#[test]
fn corrupt_line_in_the_middle_is_removed_and_the_rest_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
        spool.append(&events(0, 5, 0)).expect("append");
    }
    let seg = segments(dir.path()).pop().expect("a segment");
    let mut data = fs::read(&seg).expect("read");
    // Flip a byte inside the JSON of the second line (bit rot).
    let second = data.iter().position(|b| *b == b'\n').expect("nl") + 30;
    data[second] ^= 0x20;
    fs::write(&seg, &data).expect("write");
    let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
    assert_eq!(spool.stats().corrupt_lines, 1);
    let seqs: Vec<u64> = drain(&spool).into_iter().map(|(s, _)| s).collect();
    assert_eq!(seqs, vec![0, 2, 3, 4]);
    drop(spool);
    let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
    assert_eq!(
        spool.stats().corrupt_lines,
        1,
        "counted once: the segment was rewritten clean"
    );
}

#[test]
fn full_spool_drops_oldest_non_alerts_first_and_keeps_alerts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = SpoolConfig {
        max_bytes: 200_000,
        segment_bytes: 20_000,
        fsync: FsyncPolicy::EveryBatch,
    };
    let spool = Arc::new(Spool::open(dir.path(), cfg).expect("open"));
    let total = 5000u64;
    for chunk in 0..(total / 50) {
        spool.append(&events(chunk * 50, 50, 10)).expect("append");
    }
    let st = spool.stats();
    assert!(st.bytes <= cfg.max_bytes + 20_000, "cap respected: {st:?}");
    assert!(st.dropped_non_alert > 0, "{st:?}");
    assert_eq!(st.dropped_alert, 0, "{st:?}");
    // Ship what is left: every alert arrives, and stored + dropped = appended.
    let server = FakeServer::start("t0k");
    let mut shipper =
        Shipper::new(spool.clone(), fast_config(&server.url(), "t0k")).expect("shipper");
    shipper
        .run_until_idle(Duration::from_secs(30))
        .expect("shipped");
    let store = server.store.lock().expect("store");
    let alerts = store
        .events
        .values()
        .filter(|j| j.contains("\"event_type\":\"alert\""))
        .count() as u64;
    assert_eq!(alerts, total / 10, "all alerts survive");
    assert_eq!(
        store.events.len() as u64 + st.dropped_non_alert,
        total,
        "every loss is counted"
    );
    assert_eq!(store.conflicts, 0);
    // The newest events are the ones kept.
    assert!(store.events.contains_key(&(total - 1)));
    drop(store);
    let reopened = spool.stats();
    assert_eq!(reopened.dropped_non_alert, st.dropped_non_alert);
}

#[test]
fn spool_full_of_alerts_drops_the_oldest_alerts_and_counts_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = SpoolConfig {
        max_bytes: 100_000,
        segment_bytes: 10_000,
        fsync: FsyncPolicy::Never,
    };
    {
        let spool = Spool::open(dir.path(), cfg).expect("open");
        for chunk in 0..40u64 {
            spool.append(&events(chunk * 50, 50, 1)).expect("append");
        }
        let st = spool.stats();
        assert!(st.dropped_alert > 0, "{st:?}");
        assert_eq!(st.dropped_non_alert, 0);
        let got = drain(&spool);
        assert_eq!(
            got.len() as u64 + st.dropped_alert,
            2000,
            "every loss is counted"
        );
        assert_eq!(
            got.last().map(|g| g.0),
            Some(1999),
            "the newest alerts are kept"
        );
    }
    let spool = Spool::open(dir.path(), cfg).expect("reopen");
    assert!(
        spool.stats().dropped_alert > 0,
        "loss counters survive a restart"
    );
}

#[test]
fn interval_fsync_policy_still_reads_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = SpoolConfig {
        fsync: FsyncPolicy::Interval(Duration::from_secs(3600)),
        ..SpoolConfig::default()
    };
    let spool = Spool::open(dir.path(), cfg).expect("open");
    for i in 0..20 {
        spool.append(&[event(i, 2)]).expect("append");
    }
    assert_eq!(drain(&spool).len(), 20);
}

#[test]
fn multi_line_or_empty_events_are_refused_without_using_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
    let err = spool
        .append(&["{\"a\":1}", "{\"a\":\n2}"])
        .expect_err("newline inside");
    assert!(matches!(err, SpoolError::InvalidEvent { index: 1 }));
    assert!(spool.append(&[" "]).is_err());
    assert_eq!(spool.next_seq(), 0);
    let r = spool
        .append(&["{\"a\":1}\n"])
        .expect("trailing newline is fine")
        .expect("range");
    assert_eq!((r.first, r.last), (0, 0));
    assert_eq!(spool.append::<&str>(&[]).expect("empty"), None);
}

#[test]
fn batches_hold_consecutive_numbers_and_respect_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spool = Spool::open(dir.path(), SpoolConfig::default()).expect("open");
    spool.append(&events(0, 1000, 0)).expect("append");
    let b = spool
        .next_batch(100, usize::MAX)
        .expect("read")
        .expect("batch");
    assert_eq!((b.first_seq, b.last_seq), (0, 99));
    // Not acknowledged: the same batch comes again.
    let again = spool
        .next_batch(100, usize::MAX)
        .expect("read")
        .expect("batch");
    assert_eq!(again, b);
    spool.ack(49).expect("ack");
    let b = spool.next_batch(100, 2000).expect("read").expect("batch");
    assert_eq!(b.first_seq, 50);
    assert!(b.lines.len() <= 2000 && b.last_seq >= b.first_seq);
    spool.ack(10_000).expect("acks beyond the end are clamped");
    assert_eq!(spool.acked_seq(), Some(999));
    assert!(spool.next_batch(100, 2000).expect("read").is_none());
}
