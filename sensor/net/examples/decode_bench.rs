//! Decodes every capture file given on the command line (directories are walked one level deep)
//! and prints throughput, reader errors and the most frequent decoder events.
//!
//! Set `BENCH_PER_FILE=1` to print the decoder events of each file (fresh decoder per file).
//! Set `BENCH_EVENT=ipv4.trunc_pkt` to list the files raising that event.
//!
//! `cargo run --release -p sensor-net --example decode_bench -- /path/to/pcaps`

use std::path::{Path, PathBuf};
use std::time::Instant;

use sensor_net::capture::FileReader;
use sensor_net::decode::{recycle_packets, DecodeEvent, Decoder, Packet};

fn collect(arg: &Path, files: &mut Vec<PathBuf>) {
    if arg.is_dir() {
        if let Ok(rd) = std::fs::read_dir(arg) {
            let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            v.sort();
            for p in v {
                if p.is_file() {
                    files.push(p);
                } else if p.is_dir() {
                    collect(&p, files);
                }
            }
        }
    } else {
        files.push(arg.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        collect(Path::new(&a), &mut files);
    }
    let mut dec = Decoder::new();
    let mut spare: Vec<Packet<'static>> = Vec::with_capacity(8);
    let (mut nfiles, mut bad_files, mut read_errors, mut frames, mut packets) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let start = Instant::now();
    for f in &files {
        let mut r = match FileReader::open(f) {
            Ok(r) => r,
            Err(_) => {
                bad_files += 1;
                continue;
            }
        };
        nfiles += 1;
        let watch = std::env::var("BENCH_EVENT")
            .ok()
            .and_then(|n| DecodeEvent::from_name(&n));
        let before = watch.map(|e| dec.counters().event.get(e)).unwrap_or(0);
        let per_file = std::env::var_os("BENCH_PER_FILE").is_some();
        if per_file {
            dec = Decoder::new();
        }
        loop {
            match r.next_frame() {
                Ok(Some(frame)) => {
                    frames += 1;
                    let mut out = recycle_packets(std::mem::take(&mut spare));
                    dec.decode(&frame, &mut out);
                    packets += out.len() as u64;
                    spare = recycle_packets(out);
                }
                Ok(None) => break,
                Err(e) => {
                    read_errors += 1;
                    eprintln!("{}: {e}", f.display());
                    break;
                }
            }
        }
        if per_file {
            let evs: Vec<String> = dec
                .counters()
                .event
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!("{name}={n}"))
                .collect();
            println!("FILE\t{}\t{}", f.display(), evs.join(","));
        }
        if let Some(e) = watch {
            let n = dec.counters().event.get(e) - before;
            if n > 0 {
                println!("{n:>8} {} in {}", e.name(), f.display());
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{nfiles} files ({bad_files} not captures), {frames} frames, {packets} packets, {read_errors} read errors, {:.3}s, {:.0} frames/s",
        secs,
        frames as f64 / secs.max(1e-9)
    );
    let c = dec.counters();
    println!(
        "ipv4 {} ipv6 {} tcp {} udp {} icmpv4 {} icmpv6 {} vlan {} gre {} invalid {} defrag v4 {}/{} v6 {}/{}",
        c.ipv4, c.ipv6, c.tcp, c.udp, c.icmpv4, c.icmpv6, c.vlan, c.gre, c.invalid,
        c.defrag.ipv4.reassembled, c.defrag.ipv4.fragments, c.defrag.ipv6.reassembled, c.defrag.ipv6.fragments
    );
    let mut ev: Vec<_> = c.event.iter().filter(|(_, n)| *n > 0).collect();
    ev.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (name, n) in ev.iter().take(25) {
        println!("  {n:>8} {name}");
    }
}
