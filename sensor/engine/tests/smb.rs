//! End-to-end SMB event tests: Suricata's `smb-events.rules` on SMB1 conversations built
//! here, alert counts per transaction and direction as Suricata 7 raises them.

mod common;

use common::{run_sensor, write_pcap_ts, Scratch};
use sensor_net::testkit::TcpConversation;

const RULES: &str = r#"alert smb any any -> any any (msg:"SURICATA SMB malformed request data"; flow:to_server; app-layer-event:smb.malformed_data; classtype:protocol-command-decode; sid:2225002; rev:1;)
alert smb any any -> any any (msg:"SURICATA SMB malformed response data"; flow:to_client; app-layer-event:smb.malformed_data; classtype:protocol-command-decode; sid:2225003; rev:1;)
alert smb any any -> any any (msg:"SURICATA SMB malformed request dialects"; flow:to_server; app-layer-event:smb.negotiate_malformed_dialects; classtype:protocol-command-decode; sid:2225005; rev:1;)
"#;

/// An NBSS session message carrying an SMB1 record from this uid/tree.
fn smb1(cmd: u8, response: bool, mid: u16, params: &[u8]) -> Vec<u8> {
    let mut r = b"\xffSMB".to_vec();
    r.push(cmd);
    r.extend_from_slice(&[0; 4]);
    r.push(if response { 0x98 } else { 0x18 });
    r.extend_from_slice(&0xc007u16.to_le_bytes());
    r.extend_from_slice(&[0; 12]);
    r.extend_from_slice(&0x0800u16.to_le_bytes()); // tree
    r.extend_from_slice(&0x280cu16.to_le_bytes()); // pid
    r.extend_from_slice(&0x0800u16.to_le_bytes()); // uid
    r.extend_from_slice(&mid.to_le_bytes());
    r.extend_from_slice(params);
    let mut v = vec![0u8];
    v.extend_from_slice(&u32::try_from(r.len()).unwrap().to_be_bytes()[1..]);
    v.extend_from_slice(&r);
    v
}

/// The MS17-010 scanner's TRANS request: 14 words, no bytes (no transaction name).
fn scanner_trans(mid: u16) -> Vec<u8> {
    let mut p = vec![14u8, 0, 0, 0x40, 0, 0x40, 0x09, 0, 0, 0, 0, 0, 0, 1];
    p.resize(1 + 28, 0);
    p.extend_from_slice(&[0, 0]); // byte count
    smb1(0x25, false, mid, &p)
}

fn trans_error_response(mid: u16) -> Vec<u8> {
    smb1(0x25, true, mid, &[0, 0, 0])
}

fn negotiate(dialects: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8];
    p.extend_from_slice(&u16::try_from(dialects.len()).unwrap().to_le_bytes());
    p.extend_from_slice(dialects);
    smb1(0x72, false, 1, &p)
}

fn conversation(port: u16) -> TcpConversation {
    TcpConversation::new(
        format!("10.99.99.8:{port}").parse().unwrap(),
        "172.23.33.10:445".parse().unwrap(),
    )
}

#[test]
fn malformed_trans_alerts_once_per_transaction_and_direction() {
    let dir = Scratch::new("smb-trans");
    let mut c = conversation(51661);
    c.handshake();
    for mid in 0..6u16 {
        c.client_send(&scanner_trans(0x51 + mid))
            .server_send(&trans_error_response(0x51 + mid));
    }
    c.close();
    let pcap = dir.path("t.pcap");
    write_pcap_ts(&pcap, c.frames());
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Six malformed requests: six transactions, each alerting once per direction (the
    // response side sees the request's event).
    assert_eq!(run.count(2225002), 6, "{:?}", run.alerts());
    assert_eq!(run.count(2225003), 6, "{:?}", run.alerts());
    for a in run.of_type("alert") {
        assert_eq!(a["app_proto"], "smb");
        let to_server = a["alert"]["signature_id"] == 2225002;
        assert_eq!(a["dest_port"] == 445, to_server, "{a}");
    }
}

#[test]
fn negotiate_with_an_empty_dialect_alerts_once() {
    let dir = Scratch::new("smb-negotiate");
    let mut c = conversation(51302);
    c.handshake()
        .client_send(&negotiate(b"\x02NT LM 0.12\0\x02\0"))
        .server_send(&trans_error_response(1))
        .client_send(&scanner_trans(2))
        .close();
    let pcap = dir.path("n.pcap");
    write_pcap_ts(&pcap, c.frames());
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert_eq!(run.count(2225005), 1, "{:?}", run.alerts());

    // Well-formed dialects raise nothing.
    let dir = Scratch::new("smb-negotiate-ok");
    let mut c = conversation(51304);
    c.handshake()
        .client_send(&negotiate(b"\x02NT LM 0.12\0\x02SMB 2.002\0"))
        .close();
    let pcap = dir.path("n.pcap");
    write_pcap_ts(&pcap, c.frames());
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert!(run.alerts().is_empty(), "{:?}", run.alerts());
}
