//! Suricata EVE `tls` object.

use super::state::TlsState;
use super::version_name;
use serde_json::{Map, Value};

impl TlsState {
    /// EVE `tls` object: subject, issuerdn, serial, fingerprint, sni,
    /// version, notbefore, notafter, ja3, ja3s (fields present when known).
    pub fn eve_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(c) = self.certificate() {
            m.insert("subject".into(), Value::String(c.subject.clone()));
            m.insert("issuerdn".into(), Value::String(c.issuer.clone()));
            m.insert("serial".into(), Value::String(c.serial.clone()));
            m.insert("fingerprint".into(), Value::String(c.fingerprint.clone()));
        }
        if let Some(sni) = self.sni() {
            m.insert(
                "sni".into(),
                Value::String(String::from_utf8_lossy(sni).into_owned()),
            );
        }
        m.insert(
            "version".into(),
            Value::String(version_name(self.version().unwrap_or(0))),
        );
        if let Some(c) = self.certificate() {
            if !c.not_before.is_empty() {
                m.insert("notbefore".into(), Value::String(c.not_before.clone()));
            }
            if !c.not_after.is_empty() {
                m.insert("notafter".into(), Value::String(c.not_after.clone()));
            }
        }
        for (key, s, h) in [
            ("ja3", self.ja3_string(), self.ja3_hash()),
            ("ja3s", self.ja3s_string(), self.ja3s_hash()),
        ] {
            if let (Some(s), Some(h)) = (s, h) {
                let mut o = Map::new();
                o.insert(
                    "hash".into(),
                    Value::String(String::from_utf8_lossy(h).into_owned()),
                );
                o.insert(
                    "string".into(),
                    Value::String(String::from_utf8_lossy(s).into_owned()),
                );
                m.insert(key.into(), Value::Object(o));
            }
        }
        Value::Object(m)
    }
}
