//! Observables (IPs, domains, hashes, URLs) found in EVE records, and validation of
//! observables typed in by hand.

use super::ObservableKind;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The observables of one EVE record: `src_ip`, `dest_ip`, `dns.rrname` (and the
/// `dns.queries`/`dns.answers` names of Suricata 7 records), `http.hostname`, `tls.sni`,
/// `http.url` (made absolute with the hostname), and MD5/SHA-1/SHA-256 hashes of
/// `fileinfo` and of an alert's `files`.
pub fn extract(v: &Value, out: &mut BTreeSet<(ObservableKind, String)>) {
    let text = |path: &[&str]| -> Option<&str> {
        let mut cur = v;
        for key in path {
            cur = cur.get(key)?;
        }
        cur.as_str()
    };
    let mut add = |kind: ObservableKind, raw: &str| {
        if let Ok(value) = normalize(kind, raw) {
            out.insert((kind, value));
        }
    };
    for key in ["src_ip", "dest_ip"] {
        if let Some(ip) = text(&[key]) {
            add(ObservableKind::Ip, ip);
        }
    }
    for path in [
        &["dns", "rrname"][..],
        &["http", "hostname"],
        &["tls", "sni"],
    ] {
        if let Some(name) = text(path) {
            add(ObservableKind::Domain, name);
        }
    }
    if let Some(dns) = v.get("dns") {
        for list in ["queries", "answers"] {
            for item in dns
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(name) = item.get("rrname").and_then(Value::as_str) {
                    add(ObservableKind::Domain, name);
                }
            }
        }
    }
    if let Some(url) = text(&["http", "url"]) {
        let absolute = match text(&["http", "hostname"]) {
            Some(host) if url.starts_with('/') => format!("http://{host}{url}"),
            _ => url.to_string(),
        };
        add(ObservableKind::Url, &absolute);
    }
    let mut files: Vec<&Value> = v.get("fileinfo").into_iter().collect();
    files.extend(
        v.get("files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    for f in files {
        for key in ["md5", "sha1", "sha256"] {
            if let Some(h) = f.get(key).and_then(Value::as_str) {
                add(ObservableKind::Hash, h);
            }
        }
    }
}

/// Checks and normalizes a value for its kind: addresses in canonical form, names and
/// hashes lower-case, URLs with a scheme. The error says what is wrong.
pub fn normalize(kind: ObservableKind, raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 2048 {
        return Err(format!("{kind}: expected 1-2048 characters"));
    }
    match kind {
        ObservableKind::Ip => s
            .parse::<IpAddr>()
            .map(|ip| ip.to_string())
            .map_err(|_| format!("ip: '{s}' is not an IPv4 or IPv6 address")),
        ObservableKind::Domain => {
            let name = s.trim_end_matches('.').to_ascii_lowercase();
            let ok = !name.is_empty()
                && name.len() <= 253
                && name.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                });
            if ok && name.parse::<IpAddr>().is_err() {
                Ok(name)
            } else {
                Err(format!("domain: '{s}' is not a DNS name"))
            }
        }
        ObservableKind::Hash => {
            let h = s.to_ascii_lowercase();
            if matches!(h.len(), 32 | 40 | 64) && h.chars().all(|c| c.is_ascii_hexdigit()) {
                Ok(h)
            } else {
                Err(format!(
                    "hash: '{s}' is not an MD5, SHA-1 or SHA-256 hex digest"
                ))
            }
        }
        ObservableKind::Url => {
            let ok = ["http://", "https://", "ftp://"]
                .iter()
                .any(|p| s.len() > p.len() && s[..p.len()].eq_ignore_ascii_case(p))
                && !s.chars().any(char::is_whitespace);
            if ok {
                Ok(s.to_string())
            } else {
                Err(format!(
                    "url: '{s}' must start with http://, https:// or ftp:// and have no spaces"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(v: &Value) -> Vec<(ObservableKind, String)> {
        let mut out = BTreeSet::new();
        extract(v, &mut out);
        out.into_iter().collect()
    }

    #[test]
    fn extracts_addresses_names_urls_and_hashes() {
        let v = json!({
            "src_ip": "10.0.0.66", "dest_ip": "2001:db8::1",
            "http": {"hostname": "Shop.City.TEST", "url": "/login.php?id=1"},
            "tls": {"sni": "cdn.example.org"},
            "dns": {"rrname": "evil.example.com", "answers": [{"rrname": "evil.example.com"}, {"rrname": "alias.example.net"}]},
            "fileinfo": {"md5": "D41D8CD98F00B204E9800998ECF8427E", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            "files": [{"sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}],
        });
        let got = all(&v);
        let has = |k: ObservableKind, val: &str| got.contains(&(k, val.to_string()));
        assert!(has(ObservableKind::Ip, "10.0.0.66"), "{got:?}");
        assert!(has(ObservableKind::Ip, "2001:db8::1"), "{got:?}");
        assert!(has(ObservableKind::Domain, "shop.city.test"), "{got:?}");
        assert!(has(ObservableKind::Domain, "cdn.example.org"), "{got:?}");
        assert!(has(ObservableKind::Domain, "evil.example.com"), "{got:?}");
        assert!(has(ObservableKind::Domain, "alias.example.net"), "{got:?}");
        assert!(
            has(ObservableKind::Url, "http://Shop.City.TEST/login.php?id=1"),
            "{got:?}"
        );
        assert!(
            has(ObservableKind::Hash, "d41d8cd98f00b204e9800998ecf8427e"),
            "{got:?}"
        );
        assert!(
            has(
                ObservableKind::Hash,
                "da39a3ee5e6b4b0d3255bfef95601890afd80709"
            ),
            "{got:?}"
        );
        assert_eq!(got.len(), 10, "{got:?}");
    }

    #[test]
    fn a_record_without_fields_yields_nothing_and_junk_is_skipped() {
        assert!(all(&json!({"event_type": "stats"})).is_empty());
        let got = all(&json!({"src_ip": "not-an-ip", "tls": {"sni": "bad name"}}));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn manual_values_are_checked_for_their_kind() {
        assert_eq!(
            normalize(ObservableKind::Ip, " 192.0.2.1 ").unwrap(),
            "192.0.2.1"
        );
        assert!(normalize(ObservableKind::Ip, "192.0.2.300").is_err());
        assert_eq!(
            normalize(ObservableKind::Domain, "WWW.Example.com.").unwrap(),
            "www.example.com"
        );
        assert!(normalize(ObservableKind::Domain, "10.0.0.1").is_err());
        assert!(normalize(ObservableKind::Hash, "abc").is_err());
        assert!(normalize(ObservableKind::Url, "javascript:alert(1)").is_err());
        assert!(normalize(ObservableKind::Url, "https://x.test/a").is_ok());
    }
}
