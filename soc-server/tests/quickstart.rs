//! `soc-server quickstart` end to end: generated capture → real sensor binary → real ingest
//! → alerts through the API; replaying the same batches stores nothing twice.
//!
//! Needs the `sensor` binary: `SOC_SENSOR_BIN`, next to `soc-server`, or on `PATH`. Without
//! it the end-to-end test reports that it was skipped.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

fn sensor_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SOC_SENSOR_BIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Some(p);
    }
    let beside = PathBuf::from(BIN).parent()?.join("sensor");
    if beside.is_file() {
        return Some(beside);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("sensor"))
        .find(|p| p.is_file())
}

#[test]
fn quickstart_alerts_reach_the_api_and_replays_store_nothing_twice() {
    // `cargo test --workspace` builds the sensor next to soc-server; a missing binary is a
    // failure, never a skip.
    let sensor = sensor_binary().expect(
        "no sensor binary: run the workspace tests (cargo test --workspace) or set SOC_SENSOR_BIN",
    );
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "quickstart",
            "--no-serve",
            "--listen",
            "127.0.0.1:0",
            "--sensor-bin",
        ])
        .arg(&sensor)
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Console: http://127.0.0.1:"), "{stdout}");
    let password = stdout.lines().last().unwrap_or("").to_string();
    assert_eq!(
        password.len(),
        20,
        "password alone on the last line: {stdout}"
    );
    let eve = data.path().join("quickstart/eve/eve.json");

    let s = Server::start_in(data, "");
    s.login("admin", &password);
    let api = s.cli(&["token", "add", "--user", "admin"]);
    let v = s.get_bearer("/api/v1/alerts?limit=100", &api).json();
    let mut sids: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alert"]["signature_id"].as_i64().unwrap())
        .collect();
    sids.sort_unstable();
    sids.dedup();
    for want in [
        1000001, 1000002, 1000003, 1000004, 1000010, 1000011, 1000015, 1000030, 1000040,
    ] {
        assert!(sids.contains(&want), "sid {want} missing from {sids:?}");
    }
    let dns = s.get_bearer("/api/v1/alerts?q=sid:1000030", &api).json();
    let a = &dns["items"][0];
    assert_eq!(
        (
            a["src_ip"].as_str(),
            a["dest_ip"].as_str(),
            a["dest_port"].as_i64()
        ),
        (Some("10.10.0.23"), Some("10.20.0.53"), Some(53))
    );
    assert_eq!(a["app_proto"], "dns");
    let total = v["total"].as_i64().unwrap();

    // A second sensor replays the same file twice: stored once.
    let token = s.sensor_token("replay");
    let first = soc_server::quickstart::ship_file(&s.addr, &token, &eve).unwrap();
    let second = soc_server::quickstart::ship_file(&s.addr, &token, &eve).unwrap();
    assert!(first.stored > 0);
    assert_eq!(second.stored, 0);
    let after = s.get_bearer("/api/v1/alerts?q=sensor:replay", &api).json();
    assert_eq!(after["total"].as_i64(), Some(total));
}

#[test]
fn quickstart_without_a_sensor_binary_says_how_to_get_one() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "quickstart",
            "--no-serve",
            "--listen",
            "127.0.0.1:0",
            "--sensor-bin",
            "/nonexistent/sensor",
        ])
        .arg("--data")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sensor does not exist"));
    let out = Command::new(BIN)
        .args(["quickstart", "--no-serve", "--listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(data.path())
        .env("PATH", "")
        .env_remove("SOC_SENSOR_BIN")
        .output()
        .unwrap();
    if PathBuf::from(BIN)
        .parent()
        .unwrap()
        .join("sensor")
        .is_file()
    {
        return;
    }
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not found") && err.contains("--sensor-bin"),
        "{err}"
    );
}
