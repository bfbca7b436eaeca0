use super::*;

const DCID: [u8; 8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];

fn client_hello_crypto() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x22; 32]);
    body.push(0);
    body.extend_from_slice(&[0, 2, 0x13, 0x01, 1, 0, 0, 0]);
    let mut m = vec![1, 0, 0, body.len() as u8];
    m.extend_from_slice(&body);
    let mut f = vec![0x06, 0, m.len() as u8];
    f.extend_from_slice(&m);
    f
}

/// Long header of an Initial up to (without) the packet number, for `len` more bytes.
fn initial_header(version: u32, len: usize) -> Vec<u8> {
    let mut h = vec![0xc0];
    h.extend_from_slice(&version.to_be_bytes());
    h.push(DCID.len() as u8);
    h.extend_from_slice(&DCID);
    h.push(0); // scid
    h.push(0); // token
    h.extend_from_slice(&[0x40 | (len >> 8) as u8, len as u8]);
    h
}

/// A protected v1 Initial from the client carrying `plain`.
fn v1_initial(plain: &[u8]) -> Vec<u8> {
    let keys = crypto::initial_keys(1, &DCID).unwrap();
    let header = initial_header(1, 1 + plain.len() + 16);
    crypto::tests::seal(&keys.client, &header, 0, plain)
}

fn names(out: &[AppEvent]) -> Vec<&'static str> {
    out.iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[test]
fn v1_initial_with_client_hello_decrypts_cleanly() {
    let mut plain = client_hello_crypto();
    plain.resize(300, 0);
    let mut s = QuicState::new();
    let mut out = Vec::new();
    s.parse(Direction::ToServer, &v1_initial(&plain), &mut out);
    assert!(out.is_empty(), "{out:?}");
    assert!(s.hello[0]);
    // after the hello, the direction is not parsed any more
    s.parse(
        Direction::ToServer,
        &[0xc0, 0, 0, 0, 1, 0, 0, 0, 0x01, 0xff],
        &mut out,
    );
    assert!(out.is_empty());
}

#[test]
fn tampered_v1_initial_fails_to_decrypt_once_per_datagram() {
    let mut plain = client_hello_crypto();
    plain.resize(300, 0);
    let mut p = v1_initial(&plain);
    let last = p.len() - 1;
    p[last] ^= 0xff;
    let mut s = QuicState::new();
    let mut out = Vec::new();
    s.parse(Direction::ToServer, &p, &mut out);
    s.parse(Direction::ToServer, &p, &mut out);
    assert_eq!(names(&out), vec![FAILED_DECRYPT, FAILED_DECRYPT]);
}

#[test]
fn unknown_version_initial_is_parsed_in_clear() {
    // grease version: payload parsed as frames without decryption
    let mut s = QuicState::new();
    let mut out = Vec::new();
    let payload = [0x06, 0x00, 0x30, 0x01];
    let mut p = initial_header(0x0a0a_0a0a, payload.len());
    p.extend_from_slice(&payload);
    s.parse(Direction::ToServer, &p, &mut out);
    assert_eq!(names(&out), vec![ERROR_ON_DATA]);
    out.clear();
    let payload = [0x1c, 0x06, 0xff];
    let mut p = initial_header(0x0a0a_0a0a, payload.len());
    p.extend_from_slice(&payload);
    s.parse(Direction::ToClient, &p, &mut out);
    assert!(out.is_empty());
}

#[test]
fn handshake_and_short_packets_raise_nothing() {
    let mut s = QuicState::new();
    let mut out = Vec::new();
    let mut p = vec![0xe0, 0, 0, 0, 1, 0, 0];
    p.extend_from_slice(&[0xab; 40]);
    s.parse(Direction::ToClient, &p, &mut out);
    s.parse(Direction::ToClient, &[0x40, 1, 2, 3], &mut out);
    assert!(out.is_empty());
    assert_eq!(s.packets(), 1);
}

#[test]
fn probe_needs_a_header() {
    assert_eq!(probe(&[0x40]), Probe::Detected(AppProto::Quic));
    assert_eq!(probe(&[0xc0, 0, 0]), Probe::NotRecognized);
    assert_eq!(probe(&[]), Probe::NotRecognized);
}
