//! Finding and running the real `sensor` binary on the generated capture.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's default rules, compiled in as a fallback when the file is not on disk.
const EMBEDDED_RULES: &str = include_str!("../../../rules/sensor.rules");

/// `explicit`, else `sensor` next to this executable, else on `PATH`.
pub fn find_sensor_binary(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        bail!("sensor binary {} does not exist", p.display());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join("sensor")));
    if let Some(p) = beside.as_ref().filter(|p| p.is_file()) {
        return Ok(p.clone());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join("sensor");
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!(
        "the `sensor` binary was not found next to soc-server ({}) or on PATH; build it with \
         `cargo build --release -p sensor` or pass --sensor-bin PATH",
        beside
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "?".into())
    )
}

/// `explicit`, else `rules/sensor.rules` here or in the source tree, else the embedded copy
/// written to `work/sensor.rules`.
pub fn find_rules(explicit: Option<&Path>, work: &Path) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        bail!("rule file {} does not exist", p.display());
    }
    let candidates = [
        PathBuf::from("rules/sensor.rules"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/sensor.rules"),
    ];
    if let Some(p) = candidates.iter().find(|p| p.is_file()) {
        return Ok(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
    }
    let p = work.join("sensor.rules");
    std::fs::write(&p, EMBEDDED_RULES).with_context(|| format!("writing {}", p.display()))?;
    Ok(p)
}

/// Runs `sensor run -r PCAP -S RULES -l OUTDIR`; returns the path of `eve.json`.
pub fn run_sensor(bin: &Path, pcap: &Path, rules: &Path, out: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let eve = out.join("eve.json");
    if eve.exists() {
        std::fs::remove_file(&eve).with_context(|| format!("removing old {}", eve.display()))?;
    }
    println!(
        "running {} run -r {} -S {} -l {}",
        bin.display(),
        pcap.display(),
        rules.display(),
        out.display()
    );
    let status = Command::new(bin)
        .arg("run")
        .arg("-r")
        .arg(pcap)
        .arg("-S")
        .arg(rules)
        .arg("-l")
        .arg(out)
        .status()
        .with_context(|| format!("starting {}", bin.display()))?;
    if !status.success() {
        bail!("{} exited with {status}", bin.display());
    }
    if !eve.is_file() {
        bail!("the sensor wrote no {}", eve.display());
    }
    Ok(eve)
}
