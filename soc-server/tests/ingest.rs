//! Ingest through the real server: dedupe by sequence number, malformed lines, gzip,
//! oversized bodies, and import of real Suricata EVE.

mod common;
use common::*;
use std::io::Write;

fn batch() -> String {
    [
        alert(
            "2023-11-14T22:13:20.000001+0000",
            1000001,
            "CITY WEB SQL injection",
            "10.0.0.66",
            "10.0.0.10",
            7,
        ),
        flow("2023-11-14T22:13:21.000000+0000", 7),
        alert(
            "2023-11-14T22:13:22.000000+0000",
            1000001,
            "CITY WEB SQL injection",
            "10.0.0.66",
            "10.0.0.10",
            8,
        ),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn resent_batch_is_stored_once_and_acked() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let api = s.api_token("ana", "analyst");
    let r = s.ingest(&sensor, 100, batch().as_bytes(), &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(
        (
            v["acked_seq"].as_i64(),
            v["stored"].as_u64(),
            v["duplicates"].as_u64()
        ),
        (Some(102), Some(3), Some(0))
    );
    let again = s.ingest(&sensor, 100, batch().as_bytes(), &[]).json();
    assert_eq!(
        (
            again["acked_seq"].as_i64(),
            again["stored"].as_u64(),
            again["duplicates"].as_u64()
        ),
        (Some(102), Some(0), Some(3))
    );
    // Overlapping batch: only the new line is stored.
    let third = batch().lines().nth(2).unwrap_or("").to_string();
    let overlap = format!("{third}\n{}\n", flow("2023-11-14T22:13:23Z", 9));
    let o = s.ingest(&sensor, 102, overlap.as_bytes(), &[]).json();
    assert_eq!(
        (
            o["acked_seq"].as_i64(),
            o["stored"].as_u64(),
            o["duplicates"].as_u64()
        ),
        (Some(103), Some(1), Some(1))
    );
    let alerts = s.get_bearer("/api/v1/alerts?limit=10", &api).json();
    assert_eq!(alerts["total"], 2);
    assert_eq!(alerts["items"][0]["flow_id"], 8, "newest first");
    assert_eq!(alerts["items"][0]["alert"]["signature_id"], 1000001);
    let groups = s.get_bearer("/api/v1/groups", &api).json();
    assert_eq!(groups["total"], 1);
    assert_eq!(groups["items"][0]["count"], 2);
    let events = s.get_bearer("/api/v1/events?limit=1", &api).json();
    assert_eq!(events["total"], 4);
}

#[test]
fn malformed_lines_are_rejected_by_line_number_without_poisoning_the_batch() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let api = s.api_token("ana", "analyst");
    let body = format!(
        "{}\n{{broken\n{}\n{{\"timestamp\":\"never\",\"event_type\":\"flow\"}}\n{{\"event_type\":\"dns\"}}\n{}\n",
        flow("2023-11-14T22:13:20Z", 1),
        flow("2023-11-14T22:13:21Z", 2),
        r#"{"timestamp":"2023-11-14T22:13:22Z","event_type":"brand_new_type","whatever":{"x":1}}"#
    );
    let r = s.ingest(&sensor, 0, body.as_bytes(), &[]);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["stored"], 3, "{v}");
    assert_eq!(v["acked_seq"], 5);
    let lines: Vec<u64> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 4, 5], "{v}");
    assert!(v["rejected"][0]["error"].as_str().unwrap().contains("JSON"));
    let unknown = s
        .get_bearer("/api/v1/events?event_type=brand_new_type", &api)
        .json();
    assert_eq!(unknown["total"], 1, "unknown event types are stored");
}

#[test]
fn gzip_bodies_are_accepted() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(batch().as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let r = s.ingest(&sensor, 0, &body, &[("Content-Encoding", "gzip")]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["stored"], 3);
    let bad = s.ingest(
        &sensor,
        10,
        b"not gzip at all",
        &[("Content-Encoding", "gzip")],
    );
    assert_eq!(bad.status, 400);
    let br = s.ingest(&sensor, 10, b"x", &[("Content-Encoding", "br")]);
    assert_eq!(br.status, 415);
}

#[test]
fn oversized_bodies_are_refused_cleanly_and_the_server_stays_up() {
    let s = Server::start_with_config("max_body_bytes = 4096\nmax_decompressed_bytes = 8192\n");
    let sensor = s.sensor_token("edge-01");
    let big = flow("2023-11-14T22:13:20Z", 1).repeat(100);
    let r = s.ingest(&sensor, 0, big.as_bytes(), &[]);
    assert_eq!(r.status, 413, "{}", r.text());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 1 << 20]).unwrap();
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 4096);
    let r = s.ingest(&sensor, 0, &bomb, &[("Content-Encoding", "gzip")]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap_or("").contains("exceeds"));
    let ok = s.ingest(
        &sensor,
        0,
        (flow("2023-11-14T22:13:20Z", 1) + "\n").as_bytes(),
        &[],
    );
    assert_eq!(ok.status, 200);
    assert_eq!(s.req("GET", "/healthz", &[], b"").status, 200);
}

#[test]
fn real_suricata_sample_imports_completely() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/samples/suricata-eve-sample.json"
    );
    let s = Server::start();
    let api = s.api_token("ana", "analyst");
    let last = s.cli(&["import", "--sensor", "suricata-lab", sample]);
    assert!(
        last.contains("10874 stored") && last.contains("0 rejected"),
        "{last}"
    );
    let alerts = s.get_bearer("/api/v1/alerts?limit=5", &api).json();
    assert_eq!(alerts["total"], 3029);
    let events = s.get_bearer("/api/v1/events?limit=1", &api).json();
    assert_eq!(events["total"], 10874);
    // Importing the same lines again with the same sequence numbers stores nothing.
    let again = s.cli(&["import", "--sensor", "suricata-lab", "--seq", "0", sample]);
    assert!(
        again.contains("0 stored") && again.contains("10874 duplicates"),
        "{again}"
    );
}

#[test]
fn over_capacity_answers_429_with_retry_after_and_loses_nothing() {
    let s = std::sync::Arc::new(Server::start_with_config(
        "ingest_concurrency = 1\nretry_after_secs = 1\n",
    ));
    let sensor = s.sensor_token("edge-01");
    let api = s.api_token("ana", "analyst");
    const SENDERS: usize = 12;
    const LINES: u64 = 3000;
    let body: String = (0..LINES)
        .map(|j| flow("2023-11-14T22:13:20Z", j) + "\n")
        .collect();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(SENDERS));
    let handles: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (s, sensor, barrier, body) =
                (s.clone(), sensor.clone(), barrier.clone(), body.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let mut saw_429 = false;
                loop {
                    // Every sender ships the same batch, as a sensor retrying would.
                    let r = s.ingest(&sensor, 1, body.as_bytes(), &[]);
                    if r.status == 429 {
                        assert_eq!(r.header("retry-after"), Some("1"));
                        saw_429 = true;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        continue;
                    }
                    assert_eq!(r.status, 200, "{}", r.text());
                    assert_eq!(r.json()["acked_seq"].as_u64(), Some(LINES));
                    return saw_429;
                }
            })
        })
        .collect();
    let throttled = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|t| *t)
        .count();
    assert!(
        throttled > 0,
        "12 simultaneous batches, one ingest slot: some must wait"
    );
    let total = s.get_bearer("/api/v1/events?limit=1", &api).json()["total"].as_u64();
    assert_eq!(total, Some(LINES), "stored exactly once");
}

#[test]
fn a_batch_leaving_a_gap_is_refused_with_the_seq_to_resume_from() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-01");
    let line = flow("2023-11-14T22:13:20Z", 1) + "\n";
    // A sensor's first batch may start anywhere (here 1-based numbering).
    assert_eq!(
        s.ingest(&sensor, 1, line.as_bytes(), &[]).json()["acked_seq"],
        1
    );
    let gap = s.ingest(&sensor, 5, line.as_bytes(), &[]);
    assert_eq!(gap.status, 409, "{}", gap.text());
    assert_eq!(
        (
            gap.json()["acked_seq"].as_i64(),
            gap.json()["expected_seq"].as_i64()
        ),
        (Some(1), Some(2))
    );
    let next = s.ingest(&sensor, 2, line.as_bytes(), &[]);
    assert_eq!(next.json()["acked_seq"], 2);
    assert_eq!(next.json()["stored"], 1);
}

#[test]
fn a_gap_the_sensor_declares_lost_is_accepted() {
    let s = Server::start();
    let sensor = s.sensor_token("edge-02");
    let line = flow("2023-11-14T22:13:20Z", 1) + "\n";
    assert_eq!(s.ingest(&sensor, 0, line.as_bytes(), &[]).status, 200);
    // Numbers 1..=4 were dropped by the sensor's full spool.
    let after = s.ingest(&sensor, 5, line.as_bytes(), &[("X-Sensor-Lost", "4")]);
    assert_eq!(after.status, 200, "{}", after.text());
    assert_eq!(after.json()["acked_seq"], 5);
    assert_eq!(after.json()["stored"], 1);
}
