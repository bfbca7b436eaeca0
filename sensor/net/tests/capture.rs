//! pcap / pcapng reading and writing.

use std::io::Cursor;

use sensor_net::capture::{
    CaptureError, FileFormat, FileReader, PcapNgWriter, PcapWriter, Timestamp,
};

/// (timestamp, linktype, data, orig_len)
type Rec = (Timestamp, u32, Vec<u8>, u32);

fn read_all(bytes: Vec<u8>) -> (Vec<Rec>, u64) {
    let mut r = FileReader::new(Cursor::new(bytes)).expect("header");
    let mut v = Vec::new();
    while let Some(f) = r.next_frame().expect("frame") {
        v.push((f.ts, f.linktype, f.data.to_vec(), f.orig_len));
    }
    (v, r.truncated_records())
}

fn sample_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), 1).expect("writer");
    w.write_packet(Timestamp::new(10, 5), b"first")
        .expect("write");
    w.write_packet(Timestamp::new(11, 999_999), b"second frame")
        .expect("write");
    w.write_packet(Timestamp::new(12, 0), b"").expect("write");
    w.into_inner().expect("inner")
}

#[test]
fn pcap_round_trip() {
    let bytes = sample_pcap();
    let r = FileReader::new(Cursor::new(bytes.clone())).expect("open");
    assert_eq!(r.format(), FileFormat::Pcap);
    assert_eq!(r.linktype(), 1);
    let (frames, trunc) = read_all(bytes);
    assert_eq!(trunc, 0);
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0], (Timestamp::new(10, 5), 1, b"first".to_vec(), 5));
    assert_eq!(
        frames[1].0,
        Timestamp {
            secs: 11,
            usecs: 999_999
        }
    );
    assert_eq!(frames[1].2, b"second frame");
    assert_eq!(frames[2].2, b"");
}

/// Converts a little-endian usec pcap to big-endian, optionally with the nanosecond magic.
fn to_big_endian(le: &[u8], nsec: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let magic: u32 = if nsec { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    out.extend_from_slice(&magic.to_be_bytes());
    out.extend_from_slice(&2u16.to_be_bytes());
    out.extend_from_slice(&4u16.to_be_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    let mut off = 24;
    while off + 16 <= le.len() {
        let f = |o: usize| u32::from_le_bytes(le[off + o..off + o + 4].try_into().unwrap());
        let (s, us, incl, orig) = (f(0), f(4), f(8), f(12));
        out.extend_from_slice(&s.to_be_bytes());
        let frac = if nsec { us * 1000 } else { us };
        out.extend_from_slice(&frac.to_be_bytes());
        out.extend_from_slice(&incl.to_be_bytes());
        out.extend_from_slice(&orig.to_be_bytes());
        out.extend_from_slice(&le[off + 16..off + 16 + incl as usize]);
        off += 16 + incl as usize;
    }
    out
}

#[test]
fn pcap_big_endian_and_nanoseconds() {
    let le = sample_pcap();
    let (want, _) = read_all(le.clone());
    for nsec in [false, true] {
        let (got, trunc) = read_all(to_big_endian(&le, nsec));
        assert_eq!(trunc, 0);
        assert_eq!(got, want, "nsec={nsec}");
    }
}

#[test]
fn pcap_truncated_last_record_ends_cleanly() {
    let bytes = sample_pcap();
    // cut inside the second record's data, then inside its header
    for cut in [24 + 16 + 5 + 16 + 3, 24 + 16 + 5 + 7] {
        let (frames, trunc) = read_all(bytes[..cut].to_vec());
        assert_eq!(frames.len(), 1);
        assert_eq!(trunc, 1, "cut at {cut}");
    }
    // every prefix: never panics, never errors after a valid header
    for cut in 24..bytes.len() {
        let _ = read_all(bytes[..cut].to_vec());
    }
}

#[test]
fn bad_magic_and_absurd_lengths() {
    let err = FileReader::new(Cursor::new(b"GIF89a.........................".to_vec()))
        .err()
        .expect("error");
    assert!(
        matches!(err, CaptureError::BadMagic { offset: 0, .. }),
        "{err}"
    );
    assert!(FileReader::new(Cursor::new(Vec::new())).is_err());
    let mut bytes = sample_pcap();
    bytes[24 + 8..24 + 12].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    let mut r = FileReader::new(Cursor::new(bytes)).expect("header");
    let err = r
        .next_frame()
        .map(|f| f.map(|f| f.orig_len))
        .expect_err("error");
    assert!(
        matches!(err, CaptureError::BadLength { offset: 24, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("offset 24"));
    let mut bytes = sample_pcap();
    bytes[16..20].copy_from_slice(&0x4000_0000u32.to_le_bytes());
    assert!(FileReader::new(Cursor::new(bytes)).is_err());
}

#[test]
fn pcapng_round_trip_multi_interface() {
    let mut w = PcapNgWriter::new(Vec::new()).expect("shb");
    w.add_interface(1, 6).expect("idb");
    w.add_interface(101, 9).expect("idb");
    w.write_packet(0, 1_700_000_000_123_456, b"eth frame")
        .expect("epb");
    w.write_raw_block(0x0000_0BAD, b"unknown block body")
        .expect("raw");
    w.write_packet(1, 1_700_000_001_987_654_321, b"raw ip frame!")
        .expect("epb");
    let bytes = w.into_inner().expect("inner");
    let r = FileReader::new(Cursor::new(bytes.clone())).expect("open");
    assert_eq!(r.format(), FileFormat::PcapNg);
    let (frames, trunc) = read_all(bytes.clone());
    assert_eq!(trunc, 0);
    assert_eq!(frames.len(), 2);
    assert_eq!(
        frames[0],
        (
            Timestamp::new(1_700_000_000, 123_456),
            1,
            b"eth frame".to_vec(),
            9
        )
    );
    assert_eq!(
        frames[1],
        (
            Timestamp::new(1_700_000_001, 987_654),
            101,
            b"raw ip frame!".to_vec(),
            13
        )
    );
    // truncation at every point after the SHB never panics nor errors
    for cut in 28..bytes.len() {
        let mut r = FileReader::new(Cursor::new(bytes[..cut].to_vec())).expect("open");
        while let Some(_f) = r.next_frame().expect("no error on truncation") {}
    }
}

/// Hand-built big-endian pcapng with an SPB and an obsolete PB.
#[test]
fn pcapng_big_endian_spb_pb() {
    let mut b = Vec::new();
    let be = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&v.to_be_bytes());
    // SHB
    be(&mut b, 0x0A0D0D0A);
    be(&mut b, 28);
    be(&mut b, 0x1A2B3C4D);
    b.extend_from_slice(&[0, 1, 0, 0]);
    b.extend_from_slice(&u64::MAX.to_be_bytes());
    be(&mut b, 28);
    // IDB, linktype 228, no options
    be(&mut b, 1);
    be(&mut b, 20);
    b.extend_from_slice(&[0, 228, 0, 0]);
    be(&mut b, 65535);
    be(&mut b, 20);
    // SPB with 5 bytes of data padded to 8
    be(&mut b, 3);
    be(&mut b, 24);
    be(&mut b, 5);
    b.extend_from_slice(b"hello\0\0\0");
    be(&mut b, 24);
    // PB: if 0, drops 0, ts 0/1_000_002 usec, cap 3, orig 4
    be(&mut b, 2);
    be(&mut b, 36);
    b.extend_from_slice(&[0, 0, 0, 0]);
    be(&mut b, 0);
    be(&mut b, 1_000_002);
    be(&mut b, 3);
    be(&mut b, 4);
    b.extend_from_slice(b"abc\0");
    be(&mut b, 36);
    let (frames, trunc) = read_all(b);
    assert_eq!(trunc, 0);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].1, 228);
    assert_eq!(frames[0].2, b"hello");
    assert_eq!(frames[1], (Timestamp::new(1, 2), 228, b"abc".to_vec(), 4));
}

#[test]
fn pcap_file_round_trip_on_disk() {
    let dir = std::env::temp_dir().join(format!("sensor-net-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("conv.pcap");
    let mut conv = sensor_net::testkit::TcpConversation::new(
        "10.0.0.1:40000".parse().expect("addr"),
        "10.0.0.2:80".parse().expect("addr"),
    );
    conv.handshake().client_send(b"hello").close();
    conv.write_pcap(&path).expect("write");
    let mut r = FileReader::open(&path).expect("open");
    let mut n = 0;
    while let Some(f) = r.next_frame().expect("frame") {
        assert_eq!(f.data, conv.frames()[n].1.as_slice());
        assert_eq!(f.ts, conv.frames()[n].0);
        n += 1;
    }
    assert_eq!(n, conv.frames().len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timestamp_helpers() {
    let t = Timestamp::new(3, 2_500_000);
    assert_eq!(
        t,
        Timestamp {
            secs: 5,
            usecs: 500_000
        }
    );
    assert_eq!(t.as_micros(), 5_500_000);
    assert_eq!(
        Timestamp::from_micros(-1),
        Timestamp {
            secs: -1,
            usecs: 999_999
        }
    );
    assert!(Timestamp::new(1, 2) < Timestamp::new(1, 3));
    assert!(Timestamp::new(1, 999_999) < Timestamp::new(2, 0));
}
