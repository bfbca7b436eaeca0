//! Types of rulesets (versioned rule files that sensors poll) and sensor health
//! (heartbeats).

use serde::{Deserialize, Serialize};

/// A ruleset version without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulesetInfo {
    /// The version number (1, 2, …); sensors see it as the `ETag`.
    pub version: i64,
    /// File name given at upload.
    pub name: String,
    /// Who uploaded it (`user:NAME` or `cli`).
    pub uploaded_by: String,
    /// When (µs since the epoch).
    pub uploaded: i64,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// Rules that load.
    pub rules_loaded: i64,
    /// Rules sensors will skip.
    pub rules_skipped: i64,
    /// The validation report (JSON of `rulecheck::RulesetReport`).
    pub report: String,
    /// When it was last published (µs), if ever.
    pub published: Option<i64>,
    /// True for the version sensors are told to run.
    pub active: bool,
}

/// A new ruleset version to store.
#[derive(Debug, Clone)]
pub struct NewRuleset {
    /// File name.
    pub name: String,
    /// The rules.
    pub text: String,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// Rules that load.
    pub rules_loaded: i64,
    /// Rules sensors will skip.
    pub rules_skipped: i64,
    /// The validation report, JSON.
    pub report: String,
}

/// What a sensor reports in its heartbeat (`POST /api/v1/sensor/heartbeat`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeartbeatReport {
    /// The sensor program's version.
    pub version: String,
    /// The ruleset version it runs (`local`: its own files).
    pub ruleset_version: String,
    /// The last ruleset that failed to load on the sensor.
    pub ruleset_error: Option<String>,
    /// Seconds since the sensor started.
    pub uptime_secs: u64,
    /// Capture interface.
    pub interface: String,
    /// Packets processed.
    pub packets: u64,
    /// Kernel drops.
    pub kernel_drops: u64,
    /// Events the sensor dropped itself (spool cap).
    pub internal_drops: u64,
    /// Spool bytes.
    pub spool_bytes: u64,
    /// Events waiting in the spool.
    pub spool_events: u64,
    /// Last sequence number the server acknowledged, as the sensor knows it.
    pub last_ack_seq: i64,
    /// Events written since the sensor's spool began.
    pub events: u64,
    /// Seconds between heartbeats.
    pub interval_secs: u64,
}

/// A sensor with its latest heartbeat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensorHealth {
    /// Sensor name.
    pub name: String,
    /// Last ingest (µs).
    pub last_seen: Option<i64>,
    /// Last heartbeat (µs).
    pub last_heartbeat: Option<i64>,
    /// Sequence high-water mark on the server.
    pub acked_seq: i64,
    /// The latest heartbeat.
    pub report: Option<HeartbeatReport>,
    /// Events per second between the last two heartbeats.
    pub events_per_sec: Option<f64>,
}

impl SensorHealth {
    /// The last contact (ingest or heartbeat).
    pub fn last_contact(&self) -> Option<i64> {
        self.last_seen.max(self.last_heartbeat)
    }

    /// No contact for more than three heartbeat intervals (30 s when unknown).
    pub fn silent(&self, now: i64) -> bool {
        let interval = self.report.as_ref().map_or(30, |r| r.interval_secs.max(1));
        match self.last_contact() {
            Some(t) => now - t > 3 * i64::try_from(interval).unwrap_or(30) * 1_000_000,
            None => true,
        }
    }
}
