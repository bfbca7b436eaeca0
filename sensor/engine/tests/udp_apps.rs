//! End-to-end tests of the Kerberos 5 and QUIC parsers: pcaps built here, the real
//! `sensor` binary, Suricata's event rules, alerts read back. Expectations were checked
//! against Suricata 7.0.10 on the same pcaps.

mod common;

use std::net::Ipv4Addr;

use common::{run_sensor, write_pcap, Scratch};
use sensor_net::testkit::{eth_ipv4_udp, TcpConversation};

const C: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 10);
const S: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 88);

const RULES: &str = r#"
alert krb5 any any -> any any (msg:"SURICATA Kerberos 5 malformed request data"; flow:to_server; app-layer-event:krb5.malformed_data; sid:2226000; rev:1;)
alert krb5 any any -> any any (msg:"SURICATA Kerberos 5 weak encryption parameters"; flow:to_client; app-layer-event:krb5.weak_encryption; sid:2226001; rev:1;)
alert quic any any -> any any (msg:"SURICATA QUIC failed decrypt"; app-layer-event:quic.failed_decrypt; sid:2231000; rev:1;)
alert quic any any -> any any (msg:"SURICATA QUIC error on data"; app-layer-event:quic.error_on_data; sid:2231001; rev:1;)
"#;

fn tlv(id: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![id];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

fn ctx(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

fn int(v: u8) -> Vec<u8> {
    tlv(0x02, &[v])
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn principal(name: &str) -> Vec<u8> {
    seq(&[ctx(0, &int(1)), ctx(1, &seq(&[tlv(0x1b, name.as_bytes())]))])
}

fn enc_data(etype: u8) -> Vec<u8> {
    seq(&[ctx(0, &int(etype)), ctx(2, &tlv(0x04, &[0x5a; 48]))])
}

/// An AS-REQ (just what detection needs).
fn as_req() -> Vec<u8> {
    let body = seq(&[
        ctx(1, &int(5)),
        ctx(2, &int(10)),
        ctx(
            4,
            &seq(&[
                ctx(0, &tlv(0x03, &[0, 0x40, 0x81, 0, 0x10])),
                ctx(2, &tlv(0x1b, b"EXAMPLE.COM")),
            ]),
        ),
    ]);
    tlv(0x6a, &body)
}

/// An AS-REP (`tag` 11) or TGS-REP (13) whose enc-part uses `etype`.
fn kdc_rep(tag: u8, etype: u8) -> Vec<u8> {
    let ticket = tlv(
        0x61,
        &seq(&[
            ctx(0, &int(5)),
            ctx(1, &tlv(0x1b, b"EXAMPLE.COM")),
            ctx(2, &principal("krbtgt")),
            ctx(3, &enc_data(18)),
        ]),
    );
    let body = seq(&[
        ctx(0, &int(5)),
        ctx(1, &int(tag)),
        ctx(3, &tlv(0x1b, b"EXAMPLE.COM")),
        ctx(4, &principal("alice")),
        ctx(5, &ticket),
        ctx(6, &enc_data(etype)),
    ]);
    tlv(0x60 | tag, &body)
}

/// Copies a test pcap to `$SENSOR_TEST_KEEP_PCAPS`, when set (to replay it in Suricata).
fn keep(pcap: &std::path::Path, name: &str) {
    if let Some(d) = std::env::var_os("SENSOR_TEST_KEEP_PCAPS") {
        let _ = std::fs::copy(pcap, std::path::Path::new(&d).join(name));
    }
}

fn record(msg: &[u8]) -> Vec<u8> {
    let mut v = (msg.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(msg);
    v
}

/// Alerts of `sid` as (source port, destination port, app_proto).
fn alerts(run: &common::Run, sid: u64) -> Vec<(u64, u64, String)> {
    run.of_type("alert")
        .into_iter()
        .filter(|e| e["alert"]["signature_id"] == sid)
        .map(|e| {
            (
                e["src_port"].as_u64().unwrap_or(0),
                e["dest_port"].as_u64().unwrap_or(0),
                e["app_proto"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn kerberos_weak_encryption_over_udp_and_tcp() {
    let dir = Scratch::new("krb5");
    let mut frames = vec![
        // RC4 (23) AS-REP: weak
        eth_ipv4_udp(C, S, 40001, 88, &as_req()),
        eth_ipv4_udp(S, C, 88, 40001, &kdc_rep(11, 23)),
        // AES256 (18) AS-REP: fine
        eth_ipv4_udp(C, S, 40002, 88, &as_req()),
        eth_ipv4_udp(S, C, 88, 40002, &kdc_rep(11, 18)),
        // DES (3) TGS-REP: weak; a second weak reply in the flow alerts again
        eth_ipv4_udp(C, S, 40003, 88, &as_req()),
        eth_ipv4_udp(S, C, 88, 40003, &kdc_rep(13, 3)),
        eth_ipv4_udp(S, C, 88, 40003, &kdc_rep(13, 3)),
        // a reply seen first: the flow runs from port 88, no Kerberos detection
        eth_ipv4_udp(S, C, 88, 40004, &kdc_rep(11, 23)),
        // a truncated reply decodes to nothing
        eth_ipv4_udp(C, S, 40005, 88, &as_req()),
        eth_ipv4_udp(S, C, 88, 40005, &kdc_rep(11, 23)[..120]),
        // the same exchange on another port is not Kerberos
        eth_ipv4_udp(C, S, 40006, 8888, &as_req()),
        eth_ipv4_udp(S, C, 8888, 40006, &kdc_rep(11, 23)),
    ];
    // TCP: two weak replies in one segment; only the first record is parsed.
    let mut tcp = TcpConversation::new(
        "192.168.1.10:40010".parse().unwrap(),
        "10.0.0.88:88".parse().unwrap(),
    );
    let mut two = record(&kdc_rep(11, 23));
    two.extend_from_slice(&record(&kdc_rep(11, 23)));
    tcp.handshake()
        .client_send(&record(&as_req()))
        .server_send(&two)
        .close();
    frames.extend(tcp.into_frames().into_iter().map(|(_, f)| f));
    // A reply split after or inside its record mark is reassembled.
    let rep = record(&kdc_rep(11, 23));
    for (port, cut) in [(40011, 10), (40012, 2)] {
        let mut tcp = TcpConversation::new(
            format!("192.168.1.10:{port}").parse().unwrap(),
            "10.0.0.88:88".parse().unwrap(),
        );
        tcp.handshake()
            .client_send(&record(&as_req()))
            .server_send(&rep[..cut])
            .server_send(&rep[cut..])
            .close();
        frames.extend(tcp.into_frames().into_iter().map(|(_, f)| f));
    }
    let pcap = dir.path("krb5.pcap");
    write_pcap(&pcap, &frames);
    keep(&pcap, "krb5.pcap");
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let krb = |p: u64| (88, p, "krb5".to_string());
    assert_eq!(
        alerts(&run, 2226001),
        vec![
            krb(40001),
            krb(40003),
            krb(40003),
            krb(40010),
            krb(40011),
            krb(40012)
        ],
        "{}",
        run.stderr
    );
    assert!(alerts(&run, 2226000).is_empty());
}

/// A long header Initial up to its payload: version, 8-byte destination id, no token.
fn initial(first: u8, version: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![first];
    p.extend_from_slice(&version.to_be_bytes());
    p.push(8);
    p.extend_from_slice(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
    p.push(0); // source id
    p.push(0); // token
    let len = payload.len();
    p.extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
    p.extend_from_slice(payload);
    p
}

#[test]
fn quic_error_on_data_and_failed_decrypt() {
    let dir = Scratch::new("quic");
    // A grease version's payload is parsed as frames in clear: a CRYPTO frame longer
    // than the packet is an error, an unknown frame type swallows the rest.
    let bad_frames = initial(0xc0, 0x0a0a_0a0a, &[0x06, 0x00, 0x7f, 0x01, 0x02]);
    let odd_but_fine = initial(0xc0, 0xface_b001, &[0x1c, 0x06, 0x7f, 0x01]);
    // Version 1 payload that is not sealed with the Initial keys.
    let garbage = initial(0xc1, 1, &[0x42; 64]);
    let frames = vec![
        eth_ipv4_udp(C, S, 50001, 443, &bad_frames),
        eth_ipv4_udp(S, C, 443, 50001, &bad_frames),
        eth_ipv4_udp(C, S, 50002, 443, &odd_but_fine),
        eth_ipv4_udp(C, S, 50003, 443, &garbage),
        eth_ipv4_udp(S, C, 443, 50003, &garbage),
        // short header packets carry nothing to check
        eth_ipv4_udp(C, S, 50003, 443, &[0x40, 1, 2, 3, 4]),
        // UDP port 80 is QUIC too, other ports are not
        eth_ipv4_udp(C, S, 50004, 80, &bad_frames),
        eth_ipv4_udp(C, S, 50005, 8443, &bad_frames),
    ];
    let pcap = dir.path("quic.pcap");
    write_pcap(&pcap, &frames);
    keep(&pcap, "quic.pcap");
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let q = |s: u64, d: u64| (s, d, "quic".to_string());
    assert_eq!(
        alerts(&run, 2231001),
        vec![q(50001, 443), q(443, 50001), q(50004, 80)],
        "{}",
        run.stderr
    );
    assert_eq!(
        alerts(&run, 2231000),
        vec![q(50003, 443), q(443, 50003)],
        "{}",
        run.stderr
    );
}
