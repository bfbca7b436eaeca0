//! Matching semantics of content/pcre/byte_* ops (Suricata's content inspection).

use sensor_rules::{inspect_buffer, parse_rule, BufferKind, InspectCtx, Rule, Vars};

fn rule(opts: &str) -> Rule {
    parse_rule(
        &format!("alert tcp any any -> any any ({opts} sid:1;)"),
        &Vars::default(),
    )
    .unwrap_or_else(|e| panic!("{opts}: {e}"))
}

/// Does the payload buffer of `opts` match `buf`?
fn m(opts: &str, buf: &[u8]) -> bool {
    let r = rule(opts);
    let b = r
        .buffers
        .iter()
        .find(|b| b.kind == BufferKind::Payload)
        .expect("payload buffer");
    let mut ctx = InspectCtx::new();
    inspect_buffer(&b.ops, buf, &mut ctx)
}

#[test]
fn plain_content() {
    assert!(m(r#"content:"abc";"#, b"xxabcxx"));
    assert!(!m(r#"content:"abc";"#, b"xxABCxx"));
    assert!(m(r#"content:"abc"; nocase;"#, b"xxABCxx"));
    assert!(m(r#"content:"uid=0|28|root|29|";"#, b"uid=0(root)"));
}

#[test]
fn offset_depth() {
    assert!(m(r#"content:"abc"; offset:2;"#, b"xxabc"));
    assert!(!m(r#"content:"abc"; offset:3;"#, b"xxabc"));
    assert!(m(r#"content:"abc"; depth:5;"#, b"xxabc"));
    assert!(!m(r#"content:"abc"; depth:4;"#, b"xxabc"));
    assert!(m(r#"content:"abc"; offset:1; depth:4;"#, b"xabcx"));
    assert!(!m(r#"content:"abc"; offset:1; depth:3;"#, b"xxabc"));
}

#[test]
fn distance_within() {
    assert!(m(r#"content:"a"; content:"b"; distance:1;"#, b"axb"));
    assert!(!m(r#"content:"a"; content:"b"; distance:2;"#, b"axb"));
    assert!(m(r#"content:"a"; content:"b"; within:2;"#, b"axb"));
    assert!(!m(r#"content:"a"; content:"b"; within:1;"#, b"axb"));
    assert!(m(
        r#"content:"b"; content:"a"; distance:-3; within:1;"#,
        b"axb"
    ));
    assert!(m(
        r#"content:"ab"; content:"a"; distance:-2; within:1;"#,
        b"ab"
    ));
    // distance 0 after first content
    assert!(m(
        r#"content:"GET"; content:"HTTP"; distance:0;"#,
        b"GET / HTTP/1.1"
    ));
    assert!(!m(
        r#"content:"HTTP"; content:"GET"; distance:0;"#,
        b"GET / HTTP/1.1"
    ));
}

#[test]
fn backtracking() {
    // first "a" is followed by "c", the second by "b": needs a retry of the first content
    assert!(m(r#"content:"a"; content:"b"; within:1;"#, b"acab"));
    assert!(m(
        r#"content:"a"; content:"b"; distance:0; within:1; content:"c"; within:1;"#,
        b"abxabc"
    ));
    assert!(!m(r#"content:"a"; content:"b"; within:1;"#, b"acac"));
    // pcre relative retry
    assert!(m(r#"content:"k="; pcre:"/^\d/R";"#, b"k=x k=1"));
    // isdataat relative after retry
    assert!(m(r#"content:"a"; isdataat:!1,relative;"#, b"abca"));
}

#[test]
fn negation() {
    assert!(m(r#"content:!"abc";"#, b"xxx"));
    assert!(!m(r#"content:!"abc";"#, b"abc"));
    assert!(m(r#"content:"a"; content:!"b"; within:1;"#, b"ac"));
    assert!(!m(r#"content:"a"; content:!"b"; within:1;"#, b"ab"));
    assert!(m(r#"content:!"abc"; offset:1;"#, b"abcx"));
    assert!(m(r#"content:"x"; content:!"y"; distance:0;"#, b"yx"));
}

#[test]
fn startswith_endswith() {
    assert!(m(r#"content:"GET"; startswith;"#, b"GET /"));
    assert!(!m(r#"content:"GET"; startswith;"#, b" GET /"));
    assert!(m(r#"content:".exe"; endswith;"#, b"/a.exe"));
    assert!(m(r#"content:".exe"; endswith;"#, b"/a.exe.exe"));
    assert!(!m(r#"content:".exe"; endswith;"#, b"/a.exe?"));
    assert!(m(
        r#"content:!".google.com"; endswith;"#,
        b"www.example.com"
    ));
    assert!(!m(
        r#"content:!".google.com"; endswith;"#,
        b"www.google.com"
    ));
    assert!(m(r#"content:"abc"; startswith; endswith;"#, b"abc"));
    assert!(!m(r#"content:"abc"; startswith; endswith;"#, b"abcabc"));
}

#[test]
fn isdataat() {
    let p = [b'a'; 32];
    assert!(m("isdataat:31;", &p));
    assert!(!m("isdataat:32;", &p));
    assert!(m("isdataat:32,relative;", &p));
    assert!(!m("isdataat:33,relative;", &p));
    assert!(m(r#"content:"a"; depth:1; isdataat:31,relative;"#, &p));
    assert!(!m(r#"content:"a"; depth:1; isdataat:32,relative;"#, &p));
    assert!(m("isdataat:!32;", &p));
}

#[test]
fn pcre_ops() {
    assert!(m(r#"pcre:"/a.c/";"#, b"xxabc"));
    assert!(m(r#"pcre:"/ABC/i";"#, b"abc"));
    assert!(!m(r#"pcre:!"/abc/";"#, b"abc"));
    assert!(m(r#"pcre:!"/abd/";"#, b"abc"));
    assert!(m(r#"content:"x"; pcre:"/^y/R";"#, b"xy"));
    assert!(!m(r#"content:"x"; pcre:"/^y/R";"#, b"xzy"));
    assert!(m(r#"pcre:"/ab/"; content:"c"; within:1;"#, b"abxabc"));
    assert!(m(
        r#"content:"|15 00 00 00|"; pcre:"/^\x00/R";"#,
        b"\x15\x00\x00\x00\x00"
    ));
}

#[test]
fn byte_test_ops() {
    assert!(m("byte_test:1,=,0x07,0;", b"\x07"));
    assert!(!m("byte_test:1,=,0x07,0,bitmask 0xF8;", b"\x07"));
    assert!(m("byte_test:2,>,255,0;", b"\x01\x00"));
    assert!(m("byte_test:2,<,255,0,little;", b"\x01\x00"));
    assert!(m("byte_test:2,!=,5,0;", b"\x00\x06"));
    assert!(m("byte_test:1,&,2,0;", b"\x03"));
    assert!(!m("byte_test:1,&,4,0;", b"\x03"));
    assert!(m("byte_test:1,^,1,0;", b"\x03"));
    assert!(m("byte_test:3,=,123,0,string,dec;", b"123"));
    assert!(m("byte_test:2,=,255,0,string,hex;", b"ff"));
    assert!(m(r#"content:"x"; byte_test:1,=,1,0,relative;"#, b"ax\x01"));
    assert!(!m(r#"content:"x"; byte_test:1,=,1,0,relative;"#, b"ax"));
    assert!(!m("byte_test:4,=,1,0;", b"\x00\x01"));
}

#[test]
fn byte_jump_ops() {
    // skip 2 bytes by the value, then "ok"
    assert!(m(r#"byte_jump:1,0; content:"ok"; within:2;"#, b"\x02xxok"));
    assert!(!m(r#"byte_jump:1,0; content:"ok"; within:2;"#, b"\x01xxok"));
    assert!(m(
        r#"byte_jump:1,0,from_beginning; content:"ok"; within:2;"#,
        b"\x03xxok"
    ));
    assert!(m(
        r#"byte_jump:1,0,multiplier 2; content:"ok"; within:2;"#,
        b"\x01xxok"
    ));
    assert!(m(
        r#"byte_jump:1,0,align; content:"ok"; within:2;"#,
        b"\x01xxxxok"
    ));
    assert!(m(
        r#"byte_jump:1,0,post_offset 1; content:"ok"; within:2;"#,
        b"\x01xxok"
    ));
    assert!(m(
        r#"content:"Question?"; byte_jump:2,0,relative,string,from_end,post_offset -26; content:"pandemic"; distance:0;"#,
        b"Question?10pandemicyyyyyyyy"
    ));
    assert!(!m("byte_jump:1,0;", b"\x05x"));
}

#[test]
fn byte_extract_ops() {
    assert!(m(
        r#"byte_extract:1,0,len; content:"ab"; offset:1; depth:len;"#,
        b"\x03xab"
    ));
    assert!(!m(
        r#"byte_extract:1,0,len; content:"ab"; offset:1; depth:len;"#,
        b"\x02xxab"
    ));
    assert!(m(r#"byte_extract:1,0,n; byte_test:1,=,n,1;"#, b"\x07\x07"));
    assert!(m(
        r#"byte_extract:1,0,n,relative; content:"z"; distance:n; within:1;"#,
        b"\x02abz"
    ));
    assert!(m(
        r#"byte_math:bytes 1, offset 0, oper +, rvalue 1, result r; byte_test:1,=,r,1;"#,
        b"\x04\x05"
    ));
}

#[test]
fn bsize_and_base64() {
    let r = rule(r#"http.uri; bsize:3; content:"abc";"#);
    let mut ctx = InspectCtx::new();
    assert!(inspect_buffer(&r.buffers[0].ops, b"abc", &mut ctx));
    assert!(!inspect_buffer(&r.buffers[0].ops, b"abcd", &mut ctx));
    assert!(m(
        r#"content:"b64:"; base64_decode:relative; base64_data; content:"hello";"#,
        b"b64:aGVsbG8gd29ybGQ="
    ));
    assert!(!m(
        r#"content:"b64:"; base64_decode:relative; base64_data; content:"bye";"#,
        b"b64:aGVsbG8gd29ybGQ="
    ));
}

#[test]
fn recursion_limit_stops() {
    // pathological backtracking terminates
    let buf = vec![b'a'; 5000];
    assert!(!m(
        r#"content:"a"; content:"a"; distance:0; content:"b"; distance:0;"#,
        &buf
    ));
}

#[test]
fn smb_case() {
    let mut p = Vec::new();
    p.extend_from_slice(b"\x00\x00\x00\x50\xfeSMB");
    p.extend_from_slice(&[0u8; 8]);
    p.extend_from_slice(b"\x09\x00");
    p.extend_from_slice(b"zz\x05\x00\x00");
    p.extend_from_slice(&[0u8; 19]);
    p.extend_from_slice(b"\x0c\x00");
    p.extend_from_slice(&[0u8; 20]);
    p.extend_from_slice(b"\x15\x00\x00\x00\x00");
    let base = r#"content:"|fe|SMB"; depth:8; content:"|09 00|"; distance:8; within:2; content:"|05 00 00|"; distance:0; content:"|0c 00|"; distance:19; within:2;"#;
    assert!(m(
        &format!(r#"{base} content:"|15 00 00 00|"; distance:20; within:4;"#),
        &p
    ));
    assert!(m(
        &format!(r#"{base} content:"|15 00 00 00|"; distance:20; within:4; pcre:"/^\x00/R";"#),
        &p
    ));
}
