//! End-to-end detection tests: pcaps built here, the real `sensor` binary, EVE read back.
//! Each test covers a family of rule keywords on real packets.

mod common;

use std::io::Write;
use std::net::Ipv4Addr;

use common::{run_sensor, write_pcap, write_pcap_ts, Scratch};
use sensor_net::testkit::{eth_ipv4_icmp, eth_ipv4_tcp, eth_ipv4_udp, TcpConversation};

const C: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 10);
const S: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 80);

fn http_session(req: &[u8], resp: &[u8]) -> TcpConversation {
    let mut c = TcpConversation::new(
        "192.168.1.10:40000".parse().unwrap(),
        "10.0.0.80:8080".parse().unwrap(),
    );
    c.handshake().client_send(req).server_send(resp).close();
    c
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn http_buffers_flowbits_and_eve_records() {
    let dir = Scratch::new("http");
    let body = gzip(b"<html>uid=0(root) secret page</html>");
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nSet-Cookie: s=1\r\n\r\n",
        body.len()
    )
    .into_bytes();
    resp.extend_from_slice(&body);
    let req = b"GET /admin/../login.php?id=1%27%20or%20%271%27=%271 HTTP/1.1\r\nHost: Shop.Example:8080\r\nUser-Agent: sqlmap/1.7\r\nCookie: session=abc\r\nAccept: */*\r\n\r\n";
    let pcap = dir.path("http.pcap");
    http_session(req, &resp).write_pcap(&pcap).unwrap();
    let rules = r#"
alert http any any -> any any (msg:"uri normalized"; flow:established,to_server; http.uri; content:"/login.php?id=1"; startswith; sid:1;)
alert http any any -> any any (msg:"uri raw"; http.uri.raw; content:"/admin/../login.php"; sid:2;)
alert http any any -> any any (msg:"method"; http.method; content:"GET"; sid:3;)
alert http any any -> any any (msg:"host normalized"; http.host; content:"shop.example"; bsize:12; sid:4;)
alert http any any -> any any (msg:"ua"; http.user_agent; content:"sqlmap"; startswith; sid:5;)
alert http any any -> any any (msg:"cookie"; http.cookie; content:"session=abc"; sid:6;)
alert http any any -> any any (msg:"header"; http.header; content:"Accept|3a 20|*/*"; sid:7;)
alert http any any -> any any (msg:"stat code"; flow:to_client; http.stat_code; content:"200"; sid:8;)
alert http any any -> any any (msg:"gzip body"; flow:to_client; file_data; content:"uid=0(root)"; sid:9;)
alert http any any -> any any (msg:"server"; http.server; content:"nginx"; sid:10;)
alert http any any -> any any (msg:"pcre U"; pcre:"/^\/login\.php\?id=\d+%27/U"; sid:11;)
alert http any any -> any any (msg:"urilen"; urilen:>20; sid:12;)
alert http any any -> any any (msg:"set flowbit"; http.method; content:"GET"; flowbits:set,get_seen; flowbits:noalert; sid:13;)
alert http any any -> any any (msg:"flowbit isset on response"; flow:to_client; flowbits:isset,get_seen; http.stat_code; content:"200"; sid:14;)
alert http any any -> any any (msg:"flowbit isnotset"; flowbits:isnotset,get_seen; http.stat_code; content:"200"; sid:15;)
alert http any any -> any any (msg:"legacy modifiers"; content:"GET"; http_method; content:"login"; http_uri; sid:16;)
alert http any any -> any any (msg:"no match"; http.uri; content:"nothere"; sid:17;)
alert tcp any any -> any any (msg:"stream raw sees gzip bytes, not plaintext"; flow:to_client; content:"uid=0(root)"; sid:18;)
alert http any any -> any any (msg:"count requests"; http.method; content:"GET"; flowint:gets,+,1; noalert; sid:19;)
alert http any any -> any any (msg:"flowint test"; flow:to_client; flowint:gets,==,1; http.stat_code; content:"200"; sid:20;)
alert http any any -> any any (msg:"flowint test fails"; flow:to_client; flowint:gets,>,1; http.stat_code; content:"200"; sid:21;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for sid in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20] {
        assert_eq!(
            run.count(sid),
            1,
            "sid {sid}: {:?}\n{}",
            run.alerts(),
            run.stderr
        );
    }
    for sid in [13, 15, 17, 18, 19, 21] {
        assert_eq!(
            run.count(sid),
            0,
            "sid {sid} must not alert: {:?}",
            run.alerts()
        );
    }
    // EVE: the alert carries the http object of its transaction; http/flow/stats records.
    let a = run
        .of_type("alert")
        .into_iter()
        .find(|e| e["alert"]["signature_id"] == 1)
        .unwrap();
    assert_eq!(a["http"]["hostname"], "shop.example");
    assert_eq!(a["app_proto"], "http");
    assert_eq!(a["src_ip"], "192.168.1.10");
    assert!(a["community_id"].as_str().unwrap().starts_with("1:"));
    assert_eq!(run.of_type("http").len(), 1);
    assert_eq!(run.of_type("flow").len(), 1);
    let stats = run.of_type("stats");
    assert_eq!(stats.len(), 1);
    assert_eq!(
        stats[0]["stats"]["detect"]["engines"][0]["rules_loaded"],
        21
    );
}

#[test]
fn stream_reassembly_across_segments_out_of_order_and_overlaps() {
    let dir = Scratch::new("stream");
    let (cs, ss) = (1000u32, 5000u32);
    let f = |from_c: bool, seq: u32, ack: u32, flags: u8, p: &[u8]| {
        if from_c {
            eth_ipv4_tcp(C, S, 40001, 9000, seq, ack, flags, p)
        } else {
            eth_ipv4_tcp(S, C, 9000, 40001, seq, ack, flags, p)
        }
    };
    let (syn, ack, psh, fin) = (0x02, 0x10, 0x18, 0x11);
    let frames = vec![
        f(true, cs, 0, syn, b""),
        f(false, ss, cs + 1, syn | ack, b""),
        f(true, cs + 1, ss + 1, ack, b""),
        // "ATTACK-PAY" + "LOAD" split, the second part first (out of order).
        f(true, cs + 11, ss + 1, psh, b"LOAD-END"),
        f(true, cs + 1, ss + 1, psh, b"ATTACK-PAY"),
        // A retransmission of the first part with different bytes: the original stays.
        f(true, cs + 1, ss + 1, psh, b"XXXXXX-PAY"),
        f(false, ss + 1, cs + 19, ack, b""),
        f(true, cs + 19, ss + 1, fin, b""),
        f(false, ss + 1, cs + 20, fin, b""),
        f(true, cs + 20, ss + 2, ack, b""),
    ];
    let pcap = dir.path("stream.pcap");
    write_pcap(&pcap, &frames);
    let rules = r#"
alert tcp any any -> any 9000 (msg:"spans two segments"; flow:established,to_server; content:"ATTACK-PAYLOAD"; sid:1;)
alert tcp any any -> any 9000 (msg:"retransmitted bytes never win"; content:"XXXXXX"; flow:only_stream; sid:2;)
alert tcp-pkt any any -> any 9000 (msg:"single packet sees only its own bytes"; content:"ATTACK-PAYLOAD"; sid:3;)
alert tcp-pkt any any -> any 9000 (msg:"packet payload keyword"; content:"XXXXXX"; sid:4;)
alert tcp any any -> any 9000 (msg:"relative distance/within across segments"; content:"ATTACK"; content:"LOAD"; distance:4; within:4; sid:5;)
alert tcp any any -> any 9000 (msg:"depth: on the packet and again on the stream, as Suricata"; content:"ATTACK"; depth:6; sid:6;)
alert tcp any any -> any 9000 (msg:"negated content"; content:"ATTACK"; content:!"EVIL"; sid:7;)
alert tcp any any -> any 9000 (msg:"isdataat relative"; content:"PAYLOAD"; isdataat:4,relative; isdataat:!5,relative; sid:8;)
alert tcp any any -> any 9000 (msg:"stream_size"; stream_size:client,>=,18; content:"END"; sid:9;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let a = run.alerts();
    assert_eq!(run.count(1), 1, "{a:?}");
    assert_eq!(run.count(2), 0, "{a:?}");
    assert_eq!(run.count(3), 0, "{a:?}");
    assert_eq!(run.count(4), 1, "{a:?}");
    assert_eq!(run.count(5), 1, "{a:?}");
    // Anchored content: Suricata inspects the packet (pcap 5) and the stream (at FIN).
    assert_eq!(run.count(6), 2, "{a:?}");
    assert_eq!(run.count(7), 1, "{a:?}");
    assert_eq!(run.count(8), 1, "{a:?}");
    // stream_size makes the rule inspect packets too: the out-of-order "LOAD-END" already
    // counts 19 (Suricata's next_seq - isn), then the stream at FIN (2 alerts in Suricata 7).
    assert_eq!(run.count(9), 2, "{a:?}");
}

fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut m = vec![
        (id >> 8) as u8,
        id as u8,
        0x01,
        0x00,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
    ];
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    m
}

#[test]
fn dns_query_and_udp_payload_keywords() {
    let dir = Scratch::new("dns");
    let frames = vec![
        eth_ipv4_udp(C, S, 53000, 53, &dns_query(0x1234, "www.evil.test")),
        eth_ipv4_udp(C, S, 53001, 53, &dns_query(0x4321, "example.org")),
        eth_ipv4_udp(C, S, 7000, 7001, b"\x00\x10\x00\x04DATA-MARK\x00\x02ZZ"),
    ];
    let pcap = dir.path("dns.pcap");
    write_pcap(&pcap, &frames);
    let rules = r#"
alert dns any any -> any any (msg:"query"; dns.query; content:".evil.test"; endswith; sid:1;)
alert dns any any -> any any (msg:"legacy dns_query sticky buffer"; dns_query; content:"example.org"; sid:2;)
alert udp any any -> any 7001 (msg:"byte_test"; byte_test:2,=,16,0; sid:3;)
alert udp any any -> any 7001 (msg:"byte_jump then content"; byte_jump:2,2; content:"MARK"; within:5; sid:4;)
alert udp any any -> any 7001 (msg:"byte_extract as offset"; byte_extract:2,0,len; content:"MARK"; offset:8; depth:len; sid:5;)
alert udp any any -> any 7001 (msg:"pcre relative"; content:"DATA-"; pcre:"/^MARK/R"; sid:6;)
alert udp any any -> any 7001 (msg:"dsize"; dsize:17; sid:7;)
alert udp any any -> any 7001 (msg:"dsize no"; dsize:<5; sid:8;)
alert udp any any -> any 53 (msg:"hex content"; content:"|03|www|04|evil"; sid:9;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let a = run.alerts();
    for sid in [1, 2, 3, 4, 5, 6, 7, 9] {
        assert_eq!(run.count(sid), 1, "sid {sid}: {a:?}");
    }
    assert_eq!(run.count(8), 0, "{a:?}");
    let dns = run.of_type("dns");
    assert_eq!(dns.len(), 2, "one dns record per query");
    assert_eq!(dns[0]["dns"]["rrname"], "www.evil.test");
}

fn client_hello(sni: &str) -> Vec<u8> {
    let mut ext = Vec::new();
    let name = sni.as_bytes();
    let list_len = name.len() + 3;
    ext.extend_from_slice(&[0, 0]);
    ext.extend_from_slice(&((list_len + 2) as u16).to_be_bytes());
    ext.extend_from_slice(&(list_len as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    ext.extend_from_slice(name);
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[7u8; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 2, 0xc0, 0x2f, 1, 0]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![1, 0, 0, 0];
    hs[1..4].copy_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

#[test]
fn tls_sni_and_ja3_on_any_port() {
    let dir = Scratch::new("tls");
    let mut c = TcpConversation::new(
        "192.168.1.10:40002".parse().unwrap(),
        "10.0.0.80:8443".parse().unwrap(),
    );
    c.handshake()
        .client_send(&client_hello("c2.evil.test"))
        .close();
    let pcap = dir.path("tls.pcap");
    c.write_pcap(&pcap).unwrap();
    let rules = r#"
alert tls any any -> any any (msg:"sni"; tls.sni; content:"c2.evil.test"; bsize:12; sid:1;)
alert tls any any -> any any (msg:"ja3 string has the cipher"; ja3.string; content:"771,49199,"; startswith; sid:2;)
alert tcp any any -> any any (msg:"app-layer-protocol"; app-layer-protocol:tls; flow:to_server; content:"|16 03 01|"; sid:3;)
alert tls any any -> any any (msg:"other sni"; tls.sni; content:"good.example"; sid:4;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let a = run.alerts();
    assert_eq!(run.count(1), 1, "{a:?}");
    assert_eq!(run.count(2), 1, "{a:?}");
    assert_eq!(run.count(3), 1, "{a:?}");
    assert_eq!(run.count(4), 0, "{a:?}");
}

#[test]
fn packet_keywords_thresholds_and_ip_only() {
    let dir = Scratch::new("pkt");
    let mut frames = Vec::new();
    for i in 0..6u16 {
        frames.push(eth_ipv4_icmp(C, S, 8, 0, 7, i, b"ping"));
    }
    for port in 1..=25u16 {
        frames.push(eth_ipv4_tcp(C, S, 50000, port, 1, 0, 0x02, b""));
    }
    let pcap = dir.path("pkt.pcap");
    write_pcap(&pcap, &frames);
    let rules = r#"
alert icmp any any -> any any (msg:"itype/icode"; itype:8; icode:0; sid:1;)
alert icmp any any -> any any (msg:"limit 2"; itype:8; threshold:type limit, track by_src, count 2, seconds 60; sid:2;)
alert icmp any any -> any any (msg:"every 3rd"; itype:8; threshold:type threshold, track by_src, count 3, seconds 60; sid:3;)
alert icmp any any -> any any (msg:"after 4"; itype:8; detection_filter:track by_dst, count 4, seconds 60; sid:4;)
alert tcp any any -> any any (msg:"syn flags"; flags:S; sid:5;)
alert tcp any any -> any any (msg:"scan both"; flags:S; threshold:type both, track by_src, count 20, seconds 5; sid:6;)
alert ip any any -> any any (msg:"ip_proto"; ip_proto:1; sid:7;)
alert ip 192.168.1.0/24 any -> [10.0.0.0/8,!10.9.0.0/16] any (msg:"ip-only once per flow direction"; sid:8;)
alert tcp any any -> any [1:10,!5] (msg:"port ranges"; flags:S; sid:9;)
alert ip any any -> any any (msg:"ttl"; ttl:64; sid:10;)
alert icmp any any -> any any (msg:"icmp_seq"; icmp_seq:3; sid:11;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let a = run.alerts();
    assert_eq!(run.count(1), 6, "{a:?}");
    assert_eq!(run.count(2), 2, "{a:?}");
    assert_eq!(run.count(3), 2, "{a:?}");
    assert_eq!(run.count(4), 2, "{a:?}");
    assert_eq!(run.count(5), 25, "{a:?}");
    assert_eq!(run.count(6), 1, "{a:?}");
    assert_eq!(run.count(7), 6, "{a:?}");
    // One ICMP flow + 25 TCP flows, first packet of the client direction each.
    assert_eq!(run.count(8), 26, "{a:?}");
    assert_eq!(run.count(9), 9, "{a:?}");
    assert_eq!(run.count(10), 31, "{a:?}");
    assert_eq!(run.count(11), 1, "{a:?}");
}

#[test]
fn malformed_frames_are_counted_never_fatal() {
    let dir = Scratch::new("malformed");
    let good = eth_ipv4_udp(C, S, 1, 2, b"hello");
    let mut frames = Vec::new();
    for cut in 0..good.len() {
        frames.push(good[..cut].to_vec());
    }
    let mut bad_len = good.clone();
    bad_len[16] = 0xff; // IPv4 total length far beyond the frame
    frames.push(bad_len);
    let mut bad_ihl = good.clone();
    bad_ihl[14] = 0x41; // header length 4 bytes
    frames.push(bad_ihl);
    frames.push(vec![0xff; 3]);
    frames.push(good.clone());
    let pcap = dir.path("bad.pcap");
    write_pcap(&pcap, &frames);
    let rules = "alert udp any any -> any any (msg:\"hello\"; content:\"hello\"; sid:1;)\n\
                 alert ip any any -> any any (msg:\"truncated\"; decode-event:ipv4.trunc_pkt; sid:2;)\n";
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(1), 1, "{:?}", run.alerts());
    assert!(run.count(2) >= 1, "{:?}", run.alerts());
    let stats = &run.of_type("stats")[0]["stats"];
    assert!(stats["decoder"]["invalid"].as_u64().unwrap() > 0, "{stats}");
}

#[test]
fn truncated_capture_keeps_what_was_read() {
    let dir = Scratch::new("truncated");
    let pcap = dir.path("t.pcap");
    let frames: Vec<_> = (0..3)
        .map(|i| {
            (
                sensor_net::capture::Timestamp::new(1_700_000_000 + i, 0),
                eth_ipv4_udp(C, S, 1, 2, b"hello"),
            )
        })
        .collect();
    write_pcap_ts(&pcap, &frames);
    let mut bytes = std::fs::read(&pcap).unwrap();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&pcap, bytes).unwrap();
    let run = run_sensor(
        &dir,
        &pcap,
        "alert udp any any -> any any (msg:\"x\"; content:\"hello\"; sid:1;)\n",
        &[],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(1), 2);
}

#[test]
fn yara_rules_raise_alerts_on_http_bodies() {
    let dir = Scratch::new("yara");
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nX5O!P%@AP[4\\PZX54(P^";
    let pcap = dir.path("y.pcap");
    http_session(b"GET /eicar HTTP/1.1\r\nHost: a\r\n\r\n", resp)
        .write_pcap(&pcap)
        .unwrap();
    let yar = dir.path("t.yar");
    std::fs::write(&yar, "rule eicar_prefix : malware { meta: severity = 1 strings: $a = \"X5O!P%@AP\" condition: $a }\n").unwrap();
    let run = run_sensor(&dir, &pcap, "", &["--yara", yar.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let alerts = run.of_type("alert");
    assert_eq!(alerts.len(), 1, "{:?}", run.alerts());
    assert_eq!(alerts[0]["alert"]["signature"], "YARA eicar_prefix");
    assert_eq!(alerts[0]["alert"]["signature_id"], 9_000_000);
    assert_eq!(alerts[0]["alert"]["severity"], 1);
}

#[test]
fn rules_check_reports_skips_with_file_line_sid_keyword() {
    let dir = Scratch::new("check");
    let rules = dir.path("r.rules");
    std::fs::write(
        &rules,
        "alert tcp any any -> any any (msg:\"ok\"; content:\"a\"; sid:1;)\n\
         # a comment\n\
         alert tcp any any -> any any (msg:\"lua\"; lua:script.lua; sid:2;)\n\
         alert ssh any any -> any any (msg:\"no ssh parser\"; sid:3;)\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_sensor"))
        .args(["rules", "check", "-S"])
        .arg(&rules)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("r.rules:3: sid 2: keyword `lua`"), "{out}");
    assert!(out.contains("r.rules:4: sid 3: keyword `ssh`"), "{out}");
    assert_eq!(out.lines().last(), Some("1 loaded, 2 skipped"), "{out}");
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = Scratch::new("errors");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_sensor"))
        .args([
            "run",
            "-r",
            "/nonexistent.pcap",
            "-S",
            "/nonexistent.rules",
            "-l",
        ])
        .arg(dir.path("out"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent.rules"));
    let notpcap = dir.path("x.pcap");
    std::fs::write(&notpcap, b"this is not a capture file at all").unwrap();
    let run = run_sensor(&dir, &notpcap, "", &[]);
    assert_ne!(run.status, 0);
    assert!(run.stderr.contains("x.pcap"), "{}", run.stderr);
    let run = run_sensor(&dir, &notpcap, "", &["--set", "stream.depthh=5"]);
    assert_ne!(run.status, 0);
    assert!(run.stderr.contains("depthh"), "{}", run.stderr);
}

/// Regression: a flow whose request is HTTP but whose answer is not raised no
/// `applayer_detect_protocol_only_one_direction`; Suricata raises it on the client packet that
/// acknowledges the answer, so the alert runs client → server.
#[test]
fn one_side_recognized_raises_only_one_direction_on_the_answering_packet() {
    let dir = Scratch::new("one-direction");
    let pcap = dir.path("one.pcap");
    http_session(
        b"GET /tcp-normal HTTP/1.0\r\nHost: test\r\n\r\n",
        b"0123456789abcdef0123456789abcdef",
    )
    .write_pcap(&pcap)
    .unwrap();
    let smtp_pcap = dir.path("smtp.pcap");
    let mut smtp = TcpConversation::new(
        "192.168.1.10:40001".parse().unwrap(),
        "10.0.0.80:25".parse().unwrap(),
    );
    smtp.handshake()
        .server_send(b"220 mail.example.com ESMTP ready\r\n")
        .client_send(b"EHLO client.example.com\r\n")
        .server_send(b"250 mail.example.com\r\n")
        .close();
    smtp.write_pcap(&smtp_pcap).unwrap();
    let rules = r#"
alert ip any any -> any any (msg:"only one direction"; flow:established; app-layer-event:applayer_detect_protocol_only_one_direction; sid:1;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let hits: Vec<_> = run
        .of_type("alert")
        .into_iter()
        .filter(|a| a["alert"]["signature_id"] == 1)
        .collect();
    assert_eq!(hits.len(), 1, "{:?}", run.alerts());
    assert_eq!(hits[0]["src_port"], 40000, "raised on the client's packet");

    // SMTP: the client's EHLO is recognized, the server's banner is not; the server's
    // packet acknowledging the EHLO carries the event, and the flow is named smtp.
    let run = run_sensor(&dir, &smtp_pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let hits: Vec<_> = run
        .of_type("alert")
        .into_iter()
        .filter(|a| a["alert"]["signature_id"] == 1)
        .collect();
    assert_eq!(hits.len(), 1, "{:?}", run.alerts());
    assert_eq!(hits[0]["src_port"], 25, "raised on the server's packet");
    assert_eq!(hits[0]["app_proto"], "smtp", "{:?}", hits[0]);
}

/// Regression: an event raised while parsing the response is seen by the client's next
/// packet (a `to_server` rule matches it) and by the server's next packet (a `to_client`
/// rule); a rule without direction alerts once per direction, as in Suricata.
#[test]
fn response_events_are_inspected_from_both_sides_after_the_response() {
    let dir = Scratch::new("deferred-events");
    let pcap = dir.path("ce.pcap");
    let body = gzip(b"hello");
    let mut resp = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    resp.extend_from_slice(&body);
    http_session(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", &resp)
        .write_pcap(&pcap)
        .unwrap();
    let rules = r#"
alert http any any -> any any (msg:"abnormal CE seen to server"; flow:established,to_server; app-layer-event:http.abnormal_ce_header; sid:1;)
alert http any any -> any any (msg:"abnormal CE seen to client"; flow:established,to_client; app-layer-event:http.abnormal_ce_header; sid:2;)
alert http any any -> any any (msg:"abnormal CE any direction"; flow:established; app-layer-event:http.abnormal_ce_header; sid:3;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(1), 1, "{:?}", run.alerts());
    assert_eq!(run.count(2), 1, "{:?}", run.alerts());
    assert_eq!(run.count(3), 2, "{:?}", run.alerts());
}

/// Regression: Modbus/TCP on port 502 is parsed; a read answer the decoder finds
/// inconsistent with its request raises `modbus.value_mismatch` on the answer.
#[test]
fn modbus_value_mismatch_is_raised_on_the_answer() {
    let dir = Scratch::new("modbus");
    let pcap = dir.path("modbus.pcap");
    let mbap = |tid: u16, pdu: &[u8]| {
        let mut v = tid.to_be_bytes().to_vec();
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
        v.push(1);
        v.extend_from_slice(pdu);
        v
    };
    let mut c = TcpConversation::new(
        "192.168.1.10:40002".parse().unwrap(),
        "10.0.0.80:502".parse().unwrap(),
    );
    c.handshake()
        .client_send(&mbap(1, &[1, 0, 0, 0, 8]))
        .server_send(&mbap(1, &[1, 1, 0x55]))
        .client_send(&mbap(2, &[1, 0, 0, 0, 8]))
        .server_send(&mbap(2, &[1, 3, 0x55, 0, 0]))
        // Two more requests, both answered wrongly in one segment: one alert per
        // transaction (Suricata alerts per transaction carrying the event).
        .client_send(&[mbap(3, &[1, 0, 0, 0, 8]), mbap(4, &[1, 0, 0, 0, 8])].concat())
        .server_send(&[mbap(3, &[1, 3, 0x55, 0, 0]), mbap(4, &[1, 3, 0x55, 0, 0])].concat())
        .close();
    c.write_pcap(&pcap).unwrap();
    let rules = r#"
alert modbus any any -> any any (msg:"mismatch"; flow:to_client; app-layer-event:modbus.value_mismatch; sid:1;)
alert modbus any any -> any any (msg:"unsolicited"; app-layer-event:modbus.unsolicited_response; sid:2;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(1), 3, "{:?}", run.alerts());
    assert_eq!(run.count(2), 0, "{:?}", run.alerts());
}

/// Regression: three pipelined requests completed by one segment raised one alert; Suricata
/// raises one per matching transaction (seen with Nmap's pipelined scans).
#[test]
fn pipelined_requests_alert_once_per_transaction() {
    let dir = Scratch::new("pipelined");
    let one = b"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: Scanner/1.0\r\n\r\n";
    let mut reqs = Vec::new();
    for _ in 0..3 {
        reqs.extend_from_slice(one);
    }
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".repeat(3);
    let pcap = dir.path("pipelined.pcap");
    http_session(&reqs, &resp).write_pcap(&pcap).unwrap();
    let rules = r#"
alert http any any -> any any (msg:"ua"; flow:to_server; http.user_agent; content:"Scanner/"; startswith; sid:1;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.count(1), 3, "{:?}", run.alerts());
}

/// Regression: SMB's parser never triggers raw stream inspection, so Suricata inspects an
/// SMB client's stream with the client's own packets once the server acknowledged 2,560
/// bytes of it, from where the last inspection ended. An anchored rule then matches the
/// write on its packet and again, later, on the stream (two alerts, as Suricata 7 gives).
#[test]
fn smb_stream_is_inspected_once_acknowledged() {
    let dir = Scratch::new("smb-raw");
    let nbss = |smb_cmd: u8, body: &[u8]| {
        let mut m = vec![0xff, b'S', b'M', b'B', smb_cmd];
        m.extend(std::iter::repeat_n(0u8, 27));
        m.extend_from_slice(body);
        let mut v = vec![0, 0];
        v.extend_from_slice(&(m.len() as u16).to_be_bytes());
        v.extend(m);
        v
    };
    let mut write = b"MZ".to_vec();
    write.extend(std::iter::repeat_n(b'A', 4000));
    let mut c = TcpConversation::new(
        "192.168.1.10:40010".parse().unwrap(),
        "10.0.0.80:445".parse().unwrap(),
    );
    c.handshake()
        .client_send(&nbss(0x72, b"negotiate"))
        .server_send(&nbss(0x72, b"negotiated"))
        .client_send(&nbss(0x2f, &write))
        .server_send(&nbss(0x2f, b"written"))
        .client_send(&nbss(0x04, b"close"))
        .server_send(&nbss(0x04, b"closed"))
        .close();
    let pcap = dir.path("smb.pcap");
    c.write_pcap(&pcap).unwrap();
    let rules = r#"
alert tcp any any -> any 445 (msg:"exe over smb"; flow:established,to_server; content:"SMB"; depth:8; content:"MZ"; distance:0; sid:1;)
"#;
    let run = run_sensor(&dir, &pcap, rules, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Suricata 7.0.10 on this pcap: packets 8 (the write's first segment) and 12 (the
    // next client packet after 2,966 bytes were acknowledged).
    assert_eq!(run.pcap_cnts(1), [8, 12], "{:?}", run.alerts());
}
