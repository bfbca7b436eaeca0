//! Helpers for the sensor's end-to-end tests: write a pcap and a rule file, run the real
//! `sensor` binary, read back its EVE records.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sensor_net::capture::{PcapWriter, Timestamp, LINKTYPE_ETHERNET};

/// A scratch folder removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("sensor-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
    pub fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes Ethernet frames, 1 ms apart, to a classic pcap.
pub fn write_pcap(path: &Path, frames: &[Vec<u8>]) {
    let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET).expect("create pcap");
    for (i, f) in frames.iter().enumerate() {
        w.write_packet(Timestamp::new(1_700_000_000, (i as u32) * 1000), f)
            .expect("write");
    }
    w.flush().expect("flush");
}

/// Writes timestamped frames.
pub fn write_pcap_ts(path: &Path, frames: &[(Timestamp, Vec<u8>)]) {
    let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET).expect("create pcap");
    for (ts, f) in frames {
        w.write_packet(*ts, f).expect("write");
    }
    w.flush().expect("flush");
}

/// The result of one `sensor run`.
pub struct Run {
    pub events: Vec<serde_json::Value>,
    pub stderr: String,
    pub status: i32,
}

impl Run {
    /// Alert counts by signature id.
    pub fn alerts(&self) -> BTreeMap<u64, usize> {
        let mut m = BTreeMap::new();
        for e in &self.events {
            if e["event_type"] == "alert" {
                *m.entry(e["alert"]["signature_id"].as_u64().unwrap_or(0))
                    .or_insert(0) += 1;
            }
        }
        m
    }
    pub fn count(&self, sid: u64) -> usize {
        self.alerts().get(&sid).copied().unwrap_or(0)
    }
    /// `pcap_cnt` of each alert of `sid`, in output order (0 for flow-end alerts).
    pub fn pcap_cnts(&self, sid: u64) -> Vec<u64> {
        self.events
            .iter()
            .filter(|e| e["event_type"] == "alert" && e["alert"]["signature_id"] == sid)
            .map(|e| e["pcap_cnt"].as_u64().unwrap_or(0))
            .collect()
    }
    pub fn of_type(&self, t: &str) -> Vec<&serde_json::Value> {
        self.events
            .iter()
            .filter(|e| e["event_type"] == t)
            .collect()
    }
}

/// Runs `sensor run -r pcap -S rules -l dir` plus `extra` arguments.
pub fn run_sensor(dir: &Scratch, frames_pcap: &Path, rules: &str, extra: &[&str]) -> Run {
    let rules_path = dir.path("test.rules");
    std::fs::write(&rules_path, rules).expect("write rules");
    let out = dir.path("out");
    let o = Command::new(env!("CARGO_BIN_EXE_sensor"))
        .arg("run")
        .arg("-r")
        .arg(frames_pcap)
        .arg("-S")
        .arg(&rules_path)
        .arg("-l")
        .arg(&out)
        .args(extra)
        .output()
        .expect("run sensor");
    let text = std::fs::read_to_string(out.join("eve.json")).unwrap_or_default();
    let events = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad EVE line {l}: {e}")))
        .collect();
    Run {
        events,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        status: o.status.code().unwrap_or(-1),
    }
}
