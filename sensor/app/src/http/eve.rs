//! Suricata EVE `http` object for a transaction.

use super::tx::HttpTx;
use serde_json::{Map, Value};

fn s(v: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(v).into_owned())
}

impl HttpTx {
    /// EVE `http` object as Suricata writes it (headers not included).
    ///
    /// `dest_port` is the flow's server port; `http_port` is only written
    /// when the Host header carries a port.
    pub fn eve_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(h) = self.host() {
            m.insert("hostname".into(), s(h));
        }
        if let Some(p) = self.host_port() {
            m.insert("http_port".into(), Value::from(p));
        }
        if !self.uri_raw.is_empty() {
            m.insert("url".into(), s(&self.uri_raw));
        }
        if let Some(v) = self.user_agent() {
            m.insert("http_user_agent".into(), s(v));
        }
        if let Some(v) = self.response_content_type() {
            let ct = v
                .split(|c| *c == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            m.insert("http_content_type".into(), s(ct));
        }
        if let Some(v) = self.referer() {
            m.insert("http_refer".into(), s(v));
        }
        if !self.method.is_empty() {
            m.insert("http_method".into(), s(&self.method));
        }
        if !self.protocol.is_empty() {
            m.insert("protocol".into(), s(&self.protocol));
        }
        if let Some(st) = self.status {
            m.insert("status".into(), Value::from(st));
        }
        if let Some(v) = self.location() {
            m.insert("redirect".into(), s(v));
        }
        m.insert("length".into(), Value::from(self.response_body_len));
        Value::Object(m)
    }

    /// Port given in the Host header (or absolute URI), if any.
    pub fn host_port(&self) -> Option<u16> {
        if let Some(p) = self.uri_port {
            return Some(p);
        }
        let raw = self.req_headers.get(b"host")?;
        let (_, port) = super::normalize::split_host_port(raw.trim_ascii());
        let port = port?;
        std::str::from_utf8(port).ok()?.parse().ok()
    }

    /// Request and response headers as EVE arrays of `{name, value}`.
    pub fn eve_headers(&self) -> (Value, Value) {
        let conv = |hs: &super::headers::HeaderSet| {
            Value::Array(
                hs.headers()
                    .iter()
                    .map(|h| {
                        let mut o = Map::new();
                        o.insert("name".into(), s(&h.name));
                        o.insert("value".into(), s(&h.value));
                        Value::Object(o)
                    })
                    .collect(),
            )
        };
        (conv(&self.req_headers), conv(&self.resp_headers))
    }
}
