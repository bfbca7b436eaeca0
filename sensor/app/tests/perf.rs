//! Rough throughput check (run with `--release -- --ignored`).

use sensor_app::{AppConfig, AppProto, AppState, Direction};
use std::time::Instant;

#[test]
#[ignore]
fn http_throughput() {
    let req = b"GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nCookie: a=b\r\n\r\n";
    let resp =
        b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type: text/html\r\nContent-Length: 500\r\n\r\n";
    let body = [b'x'; 500];
    let n = 200_000;
    let start = Instant::now();
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = Vec::new();
    for _ in 0..n {
        ev.clear();
        st.parse(Direction::ToServer, req, 0, &mut ev);
        ev.clear();
        st.parse(Direction::ToClient, resp, 0, &mut ev);
        st.parse(Direction::ToClient, &body, 0, &mut ev);
    }
    let el = start.elapsed();
    println!(
        "{} tx in {:?}: {:.0} tx/s",
        n,
        el,
        n as f64 / el.as_secs_f64()
    );
}
