//! RFB (VNC) end to end: a handshake built here, Suricata's RFB event rule, EVE read back.

mod common;

use common::{run_sensor, Scratch};
use sensor_net::testkit::TcpConversation;

/// An Apple Remote Desktop client picks security type 30, which Suricata does not
/// implement: the event alerts once per direction (the rule has none), as Suricata 7 does
/// on the corpus's VNC captures.
#[test]
fn unimplemented_security_type_alerts_in_both_directions() {
    let dir = Scratch::new("rfb");
    let mut c = TcpConversation::new(
        "192.168.178.25:46254".parse().unwrap(),
        "192.168.178.94:5900".parse().unwrap(),
    );
    c.handshake()
        .server_send(b"RFB 003.889\n")
        .client_send(b"RFB 003.008\n")
        .server_send(&[4, 0x1e, 0x21, 0x24, 0x23])
        .client_send(&[0x1e])
        .server_send(&[0, 2, 0, 0x80, 0xff, 0xff])
        .client_send(&[1, 2, 3, 4])
        .close();
    let pcap = dir.path("rfb.pcap");
    c.write_pcap(&pcap).unwrap();
    let rules = r#"
alert rfb any any -> any any (msg:"SURICATA RFB Unimplemented security type"; app-layer-event:rfb.unimplemented_security_type; sid:2233001;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(2233001), 2, "{:?}", run.alerts());
}
