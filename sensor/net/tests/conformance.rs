//! Decodes every frame of every conformance pcap: nothing may panic.

use std::path::Path;

use sensor_net::capture::FileReader;
use sensor_net::decode::{Decoder, L4};

#[test]
fn decode_all_conformance_pcaps() {
    let root = Path::new("/work/shared/conformance/cases");
    assert!(
        root.is_dir(),
        "conformance corpus missing: expected directory {}",
        root.display()
    );
    let mut files = 0;
    let mut frames = 0u64;
    let mut tcp = 0u64;
    let mut errors = 0u32;
    let mut entries: Vec<_> = std::fs::read_dir(root)
        .expect("read cases dir")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let pcap = entry.path().join("input.pcap");
        if !pcap.is_file() {
            continue;
        }
        files += 1;
        let mut reader =
            FileReader::open(&pcap).unwrap_or_else(|e| panic!("{}: {e}", pcap.display()));
        let mut dec = Decoder::new();
        loop {
            let frame = match reader.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    // fuzzed captures may hold an absurd record: libpcap stops there too
                    eprintln!("{}: {e}", pcap.display());
                    errors += 1;
                    break;
                }
            };
            frames += 1;
            let mut out = Vec::new();
            dec.decode(&frame, &mut out);
            assert!(
                !out.is_empty(),
                "{}: frame produced no packet",
                pcap.display()
            );
            tcp += out.iter().filter(|p| matches!(p.l4, L4::Tcp(_))).count() as u64;
        }
        assert_eq!(dec.counters().pkts, reader.frames());
    }
    assert!(errors <= 2, "too many unreadable captures: {errors}");
    assert!(files > 0, "no input.pcap found under {}", root.display());
    assert!(frames > 0 && tcp > 0);
}

#[test]
fn defrag_vlan_ipv6_tcp_case() {
    let pcap = Path::new(
        "/work/shared/conformance/cases/defrag__bug-6887-defrag-eth-vlan-ipv6-tcp/input.pcap",
    );
    assert!(pcap.is_file(), "missing {}", pcap.display());
    let mut reader = FileReader::open(pcap).expect("open");
    let mut dec = Decoder::new();
    let mut all = Vec::new();
    while let Some(frame) = reader.next_frame().expect("read") {
        let mut out = Vec::new();
        dec.decode(&frame, &mut out);
        all.extend(out.into_iter().map(|p| p.into_owned()));
    }
    let re: Vec<_> = all.iter().filter(|p| p.reassembled).collect();
    assert_eq!(re.len(), 1, "one reassembled packet expected");
    let p = re[0];
    assert_eq!(p.vlans(), &[6]);
    assert_eq!(p.ip_version, 6);
    assert!(matches!(p.l4, L4::Tcp(ref t) if t.sport == 12345 && t.dport == 8080));
    assert_eq!(p.payload.len(), 1000);
    assert!(p.payload.iter().all(|&b| b == b'A'));
    // the expected EVE packet field starts with the Ethernet + VLAN header of the first fragment
    assert_eq!(&p.data[..6], &[5, 4, 3, 2, 1, 0]);
    assert_eq!(p.data.len(), 14 + 4 + 40 + 20 + 1000);
    assert_eq!(dec.counters().defrag.ipv6.reassembled, 1);
    assert_eq!(dec.counters().defrag.ipv6.fragments, 3);
}

/// Counts decoded ICMPv6 packets with the given type/code in a conformance case.
fn count_icmpv6(case: &str, typ: u8, code: u8) -> usize {
    let pcap = Path::new("/work/shared/conformance/cases")
        .join(case)
        .join("input.pcap");
    assert!(pcap.is_file(), "missing {}", pcap.display());
    let mut reader = FileReader::open(&pcap).expect("open");
    let mut dec = Decoder::new();
    let mut n = 0;
    while let Some(frame) = reader.next_frame().expect("read") {
        let mut out = Vec::new();
        dec.decode(&frame, &mut out);
        n += out
            .iter()
            .filter(|p| matches!(p.l4, L4::Icmpv6(h) if h.typ == typ && h.code == code))
            .count();
    }
    n
}

#[test]
fn ipv6_malformed_fragment_cases() {
    // expected alert counts of `alert icmpv6 ... (itype:X; icode:Y;)` in each case
    assert_eq!(
        count_icmpv6("ipv6-evasion__ipv6-malformed-fragments-30", 3, 1),
        1
    );
    assert_eq!(
        count_icmpv6("ipv6-evasion__ipv6-malformed-fragments-35", 4, 0),
        1
    );
    assert_eq!(
        count_icmpv6("ipv6-evasion__ipv6-malformed-fragments-36", 4, 0),
        1
    );
}
