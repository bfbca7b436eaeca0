//! The EVE record.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One EVE JSON record (`event_type` alert, flow, http, dns, tls, anomaly, stats, …).
///
/// Field names are Suricata's. Fields that only some event types carry are optional and
/// omitted when absent; everything this struct does not name lands in [`Event::rest`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `2023-11-14T22:13:20.123456+0000`.
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcap_cnt: Option<u64>,
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proto: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_proto: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<Alert>,
    /// Everything else: `http`, `dns`, `tls`, `flow`, `stats`, `anomaly`, `vlan`, …
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// The `alert` object of an alert event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `allowed` or `blocked`.
    pub action: String,
    pub gid: u32,
    pub signature_id: u32,
    pub rev: u32,
    pub signature: String,
    #[serde(default)]
    pub category: String,
    pub severity: u32,
    /// Rule metadata as Suricata writes it: each key maps to the list of its values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl Event {
    /// A new event of the given type at the given time (microseconds since the epoch).
    pub fn new(event_type: &str, ts_micros: i64) -> Self {
        Event {
            timestamp: crate::format_timestamp(ts_micros),
            event_type: event_type.to_string(),
            ..Default::default()
        }
    }

    /// Parses one EVE JSON line.
    pub fn from_json(line: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(line)
    }

    /// Serializes to one compact JSON line (without the newline).
    pub fn to_json(&self) -> String {
        // Serializing this type cannot fail: every map key is a string.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_suricata_records_round_trip() {
        let line = r#"{"timestamp":"2023-11-14T22:13:20.123456+0000","flow_id":1234,"in_iface":"eth0","event_type":"alert","src_ip":"10.0.0.1","src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","community_id":"1:abc","alert":{"action":"allowed","gid":1,"signature_id":2000,"rev":3,"signature":"ET TEST","category":"Misc activity","severity":3,"metadata":{"created_at":["2020_01_01"]}},"http":{"hostname":"example.com","url":"/"},"app_proto":"http"}"#;
        let ev = Event::from_json(line).expect("parse");
        assert_eq!(ev.alert.as_ref().map(|a| a.signature_id), Some(2000));
        assert_eq!(ev.rest["in_iface"], "eth0");
        let back: Value = serde_json::from_str(&ev.to_json()).expect("json");
        let orig: Value = serde_json::from_str(line).expect("json");
        assert_eq!(back, orig);
    }

    #[test]
    fn sample_file_parses() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/suricata-eve-sample.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("missing sample EVE file {path}: {e} (needs ../shared beside the repo)")
        });
        let mut n = 0;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            Event::from_json(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
            n += 1;
        }
        assert!(n > 100, "only {n} events in the sample");
    }
}
