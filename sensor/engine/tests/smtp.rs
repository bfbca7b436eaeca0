//! SMTP end to end: pcaps built here, Suricata's `smtp-events.rules`, EVE read back.

mod common;

use common::{run_sensor, Run, Scratch};
use sensor_net::testkit::TcpConversation;

/// Suricata's SMTP event rules (the ones the parser raises).
const RULES: &str = r#"
alert smtp any any -> any any (msg:"SURICATA SMTP invalid reply"; flow:established,to_client; app-layer-event:smtp.invalid_reply; sid:2220000;)
alert smtp any any -> any any (msg:"SURICATA SMTP invalid pipelined sequence"; flow:established,to_server; app-layer-event:smtp.invalid_pipelined_sequence; sid:2220004;)
alert smtp any any -> any any (msg:"SURICATA SMTP bdat chunk len exceeded"; flow:established; app-layer-event:smtp.bdat_chunk_len_exceeded; sid:2220005;)
alert smtp any any -> any any (msg:"SURICATA SMTP no server welcome message"; flow:established,to_client; app-layer-event:smtp.no_server_welcome_message; sid:2220006;)
alert smtp any any -> any any (msg:"SURICATA SMTP tls rejected"; flow:established; app-layer-event:smtp.tls_rejected; sid:2220007;)
alert smtp any any -> any any (msg:"SURICATA SMTP data command rejected"; flow:established,to_client; app-layer-event:smtp.data_command_rejected; sid:2220008;)
alert smtp any any -> any any (msg:"SURICATA SMTP duplicate fields"; flow:established,to_server; app-layer-event:smtp.duplicate_fields; sid:2220018;)
alert smtp any any -> any any (msg:"SURICATA SMTP unparsable content"; flow:established,to_server; app-layer-event:smtp.unparsable_content; sid:2220019;)
"#;

fn conversation() -> TcpConversation {
    TcpConversation::new(
        "192.168.1.10:40000".parse().unwrap(),
        "10.0.0.25:25".parse().unwrap(),
    )
}

fn run(name: &str, c: &TcpConversation) -> Run {
    let dir = Scratch::new(name);
    let pcap = dir.path("smtp.pcap");
    c.write_pcap(&pcap).unwrap();
    let run = run_sensor(&dir, &pcap, RULES, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    run
}

/// Source ports of the alerts of `sid`.
fn sources(run: &Run, sid: u64) -> Vec<u64> {
    run.of_type("alert")
        .into_iter()
        .filter(|a| a["alert"]["signature_id"] == sid)
        .map(|a| a["src_port"].as_u64().unwrap_or(0))
        .collect()
}

#[test]
fn clean_session_raises_nothing() {
    let mut c = conversation();
    c.handshake()
        .server_send(b"220 mx.example.com ESMTP\r\n")
        .client_send(b"EHLO client.example.com\r\n")
        .server_send(b"250-mx.example.com\r\n250 8BITMIME\r\n")
        .client_send(b"MAIL FROM:<a@example.com>\r\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"RCPT TO:<b@example.com>\r\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"DATA\r\n")
        .server_send(b"354 go ahead\r\n")
        .client_send(b"Subject: hi\r\n\r\nhello\r\n.\r\n")
        .server_send(b"250 queued\r\n")
        .client_send(b"QUIT\r\n")
        .server_send(b"221 bye\r\n")
        .close();
    let run = run("smtp-clean", &c);
    assert!(run.alerts().is_empty(), "{:?}", run.alerts());
}

#[test]
fn events_alert_on_the_packets_of_their_rule_direction() {
    let mut c = conversation();
    c.handshake()
        .server_send(b"220 mx.example.com ESMTP\r\n")
        .client_send(b"HELO client\r\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"EHLO client\r\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"DATA\r\n")
        .server_send(b"503 need MAIL\r\n")
        .client_send(b"NOOP\r\n")
        .server_send(b"299 what\r\n")
        .client_send(b"QUIT\r\n")
        .close();
    let run = run("smtp-events", &c);
    // A second HELO/EHLO: on the client's next packet.
    assert_eq!(sources(&run, 2220018), vec![40000], "{:?}", run.alerts());
    // A rejected DATA and an unknown reply code: on the server's next packet.
    assert_eq!(sources(&run, 2220008), vec![25], "{:?}", run.alerts());
    assert_eq!(sources(&run, 2220000), vec![25], "{:?}", run.alerts());
    assert_eq!(run.alerts().len(), 3, "{:?}", run.alerts());
}

#[test]
fn client_speaking_first_misses_the_welcome_message() {
    let mut c = conversation();
    c.handshake()
        .client_send(b"EHLO client\r\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"QUIT\r\n")
        .server_send(b"221 bye\r\n")
        .close();
    let run = run("smtp-no-banner", &c);
    assert_eq!(sources(&run, 2220006), vec![25], "{:?}", run.alerts());
    let alert = &run.of_type("alert")[0];
    assert_eq!(alert["app_proto"], "smtp", "{alert:?}");
}

#[test]
fn exceeded_bdat_chunk_alerts_once_per_direction() {
    let mut c = conversation();
    c.handshake()
        .server_send(b"220 mx.example.com ESMTP\r\n")
        .client_send(b"EHLO client\r\n")
        .server_send(b"250 CHUNKING\r\n")
        .client_send(b"BDAT 6\r\nhello\n")
        .server_send(b"250 ok\r\n")
        .client_send(b"BDAT 6 LAST\r\nworld\n")
        .server_send(b"250 ok\r\n")
        .close();
    let run = run("smtp-bdat", &c);
    let mut ports = sources(&run, 2220005);
    ports.sort_unstable();
    assert_eq!(ports, vec![25, 40000], "{:?}", run.alerts());
}
