//! Suricata 7 EVE `dns` objects (version 2 format).

use super::message::{DnsAnswer, DnsRdata};
use super::names::{rcode_name, rrtype_name};
use super::state::DnsTx;
use serde_json::{Map, Value};

fn s(v: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(v).into_owned())
}

fn fmt_aaaa(a: &[u8; 16]) -> String {
    let mut out = String::with_capacity(39);
    for (i, pair) in a.chunks(2).enumerate() {
        if i > 0 {
            out.push(':');
        }
        for b in pair {
            out.push_str(&format!("{b:02x}"));
        }
    }
    out
}

/// Value of a record for `rdata` / `grouped`, or the named object for
/// SOA/SRV (`Err((key, object))`).
fn rdata_value(a: &DnsAnswer) -> Option<Result<Value, (&'static str, Value)>> {
    Some(match &a.rdata {
        DnsRdata::A(v) => Ok(Value::String(format!(
            "{}.{}.{}.{}",
            v[0], v[1], v[2], v[3]
        ))),
        DnsRdata::Aaaa(v) => Ok(Value::String(fmt_aaaa(v))),
        DnsRdata::Name(n) | DnsRdata::Txt(n) => Ok(s(n)),
        DnsRdata::Soa {
            mname,
            rname,
            serial,
            refresh,
            retry,
            expire,
            minimum,
        } => {
            let mut o = Map::new();
            o.insert("mname".into(), s(mname));
            o.insert("rname".into(), s(rname));
            o.insert("serial".into(), Value::from(*serial));
            o.insert("refresh".into(), Value::from(*refresh));
            o.insert("retry".into(), Value::from(*retry));
            o.insert("expire".into(), Value::from(*expire));
            o.insert("minimum".into(), Value::from(*minimum));
            Err(("soa", Value::Object(o)))
        }
        DnsRdata::Srv {
            priority,
            weight,
            port,
            name,
        } => {
            let mut o = Map::new();
            o.insert("priority".into(), Value::from(*priority));
            o.insert("weight".into(), Value::from(*weight));
            o.insert("port".into(), Value::from(*port));
            o.insert("name".into(), s(name));
            Err(("srv", Value::Object(o)))
        }
        DnsRdata::Other => return None,
    })
}

fn answer_json(a: &DnsAnswer) -> Value {
    let mut o = Map::new();
    o.insert("rrname".into(), s(&a.name));
    o.insert(
        "rrtype".into(),
        Value::String(rrtype_name(a.rrtype).into_owned()),
    );
    o.insert("ttl".into(), Value::from(a.ttl));
    match rdata_value(a) {
        Some(Ok(v)) => {
            o.insert("rdata".into(), v);
        }
        Some(Err((k, v))) => {
            o.insert(k.into(), v);
        }
        None => {}
    }
    Value::Object(o)
}

impl DnsTx {
    /// EVE `dns` objects for this transaction: one per query for a request,
    /// a single object for a response.
    pub fn eve_json(&self) -> Vec<Value> {
        let m = &self.message;
        if !m.is_response() {
            return m
                .queries
                .iter()
                .map(|q| {
                    let mut o = Map::new();
                    o.insert("version".into(), Value::from(2));
                    o.insert("type".into(), Value::String("query".into()));
                    o.insert("id".into(), Value::from(m.id));
                    o.insert("rrname".into(), s(&q.name));
                    o.insert(
                        "rrtype".into(),
                        Value::String(rrtype_name(q.rrtype).into_owned()),
                    );
                    o.insert("tx_id".into(), Value::from(self.tx_id));
                    o.insert("opcode".into(), Value::from(m.opcode()));
                    Value::Object(o)
                })
                .collect();
        }
        let mut o = Map::new();
        o.insert("version".into(), Value::from(2));
        o.insert("type".into(), Value::String("answer".into()));
        o.insert("id".into(), Value::from(m.id));
        o.insert("flags".into(), Value::String(format!("{:x}", m.flags)));
        for (bit, key) in [
            (0x8000u16, "qr"),
            (0x0400, "aa"),
            (0x0200, "tc"),
            (0x0100, "rd"),
            (0x0080, "ra"),
            (0x0040, "z"),
        ] {
            if m.flags & bit != 0 {
                o.insert(key.into(), Value::Bool(true));
            }
        }
        o.insert("opcode".into(), Value::from(m.opcode()));
        if let Some(q) = m.queries.first() {
            o.insert("rrname".into(), s(&q.name));
            o.insert(
                "rrtype".into(),
                Value::String(rrtype_name(q.rrtype).into_owned()),
            );
        }
        o.insert(
            "rcode".into(),
            Value::String(rcode_name(m.rcode()).into_owned()),
        );
        if !m.answers.is_empty() {
            o.insert(
                "answers".into(),
                Value::Array(m.answers.iter().map(answer_json).collect()),
            );
            let mut grouped = Map::new();
            for a in &m.answers {
                let v = match rdata_value(a) {
                    Some(Ok(v)) | Some(Err((_, v))) => v,
                    None => continue,
                };
                let key = rrtype_name(a.rrtype).into_owned();
                if let Value::Array(arr) = grouped
                    .entry(key)
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    arr.push(v);
                }
            }
            if !grouped.is_empty() {
                o.insert("grouped".into(), Value::Object(grouped));
            }
        }
        if !m.authorities.is_empty() {
            o.insert(
                "authorities".into(),
                Value::Array(m.authorities.iter().map(answer_json).collect()),
            );
        }
        vec![Value::Object(o)]
    }
}
