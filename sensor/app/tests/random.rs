//! Randomized robustness test: parsers must never panic and stay bounded.

use sensor_app::{probe_tcp, probe_udp, AppConfig, AppEvent, AppProto, AppState, Direction};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&[u8]] = &[
    b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Encoding: gzip\r\n\r\nabcdePOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: deflate\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
    include_bytes!("data/google.c"),
    include_bytes!("data/google.s"),
    include_bytes!("data/selks.s"),
    b"\x00\x1c\x10\x32\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x06google\x03com\x00\x00\x01\x00\x01",
    // SMB1 negotiate over NetBIOS, SMB2 header.
    b"\x00\x00\x00\x2f\xffSMB\x72\x00\x00\x00\x00\x18\x53\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xfe\x00\x00\x00\x00\x00\x0c\x00\x02NT LM 0.12\x00",
    b"\x00\x00\x00\x48\xfeSMB\x40\x00\x00\x00\x00\x00\x00\x00\x05\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xff\xfe\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x39\x00\x00\x00",
    // SMTP both ways, RFB handshake, Modbus request.
    b"220 mx ESMTP\r\nEHLO a\r\nMAIL FROM:<a@b>\r\nBDAT 10 LAST\r\n0123456789DATA\r\n354 go\r\nSubject: x\r\n\r\n.\r\n",
    b"RFB 003.008\n\x02\x01\x02\x1e",
    b"\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x08",
    // Kerberos AS-REQ start, QUIC long header.
    b"\x6a\x81\x9e\x30\x81\x9b\xa1\x03\x02\x01\x05\xa2\x03\x02\x01\x0a",
    b"\xc3\x00\x00\x00\x01\x08\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00\x44\xd0\x00\x01\x02\x03",
];

/// Every protocol the crate parses.
const PROTOS: &[AppProto] = &[
    AppProto::Http,
    AppProto::Dns,
    AppProto::Tls,
    AppProto::Modbus,
    AppProto::Smb,
    AppProto::Smtp,
    AppProto::Krb5,
    AppProto::Quic,
    AppProto::Rfb,
];

fn mutate(rng: &mut XorShift, seed: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    let n = rng.below(8);
    for _ in 0..n {
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, rng.next() as u8);
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.remove(i);
            }
            _ => {
                let i = rng.below(v.len() + 1);
                let b = [0u8, 0xff, b'\n', b':', b' ', 0xc0, 0x16][rng.below(7)];
                v.insert(i, b);
            }
        }
    }
    v
}

#[test]
fn random_inputs_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let cfg = AppConfig {
        request_body_limit: 1000,
        response_body_limit: 1000,
        ..AppConfig::default()
    };
    for round in 0..6000 {
        let proto = PROTOS[round % PROTOS.len()];
        let tcp = rng.below(2) == 0;
        let mut st = AppState::new(proto, tcp, &cfg);
        let mut ev: Vec<AppEvent> = Vec::new();
        for _ in 0..4 {
            let data = if rng.below(3) == 0 {
                (0..rng.below(600)).map(|_| rng.next() as u8).collect()
            } else {
                {
                    let seed = SEEDS[rng.below(SEEDS.len())];
                    mutate(&mut rng, seed)
                }
            };
            let dir = if rng.below(2) == 0 {
                Direction::ToServer
            } else {
                Direction::ToClient
            };
            for port in [53, 88, 443, 445, 502, 5900, 20000] {
                let _ = probe_tcp(dir, &data, 40000, port);
                let _ = probe_udp(&data, 40000, port);
            }
            let mut pos = 0;
            while pos < data.len() {
                let n = 1 + rng.below(64);
                let end = (pos + n).min(data.len());
                st.parse(dir, &data[pos..end], 0, &mut ev);
                pos = end;
                if rng.below(50) == 0 {
                    st.gap(dir, rng.below(100) as u64, &mut ev);
                }
            }
            if let Some(h) = st.http() {
                for tx in h.txs() {
                    assert!(tx.request_body().len() <= 1000);
                    assert!(tx.response_body().len() <= 1000);
                    let _ = tx.eve_json();
                }
            }
            if let Some(d) = st.dns() {
                for tx in d.txs() {
                    let _ = tx.eve_json();
                }
            }
            if let Some(t) = st.tls() {
                let _ = t.eve_json();
            }
        }
        st.close(&mut ev);
    }
}
