//! Operational numbers (for `/metrics`) and dashboard aggregates the store hands out.

use serde::Serialize;

/// Sizes and counts of the store.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StoreStats {
    /// Bytes of the database files (main file and write-ahead log).
    pub file_bytes: u64,
    /// Bytes of the database in use (pages not free).
    pub used_bytes: u64,
    /// Events stored (all partitions).
    pub events: u64,
    /// Alerts stored.
    pub alerts: u64,
    /// Alert groups.
    pub groups: u64,
    /// Time partitions.
    pub partitions: u64,
    /// Per sensor: name, last ingest (µs) and events declared lost.
    pub sensors: Vec<SensorStat>,
}

/// One sensor's health numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SensorStat {
    /// Name.
    pub name: String,
    /// Last ingest (µs since the epoch).
    pub last_seen: Option<i64>,
    /// Sequence high-water mark.
    pub acked_seq: i64,
    /// Events the sensor declared lost.
    pub lost_events: i64,
}

/// What the dashboards aggregate: alerts with `since <= ts < until` (µs).
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardQuery {
    /// Start (µs).
    pub since: i64,
    /// End (µs, exclusive).
    pub until: i64,
    /// Width of a chart bucket (µs).
    pub bucket: i64,
    /// Entries per top list.
    pub top: u32,
}

/// One entry of a top list: what (a signature, an address, a sensor) and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopEntry {
    /// The value (an address, a sensor name, a signature text).
    pub key: String,
    /// The signature id, for signatures.
    pub sid: Option<i64>,
    /// Alerts.
    pub count: u64,
}

/// Dashboard aggregates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dashboard {
    /// Alerts in the window.
    pub total: u64,
    /// Alerts per bucket: (bucket start µs, count), every bucket of the window.
    pub series: Vec<(i64, u64)>,
    /// Top signatures.
    pub signatures: Vec<TopEntry>,
    /// Top sources.
    pub sources: Vec<TopEntry>,
    /// Top destinations.
    pub destinations: Vec<TopEntry>,
    /// Top sensors.
    pub sensors: Vec<TopEntry>,
    /// Alerts per severity: (severity, count).
    pub severities: Vec<(i64, u64)>,
}
