//! HTTP streams extracted from conformance captures (suricata-verify) with
//! the buffers the cases' rules rely on.

use sensor_app::http::HttpTx;
use sensor_app::{probe_tcp, AppConfig, AppEvent, AppProto, AppState, Direction, Probe};

/// Run a client stream then a server stream (each in `step`-sized chunks),
/// close the flow, and return snapshots of transactions as they complete.
fn run(c: &[u8], s: &[u8], step: usize) -> Vec<HttpTx> {
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut done = Vec::new();
    let snap = |st: &AppState, ev: &[AppEvent], done: &mut Vec<HttpTx>| {
        for e in ev {
            if let AppEvent::HttpResponseComplete(id) = e {
                if let Some(tx) = st.http().and_then(|h| h.tx(*id)) {
                    done.push(tx.clone());
                }
            }
        }
    };
    for (dir, data) in [(Direction::ToServer, c), (Direction::ToClient, s)] {
        for chunk in data.chunks(step) {
            let mut ev = Vec::new();
            st.parse(dir, chunk, 0, &mut ev);
            snap(&st, &ev, &mut done);
        }
    }
    let mut ev = Vec::new();
    st.close(&mut ev);
    snap(&st, &ev, &mut done);
    done
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

macro_rules! case {
    ($name:literal) => {
        (
            &include_bytes!(concat!("data/", $name, ".c"))[..],
            &include_bytes!(concat!("data/", $name, ".s"))[..],
        )
    };
}

#[test]
fn bug_3616_file_data() {
    let (c, s) = case!("bug-3616-urldecode");
    assert_eq!(
        probe_tcp(Direction::ToServer, c, 1, 80),
        Probe::Detected(AppProto::Http)
    );
    for step in [1, 1000] {
        let txs = run(c, s, step);
        let tx = txs.first().expect("tx");
        assert!(contains(
            tx.response_body(),
            b"The requested URL /evil%27sqli was not found on this server"
        ));
        assert_eq!(tx.status(), Some(404));
    }
}

#[test]
fn close_terminated_headers() {
    let (c, s) = case!("http-close-headers");
    for step in [1, 1000] {
        let txs = run(c, s, step);
        let tx = txs.first().expect("tx");
        assert!(contains(
            tx.response_headers().normalized(),
            b"Server: ng1nx\r\n"
        ));
        assert_eq!(tx.server(), Some(&b"ng1nx"[..]));
    }
}

#[test]
fn gzip_claimed_but_plain_request_body() {
    let (c, s) = case!("http-encoding-gzip-uncompressed");
    for step in [1, 7, 1000] {
        let txs = run(c, s, step);
        let tx = txs.first().expect("tx");
        assert!(tx
            .request_body()
            .starts_with(b"{\"sdk_version\":11026,\"app_package\":\"com.xcm.huasheng\""));
        assert_eq!(tx.host(), Some(&b"sdk.xinxiansk.com"[..]));
        assert_eq!(tx.stat_code(), Some(&b"200"[..]));
        assert_eq!(tx.eve_json()["http_port"], 8100);
    }
}

#[test]
fn gzip_request_body_decompressed() {
    let (c, s) = case!("http-post-data-decompression");
    for step in [1, 1000] {
        let txs = run(c, s, step);
        let tx = txs.first().expect("tx");
        assert!(
            contains(&tx.request_body().to_ascii_lowercase(), b"name"),
            "{:?}",
            String::from_utf8_lossy(tx.request_body())
        );
        assert!(!contains(&tx.response_body().to_ascii_lowercase(), b"name"));
    }
}

#[test]
fn server_body() {
    let (c, s) = case!("http-xff-eve-forward-extra-data");
    let txs = run(c, s, 5);
    let tx = txs.first().expect("tx");
    assert!(contains(tx.response_body(), b"uid"));
    assert_eq!(
        tx.request_headers().get(b"x-forwarded-for"),
        Some(&b"10.2.2.2, 10.3.3.3"[..])
    );
    let j = tx.eve_json();
    assert_eq!(j["hostname"], "www.testmyids.com");
    assert_eq!(j["url"], "/");
    assert_eq!(j["http_content_type"], "text/html");
    assert_eq!(j["length"], 39);
}
