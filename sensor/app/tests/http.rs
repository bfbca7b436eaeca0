//! HTTP parser integration tests.

use sensor_app::http::HttpTx;
use sensor_app::{AppConfig, AppEvent, AppProto, AppState, Direction};
use std::io::Write;

/// Snapshots of transactions taken when they complete (completed
/// transactions are released at the next parse call).
type Done = std::collections::BTreeMap<u64, HttpTx>;

fn feed_snap(
    st: &mut AppState,
    dir: Direction,
    data: &[u8],
    bytewise: bool,
    done: &mut Done,
) -> Vec<AppEvent> {
    let mut ev = Vec::new();
    let step = if bytewise { 1 } else { data.len().max(1) };
    for chunk in data.chunks(step) {
        let start = ev.len();
        st.parse(dir, chunk, 0, &mut ev);
        snapshot(st, &ev[start..], done);
    }
    ev
}

fn snapshot(st: &AppState, ev: &[AppEvent], done: &mut Done) {
    for e in ev {
        if let AppEvent::HttpResponseComplete(id) | AppEvent::HttpRequestComplete(id) = e {
            if let Some(tx) = st.http().and_then(|h| h.tx(*id)) {
                done.insert(*id, tx.clone());
            }
        }
    }
}

fn feed(st: &mut AppState, dir: Direction, data: &[u8], bytewise: bool) -> Vec<AppEvent> {
    feed_snap(st, dir, data, bytewise, &mut Done::new())
}

/// A parser that has seen `request` (the client's side) and waits for the response.
fn after_request(request: &[u8]) -> AppState {
    let mut st = AppState::new(AppProto::Http, false, &AppConfig::default());
    feed(&mut st, Direction::ToServer, request, false);
    st
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

const REQ: &[u8] = b"GET /a/./b/../c%41?x=1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: test/1.0\r\nCookie: a=b\r\nAccept: */*\r\nX-Dup: 1\r\nX-Dup: 2\r\nX-Fold: a\r\n  b\r\n\r\n";

#[test]
fn request_fields_any_split() {
    for bytewise in [false, true] {
        let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
        let ev = feed(&mut st, Direction::ToServer, REQ, bytewise);
        assert!(ev.contains(&AppEvent::HttpRequestHeaders(0)));
        assert!(ev.contains(&AppEvent::HttpRequestComplete(0)));
        let http = st.http().expect("http");
        let tx = http.tx(0).expect("tx");
        assert_eq!(tx.method(), b"GET");
        assert_eq!(tx.uri_raw(), b"/a/./b/../c%41?x=1");
        assert_eq!(tx.uri_normalized(), b"/a/cA?x=1");
        assert_eq!(tx.protocol(), b"HTTP/1.1");
        assert_eq!(tx.request_line(), b"GET /a/./b/../c%41?x=1 HTTP/1.1");
        assert_eq!(tx.host(), Some(&b"www.example.com"[..]));
        assert_eq!(tx.host_raw(), Some(&b"WWW.Example.com:8080"[..]));
        assert_eq!(tx.user_agent(), Some(&b"test/1.0"[..]));
        assert_eq!(tx.cookie(), Some(&b"a=b"[..]));
        let hs = tx.request_headers();
        assert_eq!(hs.get(b"x-dup"), Some(&b"1, 2"[..]));
        // Suricata 7.0.10 (libhtp) keeps the folding white space: `http.header` holds
        // "X-Fold: a  b" for this request.
        assert_eq!(hs.get(b"x-fold"), Some(&b"a  b"[..]));
        assert_eq!(
            hs.normalized(),
            b"Host: WWW.Example.com:8080\r\nUser-Agent: test/1.0\r\nAccept: */*\r\nX-Dup: 1, 2\r\nX-Fold: a  b\r\n"
        );
        assert_eq!(
            hs.names(),
            b"\r\nHost\r\nUser-Agent\r\nCookie\r\nAccept\r\nX-Dup\r\nX-Fold\r\n\r\n"
        );
        assert_eq!(
            hs.raw(),
            REQ.get(REQ.iter().position(|c| *c == b'\n').expect("nl") + 1..)
                .expect("raw")
        );
        assert_eq!(tx.request_start(), REQ);
        assert_eq!(tx.host_port(), Some(8080));
    }
}

#[test]
fn pipelined_with_bodies_and_responses() {
    let body = gzip(b"hello gzip body");
    let mut resp = Vec::new();
    resp.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nSet-Cookie: s=1\r\nServer: ng1nx\r\n\r\n");
    let (a, b) = body.split_at(5);
    resp.extend_from_slice(format!("{:x}\r\n", a.len()).as_bytes());
    resp.extend_from_slice(a);
    resp.extend_from_slice(format!("\r\n{:x};ext=1\r\n", b.len()).as_bytes());
    resp.extend_from_slice(b);
    resp.extend_from_slice(b"\r\n0\r\nTrailer: x\r\n\r\n");
    resp.extend_from_slice(
        b"HTTP/1.1 302 Found\r\nLocation: http://x/\r\nContent-Length: 3\r\n\r\nabc",
    );
    resp.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
    let reqs = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloHEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n";
    for bytewise in [false, true] {
        let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
        let mut done = Done::new();
        let ev = feed_snap(&mut st, Direction::ToServer, reqs, bytewise, &mut done);
        for id in 0..3 {
            assert!(ev.contains(&AppEvent::HttpRequestComplete(id)), "req {id}");
        }
        let http = st.http().expect("http");
        assert_eq!(http.tx(1).expect("tx1").request_body(), b"hello");
        assert_eq!(http.tx(2).expect("tx2").method(), b"HEAD");
        let ev = feed_snap(&mut st, Direction::ToClient, &resp, bytewise, &mut done);
        for id in 0..3 {
            assert!(
                ev.contains(&AppEvent::HttpResponseComplete(id)),
                "resp {id} {bytewise}"
            );
        }
        let t0 = done.get(&0).expect("tx0");
        assert_eq!(t0.response_body(), b"hello gzip body");
        assert_eq!(t0.stat_code(), Some(&b"200"[..]));
        assert_eq!(t0.stat_msg(), b"OK");
        assert_eq!(t0.server(), Some(&b"ng1nx"[..]));
        assert!(!t0
            .response_headers()
            .normalized()
            .windows(10)
            .any(|w| w == b"Set-Cookie"));
        let t1 = done.get(&1).expect("tx1");
        assert_eq!(t1.response_body(), b"abc");
        let j = t1.eve_json();
        assert_eq!(j["status"], 302);
        assert_eq!(j["redirect"], "http://x/");
        assert_eq!(j["length"], 3);
        assert_eq!(j["http_method"], "POST");
        assert_eq!(j["hostname"], "a");
        assert!(j.get("http_port").is_none());
        let j0 = t0.eve_json();
        assert_eq!(j0["http_content_type"], "text/html");
        // HEAD response has no body even with Content-Length.
        assert!(done.get(&2).expect("tx2").is_complete());
    }
}

#[test]
fn continue_and_close_delimited() {
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(
        Direction::ToServer,
        b"POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        0,
        &mut ev,
    );
    st.parse(
        Direction::ToClient,
        b"HTTP/1.1 100 Continue\r\n\r\n",
        0,
        &mut ev,
    );
    st.parse(Direction::ToServer, b"data", 0, &mut ev);
    st.parse(
        Direction::ToClient,
        b"HTTP/1.0 200 OK\r\n\r\nuntil close",
        0,
        &mut ev,
    );
    assert!(!ev.contains(&AppEvent::HttpResponseComplete(0)));
    st.close(&mut ev);
    assert!(ev.contains(&AppEvent::HttpResponseComplete(0)));
    let tx = st.http().expect("http").tx(0).expect("tx");
    assert_eq!(tx.status(), Some(200));
    assert_eq!(tx.request_body(), b"data");
    assert_eq!(tx.response_body(), b"until close");
}

#[test]
fn connect_tunnel_and_http09() {
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut done = Done::new();
    feed_snap(
        &mut st,
        Direction::ToServer,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        false,
        &mut done,
    );
    feed_snap(
        &mut st,
        Direction::ToClient,
        b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01\x00\x05hello",
        false,
        &mut done,
    );
    feed_snap(
        &mut st,
        Direction::ToServer,
        b"\x16\x03\x01 garbage",
        false,
        &mut done,
    );
    let http = st.http().expect("http");
    assert!(http.is_tunnel());
    assert_eq!(done.get(&0).expect("tx").host(), Some(&b"example.com"[..]));
    assert!(http.tx(1).is_none());

    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(Direction::ToServer, b"GET /old\r\n", 0, &mut ev);
    assert!(ev.contains(&AppEvent::HttpRequestComplete(0)));
    assert_eq!(
        st.http().expect("http").tx(0).expect("tx").uri_raw(),
        b"/old"
    );
}

#[test]
fn body_limit_and_anomalies() {
    let cfg = AppConfig {
        request_body_limit: 10,
        http_field_limit: 64,
        ..AppConfig::default()
    };
    let mut st = AppState::new(AppProto::Http, true, &cfg);
    let mut ev = Vec::new();
    let mut req = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nX-Long: ".to_vec();
    req.extend_from_slice(&[b'a'; 200]);
    req.extend_from_slice(b"\r\nBadHeader\r\n\r\n");
    req.extend_from_slice(&[b'b'; 100]);
    st.parse(Direction::ToServer, &req, 0, &mut ev);
    assert!(ev.contains(&AppEvent::Anomaly("http.request_field_too_long")));
    assert!(ev.contains(&AppEvent::Anomaly("http.request_field_missing_colon")));
    assert!(ev.contains(&AppEvent::HttpRequestComplete(0)));
    let tx = st.http().expect("http").tx(0).expect("tx");
    assert_eq!(tx.request_body().len(), 10);
    assert_eq!(tx.request_body_len(), 100);
}

#[test]
fn gap_resync() {
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = Vec::new();
    st.parse(
        Direction::ToServer,
        b"GET /1 HTTP/1.1\r\nHost: a\r\nX-",
        0,
        &mut ev,
    );
    st.gap(Direction::ToServer, 100, &mut ev);
    st.parse(
        Direction::ToServer,
        b"junk line\r\nmore: junk\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n",
        0,
        &mut ev,
    );
    let http = st.http().expect("http");
    assert_eq!(http.tx(1).expect("tx1").uri_raw(), b"/2");
    assert_eq!(http.txs().count(), 2);
    // the response side pairs with the truncated request first
    st.parse(
        Direction::ToClient,
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        0,
        &mut ev,
    );
    assert!(ev.contains(&AppEvent::HttpResponseComplete(0)));
}

#[test]
fn gzip_request_body_and_uncompressed_fallback() {
    let z = gzip(b"{\"name\": 1}");
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        z.len()
    )
    .into_bytes();
    req.extend_from_slice(&z);
    req.extend_from_slice(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\n\"sdk\":1}");
    for bytewise in [false, true] {
        let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
        let mut done = Done::new();
        let ev = feed_snap(&mut st, Direction::ToServer, &req, bytewise, &mut done);
        assert!(ev.contains(&AppEvent::Anomaly("http.gzip_decompression_failed")));
        assert_eq!(done.get(&0).expect("tx0").request_body(), b"{\"name\": 1}");
        assert_eq!(done.get(&1).expect("tx1").request_body(), b"\"sdk\":1}");
    }
}

/// Events of one request/response exchange (no bytewise splitting).
fn exchange(req: &[u8], resp: &[u8]) -> Vec<AppEvent> {
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = feed(&mut st, Direction::ToServer, req, false);
    ev.extend(feed(&mut st, Direction::ToClient, resp, false));
    ev
}

fn has(ev: &[AppEvent], name: &str) -> bool {
    ev.iter()
        .any(|e| matches!(e, AppEvent::Anomaly(n) if *n == name))
}

#[test]
fn anomaly_raised_once_per_transaction() {
    let ev = exchange(b"GET / HTTP/1.1\r\nHost: a\r\nbad1\r\nbad2\r\n\r\n", b"");
    let n = ev
        .iter()
        .filter(|e| **e == AppEvent::Anomaly("http.request_field_missing_colon"))
        .count();
    assert_eq!(n, 1);
}

#[test]
fn header_repetition_only_past_libhtp_limit() {
    let mut req = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for _ in 0..3 {
        req.extend_from_slice(b"X-A: 1\r\n");
    }
    req.extend_from_slice(b"\r\n");
    assert!(!has(&exchange(&req, b""), "http.request_header_repetition"));
    let mut req = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for _ in 0..70 {
        req.extend_from_slice(b"X-A: 1\r\n");
    }
    req.extend_from_slice(b"\r\n");
    assert!(has(&exchange(&req, b""), "http.request_header_repetition"));
}

#[test]
fn duplicate_content_length_only_when_values_differ() {
    let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let same = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok";
    assert!(!has(
        &exchange(req, same),
        "http.duplicate_content_length_field_in_response"
    ));
    let differ = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok";
    assert!(has(
        &exchange(req, differ),
        "http.duplicate_content_length_field_in_response"
    ));
}

#[test]
fn content_length_with_trailing_junk_is_valid() {
    let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2 bytes\r\n\r\nok";
    assert!(!has(
        &exchange(req, resp),
        "http.invalid_content_length_field_in_response"
    ));
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok";
    assert!(has(
        &exchange(req, resp),
        "http.invalid_content_length_field_in_response"
    ));
}

#[test]
fn response_transfer_encoding_abnormal_and_old_proto() {
    let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let resp = b"HTTP/1.0 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n";
    let ev = exchange(req, resp);
    assert!(has(&ev, "http.response_abnormal_transfer_encoding"));
    assert!(has(&ev, "http.response_chunked_old_proto"));
    assert!(!has(
        &ev,
        "http.invalid_transfer_encoding_value_in_response"
    ));
}

#[test]
fn content_encoding_abnormal_and_too_many_layers() {
    let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let br = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\nx";
    let ev = exchange(req, br);
    assert!(has(&ev, "http.abnormal_ce_header"));
    assert!(!has(&ev, "http.too_many_encoding_layers"));
    let layers =
        b"HTTP/1.1 200 OK\r\nContent-Encoding: identity, gzip, gzip\r\nContent-Length: 1\r\n\r\nx";
    assert!(has(&exchange(req, layers), "http.too_many_encoding_layers"));
    let plain = b"HTTP/1.1 200 OK\r\nContent-Encoding: GZIP\r\nContent-Length: 0\r\n\r\n";
    assert!(!has(&exchange(req, plain), "http.abnormal_ce_header"));
}

#[test]
fn non_http_status_line_is_not_invalid_protocol() {
    let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    assert!(!has(
        &exchange(req, b"garbage line\r\n"),
        "http.response_invalid_protocol"
    ));
    assert!(has(
        &exchange(req, b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
        "http.response_invalid_protocol"
    ));
}

#[test]
fn header_name_not_token_is_invalid() {
    let ev = exchange(b"GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", b"");
    assert!(has(&ev, "http.request_header_invalid"));
}

#[test]
fn unrecognized_authorization_scheme() {
    let ev = exchange(
        b"GET / HTTP/1.1\r\nHost: a\r\nAuthorization: NTLM abc\r\n\r\n",
        b"",
    );
    assert!(has(&ev, "http.request_auth_unrecognized"));
    let ev = exchange(
        b"GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic abc\r\n\r\n",
        b"",
    );
    assert!(!has(&ev, "http.request_auth_unrecognized"));
}

/// Regression (evader "chunked,http10"): a response announcing chunked encoding whose body
/// is not chunked. libhtp flags the invalid chunk length once eight bytes are in, without
/// waiting for a line end, and keeps the rest as body until the connection closes.
#[test]
fn unchunked_body_under_chunked_header_is_flagged_early() {
    for bytewise in [false, true] {
        let mut st = after_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let ev = feed(
            &mut st,
            Direction::ToClient,
            b"HTTP/1.0 200 ok\r\nTransfer-Encoding: chunked\r\n\r\nX5O!P%@AP[4\\PZX54(P^)7CC",
            bytewise,
        );
        let flagged = ev
            .iter()
            .filter(|e| matches!(e, AppEvent::Anomaly("http.invalid_response_chunk_len")))
            .count();
        assert_eq!(flagged, 1, "bytewise={bytewise}: {ev:?}");
        let body = st
            .http()
            .and_then(|h| h.tx(0))
            .map(|t| t.response_body().to_vec());
        assert_eq!(body.as_deref(), Some(&b"X5O!P%@AP[4\\PZX54(P^)7CC"[..]));
    }
}

/// Regression (evader "somehdr;space;chunked"): in an HTTP/1.1 response, a folded line
/// with a colon after a header that had one is a new header (libhtp drops its first
/// character and flags invalid folding), so the hidden Transfer-Encoding applies.
#[test]
fn folded_transfer_encoding_is_a_new_header_in_http11_responses() {
    let mut st = after_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut done = Done::new();
    let ev = feed_snap(
        &mut st,
        Direction::ToClient,
        b"HTTP/1.1 200 ok\r\nX-Foo: bar\r\n Transfer-Encoding: chunked\r\n\r\n4\r\nX5O!\r\n0\r\n\r\n",
        false,
        &mut done,
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, AppEvent::Anomaly("http.invalid_response_field_folding"))),
        "{ev:?}"
    );
    let tx = done.get(&0).expect("response complete");
    assert_eq!(tx.response_body(), b"X5O!");
}

/// Regression: Suricata checks a response's Content-Range when the body starts (it opens
/// a ranged file) and flags values it cannot use; valid ranges pass.
#[test]
fn invalid_content_range_is_flagged() {
    let cases: &[(&[u8], bool)] = &[
        (b"bytes 0-9/10", false),
        (b"bytes */10", false),
        (b"bytes 5-9/*", false),
        (b"bytes=0-1048575/3234212", true),
        (b"bytes foo-bar/baz", true),
        (b"bytes 0--5/*", true),
        (b"bytes 0-9223372036854775807/9223372036854775808", true),
        (b"bytes 9-5/10", true),
        (b"bytes 0-10/10", true),
    ];
    for (range, flagged) in cases {
        let mut st = after_request(b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut resp = b"HTTP/1.1 206 Partial\r\nContent-Length: 4\r\nContent-Range: ".to_vec();
        resp.extend_from_slice(range);
        resp.extend_from_slice(b"\r\n\r\nabcd");
        let ev = feed(&mut st, Direction::ToClient, &resp, false);
        let got = ev
            .iter()
            .any(|e| matches!(e, AppEvent::Anomaly("http.range_invalid")));
        assert_eq!(got, *flagged, "{}", String::from_utf8_lossy(range));
    }
}

/// Regression (evader "te\r\n :chunked"): a header name alone on its line, its colon on the
/// folded next line. libhtp holds a header until the next line shows it is not folded, so
/// this is one header "Transfer-Encoding :chunked" (white space before the colon: header
/// invalid), not a line missing its colon; Suricata 7 raises only the former.
#[test]
fn header_is_parsed_after_its_continuation_lines() {
    let mut st = after_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let ev = feed(
        &mut st,
        Direction::ToClient,
        b"HTTP/1.1 200 ok\r\nConnection: close\r\nTransfer-Encoding\r\n :chunked\r\nX: y\r\n\r\n",
        false,
    );
    let names: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"http.response_header_invalid"), "{names:?}");
    assert!(
        !names.contains(&"http.response_field_missing_colon"),
        "{names:?}"
    );
}
