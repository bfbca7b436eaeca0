//! Loads the ET Open ruleset and the conformance rule files.

use sensor_rules::{load_files, Vars};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[test]
fn et_open_loads() {
    let path = PathBuf::from("/work/shared/bench/rules/et-open.rules");
    assert!(
        path.exists(),
        "ET Open rules missing at {} (the bench corpus is required for this test)",
        path.display()
    );
    let t = Instant::now();
    let report = load_files(std::slice::from_ref(&path), &Vars::default());
    let elapsed = t.elapsed();
    let loaded = report.rules.len();
    let skipped = report.skipped.len();
    let total = loaded + skipped;
    println!("ET Open: {loaded} loaded, {skipped} skipped of {total} in {elapsed:?}");
    for (reason, n) in report.top_reasons(15) {
        println!("  {n:>6}  {reason}");
    }
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        loaded * 10 >= total * 9,
        "only {loaded} of {total} rules loaded"
    );
    assert!(report
        .summary()
        .ends_with(&format!("{loaded} loaded, {skipped} skipped")));
}

#[test]
fn conformance_rules_load_without_skips() {
    let dir = Path::new("/work/shared/conformance/cases");
    assert!(
        dir.exists(),
        "conformance corpus missing at {}",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read conformance dir")
        .filter_map(Result::ok)
        .map(|e| e.path().join("test.rules"))
        .filter(|p| p.exists())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut loaded = 0;
    for f in &files {
        let r = load_files(std::slice::from_ref(f), &Vars::default());
        loaded += r.rules.len();
        for s in &r.skipped {
            if s.keyword == "sid" {
                // duplicates inside one test file are intentional in some cases
                continue;
            }
            failures.push(format!(
                "{}:{}: sid {:?}: `{}`: {}",
                s.file.display(),
                s.line,
                s.sid,
                s.keyword,
                s.reason
            ));
        }
    }
    println!("conformance: {} files, {loaded} rules loaded", files.len());
    for f in &failures {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} conformance rules skipped",
        failures.len()
    );
}

#[test]
fn legacy_supplement_loads() {
    let path = PathBuf::from("/work/shared/bench/rules/et-open-legacy-supplement.rules");
    if !path.exists() {
        println!("legacy supplement missing at {}; skipped", path.display());
        return;
    }
    let report = load_files(std::slice::from_ref(&path), &Vars::default());
    let total = report.rules.len() + report.skipped.len();
    println!(
        "legacy supplement: {} loaded of {total}",
        report.rules.len()
    );
    for (reason, n) in report.top_reasons(5) {
        println!("  {n:>6}  {reason}");
    }
    // Suricata 7.0.10 loads every rule of this file; so do we.
    assert!(report.skipped.is_empty(), "{}", report.summary());
}
