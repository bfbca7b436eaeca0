//! Micro benchmark: both backends on the fast patterns of the ET Open ruleset, scanning a
//! synthetic 100 MB haystack. Run with
//! `cargo run --release -p sensor-mpm --example bench -- [rules-file] [megabytes] [http|random]`.
//!
//! The rule "parser" here is deliberately naive (benchmark only): per rule it picks the
//! `content` marked `fast_pattern`, else the longest one.

use std::time::Instant;

use sensor_mpm::{hyperscan_compiled, Backend, Matcher, Pattern};

const DEFAULT_RULES: &str = "/work/shared/bench/rules/et-open.rules";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map(String::as_str).unwrap_or(DEFAULT_RULES);
    let mb: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let text = std::fs::read_to_string(path)?;
    let patterns = extract_fast_patterns(&text);
    let nocase = patterns.iter().filter(|p| p.nocase).count();
    println!(
        "{} fast patterns ({} nocase) from {}",
        patterns.len(),
        nocase,
        path
    );

    let random = args.get(3).is_some_and(|s| s == "random");
    let hay = if random {
        random_haystack(mb << 20)
    } else {
        synthetic_haystack(mb << 20, &patterns)
    };
    println!("haystack: {} MB", hay.len() >> 20);

    let mut backends = vec![Backend::AhoCorasick];
    if hyperscan_compiled() {
        backends.push(Backend::Hyperscan);
    } else {
        println!("(built without libhs: Hyperscan skipped)");
    }
    for b in backends {
        let t = Instant::now();
        let m = Matcher::build(&patterns, b)?;
        let build = t.elapsed();
        let mut s = m.new_scratch()?;
        // Scan in packet-sized chunks (like the prefilter does) and as one block.
        for chunk in [1460usize, 64 << 10] {
            let mut hits = 0u64;
            let t = Instant::now();
            for piece in hay.chunks(chunk) {
                m.scan(&mut s, piece, &mut |_| hits += 1);
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{:>13}: build {:>7.1} ms, {} distinct, chunk {:>6} B: {:>8.1} MB/s, {} id hits",
                m.backend_name(),
                build.as_secs_f64() * 1e3,
                m.distinct_patterns(),
                chunk,
                hay.len() as f64 / secs / 1e6,
                hits
            );
        }
    }
    Ok(())
}

/// Extracts one pattern per rule (fast_pattern content, else the longest content).
fn extract_fast_patterns(text: &str) -> Vec<Pattern> {
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut best: Option<(Vec<u8>, bool, bool)> = None; // bytes, nocase, fast_pattern
        let mut rest = line;
        while let Some(pos) = rest.find("content:\"") {
            let after = &rest[pos + 9..];
            let Some((raw, tail)) = split_quoted(after) else {
                break;
            };
            let next = tail.find("content:").unwrap_or(tail.len());
            let mods = &tail[..next];
            let nocase = mods.contains("nocase;");
            let fast = mods.contains("fast_pattern");
            let negated = rest[..pos].trim_end().ends_with('!');
            let bytes = decode_content(raw);
            if !negated && !bytes.is_empty() {
                let better = match &best {
                    None => true,
                    Some((b, _, f)) => (fast && !f) || (fast == *f && bytes.len() > b.len()),
                };
                if better {
                    best = Some((bytes, nocase, fast));
                }
            }
            rest = tail;
        }
        if let Some((bytes, nocase, _)) = best {
            out.push(Pattern::new(bytes, nocase, line_no as u32));
        }
    }
    out
}

/// Splits `abc\"d"; rest` into (`abc\"d`, `; rest`).
fn split_quoted(s: &str) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some((&s[..i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

/// Decodes `|hex|` blocks and backslash escapes.
fn decode_content(raw: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_hex = false;
    let mut hex = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if in_hex {
            if c == '|' {
                in_hex = false;
            } else if c.is_ascii_hexdigit() {
                hex.push(c);
                if hex.len() == 2 {
                    out.push(u8::from_str_radix(&hex, 16).unwrap_or(0));
                    hex.clear();
                }
            }
        } else if c == '|' {
            in_hex = true;
        } else if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n as u8);
            }
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// HTTP-ish text with occasional random bytes and ~1 planted pattern per 4 KB.
fn synthetic_haystack(len: usize, patterns: &[Pattern]) -> Vec<u8> {
    const TEXT: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 \
(Windows NT 10.0; Win64; x64) AppleWebKit/537.36\r\nAccept: text/html,application/xhtml+xml\r\n\
Accept-Language: en-US,en;q=0.9\r\nCookie: session=3f2a9c1b7d; theme=dark\r\n\r\n\
<html><head><title>Welcome</title></head><body><p>Lorem ipsum dolor sit amet.</p></body></html>\r\n";
    let mut rng: u64 = 0x1234_5678_9abc_def1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut hay = Vec::with_capacity(len + 4096);
    while hay.len() < len {
        let r = next();
        match r % 16 {
            0 if !patterns.is_empty() => {
                let p = &patterns[(next() % patterns.len() as u64) as usize];
                hay.extend_from_slice(&p.bytes);
            }
            1 => hay.extend((0..64).map(|_| next() as u8)),
            _ => {
                let start = (next() % TEXT.len() as u64) as usize;
                let end = (start + 256).min(TEXT.len());
                hay.extend_from_slice(&TEXT[start..end]);
            }
        }
    }
    hay.truncate(len);
    hay
}

/// Uniformly random bytes (few matches: measures raw scan throughput).
fn random_haystack(len: usize) -> Vec<u8> {
    let mut rng: u64 = 0x0bad_cafe_dead_beef;
    (0..len)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 24) as u8
        })
        .collect()
}
