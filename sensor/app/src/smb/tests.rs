use super::*;

/// A TRANS request of an MS17-010 scanner: 14 parameter words and a zero byte count, so
/// the (UTF-16) transaction name the parser expects after the 16-word layout is missing.
const SCANNER_TRANS: &str = "0000003fff534d4225000000001807c000000000000000000000000000080c28000851000e000040004009000000000000010000000000000000000000000000000000";

/// The scanner's PeekNamedPipe TRANS request: 16 words with the setup words, no byte
/// data; Suricata reads the setup words as byte count and name, and finds it well formed.
const PEEK_NAMED_PIPE: &str = "00000043ff534d4225000000001807c000000000000000000000000000080c28000840001000000000005401000000000000100000000000000000000000000200230000400000";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// An NBSS session message carrying an SMB1 record.
fn smb1(cmd: u8, response: bool, mid: u16, params: &[u8]) -> Vec<u8> {
    let mut r = b"\xffSMB".to_vec();
    r.push(cmd);
    r.extend_from_slice(&[0; 4]); // status
    r.push(if response { 0x98 } else { 0x18 });
    r.extend_from_slice(&0xc007u16.to_le_bytes()); // unicode, NT status
    r.extend_from_slice(&[0; 12]); // pid high, signature, reserved
    r.extend_from_slice(&0x0800u16.to_le_bytes()); // tree
    r.extend_from_slice(&0x280cu16.to_le_bytes()); // pid
    r.extend_from_slice(&0x0800u16.to_le_bytes()); // uid
    r.extend_from_slice(&mid.to_le_bytes());
    r.extend_from_slice(params);
    nbss(&r)
}

fn nbss(body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).expect("len");
    let mut v = vec![0u8];
    v.extend_from_slice(&len.to_be_bytes()[1..]);
    v.extend_from_slice(body);
    v
}

fn names(ev: &[AppEvent]) -> Vec<&'static str> {
    ev.iter()
        .filter_map(|e| match e {
            AppEvent::Anomaly(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// The TRANS error response (word count 0, byte count 0) the scanner gets.
fn trans_error_response(mid: u16) -> Vec<u8> {
    smb1(0x25, true, mid, &[0, 0, 0])
}

#[test]
fn scanner_trans_is_malformed_once_per_direction() {
    let mut s = SmbState::new();
    let mut ts = Vec::new();
    s.parse(Direction::ToServer, &hex(SCANNER_TRANS), &mut ts);
    assert_eq!(names(&ts), vec!["smb.malformed_data"]);
    let mut tc = Vec::new();
    s.parse(Direction::ToClient, &trans_error_response(0x51), &mut tc);
    assert_eq!(names(&tc), vec!["smb.malformed_data"]);
    // The next request: the first transaction is done; only the new one reports.
    let mut ts = Vec::new();
    s.parse(Direction::ToServer, &hex(SCANNER_TRANS), &mut ts);
    assert_eq!(names(&ts), vec!["smb.malformed_data"]);
    // The answered transaction is freed once a later response-side packet inspected it.
    assert_eq!(s.txs.len(), 2);
    s.parse(Direction::ToClient, &trans_error_response(0x51), &mut tc);
    assert_eq!(s.txs.len(), 1);
    assert_eq!(s.record_counts(), (2, 2));
}

#[test]
fn records_split_at_any_byte_are_reassembled() {
    let req = hex(SCANNER_TRANS);
    for cut in 1..req.len() {
        let mut s = SmbState::new();
        let mut ev = Vec::new();
        s.parse(Direction::ToServer, &req[..cut], &mut ev);
        s.parse(Direction::ToServer, &req[cut..], &mut ev);
        assert_eq!(names(&ev), vec!["smb.malformed_data"], "cut {cut}");
    }
}

#[test]
fn peek_named_pipe_is_well_formed() {
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &hex(PEEK_NAMED_PIPE), &mut ev);
    s.parse(Direction::ToClient, &trans_error_response(0x40), &mut ev);
    assert!(names(&ev).is_empty(), "{ev:?}");
    // A well-formed TRANS gets no transaction of its own.
    assert!(s.txs.is_empty());
}

#[test]
fn trans_request_with_its_name_is_not_malformed() {
    // wct 16, no data; byte count 3: alignment byte + UTF-16 NUL.
    let mut params = vec![16u8];
    params.extend_from_slice(&[0; 32]);
    params.extend_from_slice(&3u16.to_le_bytes());
    params.extend_from_slice(&[0, 0, 0]);
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &smb1(0x25, false, 7, &params), &mut ev);
    s.parse(Direction::ToClient, &trans_error_response(7), &mut ev);
    s.parse(Direction::ToServer, &[], &mut ev);
    assert!(names(&ev).is_empty(), "{ev:?}");
    assert!(s.txs.is_empty());
}

#[test]
fn negotiate_with_an_empty_dialect_is_reported_once() {
    let mut params = vec![0u8];
    let dialects = b"\x02NT LM 0.12\0\x02\0";
    params.extend_from_slice(&u16::try_from(dialects.len()).expect("len").to_le_bytes());
    params.extend_from_slice(dialects);
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &smb1(0x72, false, 1, &params), &mut ev);
    assert_eq!(names(&ev), vec!["smb.negotiate_malformed_dialects"]);
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &[], &mut ev);
    assert!(names(&ev).is_empty());
}

#[test]
fn write_andx_with_data_inside_the_parameters_is_malformed() {
    // wct 12, data offset 59 (< 0x3c): the MS17-010 exploit's layout.
    let mut params = vec![12u8, 0xff, 0, 0, 0];
    params.extend_from_slice(&[0x00, 0x40]); // fid
    params.extend_from_slice(&[0; 4 + 4]);
    params.extend_from_slice(&[4, 0, 0, 0xfe]); // write mode, remaining
    params.extend_from_slice(&0u16.to_le_bytes());
    params.extend_from_slice(&8u16.to_le_bytes()); // data length
    params.extend_from_slice(&59u16.to_le_bytes()); // data offset
    params.extend_from_slice(&8u16.to_le_bytes()); // byte count
    params.extend_from_slice(&[0x41; 8]);
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &smb1(0x2f, false, 3, &params), &mut ev);
    assert_eq!(names(&ev), vec!["smb.malformed_data"]);

    // The same write with the data after the parameters is fine (a file write).
    let off = params.len() - 8 - 4;
    params[off..off + 2].copy_from_slice(&60u16.to_le_bytes());
    params.insert(params.len() - 8, 0); // pad byte
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &smb1(0x2f, false, 3, &params), &mut ev);
    assert!(names(&ev).is_empty(), "{ev:?}");
}

#[test]
fn undecodable_smb_header_stops_the_parser() {
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    s.parse(Direction::ToServer, &hex(SCANNER_TRANS), &mut ev);
    // An NBSS session message that does not carry SMB.
    s.parse(Direction::ToServer, &nbss(b"AAAAAAAA"), &mut ev);
    s.parse(Direction::ToServer, &hex(SCANNER_TRANS), &mut ev);
    assert_eq!(s.record_counts().0, 1);
    assert!(s.failed);
}

#[test]
fn after_a_gap_parsing_resumes_at_the_next_record() {
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    let req = hex(SCANNER_TRANS);
    s.parse(Direction::ToServer, &req[..20], &mut ev);
    s.gap(Direction::ToServer, 30);
    let mut data = b"junk junk".to_vec();
    data.extend_from_slice(&req);
    s.parse(Direction::ToServer, &data, &mut ev);
    assert_eq!(s.record_counts().0, 1);
    assert_eq!(names(&ev), vec!["smb.malformed_data"]);
}

#[test]
fn large_write_is_handled_from_its_header_and_its_data_skipped() {
    // A 4000-byte file write to a non-pipe tree arrives in pieces, then a TRANS request.
    let mut params = vec![14u8, 0xff, 0, 0, 0];
    params.extend_from_slice(&[0x01, 0x40]); // fid
    params.extend_from_slice(&[0; 4 + 4]);
    params.extend_from_slice(&[0; 4]); // write mode, remaining
    params.extend_from_slice(&0u16.to_le_bytes());
    params.extend_from_slice(&4000u16.to_le_bytes());
    params.extend_from_slice(&64u16.to_le_bytes()); // data offset
    params.extend_from_slice(&[0; 4]); // high offset
    params.extend_from_slice(&4001u16.to_le_bytes());
    params.push(0);
    params.extend_from_slice(&[0x42; 4000]);
    let mut stream = smb1(0x2f, false, 9, &params);
    stream.extend_from_slice(&hex(SCANNER_TRANS));
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    for chunk in stream.chunks(600) {
        s.parse(Direction::ToServer, chunk, &mut ev);
    }
    assert_eq!(names(&ev), vec!["smb.malformed_data"]);
    assert_eq!(s.record_counts().0, 2);
}

#[test]
fn probe_needs_an_smb_port_or_an_smb_header() {
    let req = hex(SCANNER_TRANS);
    assert_eq!(probe(&req, 51661, 445), Probe::Detected(AppProto::Smb));
    assert_eq!(probe(&req, 51661, 8080), Probe::Detected(AppProto::Smb));
    assert_eq!(probe(&req[..20], 51661, 445), Probe::NeedMore);
    assert_eq!(
        probe(b"GET / HTTP/1.1\r\n", 51661, 8080),
        Probe::NotRecognized
    );
    // NetBIOS session request, then SMB.
    let mut d = vec![0x81, 0, 0, 4, 1, 2, 3, 4];
    d.extend_from_slice(&req);
    assert_eq!(probe(&d, 1, 139), Probe::Detected(AppProto::Smb));
}

#[test]
fn reading_a_file_again_from_its_start_is_a_file_overlap() {
    let read_req = |mid| {
        let mut p = vec![12u8, 0xff, 0, 0, 0, 0x07, 0x40];
        p.extend_from_slice(&[0; 4]); // offset
        p.extend_from_slice(&4u16.to_le_bytes());
        p.extend_from_slice(&[0; 2 + 4 + 2 + 4]); // .., max count high, .., high offset
        p.extend_from_slice(&[0, 0]);
        smb1(0x2e, false, mid, &p)
    };
    let read_resp = |mid| {
        let mut p = vec![12u8, 0xff, 0, 0, 0];
        p.extend_from_slice(&[0; 6]);
        p.extend_from_slice(&4u16.to_le_bytes()); // data length
        p.extend_from_slice(&59u16.to_le_bytes()); // data offset
        p.extend_from_slice(&[0; 4 + 6]);
        p.extend_from_slice(&4u16.to_le_bytes());
        p.extend_from_slice(b"data");
        smb1(0x2e, true, mid, &p)
    };
    let mut s = SmbState::new();
    let mut ev = Vec::new();
    for mid in [1, 2] {
        s.parse(Direction::ToServer, &read_req(mid), &mut ev);
        s.parse(Direction::ToClient, &read_resp(mid), &mut ev);
    }
    assert_eq!(names(&ev), vec!["smb.file_overlap"]);
}
