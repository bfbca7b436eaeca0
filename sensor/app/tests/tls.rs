//! TLS parser tests on streams extracted from suricata-verify captures;
//! expected values are Suricata 7.0.10's EVE output for the same captures.

use sensor_app::{probe_tcp, AppConfig, AppEvent, AppProto, AppState, Direction, Probe};

const GOOGLE_C: &[u8] = include_bytes!("data/google.c");
const GOOGLE_S: &[u8] = include_bytes!("data/google.s");
const SELKS_C: &[u8] = include_bytes!("data/selks.c");
const SELKS_S: &[u8] = include_bytes!("data/selks.s");

fn run(c: &[u8], s: &[u8], step: usize) -> (AppState, Vec<AppEvent>) {
    let mut st = AppState::new(AppProto::Tls, true, &AppConfig::default());
    let mut ev = Vec::new();
    for chunk in c.chunks(step) {
        st.parse(Direction::ToServer, chunk, 0, &mut ev);
    }
    for chunk in s.chunks(step) {
        st.parse(Direction::ToClient, chunk, 0, &mut ev);
    }
    (st, ev)
}

#[test]
fn google_handshake_any_split() {
    assert_eq!(
        probe_tcp(Direction::ToServer, GOOGLE_C, 54684, 443),
        Probe::Detected(AppProto::Tls)
    );
    for step in [1, 7, 100, 100_000] {
        let (st, ev) = run(GOOGLE_C, GOOGLE_S, step);
        assert!(ev.contains(&AppEvent::TlsClientHello));
        assert!(ev.contains(&AppEvent::TlsServerHello));
        assert!(ev.contains(&AppEvent::TlsCertificate), "step {step}");
        let t = st.tls().expect("tls");
        assert_eq!(t.sni(), Some(&b"www.google.com"[..]));
        assert_eq!(
            t.ja3_string(),
            Some(&b"771,49195-49199-52393-52392-49162-49161-49171-49187-49191-49172-49160-49170-158-52394-51-50-103-57-56-107-22-19-156-47-60-53-61-10-5-4,0-65281-10-11-13172-16-13,23-24-25,0"[..])
        );
        assert_eq!(t.ja3_hash(), Some(&b"39d8c2cad4b5f346d621cbcca5b6189b"[..]));
        assert_eq!(t.ja3s_string(), Some(&b"771,49199,65281-0-16-11"[..]));
        assert_eq!(
            t.ja3s_hash(),
            Some(&b"673d9e3a3d636167965beda377536bd7"[..])
        );
        assert_eq!(
            t.cert_subject(),
            Some(&b"C=US, ST=California, L=Mountain View, O=Google Inc, CN=www.google.com"[..])
        );
        assert_eq!(
            t.cert_issuer(),
            Some(&b"C=US, O=Google Inc, CN=Google Internet Authority G2"[..])
        );
        assert_eq!(t.cert_serial(), Some(&b"2B:A2:F5:3B:B5:85:83:75"[..]));
        assert_eq!(
            t.cert_fingerprint(),
            Some(&b"90:86:a4:3b:f5:cf:1b:2e:4e:f7:97:96:f9:de:ba:b9:66:35:86:3f"[..])
        );
        let j = t.eve_json();
        assert_eq!(j["version"], "TLS 1.2");
        assert_eq!(j["notbefore"], "2016-09-14T08:20:40");
        assert_eq!(j["notafter"], "2016-12-07T08:19:00");
        assert_eq!(j["ja3"]["hash"], "39d8c2cad4b5f346d621cbcca5b6189b");
    }
}

#[test]
fn selks_handshake() {
    let (st, ev) = run(SELKS_C, SELKS_S, 3);
    assert!(ev.contains(&AppEvent::TlsCertificate));
    let t = st.tls().expect("tls");
    assert_eq!(t.sni(), None);
    assert_eq!(t.ja3_hash(), Some(&b"308b0bd904abbef5e0034a1ff7a78920"[..]));
    assert_eq!(
        t.ja3s_hash(),
        Some(&b"ccc514751b175866924439bdbb5bba34"[..])
    );
    let c = t.certificate().expect("cert");
    assert_eq!(c.subject, "C=FR, ST=IDF, L=Paris, O=Stamus, CN=SELKS");
    assert_eq!(c.serial, "00:97:E6:47:09:8E:EA:C9:B4");
    assert_eq!(
        c.fingerprint,
        "3a:0b:3b:23:15:2c:44:5c:27:ac:6a:0c:41:d6:fa:74:af:b4:09:5b"
    );
    assert_eq!(c.not_after, "2025-02-09T18:07:27");
}

#[test]
fn invalid_record_type_and_gap() {
    let mut st = AppState::new(AppProto::Tls, true, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, b"\x40\x03\x01\x00\x01x", 0, &mut ev);
    assert!(ev.contains(&AppEvent::Anomaly("tls.invalid_record_type")));
    st.gap(Direction::ToClient, 10, &mut ev);
    st.parse(Direction::ToClient, GOOGLE_S, 0, &mut ev);
    assert!(st.tls().expect("tls").server_hello().is_none());
}

fn anomalies(ev: &[AppEvent]) -> Vec<&'static str> {
    ev.iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// Regression: every heartbeat raised "heartbeat encountered", which Suricata 7 never
/// raises; it checks heartbeats for heartbleed (CVE-2014-0160) instead.
#[test]
fn heartbeats_are_checked_like_suricata() {
    let hb = |typ: u8, payload_len: u16, record_len: u16| {
        let mut r = vec![24, 3, 2];
        r.extend_from_slice(&record_len.to_be_bytes());
        r.push(typ);
        r.extend_from_slice(&payload_len.to_be_bytes());
        r.extend(std::iter::repeat_n(0u8, usize::from(record_len) - 3));
        r
    };
    for step in [1, 100_000] {
        // A well-formed request and response: nothing.
        let (_, ev) = run(&hb(1, 16, 35), &hb(2, 16, 35), step);
        assert!(anomalies(&ev).is_empty(), "{ev:?}");
        // Heartbleed request: payload length beyond the record.
        let (_, ev) = run(&hb(1, 0x4000, 35), &[], step);
        assert_eq!(anomalies(&ev), ["tls.overflow_heartbeat_message"]);
        // Padding under 16 bytes.
        let (_, ev) = run(&hb(1, 16, 30), &[], step);
        assert_eq!(anomalies(&ev), ["tls.invalid_heartbeat_message"]);
        // Unknown type before encryption.
        let (_, ev) = run(&hb(7, 16, 35), &[], step);
        assert_eq!(anomalies(&ev), ["tls.invalid_heartbeat_message"]);
    }
    // After ChangeCipherSpec: an encrypted answer longer than its request leaks data.
    let mut c = vec![20, 3, 2, 0, 1, 1];
    c.extend(hb(1, 0, 40));
    let (_, ev) = run(&c, &hb(2, 0, 4000), 100_000);
    assert_eq!(anomalies(&ev), ["tls.dataleak_heartbeat_mismatch"]);
}
