//! Live-capture benchmark: AF_PACKET TPACKET_V3 capture with W fanout workers, driven by a
//! traffic generator (AF_PACKET raw socket + `sendmmsg`), printing packets/s, Mbit/s and drops.
//!
//! ```text
//! # self-contained: builds two namespaces + a veth pair, generates in one, captures in the other
//! live_bench lab      --seconds 5 --workers 2 [--size 512] [--flows 256] [--rate PPS] [--decode]
//! # or the two halves separately (for example on a real interface pair)
//! live_bench capture  --iface IF [--netns NS] --seconds 5 --workers 2 [--filter EXPR] [--decode]
//! live_bench generate --iface IF [--netns NS] --seconds 5 [--size 512] [--flows 256] [--rate PPS]
//! ```
//!
//! Needs root (namespaces, raw sockets). Generated frames carry documentation addresses
//! (198.51.100.0/24 -> 203.0.113.0/24) and are only sent on the interface given (in `lab`
//! mode, a veth inside the private namespaces). `--rate 0` means as fast as possible.
//! Build with `--release`.

use std::error::Error;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sensor_net::capture::afpacket::{FanoutConfig, LiveCapture, LiveConfig};
use sensor_net::decode::{recycle_packets, Decoder, Packet};
use sensor_net::testkit::eth_ipv4_udp;

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

#[derive(Debug, Clone)]
struct Opts {
    iface: String,
    netns: Option<String>,
    seconds: f64,
    workers: usize,
    size: usize,
    flows: u16,
    rate: u64,
    filter: Option<String>,
    decode: bool,
}

fn parse(args: &[String]) -> Res<Opts> {
    let mut o = Opts {
        iface: String::new(),
        netns: None,
        seconds: 5.0,
        workers: 1,
        size: 512,
        flows: 256,
        rate: 0,
        filter: None,
        decode: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--iface" => o.iface = val()?,
            "--netns" => o.netns = Some(val()?),
            "--seconds" => o.seconds = val()?.parse()?,
            "--workers" => o.workers = val()?.parse()?,
            "--size" => o.size = val()?.parse()?,
            "--flows" => o.flows = val()?.parse()?,
            "--rate" => o.rate = val()?.parse()?,
            "--filter" => o.filter = Some(val()?),
            "--decode" => o.decode = true,
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    if o.workers == 0 || o.flows == 0 || !(60..=1514).contains(&o.size) {
        return Err("need --workers >= 1, --flows >= 1, 60 <= --size <= 1514".into());
    }
    Ok(o)
}

fn enter_ns(ns: &str) -> Res<()> {
    let f = std::fs::File::open(format!("/var/run/netns/{ns}"))?;
    // SAFETY: valid namespace fd; affects only the calling thread.
    if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(format!("setns {ns}: {}", std::io::Error::last_os_error()).into());
    }
    Ok(())
}

/// Per-worker result.
#[derive(Debug, Default, Clone, Copy)]
struct WorkerResult {
    frames: u64,
    bytes: u64,
    kernel_packets: u64,
    drops: u64,
    freezes: u64,
}

/// Captures with `o.workers` fanout sockets until `stop`; returns per-worker counts.
fn capture(
    o: &Opts,
    stop: Arc<AtomicBool>,
    ready: std::sync::mpsc::Sender<()>,
) -> Res<Vec<WorkerResult>> {
    let group = (std::process::id() & 0xffff) as u16;
    let mut handles = Vec::new();
    for _ in 0..o.workers {
        let o = o.clone();
        let stop = stop.clone();
        let ready = ready.clone();
        handles.push(std::thread::spawn(move || -> Res<WorkerResult> {
            if let Some(ns) = &o.netns {
                enter_ns(ns)?;
            }
            let mut cfg = LiveConfig::new(&o.iface);
            cfg.filter = o.filter.clone();
            if o.workers > 1 {
                cfg.fanout = Some(FanoutConfig::hash(group));
            }
            let mut cap = LiveCapture::open(cfg)?;
            cap.stats(); // reset kernel counters
            ready.send(()).ok();
            let mut r = WorkerResult::default();
            let mut decoder = Decoder::new();
            let mut spare: Vec<Packet<'static>> = Vec::with_capacity(4);
            while !stop.load(Ordering::Relaxed) {
                if let Some(f) = cap.next_frame(Duration::from_millis(50))? {
                    r.frames += 1;
                    r.bytes += u64::from(f.orig_len);
                    if o.decode {
                        let mut pkts = recycle_packets(std::mem::take(&mut spare));
                        decoder.decode(&f, &mut pkts);
                        spare = recycle_packets(pkts);
                    }
                }
            }
            let s = cap.stats();
            r.kernel_packets = s.packets;
            r.drops = s.drops;
            r.freezes = s.freeze_q_cnt;
            Ok(r)
        }));
    }
    drop(ready);
    handles
        .into_iter()
        .map(|h| h.join().map_err(|_| "capture worker panicked")?)
        .collect()
}

/// Sends UDP frames over `o.flows` flows on `o.iface` for `o.seconds`; returns frames sent.
fn generate(o: &Opts) -> Res<(u64, f64)> {
    if let Some(ns) = &o.netns {
        enter_ns(ns)?;
    }
    let name = std::ffi::CString::new(o.iface.clone())?;
    // SAFETY: valid NUL-terminated name.
    let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if ifindex == 0 {
        return Err(format!("no interface {}", o.iface).into());
    }
    // SAFETY: plain syscall.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    if fd < 0 {
        return Err(format!("socket: {}", std::io::Error::last_os_error()).into());
    }
    let one: libc::c_int = 1;
    // SAFETY: valid option value. Best effort: skip the qdisc layer.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_PACKET,
            20, // PACKET_QDISC_BYPASS
            (&one as *const libc::c_int).cast(),
            4,
        )
    };
    let payload = vec![0x5au8; o.size.saturating_sub(42)];
    let frames: Vec<Vec<u8>> = (0..o.flows)
        .map(|i| {
            eth_ipv4_udp(
                Ipv4Addr::new(198, 51, 100, (i % 200) as u8 + 1),
                Ipv4Addr::new(203, 0, 113, 1),
                10_000 + i,
                9_999,
                &payload,
            )
        })
        .collect();
    // SAFETY: zeroed sockaddr_ll is valid.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = ifindex as i32;
    sll.sll_halen = 6;
    const BATCH: usize = 64;
    let mut iov: Vec<libc::iovec> = Vec::with_capacity(BATCH);
    let mut msgs: Vec<libc::mmsghdr> = Vec::with_capacity(BATCH);
    for j in 0..BATCH {
        let f = &frames[j % frames.len()];
        iov.push(libc::iovec {
            iov_base: f.as_ptr() as *mut libc::c_void,
            iov_len: f.len(),
        });
    }
    for v in iov.iter_mut() {
        // SAFETY: zeroed mmsghdr is valid; pointers set below stay alive during sending.
        let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
        m.msg_hdr.msg_name = (&mut sll as *mut libc::sockaddr_ll).cast();
        m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
        m.msg_hdr.msg_iov = v;
        m.msg_hdr.msg_iovlen = 1;
        msgs.push(m);
    }
    let start = Instant::now();
    let dur = Duration::from_secs_f64(o.seconds);
    let mut sent: u64 = 0;
    let mut offset = 0usize;
    while start.elapsed() < dur {
        if o.rate > 0 {
            let due = (start.elapsed().as_secs_f64() * o.rate as f64) as u64;
            if sent >= due {
                std::thread::sleep(Duration::from_micros(200));
                continue;
            }
        }
        // Rotate through the flows: point the batch at the next frames.
        for (j, v) in iov.iter_mut().enumerate() {
            let f = &frames[(offset + j) % frames.len()];
            v.iov_base = f.as_ptr() as *mut libc::c_void;
        }
        offset = (offset + BATCH) % frames.len();
        // SAFETY: `msgs` points to valid iovecs / address for the duration of the call.
        let n = unsafe { libc::sendmmsg(fd, msgs.as_mut_ptr(), BATCH as u32, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ENOBUFS) || e.kind() == std::io::ErrorKind::WouldBlock
            {
                continue;
            }
            return Err(format!("sendmmsg: {e}").into());
        }
        sent += n as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    // SAFETY: closing our own fd.
    unsafe { libc::close(fd) };
    Ok((sent, secs))
}

fn report(o: &Opts, results: &[WorkerResult], secs: f64, sent: Option<u64>) {
    let frames: u64 = results.iter().map(|r| r.frames).sum();
    let bytes: u64 = results.iter().map(|r| r.bytes).sum();
    let drops: u64 = results.iter().map(|r| r.drops).sum();
    let kernel: u64 = results.iter().map(|r| r.kernel_packets).sum();
    println!(
        "workers={} size={} flows={} rate={} decode={} seconds={secs:.2}",
        o.workers, o.size, o.flows, o.rate, o.decode
    );
    if let Some(s) = sent {
        println!("generated: {s} frames, {:.0} pkt/s", s as f64 / secs);
    }
    println!(
        "captured:  {frames} frames, {:.0} pkt/s, {:.1} Mbit/s; kernel packets {kernel}, drops {drops} ({:.2}%)",
        frames as f64 / secs,
        bytes as f64 * 8.0 / secs / 1e6,
        if kernel > 0 { drops as f64 * 100.0 / kernel as f64 } else { 0.0 }
    );
    for (i, r) in results.iter().enumerate() {
        println!(
            "  worker {i}: {} frames, kernel {} drops {} freezes {}",
            r.frames, r.kernel_packets, r.drops, r.freezes
        );
    }
}

fn ip(args: &[&str]) -> Res<()> {
    let out = Command::new("ip").args(args).output()?;
    if !out.status.success() {
        return Err(format!("ip {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

/// The two namespaces of `lab` mode; removed on drop.
struct Lab(String, String);

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.0]);
        let _ = ip(&["netns", "del", &self.1]);
    }
}

fn lab(o: Opts) -> Res<()> {
    let id = std::process::id() % 100_000;
    let lab = Lab(format!("lbgen{id}"), format!("lbcap{id}"));
    let (va, vb) = (format!("lbg{id}"), format!("lbc{id}"));
    ip(&["netns", "add", &lab.0])?;
    ip(&["netns", "add", &lab.1])?;
    ip(&[
        "link", "add", &va, "netns", &lab.0, "type", "veth", "peer", "name", &vb, "netns", &lab.1,
    ])?;
    ip(&["-n", &lab.0, "link", "set", &va, "up"])?;
    ip(&["-n", &lab.1, "link", "set", &vb, "up"])?;
    let cap_opts = Opts {
        iface: vb,
        netns: Some(lab.1.clone()),
        ..o.clone()
    };
    let gen_opts = Opts {
        iface: va,
        netns: Some(lab.0.clone()),
        ..o.clone()
    };
    run_both(&cap_opts, &gen_opts)
}

fn run_both(cap_opts: &Opts, gen_opts: &Opts) -> Res<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let cap = {
        let (o, stop) = (cap_opts.clone(), stop.clone());
        std::thread::spawn(move || capture(&o, stop, ready_tx))
    };
    for _ in 0..cap_opts.workers {
        ready_rx
            .recv()
            .map_err(|_| "a capture worker failed to start")?;
    }
    let gen = {
        let o = gen_opts.clone();
        std::thread::spawn(move || generate(&o))
    };
    let (sent, secs) = gen.join().map_err(|_| "generator panicked")??;
    // Let the ring drain (block timeout) before stopping.
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let results = cap.join().map_err(|_| "capture panicked")??;
    report(cap_opts, &results, secs, Some(sent));
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = args.split_first() else {
        return Err(
            "usage: live_bench lab|capture|generate [options] (see the source header)".into(),
        );
    };
    let o = parse(rest)?;
    match mode.as_str() {
        "lab" => lab(o),
        "capture" => {
            let stop = Arc::new(AtomicBool::new(false));
            let (tx, rx) = std::sync::mpsc::channel();
            let start = Instant::now();
            let h = {
                let (o, stop) = (o.clone(), stop.clone());
                std::thread::spawn(move || capture(&o, stop, tx))
            };
            for _ in 0..o.workers {
                rx.recv().map_err(|_| "a capture worker failed to start")?;
            }
            std::thread::sleep(Duration::from_secs_f64(o.seconds));
            stop.store(true, Ordering::Relaxed);
            let results = h.join().map_err(|_| "capture panicked")??;
            report(&o, &results, start.elapsed().as_secs_f64(), None);
            Ok(())
        }
        "generate" => {
            let (sent, secs) = generate(&o)?;
            println!(
                "generated {sent} frames in {secs:.2}s: {:.0} pkt/s",
                sent as f64 / secs
            );
            Ok(())
        }
        other => Err(format!("unknown mode {other}").into()),
    }
}
