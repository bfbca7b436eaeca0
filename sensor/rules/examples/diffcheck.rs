//! Differential-testing helper: evaluates the payload ops of each rule in a rules file
//! against hex-encoded payloads (one per line) and prints `sid index` for every match,
//! and `skip sid reason` for every rule not loaded.

use sensor_rules::{inspect_buffer, load_files, BufferKind, InspectCtx, Vars};
use std::path::PathBuf;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| s.get(i * 2..i * 2 + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(rules), Some(payloads)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: diffcheck RULES PAYLOADS");
        std::process::exit(2);
    };
    let report = load_files(&[PathBuf::from(rules)], &Vars::default());
    for s in &report.skipped {
        println!("skip {} {}: {}", s.sid.unwrap_or(0), s.keyword, s.reason);
    }
    let text = std::fs::read_to_string(payloads).unwrap_or_default();
    let payloads: Vec<Vec<u8>> = text.lines().map(unhex).collect();
    let mut ctx = InspectCtx::new();
    for r in &report.rules {
        for (i, p) in payloads.iter().enumerate() {
            if let Some(fp) = r.fast_pattern.as_ref().filter(|f| f.negated) {
                let hit = if fp.nocase {
                    p.windows(fp.bytes.len().max(1))
                        .any(|w| w.eq_ignore_ascii_case(&fp.bytes))
                } else {
                    p.windows(fp.bytes.len().max(1))
                        .any(|w| w == fp.bytes.as_slice())
                };
                if hit {
                    continue;
                }
            }
            let ok = r
                .buffers
                .iter()
                .all(|b| b.kind == BufferKind::Payload && inspect_buffer(&b.ops, p, &mut ctx));
            if ok && !p.is_empty() {
                println!("{} {}", r.sid, i);
            }
        }
    }
}
