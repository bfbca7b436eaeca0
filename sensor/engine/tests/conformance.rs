//! The external alert conformance corpus (`../shared/conformance`, from suricata-verify),
//! run through the real `sensor` binary with the corpus' own runner.
//!
//! The bar: at least 90% of all cases and 90% of the cases that expect alerts.

use std::path::PathBuf;
use std::process::Command;

fn corpus() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        dir.join("run.py").is_file(),
        "conformance corpus missing: expected {} (the shared/ folder beside the repository)",
        dir.display()
    );
    dir
}

#[test]
fn conformance_corpus_passes_at_least_90_percent() {
    let dir = corpus();
    let sensor = env!("CARGO_BIN_EXE_sensor");
    let keep = std::env::temp_dir().join(format!("sensor-conformance-{}", std::process::id()));
    let out = Command::new("python3")
        .arg(dir.join("run.py"))
        .arg("--sensor")
        .arg(format!(
            "{sensor} run -r {{pcap}} -S {{rules}} -l {{outdir}}"
        ))
        .arg("--keep")
        .arg(&keep)
        .output()
        .expect("python3 is needed to run the conformance corpus (apt-get install python3)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&keep);
    // Cases that expect alerts, from the index.
    let index = std::fs::read_to_string(dir.join("cases.tsv")).expect("cases.tsv");
    let expects: Vec<&str> = index
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.get(2) == Some(&"yes")).then(|| cols[0])
        })
        .collect();
    let mut passed = 0usize;
    let mut failed = Vec::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("PASS ") {
            passed += 1;
            let _ = rest;
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            failed.push(rest.split(':').next().unwrap_or(rest).trim().to_string());
        }
    }
    let total = passed + failed.len();
    assert_eq!(total, 77, "expected 77 cases, runner said:\n{stdout}");
    let alert_total = expects.len();
    let alert_failed = failed
        .iter()
        .filter(|f| expects.contains(&f.as_str()))
        .count();
    let alert_passed = alert_total - alert_failed;
    println!("conformance: {passed}/{total} cases, {alert_passed}/{alert_total} alert cases; failing: {failed:?}");
    assert!(
        passed * 10 >= total * 9,
        "only {passed} of {total} conformance cases pass (need 90%); failing: {failed:?}\n{stdout}"
    );
    assert!(
        alert_passed * 10 >= alert_total * 9,
        "only {alert_passed} of {alert_total} alert cases pass (need 90%); failing: {failed:?}"
    );
}
