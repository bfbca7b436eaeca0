use super::*;

/// A DER element with a short or long length.
pub(crate) fn tlv(id: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![id];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    v.extend_from_slice(content);
    v
}

fn ctx(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

fn int(v: i64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut start = 0;
    while start < 7
        && ((b[start] == 0 && b[start + 1] & 0x80 == 0)
            || (b[start] == 0xff && b[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    tlv(0x02, &b[start..])
}

fn gstr(s: &str) -> Vec<u8> {
    tlv(0x1b, s.as_bytes())
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn principal(names: &[&str]) -> Vec<u8> {
    let list: Vec<Vec<u8>> = names.iter().map(|n| gstr(n)).collect();
    seq(&[ctx(0, &int(1)), ctx(1, &seq(&list))])
}

fn enc_data(etype: i64) -> Vec<u8> {
    seq(&[
        ctx(0, &int(etype)),
        ctx(1, &int(2)),
        ctx(2, &tlv(0x04, &[0xaa; 40])),
    ])
}

/// An AS-REP (`tag` 11) or TGS-REP (13) whose enc-part uses `etype`.
pub(crate) fn kdc_rep(tag: u8, etype: i64) -> Vec<u8> {
    let ticket = tlv(
        0x61,
        &seq(&[
            ctx(0, &int(5)),
            ctx(1, &gstr("EXAMPLE.COM")),
            ctx(2, &principal(&["krbtgt", "EXAMPLE.COM"])),
            ctx(3, &enc_data(18)),
        ]),
    );
    let body = seq(&[
        ctx(0, &int(5)),
        ctx(1, &int(i64::from(tag))),
        ctx(
            2,
            &seq(&[seq(&[ctx(1, &int(19)), ctx(2, &tlv(0x04, b"salt"))])]),
        ),
        ctx(3, &gstr("EXAMPLE.COM")),
        ctx(4, &principal(&["alice"])),
        ctx(5, &ticket),
        ctx(6, &enc_data(etype)),
    ]);
    tlv(0x60 | tag, &body)
}

/// An AS-REQ: just enough for the probe.
pub(crate) fn as_req() -> Vec<u8> {
    let body = seq(&[
        ctx(1, &int(5)),
        ctx(2, &int(10)),
        ctx(4, &seq(&[ctx(0, &tlv(0x03, &[0, 0, 0, 0, 0]))])),
    ]);
    tlv(0x6a, &body)
}

fn record(msg: &[u8]) -> Vec<u8> {
    let mut v = (msg.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(msg);
    v
}

fn anomalies(out: &[AppEvent]) -> Vec<&'static str> {
    out.iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[test]
fn rc4_reply_is_weak_and_aes_reply_is_not() {
    let mut s = Krb5State::new(false);
    let mut out = Vec::new();
    s.parse(Direction::ToServer, &as_req(), &mut out);
    s.parse(Direction::ToClient, &kdc_rep(11, 23), &mut out);
    assert_eq!(anomalies(&out), vec![WEAK_ENCRYPTION]);
    out.clear();
    s.parse(Direction::ToClient, &kdc_rep(13, 18), &mut out);
    assert!(out.is_empty());
    s.parse(Direction::ToClient, &kdc_rep(13, 3), &mut out);
    assert_eq!(anomalies(&out), vec![WEAK_ENCRYPTION]);
    assert_eq!(s.replies(), 3);
}

#[test]
fn truncated_or_odd_replies_raise_nothing() {
    let rep = kdc_rep(11, 23);
    let mut s = Krb5State::new(false);
    let mut out = Vec::new();
    s.parse(Direction::ToClient, &rep[..rep.len() - 1], &mut out);
    s.parse(Direction::ToClient, b"\x01\x02", &mut out);
    assert!(out.is_empty());
    // a malformed datagram does not stop the UDP parser
    s.parse(Direction::ToClient, &rep, &mut out);
    assert_eq!(anomalies(&out), vec![WEAK_ENCRYPTION]);
}

#[test]
fn tcp_parses_the_first_record_of_each_direction_only() {
    let mut s = Krb5State::new(true);
    let mut out = Vec::new();
    let rec = record(&kdc_rep(11, 23));
    for cut in [1, 3, 4, 10, rec.len() - 1] {
        let mut s = Krb5State::new(true);
        let mut out = Vec::new();
        s.parse(Direction::ToClient, &rec[..cut], &mut out);
        s.parse(Direction::ToClient, &rec[cut..], &mut out);
        assert_eq!(anomalies(&out), vec![WEAK_ENCRYPTION], "cut {cut}");
    }
    let mut two = rec.clone();
    two.extend_from_slice(&rec);
    s.parse(Direction::ToClient, &two, &mut out);
    s.parse(Direction::ToClient, &rec, &mut out);
    assert_eq!(anomalies(&out), vec![WEAK_ENCRYPTION]);
}

#[test]
fn probes_follow_suricata() {
    assert_eq!(probe_message(&as_req()), Probe::Detected(AppProto::Krb5));
    assert_eq!(
        probe_message(&kdc_rep(11, 23)),
        Probe::Detected(AppProto::Krb5)
    );
    assert_eq!(
        probe_tcp(&record(&as_req())),
        Probe::Detected(AppProto::Krb5)
    );
    assert_eq!(probe_tcp(&record(&as_req())[..14]), Probe::NotRecognized);
    assert_eq!(probe_message(b"GET / HTTP/1.1\r\n"), Probe::NotRecognized);
    let mut big = record(&as_req());
    big[..4].copy_from_slice(&20000u32.to_be_bytes());
    assert_eq!(probe_tcp(&big), Probe::NotRecognized);
}
