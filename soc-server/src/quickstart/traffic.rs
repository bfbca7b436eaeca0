//! The quickstart capture: HTTP attacks (SQL injection, path traversal with a leaked
//! passwd file, scanner user agents), a DNS query and a TLS ClientHello for `*.evil.test`,
//! plus a little benign traffic. Built frame by frame, no network touched.

use sensor_net::capture::{PcapWriter, Timestamp, LINKTYPE_ETHERNET};
use sensor_net::testkit::{eth_ipv4_udp, TcpConversation};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

const ATTACKER: [u8; 4] = [10, 10, 0, 66];
const WORKSTATION: [u8; 4] = [10, 10, 0, 23];
const WEB: [u8; 4] = [10, 20, 0, 10];
const RESOLVER: [u8; 4] = [10, 20, 0, 53];
const C2: [u8; 4] = [203, 0, 113, 66];

fn sock(ip: [u8; 4], port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::from(ip), port))
}

fn http_exchange(
    start: i64,
    client: SocketAddr,
    request: &str,
    response: &str,
) -> Vec<(Timestamp, Vec<u8>)> {
    let mut c =
        TcpConversation::new(client, sock(WEB, 80)).with_time(Timestamp::new(start, 0), 2_000);
    c.handshake()
        .client_send(request.as_bytes())
        .server_send(response.as_bytes())
        .close();
    c.into_frames()
}

fn ok(body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}", body.len())
}

/// A DNS query for `name` (type A), as a UDP payload.
pub fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut p = Vec::new();
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        p.push(label.len() as u8);
        p.extend_from_slice(label.as_bytes());
    }
    p.extend_from_slice(&[0, 0, 1, 0, 1]);
    p
}

/// The answer to [`dns_query`] with one A record.
pub fn dns_answer(id: u16, name: &str, addr: [u8; 4]) -> Vec<u8> {
    let mut p = dns_query(id, name);
    p[2] = 0x81;
    p[3] = 0x80;
    p[7] = 1;
    p.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
    p.extend_from_slice(&addr);
    p
}

/// A TLS 1.2-framed ClientHello carrying `sni` in the server_name extension.
pub fn client_hello(sni: &str) -> Vec<u8> {
    let name = sni.as_bytes();
    let mut sni_ext = Vec::new();
    sni_ext.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
    sni_ext.push(0);
    sni_ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    sni_ext.extend_from_slice(name);
    let mut exts = Vec::new();
    exts.extend_from_slice(&[0x00, 0x00]);
    exts.extend_from_slice(&(sni_ext.len() as u16).to_be_bytes());
    exts.extend_from_slice(&sni_ext);
    let mut body = vec![0x03, 0x03];
    body.extend((0..32u8).map(|i| i.wrapping_mul(7)));
    body.push(0);
    body.extend_from_slice(&[0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f]);
    body.extend_from_slice(&[0x01, 0x00]);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut hs = vec![0x01];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

/// All frames of the scenario, in time order, starting at `start` (Unix seconds).
pub fn frames(start: i64) -> Vec<(Timestamp, Vec<u8>)> {
    let mut all = Vec::new();
    let page = ok("<html><body>Products</body></html>");
    // Benign browsing.
    all.extend(http_exchange(
        start,
        sock(WORKSTATION, 50100),
        "GET /index.html HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        &page,
    ));
    // SQL injection: UNION SELECT, and a tautology spelt URL-encoded and with raw quotes.
    all.extend(http_exchange(
        start + 5,
        sock(ATTACKER, 41000),
        "GET /item.php?id=1%20UNION%20SELECT%20username,password%20FROM%20users HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        &page,
    ));
    all.extend(http_exchange(
        start + 6,
        sock(ATTACKER, 41001),
        "GET /login.php?user=admin%27%20OR%20%271%27=%271 HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        &page,
    ));
    all.extend(http_exchange(
        start + 7,
        sock(ATTACKER, 41005),
        "GET /login.php?user=admin'or'1'='1 HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        &page,
    ));
    // Path traversal that leaks /etc/passwd.
    all.extend(http_exchange(
        start + 8,
        sock(ATTACKER, 41002),
        "GET /download.php?file=../../../../etc/passwd HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        &ok("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"),
    ));
    // Scanners.
    all.extend(http_exchange(
        start + 10,
        sock(ATTACKER, 41003),
        "GET /?id=1 HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n\r\n",
        &page,
    ));
    all.extend(http_exchange(
        start + 11,
        sock(ATTACKER, 41004),
        "GET /cgi-bin/ HTTP/1.1\r\nHost: shop.city.test\r\nUser-Agent: Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)\r\n\r\n",
        &ok("<html>Forbidden</html>"),
    ));
    // DNS lookup of a known-bad domain, then TLS to it.
    let (ws, resolver) = (Ipv4Addr::from(WORKSTATION), Ipv4Addr::from(RESOLVER));
    all.push((
        Timestamp::new(start + 20, 0),
        eth_ipv4_udp(ws, resolver, 53000, 53, &dns_query(0x4242, "c2.evil.test")),
    ));
    all.push((
        Timestamp::new(start + 20, 3_000),
        eth_ipv4_udp(
            resolver,
            ws,
            53,
            53000,
            &dns_answer(0x4242, "c2.evil.test", C2),
        ),
    ));
    let mut tls = TcpConversation::new(sock(WORKSTATION, 50200), sock(C2, 443))
        .with_time(Timestamp::new(start + 21, 0), 2_000);
    tls.handshake()
        .client_send(&client_hello("update.evil.test"))
        .close();
    all.extend(tls.into_frames());
    all.sort_by_key(|(ts, _)| *ts);
    all
}

/// Writes the scenario to an Ethernet pcap file; returns the number of frames.
pub fn write_capture(path: &Path, start: i64) -> io::Result<usize> {
    let frames = frames(start);
    let mut w = PcapWriter::create(path, LINKTYPE_ETHERNET)?;
    for (ts, f) in &frames {
        w.write_packet(*ts, f)?;
    }
    w.flush()?;
    Ok(frames.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_is_written_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("q.pcap");
        let n = write_capture(&p, 1_700_000_000).unwrap();
        assert!(n > 50, "{n} frames");
        let f = frames(1_700_000_000);
        assert!(f.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn client_hello_lengths_are_consistent() {
        let h = client_hello("a.evil.test");
        let rec_len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(rec_len + 5, h.len());
        let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
        assert_eq!(hs_len + 4, rec_len);
    }
}
