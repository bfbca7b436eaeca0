//! SOC server benchmark over HTTP against the real `soc-server` binary.
//!
//! 1. Starts `soc-server serve` on a fresh data directory (or `--data DIR`), registers
//!    `--sensors` sensors, an analyst and an API token.
//! 2. Ingest: every sensor thread posts batches of `--batch` EVE lines with consecutive
//!    `X-Sensor-Seq` numbers. The lines are real Suricata EVE records from
//!    `../shared/samples/suricata-eve-sample.json` (alerts only with `--mix alerts`, the
//!    default, or the sample's whole mix with `--mix sample`), multiplied with varied
//!    source/destination addresses, flow ids and timestamps spread over the last
//!    `--days` days. Alerts belong to one of `--groups` (signature, source, destination)
//!    combinations. A batch counts once the server answered 200 with its `acked_seq`:
//!    the server acknowledges only committed transactions (see README, durability).
//!    429 answers are retried after Retry-After, and counted.
//! 3. At every `--checkpoints` number of stored alerts (default 1M and 5M), ingest pauses
//!    and the read latency is measured: `--reps` GETs each of the inbox API, the inbox
//!    page, an unfiltered alert search and a filtered search
//!    (`src_ip:A AND alert.signature_id:S` for a group that exists), p50/p95/max.
//!
//! Run: `cargo bench -p soc-server --bench soc_bench -- [--checkpoints 1000000,5000000]`
//! (`--help` lists the options). Prints a table and a JSON summary line at the end.
//! Besides wall-clock events/s it reports events per CPU-second of the server process,
//! which stays meaningful when other work shares the machine.

use serde_json::Value;
use soc_server::client::request;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server binary: `SOC_BENCH_SERVER` or the one cargo built.
fn bin() -> String {
    std::env::var("SOC_BENCH_SERVER").unwrap_or_else(|_| env!("CARGO_BIN_EXE_soc-server").into())
}
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/samples/suricata-eve-sample.json"
);

#[derive(Debug, Clone)]
struct Opts {
    data: Option<PathBuf>,
    sensors: usize,
    batch: usize,
    groups: u64,
    days: u64,
    reps: usize,
    mix_alerts: bool,
    checkpoints: Vec<u64>,
    keep: bool,
}

fn usage() -> ! {
    eprintln!(
        "soc_bench [--data DIR] [--keep] [--sensors 4] [--batch 2000] [--groups 50000] \
         [--days 3] [--reps 40] [--mix alerts|sample] [--checkpoints 1000000,5000000]"
    );
    std::process::exit(2)
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        data: None,
        sensors: 4,
        batch: 2000,
        groups: 50_000,
        days: 3,
        reps: 40,
        mix_alerts: true,
        checkpoints: vec![1_000_000, 5_000_000],
        keep: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        let num = |s: String| s.parse::<u64>().unwrap_or_else(|_| usage());
        match a.as_str() {
            "--data" => o.data = Some(PathBuf::from(val())),
            "--keep" => o.keep = true,
            "--sensors" => o.sensors = num(val()).max(1) as usize,
            "--batch" => o.batch = num(val()).max(1) as usize,
            "--groups" => o.groups = num(val()).max(1),
            "--days" => o.days = num(val()).max(1),
            "--reps" => o.reps = num(val()).max(1) as usize,
            "--mix" => {
                o.mix_alerts = match val().as_str() {
                    "alerts" => true,
                    "sample" => false,
                    _ => usage(),
                }
            }
            "--checkpoints" => {
                o.checkpoints = val().split(',').map(|s| num(s.to_string())).collect();
                o.checkpoints.sort_unstable();
            }
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            _ => usage(),
        }
    }
    o
}

/// One EVE record cut around the fields the generator varies.
struct Template {
    is_alert: bool,
    sid: u64,
    /// Literal pieces; between piece i and i+1 goes `slots[i]`.
    pieces: Vec<String>,
    slots: Vec<Slot>,
}

#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Ts,
    Src,
    Dest,
    Flow,
}

const MARK: &str = "@@SLOT";

fn templates() -> Vec<Template> {
    let text = std::fs::read_to_string(SAMPLE).unwrap_or_else(|e| {
        panic!("the benchmark needs {SAMPLE} (../shared beside the repository): {e}")
    });
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(mut v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(obj) = v.as_object_mut() else {
            continue;
        };
        let is_alert = obj.get("event_type").and_then(Value::as_str) == Some("alert");
        let sid = obj
            .get("alert")
            .and_then(|a| a.get("signature_id"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let mut order = Vec::new();
        for (key, slot) in [
            ("timestamp", Slot::Ts),
            ("src_ip", Slot::Src),
            ("dest_ip", Slot::Dest),
            ("flow_id", Slot::Flow),
        ] {
            if obj.contains_key(key) {
                obj.insert(
                    key.into(),
                    Value::String(format!("{MARK}{}@@", order.len())),
                );
                order.push(slot);
            }
        }
        let s = serde_json::to_string(&v).unwrap_or_default();
        let mut pieces = Vec::new();
        let mut slots = Vec::new();
        let mut rest = s.as_str();
        while let Some(i) = rest.find(MARK) {
            let after = &rest[i + MARK.len()..];
            let Some(end) = after.find("@@") else { break };
            let idx: usize = after[..end].parse().unwrap_or(0);
            let slot = order[idx];
            let mut piece = &rest[..i];
            let mut tail = &after[end + 2..];
            if slot == Slot::Flow {
                // A number: drop the quotes around the marker.
                piece = piece.strip_suffix('"').unwrap_or(piece);
                tail = tail.strip_prefix('"').unwrap_or(tail);
            }
            pieces.push(piece.to_string());
            slots.push(slot);
            rest = tail;
        }
        pieces.push(rest.to_string());
        out.push(Template {
            is_alert,
            sid,
            pieces,
            slots,
        });
    }
    out
}

/// Cheap deterministic pseudo-random numbers (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn fmt_ts(micros: i64) -> String {
    soc_server::evetime::format_timestamp(micros)
}

/// The alert group `g` of the generator: (alert template index, source, destination).
fn group_of(g: u64, alerts: &[usize]) -> (usize, String, String) {
    let h = g.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let t = alerts[(h % alerts.len() as u64) as usize];
    let src = format!("10.{}.{}.{}", (g >> 16) & 0xff, (g >> 8) & 0xff, g & 0xff);
    let d = (h >> 20) % 512;
    let dest = format!("172.16.{}.{}", d >> 8, d & 0xff);
    (t, src, dest)
}

struct Gen {
    templates: Vec<Template>,
    alerts: Vec<usize>,
    groups: u64,
    start_ts: i64,
    span_us: i64,
}

impl Gen {
    /// Line number `k` of the global stream (timestamps grow with k over the span).
    fn line(&self, k: u64, total: u64, rng: &mut Rng, mix_alerts: bool, out: &mut String) -> bool {
        let r = rng.next();
        let (t, src, dest) =
            if mix_alerts || self.templates[(r % self.templates.len() as u64) as usize].is_alert {
                // Skewed groups: half of the alerts fall in the first 1% of the groups.
                let g = if r & 1 == 0 {
                    (r >> 8) % (self.groups / 100).max(1)
                } else {
                    (r >> 8) % self.groups
                };
                group_of(g, &self.alerts)
            } else {
                let t = (r % self.templates.len() as u64) as usize;
                let x = r >> 32;
                (
                    t,
                    format!("10.{}.{}.{}", (x >> 16) & 0xff, (x >> 8) & 0xff, x & 0xff),
                    format!("172.16.{}.{}", (x >> 4) & 1, x & 0xff),
                )
            };
        let tpl = &self.templates[t];
        let ts = self.start_ts + (self.span_us as f64 * (k as f64 / total.max(1) as f64)) as i64;
        for (i, piece) in tpl.pieces.iter().enumerate() {
            out.push_str(piece);
            if let Some(slot) = tpl.slots.get(i) {
                match slot {
                    Slot::Ts => out.push_str(&fmt_ts(ts)),
                    Slot::Src => out.push_str(&src),
                    Slot::Dest => out.push_str(&dest),
                    Slot::Flow => out.push_str(&(rng.next() >> 14).to_string()),
                }
            }
        }
        out.push('\n');
        tpl.is_alert
    }
}

struct Harness {
    child: Child,
    addr: String,
    data: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Harness {
    fn start(o: &Opts) -> Harness {
        let (tmp, data) = match &o.data {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("soc-bench-")
                    .tempdir_in(std::env::var("BENCH_TMP").unwrap_or_else(|_| "/tmp".into()))
                    .expect("temp dir");
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let tmp = match tmp {
            Some(t) if o.keep => {
                let _ = t.keep();
                None
            }
            other => other,
        };
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn soc-server");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("announce");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("announce line: {line:?}"))
            .to_string();
        let h = Harness {
            child,
            addr,
            data,
            _tmp: tmp,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !request(&h.addr, "GET", "/healthz", &[], b"").is_ok_and(|r| r.status == 200) {
            assert!(Instant::now() < deadline, "server never became healthy");
            std::thread::sleep(Duration::from_millis(50));
        }
        h
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(bin())
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run soc-server cli");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    }
}

#[derive(Default)]
struct Counters {
    events: AtomicU64,
    alerts: AtomicU64,
    bytes: AtomicU64,
    batches: AtomicU64,
    throttled: AtomicU64,
}

/// Sends stream lines `[from, to)` split over the sensors; returns when all are acked.
fn ingest(
    h: &Harness,
    gen: &Arc<Gen>,
    tokens: &[String],
    next_seq: &mut [i64],
    (from, to, total): (u64, u64, u64),
    o: &Opts,
    c: &Arc<Counters>,
) {
    let n = tokens.len() as u64;
    let per = (to - from).div_ceil(n);
    let mut threads = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let lo = from + per * i as u64;
        let hi = (lo + per).min(to);
        if lo >= hi {
            continue;
        }
        let (addr, token, gen, c) = (h.addr.clone(), token.clone(), gen.clone(), c.clone());
        let seq0 = next_seq[i];
        next_seq[i] += (hi - lo) as i64;
        let (batch, mix) = (o.batch as u64, o.mix_alerts);
        threads.push(std::thread::spawn(move || {
            let mut rng = Rng(0x5EED ^ (lo + 1).wrapping_mul(0x1234_5678_9ABC_DEF1));
            let mut k = lo;
            let mut seq = seq0;
            let mut body = String::new();
            while k < hi {
                let m = batch.min(hi - k);
                body.clear();
                let mut alerts = 0;
                for j in 0..m {
                    if gen.line(k + j, total, &mut rng, mix, &mut body) {
                        alerts += 1;
                    }
                }
                let auth = format!("Bearer {token}");
                let seq_s = seq.to_string();
                loop {
                    let r = request(
                        &addr,
                        "POST",
                        "/api/v1/ingest",
                        &[("Authorization", &auth), ("X-Sensor-Seq", &seq_s)],
                        body.as_bytes(),
                    )
                    .expect("ingest request");
                    if r.status == 429 {
                        c.throttled.fetch_add(1, Ordering::Relaxed);
                        let secs: u64 = r
                            .header("retry-after")
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(1);
                        std::thread::sleep(Duration::from_millis(secs * 200));
                        continue;
                    }
                    assert_eq!(r.status, 200, "ingest: {}", r.text());
                    let j = r.json();
                    let acked = j["acked_seq"].as_i64().unwrap_or(-1);
                    assert_eq!(acked, seq + m as i64 - 1, "acked_seq: {j}");
                    let rejected = j["rejected"].as_array().map_or(0, Vec::len);
                    assert_eq!(rejected, 0, "rejected lines: {j}");
                    break;
                }
                c.events.fetch_add(m, Ordering::Relaxed);
                c.alerts.fetch_add(alerts, Ordering::Relaxed);
                c.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                c.batches.fetch_add(1, Ordering::Relaxed);
                seq += m as i64;
                k += m;
            }
        }));
    }
    for t in threads {
        t.join().expect("sensor thread");
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Times `reps` GETs of `path` (after one warm-up); returns (p50, p95, max) in ms.
fn latency(h: &Harness, token: &str, path: &str, reps: usize) -> (f64, f64, f64, String) {
    let auth = format!("Bearer {token}");
    let get = || {
        let r = request(&h.addr, "GET", path, &[("Authorization", &auth)], b"").expect("GET");
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r
    };
    let first = get();
    let total = first.json()["total"].to_string();
    let mut ms = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        get();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        *ms.last().unwrap_or(&f64::NAN),
        total,
    )
}

fn url(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// CPU seconds (user + system) the process has used so far, from /proc.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Bytes the process has written with write(2) and friends (WAL, checkpoints, sockets),
/// from /proc; 0 when unreadable.
fn written_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/io"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let o = parse_opts();
    let templates = templates();
    let alerts: Vec<usize> = (0..templates.len())
        .filter(|&i| {
            let t = &templates[i];
            t.is_alert
                && t.sid != 0
                && t.slots.contains(&Slot::Src)
                && t.slots.contains(&Slot::Dest)
        })
        .collect();
    assert!(!alerts.is_empty(), "no alert templates in {SAMPLE}");
    let alert_share = if o.mix_alerts {
        1.0
    } else {
        templates.iter().filter(|t| t.is_alert).count() as f64 / templates.len() as f64
    };
    let target = *o.checkpoints.last().unwrap_or(&1_000_000);
    // Lines in the whole stream (alerts are `alert_share` of the lines).
    let total = (target as f64 / alert_share).ceil() as u64;
    let span_us = o.days as i64 * 86_400_000_000;
    let now = soc_server::evetime::now_micros();
    let gen = Arc::new(Gen {
        templates,
        alerts,
        groups: o.groups,
        start_ts: now - span_us,
        span_us: span_us - 60_000_000,
    });

    let h = Harness::start(&o);
    eprintln!("server {} data {}", h.addr, h.data.display());
    let tokens: Vec<String> = (0..o.sensors)
        .map(|i| h.cli(&["sensor", "add", &format!("bench-{i:02}")]))
        .collect();
    h.cli(&["user", "add", "bench", "--role", "analyst"]);
    let api = h.cli(&["token", "add", "--user", "bench"]);

    // The filtered search targets group 7 (one of the busy ones).
    let (t7, src7, _) = group_of(7, &gen.alerts);
    let sid7 = gen.templates[t7].sid;
    let filtered = format!("src_ip:{src7} AND alert.signature_id:{sid7}");

    let c = Arc::new(Counters::default());
    let mut next_seq = vec![0i64; o.sensors];
    let mut sent = 0u64;
    let mut ingest_secs = 0.0;
    let mut results = Vec::new();
    println!(
        "{:>10} {:>10} {:>9} {:>9} | {:<38} {:>8} {:>8} {:>8} {:>10}",
        "alerts", "events", "ev/s", "MB/s", "GET", "p50 ms", "p95 ms", "max ms", "total"
    );
    for &cp in &o.checkpoints {
        let to = ((cp as f64 / alert_share).ceil() as u64).min(total);
        let t = Instant::now();
        let cpu0 = cpu_secs(h.child.id());
        let client0 = cpu_secs(std::process::id());
        let wchar0 = written_bytes(h.child.id());
        let before = c.events.load(Ordering::Relaxed);
        let bytes_before = c.bytes.load(Ordering::Relaxed);
        ingest(&h, &gen, &tokens, &mut next_seq, (sent, to, total), &o, &c);
        let secs = t.elapsed().as_secs_f64();
        ingest_secs += secs;
        sent = to;
        let n = (c.events.load(Ordering::Relaxed) - before) as f64;
        let evs = n / secs;
        let cpu = cpu_secs(h.child.id()) - cpu0;
        let client_cpu = cpu_secs(std::process::id()) - client0;
        let written = written_bytes(h.child.id()).saturating_sub(wchar0);
        eprintln!(
            "ingest: {n} events in {secs:.1} s = {evs:.0} ev/s; server CPU {cpu:.1} s = {:.0} events per server CPU-second; bench client CPU {client_cpu:.1} s; server wrote {:.0} bytes/event",
            n / cpu.max(1e-9),
            written as f64 / n.max(1.0)
        );
        let mbs = (c.bytes.load(Ordering::Relaxed) - bytes_before) as f64 / secs / 1e6;
        let reads = [
            (
                "inbox API /api/v1/groups",
                "/api/v1/groups?limit=100&status=new".to_string(),
            ),
            ("inbox page /inbox", "/inbox".to_string()),
            ("alerts, no filter", "/api/v1/alerts?limit=100".to_string()),
            (
                "alerts, filtered",
                format!("/api/v1/alerts?limit=100&q={}", url(&filtered)),
            ),
            (
                "inbox API, filtered",
                format!("/api/v1/groups?limit=100&q={}", url(&filtered)),
            ),
        ];
        let mut lat = Vec::new();
        for (name, path) in &reads {
            let (p50, p95, max, tot) = latency(&h, &api, path, o.reps);
            println!(
                "{:>10} {:>10} {:>9.0} {:>9.1} | {:<38} {:>8.1} {:>8.1} {:>8.1} {:>10}",
                c.alerts.load(Ordering::Relaxed),
                c.events.load(Ordering::Relaxed),
                evs,
                mbs,
                name,
                p50,
                p95,
                max,
                tot
            );
            lat.push(serde_json::json!({"get": name, "path": path, "p50_ms": p50, "p95_ms": p95, "max_ms": max, "total": tot}));
        }
        results.push(serde_json::json!({
            "alerts": c.alerts.load(Ordering::Relaxed),
            "events": c.events.load(Ordering::Relaxed),
            "ingest_events_per_s": evs,
            "ingest_mb_per_s": mbs,
            "server_cpu_s": cpu,
            "events_per_server_cpu_s": n / cpu.max(1e-9),
            "client_cpu_s": client_cpu,
            "server_written_bytes": written,
            "db_bytes": dir_size(&h.data),
            "reads": lat,
        }));
    }
    let summary = serde_json::json!({
        "sensors": o.sensors,
        "batch": o.batch,
        "mix": if o.mix_alerts { "alerts" } else { "sample" },
        "groups": o.groups,
        "filtered_query": filtered,
        "events": c.events.load(Ordering::Relaxed),
        "batches": c.batches.load(Ordering::Relaxed),
        "throttled_429": c.throttled.load(Ordering::Relaxed),
        "ingest_events_per_s_overall": c.events.load(Ordering::Relaxed) as f64 / ingest_secs,
        "checkpoints": results,
    });
    println!("{summary}");
}
