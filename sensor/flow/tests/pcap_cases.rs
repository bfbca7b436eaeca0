//! Runs the tcp-stream conformance pcaps (when present) through the flow table and
//! checks the reassembled streams. Contains a tiny Ethernet/IP/TCP decoder for tests only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use sensor_flow::{
    Direction, FlowConfig, FlowTable, PacketMeta, StreamConfig, StreamOutput, TcpMeta,
};

const CASES: &str = "/work/shared/conformance/cases";

#[derive(Default)]
struct Streams {
    ts: Vec<u8>,
    tc: Vec<u8>,
    gaps: usize,
    tracked: bool,
}

struct Raw {
    ts: i64,
    data: Vec<u8>,
}

fn read_pcap(path: &Path) -> Option<Vec<Raw>> {
    let buf = std::fs::read(path).ok()?;
    let magic = u32::from_le_bytes(buf.get(0..4)?.try_into().ok()?);
    let (le, nano) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        _ => return None,
    };
    let rd = |o: usize| -> Option<u32> {
        let b: [u8; 4] = buf.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let mut off = 24;
    let mut out = Vec::new();
    while off + 16 <= buf.len() {
        let sec = i64::from(rd(off)?);
        let frac = i64::from(rd(off + 4)?);
        let caplen = rd(off + 8)? as usize;
        let usec = if nano { frac / 1000 } else { frac };
        let data = buf.get(off + 16..off + 16 + caplen)?.to_vec();
        out.push(Raw {
            ts: sec * 1_000_000 + usec,
            data,
        });
        off += 16 + caplen;
    }
    Some(out)
}

fn be16(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn be32(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(o..o + 4)?.try_into().ok()?))
}

fn decode(raw: &Raw) -> Option<PacketMeta<'_>> {
    let d = &raw.data;
    let mut et = be16(d, 12)?;
    let mut off = 14;
    let mut vlan = [0u16; 3];
    let mut vc = 0u8;
    while et == 0x8100 || et == 0x88a8 {
        if let Some(v) = vlan.get_mut(usize::from(vc)) {
            *v = be16(d, off)? & 0x0fff;
            vc += 1;
        }
        et = be16(d, off + 2)?;
        off += 4;
    }
    let (src, dst, proto, l4) = match et {
        0x0800 => {
            let ihl = usize::from(d.get(off)? & 0x0f) * 4;
            let tot = usize::from(be16(d, off + 2)?);
            let src: [u8; 4] = d.get(off + 12..off + 16)?.try_into().ok()?;
            let dst: [u8; 4] = d.get(off + 16..off + 20)?.try_into().ok()?;
            let end = (off + tot).min(d.len());
            (
                IpAddr::from(src),
                IpAddr::from(dst),
                *d.get(off + 9)?,
                d.get(off + ihl..end)?,
            )
        }
        0x86dd => {
            let plen = usize::from(be16(d, off + 4)?);
            let src: [u8; 16] = d.get(off + 8..off + 24)?.try_into().ok()?;
            let dst: [u8; 16] = d.get(off + 24..off + 40)?.try_into().ok()?;
            let end = (off + 40 + plen).min(d.len());
            (
                IpAddr::from(src),
                IpAddr::from(dst),
                *d.get(off + 6)?,
                d.get(off + 40..end)?,
            )
        }
        _ => return None,
    };
    if proto != 6 {
        return None;
    }
    let doff = usize::from(l4.get(12)? >> 4) * 4;
    let mut wscale = None;
    let mut i = 20;
    while i < doff {
        match l4.get(i)? {
            0 => break,
            1 => i += 1,
            k => {
                let len = usize::from(*l4.get(i + 1)?).max(2);
                if *k == 3 {
                    wscale = l4.get(i + 2).copied();
                }
                i += len;
            }
        }
    }
    Some(PacketMeta {
        ts_micros: raw.ts,
        src,
        dst,
        sport: be16(l4, 0)?,
        dport: be16(l4, 2)?,
        proto,
        vlan,
        vlan_count: vc,
        tcp: Some(TcpMeta {
            seq: be32(l4, 4)?,
            ack: be32(l4, 8)?,
            flags: *l4.get(13)?,
            window: be16(l4, 14)?,
            wscale,
            sack_permitted: false,
            timestamp: None,
        }),
        icmp: None,
        payload: l4.get(doff..)?,
        len: raw.data.len() as u32,
    })
}

fn collect(so: &StreamOutput, s: &mut Streams) {
    s.ts.extend(so.data_of(Direction::ToServer));
    s.tc.extend(so.data_of(Direction::ToClient));
    s.gaps += so.gaps().count();
    s.tracked |= so.tracked;
}

/// Runs one case; returns the streams of all flows (by flow id), or None if absent.
fn run(case: &str, scfg: StreamConfig) -> Option<Vec<Streams>> {
    let raws = read_pcap(&Path::new(CASES).join(case).join("input.pcap"))?;
    let mut t: FlowTable<()> = FlowTable::new(FlowConfig::default(), scfg).ok()?;
    let mut so = StreamOutput::new();
    let mut by_id: HashMap<u64, Streams> = HashMap::new();
    for r in &raws {
        let Some(p) = decode(r) else { continue };
        let l = t.process(&p, &mut so);
        let id = t.get(l.handle)?.flow_id;
        collect(&so, by_id.entry(id).or_default());
    }
    let mut flows = Vec::new();
    t.drain(&mut flows);
    for mut f in flows {
        t.flush_stream(&mut f, &mut so);
        collect(&so, by_id.entry(f.flow_id).or_default());
    }
    Some(by_id.into_values().collect())
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

fn any_stream(v: &[Streams], n: &[u8]) -> bool {
    v.iter().any(|s| contains(&s.ts, n) || contains(&s.tc, n))
}

fn midstream() -> StreamConfig {
    StreamConfig {
        midstream: true,
        ..StreamConfig::default()
    }
}

#[test]
fn overlap_first_data_wins() {
    let Some(v) = run("eve-overlap-payload-01", StreamConfig::default()) else {
        return;
    };
    assert!(any_stream(&v, b"GOOD"));
    assert!(!any_stream(&v, b"EVIL"));
}

#[test]
fn gap_in_the_middle() {
    let Some(v) = run("eve-overlap-payload-05-gap", StreamConfig::default()) else {
        return;
    };
    assert!(any_stream(&v, b"VERY") && any_stream(&v, b"DATA"));
    assert!(!any_stream(&v, b"GOOD"));
    assert!(!any_stream(&v, b"VERYGOODDATA"));
    assert_eq!(v.iter().map(|s| s.gaps).sum::<usize>(), 1);
}

#[test]
fn leading_gap() {
    let Some(v) = run(
        "eve-payload-06-tcp-data-leading-gap",
        StreamConfig::default(),
    ) else {
        return;
    };
    assert!(any_stream(&v, b"GOOD") && any_stream(&v, b"DATA"));
    assert!(!any_stream(&v, b"VERY"));
}

#[test]
fn split_handshakes() {
    for case in ["tcp-split-handshake-01-4whs", "tcp-split-handshake-02-5whs"] {
        let Some(v) = run(case, StreamConfig::default()) else {
            return;
        };
        assert!(any_stream(&v, b"EVIL"), "{case}");
    }
}

#[test]
fn fastopen_syn_data() {
    let Some(v) = run("tcp-fastopen-06", StreamConfig::default()) else {
        return;
    };
    assert!(any_stream(&v, b"/etc/passwd"));
    assert!(any_stream(&v, b"HTTP/1.1 200 OK"));
}

#[test]
fn rst_unacked() {
    let Some(v) = run("tcp-rst-unacked-stream-01-raw", StreamConfig::default()) else {
        return;
    };
    assert!(any_stream(&v, b"Let Me In"));
    for case in [
        "tcp-rst-unacked-stream-05-http-nogap",
        "tcp-rst-unacked-stream-07-http",
    ] {
        let Some(v) = run(case, StreamConfig::default()) else {
            return;
        };
        assert!(any_stream(&v, b"User-Agent: Mozilla"), "{case}");
    }
}

#[test]
fn no_3whs_is_not_tracked() {
    let Some(v) = run("alert-no-3whs-established", StreamConfig::default()) else {
        return;
    };
    assert!(v
        .iter()
        .all(|s| !s.tracked && s.ts.is_empty() && s.tc.is_empty()));
}

#[test]
fn midstream_and_async() {
    for case in [
        "alert-testmyids-midstream",
        "alert-testmyids-midstream3",
        "alert-testmyids-midstream5",
    ] {
        let Some(v) = run(case, midstream()) else {
            return;
        };
        assert!(any_stream(&v, b"uid=0(root)"), "{case}");
    }
    let cfg = StreamConfig {
        midstream: true,
        async_oneside: true,
        ..StreamConfig::default()
    };
    if let Some(v) = run("alert-testmyids-async", cfg) {
        assert!(any_stream(&v, b"uid=0(root)"));
    }
}

#[test]
fn all_conformance_pcaps_do_not_panic() {
    let Ok(dir) = std::fs::read_dir(CASES) else {
        return;
    };
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let _ = run(&name, StreamConfig::default());
        let _ = run(&name, midstream());
    }
}

/// Throughput check: `FLOW_BENCH_PCAP=file.pcap cargo test --release --test pcap_cases -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_pcap() {
    let Ok(path) = std::env::var("FLOW_BENCH_PCAP") else {
        return;
    };
    let Some(raws) = read_pcap(Path::new(&path)) else {
        return;
    };
    let pkts: Vec<PacketMeta<'_>> = raws.iter().filter_map(decode).collect();
    let scfg = StreamConfig {
        midstream: std::env::var("FLOW_MIDSTREAM").is_ok(),
        ..StreamConfig::default()
    };
    let mut t: FlowTable<()> = FlowTable::new(FlowConfig::default(), scfg).expect("cfg");
    let mut so = StreamOutput::new();
    let mut expired = Vec::new();
    let (mut bytes, mut gaps, mut tracked) = (0usize, 0usize, 0usize);
    let start = std::time::Instant::now();
    for p in &pkts {
        t.expire(p.ts_micros, &mut expired);
        let l = t.process(p, &mut so);
        if std::env::var("FLOW_DEBUG_GAPS").is_ok() {
            if so.counters.midstream_pickups > 0 {
                let k = t.get(l.handle).map(|f| f.key);
                println!("pickup at ts {} key {k:?}", p.ts_micros);
            }
            for g in so.gaps() {
                let k = t.get(l.handle).map(|f| f.key);
                println!("gap {g:?} at ts {} key {k:?}", p.ts_micros);
            }
        }
        bytes += so.bytes().len();
        gaps += so.gaps().count();
        tracked += usize::from(so.tracked);
    }
    t.drain(&mut expired);
    let el = start.elapsed();
    println!(
        "{} tcp pkts in {:?} ({:.0} pkt/s); flows {:?}; stream {:?}; bytes {bytes} gaps {gaps} tracked pkts {tracked}",
        pkts.len(),
        el,
        pkts.len() as f64 / el.as_secs_f64(),
        t.counters(),
        t.stream_counters()
    );
}
