//! DNS parser tests (UDP and TCP framing, compression, EVE shape).

use sensor_app::{probe_tcp, probe_udp, AppConfig, AppEvent, AppProto, AppState, Direction, Probe};
use serde_json::json;

fn name(out: &mut Vec<u8>, n: &str) {
    for l in n.split('.') {
        out.push(l.len() as u8);
        out.extend_from_slice(l.as_bytes());
    }
    out.push(0);
}

fn query(id: u16, qname: &str, qtype: u16) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    name(&mut m, qname);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m
}

/// Response to `google.com A` with a CNAME (compressed) and two A records.
fn response() -> Vec<u8> {
    let mut m = Vec::new();
    m.extend_from_slice(&[0x10, 0x32, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0]);
    name(&mut m, "google.com");
    m.extend_from_slice(&[0, 1, 0, 1]);
    // CNAME google.com -> www.google.com (pointer to offset 12)
    m.extend_from_slice(&[
        0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 6, 3, b'w', b'w', b'w', 0xc0, 12,
    ]);
    for last in [4u8, 5] {
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 1, 0x40, 0xef, 0, 4, 1, 2, 3, last]);
    }
    m
}

#[test]
fn udp_query_and_answer_eve() {
    let cfg = AppConfig::default();
    let mut st = AppState::new(AppProto::Dns, false, &cfg);
    let mut ev = Vec::new();
    let q = query(0x1032, "google.com", 1);
    assert_eq!(probe_udp(&q, 41424, 53), Probe::Detected(AppProto::Dns));
    // Like Suricata, DNS over UDP is only probed on port 53.
    assert_eq!(probe_udp(&q, 1000, 2000), Probe::NotRecognized);
    st.parse(Direction::ToServer, &q, 0, &mut ev);
    assert_eq!(ev, vec![AppEvent::Dns(0)]);
    let dns = st.dns().expect("dns");
    let tx = dns.tx(0).expect("tx");
    assert_eq!(
        tx.queries().first().map(|q| q.name.as_slice()),
        Some(&b"google.com"[..])
    );
    assert_eq!(
        tx.eve_json(),
        vec![
            json!({"version":2,"type":"query","id":4146,"rrname":"google.com","rrtype":"A","tx_id":0,"opcode":0})
        ]
    );
    ev.clear();
    st.parse(Direction::ToClient, &response(), 0, &mut ev);
    assert_eq!(ev, vec![AppEvent::Dns(1)]);
    let tx = st.dns().expect("dns").tx(1).expect("tx");
    assert!(tx.is_response());
    assert_eq!(
        tx.eve_json(),
        vec![
            json!({"version":2,"type":"answer","id":4146,"flags":"8180","qr":true,"rd":true,"ra":true,"opcode":0,
            "rrname":"google.com","rrtype":"A","rcode":"NOERROR",
            "answers":[{"rrname":"google.com","rrtype":"CNAME","ttl":300,"rdata":"www.google.com"},
                       {"rrname":"google.com","rrtype":"A","ttl":82159,"rdata":"1.2.3.4"},
                       {"rrname":"google.com","rrtype":"A","ttl":82159,"rdata":"1.2.3.5"}],
            "grouped":{"CNAME":["www.google.com"],"A":["1.2.3.4","1.2.3.5"]}})
        ]
    );
}

#[test]
fn tcp_framing_split_anywhere() {
    let mut stream = Vec::new();
    for (i, n) in ["a.example", "b.example"].iter().enumerate() {
        let q = query(i as u16, n, 28);
        stream.extend_from_slice(&(q.len() as u16).to_be_bytes());
        stream.extend_from_slice(&q);
    }
    assert_eq!(
        probe_tcp(Direction::ToServer, &stream, 5000, 53),
        Probe::Detected(AppProto::Dns)
    );
    assert_eq!(
        probe_tcp(Direction::ToServer, &stream, 5000, 54),
        Probe::NotRecognized
    );
    for step in [1, 3, stream.len()] {
        let mut st = AppState::new(AppProto::Dns, true, &AppConfig::default());
        let mut names = Vec::new();
        for chunk in stream.chunks(step) {
            let mut ev = Vec::new();
            st.parse(Direction::ToServer, chunk, 0, &mut ev);
            for e in ev {
                if let AppEvent::Dns(id) = e {
                    let tx = st.dns().expect("dns").tx(id).expect("tx");
                    names.extend(tx.queries().iter().map(|q| q.name.clone()));
                }
            }
        }
        assert_eq!(
            names,
            vec![b"a.example".to_vec(), b"b.example".to_vec()],
            "step {step}"
        );
    }
}

#[test]
fn self_pointer_without_pivot_is_malformed_and_unreported_alone() {
    let mut m = vec![0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    name(&mut m, "x.org");
    m.extend_from_slice(&[0, 1, 0, 1]);
    // answer name points to itself
    let here = m.len() as u8;
    m.extend_from_slice(&[0xc0, here, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 1, 1, 1]);
    let mut st = AppState::new(AppProto::Dns, false, &AppConfig::default());
    let mut ev = Vec::new();
    // Suricata sets malformed_data on the newest transaction; with none
    // created in this datagram the event is lost.
    st.parse(Direction::ToClient, &m, 0, &mut ev);
    assert!(!ev.contains(&AppEvent::Anomaly("dns.malformed_data")));
    ev.clear();
    st.parse(Direction::ToServer, &[1, 2, 3], 0, &mut ev);
    assert!(ev.is_empty());
}

#[test]
fn udp_flow_starting_with_response_is_reversed() {
    let mut st = AppState::new(AppProto::Dns, false, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, &response(), 0, &mut ev);
    assert!(!ev.contains(&AppEvent::Anomaly("dns.not_request")));
    assert!(ev.iter().any(|e| matches!(e, AppEvent::Dns(_))));
    assert!(st.dns().is_some_and(|d| d.reversed()));
    ev.clear();
    st.parse(Direction::ToClient, &query(5, "a.example", 1), 0, &mut ev);
    assert!(!ev.contains(&AppEvent::Anomaly("dns.not_response")));
}

#[test]
fn udp_response_to_server_after_query_raises_nothing() {
    let mut st = AppState::new(AppProto::Dns, false, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, &query(5, "a.example", 1), 0, &mut ev);
    ev.clear();
    // The event would land on the previous (already inspected) transaction.
    st.parse(Direction::ToServer, &response(), 0, &mut ev);
    assert!(ev.is_empty());
}

#[test]
fn tcp_not_request_lands_on_earlier_tx_of_same_chunk_then_parsing_stops() {
    let mut st = AppState::new(AppProto::Dns, true, &AppConfig::default());
    let mut data = Vec::new();
    for m in [
        query(1, "a.example", 1),
        response(),
        query(2, "b.example", 1),
    ] {
        data.extend_from_slice(&(m.len() as u16).to_be_bytes());
        data.extend_from_slice(&m);
    }
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, &data, 0, &mut ev);
    assert!(ev.contains(&AppEvent::Anomaly("dns.not_request")));
    assert_eq!(
        ev.iter().filter(|e| matches!(e, AppEvent::Dns(_))).count(),
        1
    );
}

#[test]
fn tcp_zero_length_prefix_is_skipped_silently() {
    let mut st = AppState::new(AppProto::Dns, true, &AppConfig::default());
    let q = query(1, "a.example", 1);
    let mut data = vec![0, 0];
    data.extend_from_slice(&(q.len() as u16).to_be_bytes());
    data.extend_from_slice(&q);
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, &data, 0, &mut ev);
    assert!(!ev.iter().any(|e| matches!(e, AppEvent::Anomaly(_))));
    assert_eq!(
        ev.iter().filter(|e| matches!(e, AppEvent::Dns(_))).count(),
        1
    );
}

#[test]
fn invalid_opcode_only_from_seven() {
    let mut st = AppState::new(AppProto::Dns, false, &AppConfig::default());
    let mut ev = Vec::new();
    let mut q = query(1, "a.example", 1);
    q[2] = 3 << 3; // opcode 3 (unassigned) is accepted by Suricata
    st.parse(Direction::ToServer, &q, 0, &mut ev);
    assert!(!ev.contains(&AppEvent::Anomaly("dns.invalid_opcode")));
    q[2] = 7 << 3;
    ev.clear();
    st.parse(Direction::ToServer, &q, 0, &mut ev);
    assert!(ev.contains(&AppEvent::Anomaly("dns.invalid_opcode")));
}

#[test]
fn soa_and_srv_records() {
    let mut m = vec![0, 7, 0x85, 0x83, 0, 1, 0, 1, 0, 1, 0, 0];
    name(&mut m, "_ldap._tcp.local");
    m.extend_from_slice(&[0, 33, 0, 1]);
    m.extend_from_slice(&[
        0xc0, 12, 0, 33, 0, 1, 0, 0, 2, 0x58, 0, 12, 0, 0, 0, 100, 1, 0x85, 3, b's', b'r', b'v',
        0xc0, 23,
    ]);
    m.extend_from_slice(&[
        0xc0, 23, 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 27, 2, b'n', b's', 0xc0, 23, 0xc0, 23,
    ]);
    for v in [21u32, 900, 600, 86400, 3600] {
        m.extend_from_slice(&v.to_be_bytes());
    }
    let mut st = AppState::new(AppProto::Dns, false, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(Direction::ToClient, &m, 0, &mut ev);
    let tx = st.dns().expect("dns").tx(0).expect("tx");
    let j = tx.eve_json().pop().expect("json");
    assert_eq!(j["rcode"], "NXDOMAIN");
    assert_eq!(j["aa"], true);
    assert_eq!(
        j["answers"][0]["srv"],
        json!({"priority":0,"weight":100,"port":389,"name":"srv.local"})
    );
    assert_eq!(j["grouped"]["SRV"][0]["port"], 389);
    assert_eq!(
        j["authorities"][0],
        json!({"rrname":"local","rrtype":"SOA","ttl":3600,"soa":{"mname":"ns.local","rname":"local","serial":21,"refresh":900,"retry":600,"expire":86400,"minimum":3600}})
    );
}
