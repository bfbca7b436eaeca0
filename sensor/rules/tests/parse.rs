//! Rule parsing: header, options, buffer assembly, fast pattern, validation.

use sensor_rules::ops::ValueRef;
use sensor_rules::rule::{FlowbitCmd, Target, ThresholdType, Track};
use sensor_rules::{
    parse_rule, Action, BufferKind, Direction, MatchOp, NumCmp, Protocol, RuleError, Transform,
    Vars,
};

fn p(text: &str) -> Result<sensor_rules::Rule, RuleError> {
    parse_rule(text, &Vars::default())
}

fn ok(opts: &str) -> sensor_rules::Rule {
    p(&format!("alert tcp any any -> any any ({opts} sid:1;)"))
        .unwrap_or_else(|e| panic!("{opts}: {e}"))
}

fn err_kw(opts: &str) -> String {
    match p(&format!("alert tcp any any -> any any ({opts} sid:1;)")) {
        Ok(_) => panic!("{opts} should fail"),
        Err(e) => e.keyword().unwrap_or("").to_string(),
    }
}

fn content(r: &sensor_rules::Rule, b: usize, o: usize) -> &sensor_rules::ContentOp {
    match &r.buffers[b].ops[o] {
        MatchOp::Content(c) => c,
        other => panic!("not a content: {other:?}"),
    }
}

#[test]
fn header() {
    let r = p("drop http $HOME_NET any <> [$EXTERNAL_NET,!8.8.8.8] $HTTP_PORTS (msg:\"x\"; sid:7; rev:3; gid:2;)").unwrap();
    assert_eq!(r.action, Action::Drop);
    assert_eq!(r.header.proto, Protocol::Http);
    assert!(r.header.bidirectional);
    assert!(r.header.src.contains("10.0.0.1".parse().unwrap()));
    assert!(!r.header.dst.contains("8.8.8.8".parse().unwrap()));
    assert!(r.header.dport.contains(80) && !r.header.dport.contains(81));
    assert_eq!((r.sid, r.rev, r.gid), (7, 3, 2));
    assert_eq!(
        p("alert smb any any -> any any (sid:1;)")
            .unwrap()
            .header
            .proto,
        Protocol::App("smb".into())
    );
    assert!(matches!(
        p("alert tcp any any <- any any (sid:1;)"),
        Err(RuleError::Syntax(_))
    ));
    assert!(matches!(
        p("alert tcp any any -> any (sid:1;)"),
        Err(RuleError::Syntax(_))
    ));
    assert!(matches!(
        p("alert tcp $NOPE any -> any any (sid:1;)"),
        Err(RuleError::UndefinedVar(_))
    ));
    assert!(matches!(
        p("alert tcp any any -> any any (msg:\"x\";)"),
        Err(RuleError::Syntax(_))
    ));
    assert!(matches!(
        p("alert tcp any any -> any any (sid:1"),
        Err(RuleError::Syntax(_))
    ));
    // the last option may omit its semicolon
    assert_eq!(
        p("alert tcp any any -> any any (msg:\"x\"; sid:9)")
            .unwrap()
            .sid,
        9
    );
    // sets that match nothing are errors
    assert!(p("alert tcp any any -> any [80,!80] (sid:1;)").is_err());
    assert!(p("alert tcp !any any -> any any (sid:1;)").is_err());
    let mut v = Vars::default();
    v.set("HOME_NET", "[1.2.3.0/24]");
    let r = parse_rule("alert ip $HOME_NET any -> $EXTERNAL_NET any (sid:1;)", &v).unwrap();
    assert!(r.header.src.contains("1.2.3.4".parse().unwrap()));
    assert!(r.header.dst.contains("10.0.0.1".parse().unwrap()));
}

#[test]
fn meta_options() {
    let r = ok(
        r#"msg:"a \"quoted\" \; msg"; classtype:trojan-activity; priority:2; reference:url,example.com; metadata:created_at 2020_01_01, signature_severity Major; target:dest_ip;"#,
    );
    assert_eq!(r.msg, r#"a "quoted" ; msg"#);
    assert_eq!(r.classtype.as_deref(), Some("trojan-activity"));
    assert_eq!(r.priority, Some(2));
    assert_eq!(r.references, vec!["url,example.com".to_string()]);
    assert_eq!(
        r.metadata,
        vec![
            "created_at 2020_01_01".to_string(),
            "signature_severity Major".to_string()
        ]
    );
    assert_eq!(r.target, Some(Target::DestIp));
}

#[test]
fn content_modifiers() {
    let r =
        ok(r#"content:"a|20|b"; nocase; offset:2; depth:4; content:!"x"; distance:-1; within:3;"#);
    let c = content(&r, 0, 0);
    assert_eq!(c.pattern, b"a b");
    assert!(c.nocase);
    assert_eq!(c.offset, Some(ValueRef::Lit(2)));
    // depth is stored as an absolute end (offset + depth), like Suricata
    assert_eq!(c.depth, Some(ValueRef::Lit(6)));
    let c = content(&r, 0, 1);
    assert!(c.negated);
    assert_eq!(c.distance, Some(ValueRef::Lit(-1)));
    assert_eq!(c.within, Some(ValueRef::Lit(3)));
    assert_eq!(err_kw(r#"content:"abc"; depth:2;"#), "depth");
    assert_eq!(err_kw(r#"content:"abc"; within:2;"#), "within");
    assert_eq!(err_kw(r#"content:"a"; offset:1; distance:1;"#), "distance");
    assert_eq!(err_kw(r#"content:"a"; startswith; offset:1;"#), "offset");
    assert_eq!(err_kw("nocase;"), "nocase");
    assert_eq!(err_kw(r#"content:"";"#), "content");
    assert_eq!(err_kw(r#"content:"|4|";"#), "content");
}

#[test]
fn sticky_buffers_and_modifiers() {
    let r = ok(
        r#"flow:established,to_server; http.method; content:"GET"; http.uri; content:"/a"; content:".php"; distance:0; http.header; content:"X-Foo"; http.uri; content:"b"; distance:0;"#,
    );
    let kinds: Vec<BufferKind> = r.buffers.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        vec![
            BufferKind::HttpMethod,
            BufferKind::HttpUri,
            BufferKind::HttpHeader
        ]
    );
    // the second http.uri group is merged into the first (relative to ".php")
    assert_eq!(r.buffers[1].ops.len(), 3);
    assert_eq!(r.direction, Some(Direction::ToServer));

    let r = ok(r#"content:"GET"; http_method; content:"/x"; http_uri; nocase; content:"pay";"#);
    assert_eq!(r.buffers.len(), 3);
    let uri = r
        .buffers
        .iter()
        .find(|b| b.kind == BufferKind::HttpUri)
        .unwrap();
    assert!(matches!(&uri.ops[0], MatchOp::Content(c) if c.nocase));
    assert!(r.buffers.iter().any(|b| b.kind == BufferKind::Payload));

    let r = ok(r#"uricontent:"/c/"; isdataat:!10,relative;"#);
    assert_eq!(r.buffers.len(), 1);
    assert_eq!(r.buffers[0].kind, BufferKind::HttpUri);
    assert_eq!(r.buffers[0].ops.len(), 2);

    let r = ok(r#"content:"functions"; pcre:"/\/[0-9]{2,8}\.functions/Ui";"#);
    assert_eq!(r.buffers[1].kind, BufferKind::HttpUri);

    let r = ok(r#"dns_query; content:"evil";"#);
    assert_eq!(r.buffers[0].kind, BufferKind::DnsQuery);
    let r = ok(r#"tls.cert_issuer; content:"x"; tls_cert_subject; content:"CN=";"#);
    assert_eq!(r.buffers[0].kind, BufferKind::TlsCertIssuer);
    assert_eq!(r.buffers[1].kind, BufferKind::TlsCertSubject);
    let r = ok(r#"file_data; content:"a"; pkt_data; content:"b";"#);
    assert_eq!(r.buffers[0].kind, BufferKind::FileData);
    assert_eq!(r.buffers[1].kind, BufferKind::Payload);
}

#[test]
fn direction_conflicts() {
    assert_eq!(
        err_kw(r#"http.uri; content:"a"; http.stat_code; content:"200";"#),
        "http.stat_code"
    );
    assert_eq!(
        err_kw(r#"flow:to_server; http.stat_code; content:"200";"#),
        "http.stat_code"
    );
    let r = ok(r#"flow:to_client; http.stat_code; content:"200";"#);
    assert_eq!(r.direction, Some(Direction::ToClient));
    assert_eq!(err_kw(r#"http.host; content:"Example.com";"#), "http.host");
    ok(r#"http.host; content:"Example.com"; nocase;"#);
}

#[test]
fn transforms() {
    let r =
        ok(r#"http.uri; to_lowercase; url_decode; content:"/etc/passwd"; http.uri; content:"x";"#);
    assert_eq!(
        r.buffers.len(),
        2,
        "different transforms are different buffers"
    );
    assert!(matches!(
        r.buffers[0].transforms.as_slice(),
        [Transform::ToLowercase, Transform::UrlDecode]
    ));
    let r = ok(r#"dns.query; dotprefix; content:".evil.com"; endswith;"#);
    assert!(matches!(
        r.buffers[0].transforms.as_slice(),
        [Transform::Dotprefix]
    ));
    ok(r#"http.uri; xor:"0d0ac8ff"; content:"a";"#);
    ok(r#"http.uri; pcrexform:"a(b)c"; content:"b";"#);
    // a transform after a content applies to the ops that follow it (Suricata accepts this)
    let r = ok(r#"http.uri; content:"a"; to_lowercase; content:"b";"#);
    assert_eq!(r.buffers.len(), 2);
    assert!(r.buffers[0].transforms.is_empty());
    assert!(matches!(
        r.buffers[1].transforms.as_slice(),
        [Transform::ToLowercase]
    ));
    assert_eq!(err_kw(r#"http.uri; xor:"0"; content:"a";"#), "xor");
    assert_eq!(err_kw(r#"to_lowercase; content:"a";"#), "to_lowercase");
    assert_eq!(
        err_kw(r#"http.uri; pcrexform:"abc"; content:"b";"#),
        "pcrexform"
    );
}

#[test]
fn fast_pattern_choice() {
    // explicit wins
    let r = ok(r#"content:"longer-pattern"; content:"ab"; fast_pattern;"#);
    assert_eq!(r.fast_pattern.as_ref().unwrap().bytes, b"ab");
    // app-layer buffer beats payload, then longest
    let r = ok(r#"content:"a-very-long-payload-pattern"; http.uri; content:"/x";"#);
    let fp = r.fast_pattern.unwrap();
    assert_eq!(fp.bytes, b"/x");
    assert_eq!(r.buffers[fp.buffer_index].kind, BufferKind::HttpUri);
    let r = ok(r#"content:"abc"; content:"abcd"; nocase;"#);
    let fp = r.fast_pattern.unwrap();
    assert_eq!((fp.bytes.as_slice(), fp.nocase), (&b"abcd"[..], true));
    // offset,len chop
    let r = ok(r#"content:"abcdef"; fast_pattern:1,3;"#);
    assert_eq!(r.fast_pattern.unwrap().bytes, b"bcd");
    assert_eq!(
        err_kw(r#"content:"abc"; fast_pattern:2,5;"#),
        "fast_pattern"
    );
    // only negated: used as a negative prefilter unless it has position limits
    let r = ok(r#"content:!"abc";"#);
    assert!(r.fast_pattern.unwrap().negated);
    assert!(ok(r#"content:!"abc"; depth:5;"#).fast_pattern.is_none());
    assert!(ok("dsize:5;").fast_pattern.is_none());
}

#[test]
fn packet_options() {
    let r = ok("dsize:>10; ttl:<5; itype:7<>20; icode:0; icmp_id:5; icmp_seq:6; ip_proto:!tcp; id:1; tos:8; fragbits:M+; fragoffset:0; flags:S,CE; window:!0; seq:1; ack:2; sameip; ipopts:rr; stream_size:server,<,6; urilen:<10;");
    assert_eq!(r.dsize, Some(NumCmp::Gt(10)));
    assert_eq!(r.itype, Some(NumCmp::Range(7, 20)));
    assert_eq!(r.ip_proto, Some(NumCmp::Ne(6)));
    assert!(r.flags.unwrap().matches(0x02 | 0x40));
    assert!(r.sameip);
    assert_eq!(r.seq, Some(1));
    let r = ok("flowbits:set,a; flowbits:isset,b|c; flowbits:noalert; threshold:type both, track by_dst, count 2, seconds 60; detection_filter:track by_src, count 1, seconds 10; app-layer-protocol:!http; decode-event:ipv4.trunc_pkt; tag:session,10,packets;");
    assert_eq!(r.flowbits.len(), 2);
    assert_eq!(r.flowbits[1].cmd, FlowbitCmd::IsSet);
    assert!(r.flowbits[1].any_of);
    assert!(r.noalert);
    let t = r.threshold.unwrap();
    assert_eq!(
        (t.kind, t.track, t.count, t.seconds),
        (ThresholdType::Both, Track::ByDst, 2, 60)
    );
    assert_eq!(r.detection_filter.unwrap().track, Track::BySrc);
    assert!(r.app_layer_protocol.unwrap().negated);
    assert_eq!(r.events[0].name, "ipv4.trunc_pkt");
    assert!(r.tag);
    assert_eq!(err_kw("dsize:abc;"), "dsize");
    assert_eq!(err_kw("ttl:300;"), "ttl");
    assert_eq!(err_kw("flow:to_server,to_client;"), "flow");
    assert_eq!(err_kw("flags:SX;"), "flags");
    assert_eq!(
        err_kw("threshold:type limit, count 1, seconds 2;"),
        "threshold"
    );
    assert_eq!(
        err_kw("threshold:type limit, track by_flow, count 1, seconds 2;"),
        "threshold"
    );
    assert_eq!(err_kw("icmp_seq:<5;"), "icmp_seq");
    assert_eq!(err_kw(r#"content:"a"; nocase; nocase;"#), "nocase");
    assert_eq!(err_kw("bsize:5;"), "bsize");
    assert_eq!(
        err_kw(r#"content:!"a"; distance:0; fast_pattern;"#),
        "fast_pattern"
    );
    assert_eq!(err_kw(r#"http.uri; content:"a"; http_uri;"#), "http_uri");
    assert_eq!(ok("priority:256;").priority, Some(256));
}

#[test]
fn byte_keywords_and_vars() {
    let r = ok(
        r#"content:"x"; byte_extract:2,0,len,relative; content:"y"; distance:len; byte_test:1,>,len,0;"#,
    );
    let c = content(&r, 0, 2);
    assert_eq!(c.distance, Some(ValueRef::Var(0)));
    assert_eq!(r.var_count, 1);
    assert_eq!(err_kw(r#"content:"y"; distance:nope;"#), "distance");
    assert_eq!(err_kw("byte_test:2,=,1,0,dce;"), "byte_test");
    ok(r#"content:"x"; base64_decode:bytes 10, offset 1, relative; base64_data; content:"abc";"#);
    assert_eq!(err_kw(r#"base64_data; content:"abc";"#), "base64_data");
}

#[test]
fn pcre_validation() {
    assert_eq!(err_kw(r#"pcre:"/a(/";"#), "pcre");
    assert_eq!(err_kw(r#"pcre:"/a/R";"#), "pcre");
    ok(r#"content:"a"; pcre:"/b/R";"#);
    let r = ok(r#"pcre:"/DOC/P";"#);
    assert_eq!(r.buffers[0].kind, BufferKind::HttpRequestBody);
}

#[test]
fn unsupported_keywords() {
    assert_eq!(err_kw("xbits:set,a,track ip_src;"), "xbits");
    assert_eq!(err_kw("lua:script.lua;"), "lua");
    assert_eq!(err_kw(r#"ssh.proto; content:"a";"#), "ssh.proto");
    assert_eq!(err_kw("foo_bar;"), "foo_bar");
    let e = p("alert tcp any any -> any any (lua:x; sid:1;)").unwrap_err();
    assert!(matches!(e, RuleError::Unsupported { .. }));
}

#[test]
fn tls_certs_is_a_multi_buffer() {
    let r = ok(r#"tls.certs; content:"|30 82|"; startswith;"#);
    assert_eq!(r.buffers[0].kind, sensor_rules::BufferKind::TlsCerts);
    assert!(sensor_rules::BufferKind::TlsCerts.is_multi_instance());
}

#[test]
fn keyword_table() {
    assert!(sensor_rules::keywords::is_supported("content"));
    assert!(sensor_rules::keywords::is_supported("http.uri"));
    assert!(sensor_rules::keywords::is_supported("http_uri"));
    assert!(!sensor_rules::keywords::is_supported("lua"));
    assert!(sensor_rules::keywords::markdown_table().contains("| `byte_test` |"));
}

#[test]
fn app_proto_consistency() {
    assert!(p(r#"alert dns any any -> any any (http.uri; content:"a"; sid:1;)"#).is_err());
    assert!(p(
        r#"alert tcp any any -> any any (http.uri; content:"a"; dns.query; content:"b"; sid:1;)"#
    )
    .is_err());
    let r = p(r#"alert tcp any any -> any any (http.uri; content:"a"; sid:1;)"#).unwrap();
    assert_eq!(r.app_proto(), Some("http"));
    let r = p(r#"alert smtp any any -> any any (file_data; content:"a"; sid:1;)"#).unwrap();
    assert_eq!(r.app_proto(), Some("smtp"));
    assert_eq!(ok("dsize:1;").app_proto(), None);
}

#[test]
fn rules_are_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<sensor_rules::Rule>();
    check::<sensor_rules::InspectCtx>();
}
