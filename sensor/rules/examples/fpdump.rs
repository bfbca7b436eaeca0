//! Prints, per loaded rule, the chosen fast pattern and each content's
//! relative_next flag (for comparison with `suricata --engine-analysis`).
//! Output lines: `sid<TAB>buffer<TAB>pattern<TAB>nocase<TAB>rn-flags`.

use sensor_rules::{load_files, MatchOp, Vars};
use std::path::PathBuf;

fn pretty(p: &[u8]) -> String {
    let mut s = String::new();
    let mut hex = false;
    for &b in p {
        let needs = !(0x20..0x7f).contains(&b) || b"/;:\\ |\"`'".contains(&b);
        if needs {
            s.push_str(&format!("{}{:02X}", if hex { " " } else { "|" }, b));
            hex = true;
        } else {
            if hex {
                s.push('|');
            }
            s.push(b as char);
            hex = false;
        }
    }
    if hex {
        s.push('|');
    }
    s
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: fpdump RULES");
        std::process::exit(2);
    };
    let report = load_files(&[PathBuf::from(path)], &Vars::default());
    for r in &report.rules {
        let (buf, pat, nocase) = match &r.fast_pattern {
            Some(fp) => (
                r.buffers
                    .get(fp.buffer_index)
                    .map_or("?", |b| b.kind.name()),
                pretty(&fp.bytes),
                fp.nocase,
            ),
            None => ("-", String::new(), false),
        };
        let mut flags = String::new();
        for b in &r.buffers {
            for op in &b.ops {
                match op {
                    MatchOp::Content(c) => flags.push(if c.relative_next { '1' } else { '0' }),
                    MatchOp::Base64Data => flags.push('|'),
                    _ => {}
                }
            }
            flags.push(',');
        }
        println!("{}\t{}\t{}\t{}\t{}", r.sid, buf, pat, nocase, flags);
    }
}
