//! Live AF_PACKET capture in network namespaces: two namespaces joined by a veth pair, traffic
//! sent from one side, captured on the other. These tests need root and iproute2's `ip`; they
//! FAIL (never skip) with a clear message without them. No traffic leaves the namespaces.
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sensor_net::capture::afpacket::{FanoutConfig, LiveCapture, LiveConfig, LiveError};
use sensor_net::capture::LINKTYPE_ETHERNET;
use sensor_net::decode::{Decoder, Packet, L4};
use sensor_net::testkit::{checksum, eth_ipv4_udp, ethernet_vlan, ipv4, udp};

const A_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
const B_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Fails the test unless we are root and `ip` works.
fn require_root_and_ip() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "AF_PACKET namespace tests need root (CAP_NET_ADMIN + CAP_NET_RAW to create namespaces \
         and capture); run them as root"
    );
    let ok = Command::new("ip")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "AF_PACKET namespace tests need iproute2's `ip` command in PATH"
    );
}

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running ip {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two namespaces `a` and `b` joined by veth `va` (in a, 10.77.0.1, fd77::1) / `vb` (in b,
/// 10.77.0.2, fd77::2). Deleted on drop, including during a panic.
struct Lab {
    a: String,
    b: String,
    va: String,
    vb: String,
}

impl Lab {
    fn new() -> Lab {
        require_root_and_ip();
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}{}", std::process::id() % 1_000_000, n);
        let lab = Lab {
            a: format!("afpA{id}"),
            b: format!("afpB{id}"),
            va: format!("afa{id}"),
            vb: format!("afb{id}"),
        };
        // Register cleanup before creating anything, so a half-built lab is removed too.
        ip(&["netns", "add", &lab.a]);
        ip(&["netns", "add", &lab.b]);
        ip(&[
            "link", "add", &lab.va, "netns", &lab.a, "type", "veth", "peer", "name", &lab.vb,
            "netns", &lab.b,
        ]);
        for (ns, dev, v4, v6) in [
            (&lab.a, &lab.va, "10.77.0.1/24", "fd77::1/64"),
            (&lab.b, &lab.vb, "10.77.0.2/24", "fd77::2/64"),
        ] {
            ip(&["-n", ns, "link", "set", "lo", "up"]);
            ip(&["-n", ns, "addr", "add", v4, "dev", dev]);
            ip(&["-n", ns, "addr", "add", v6, "dev", dev, "nodad"]);
            ip(&["-n", ns, "link", "set", dev, "up"]);
        }
        lab
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
    }
}

/// Runs `f` on a thread that entered network namespace `ns`.
fn in_ns<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(|| {
            enter_ns(ns);
            f()
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

fn enter_ns(ns: &str) {
    let f = std::fs::File::open(format!("/var/run/netns/{ns}"))
        .unwrap_or_else(|e| panic!("open netns {ns}: {e}"));
    // SAFETY: valid namespace fd; affects only the calling thread.
    let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
    assert_eq!(rc, 0, "setns({ns}): {}", std::io::Error::last_os_error());
}

/// Opens a capture inside namespace `ns` (the socket stays bound there when moved).
fn open_in(ns: &str, cfg: LiveConfig) -> LiveCapture {
    in_ns(ns, move || {
        let name = cfg.interface.clone();
        LiveCapture::open(cfg).unwrap_or_else(|e| panic!("open capture on {name}: {e}"))
    })
}

/// What a test needs to know about one decoded packet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    ports: Option<(u16, u16)>,
    icmp_type: Option<u8>,
    tcp_flags: Option<u8>,
    vlan: Vec<u16>,
    payload: Vec<u8>,
}

fn summarize(p: &Packet<'_>) -> Seen {
    Seen {
        src: p.src,
        dst: p.dst,
        proto: p.ip_proto,
        ports: p.ports(),
        icmp_type: match p.l4 {
            L4::Icmpv4(h) | L4::Icmpv6(h) => Some(h.typ),
            _ => None,
        },
        tcp_flags: p.tcp().map(|t| t.flags),
        vlan: p.vlan[..usize::from(p.vlan_count)].to_vec(),
        payload: p.payload.to_vec(),
    }
}

/// Reads frames until `done` holds for what was seen or `limit` passes.
fn collect(cap: &mut LiveCapture, limit: Duration, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
    let mut decoder = Decoder::new();
    let mut seen = Vec::new();
    let end = Instant::now() + limit;
    while Instant::now() < end && !done(&seen) {
        let frame = match cap.next_frame(Duration::from_millis(50)) {
            Ok(Some(f)) => f,
            Ok(None) => continue,
            Err(e) => panic!("next_frame: {e}"),
        };
        assert_eq!(frame.linktype, LINKTYPE_ETHERNET);
        assert_eq!(
            frame.data.len() as u32,
            frame.orig_len.min(frame.data.len() as u32)
        );
        let mut out = Vec::new();
        decoder.decode(&frame, &mut out);
        seen.extend(out.iter().filter(|p| p.has_ip()).map(summarize));
    }
    seen
}

fn udp_send(ns: &str, from: SocketAddr, to: SocketAddr, payloads: &[Vec<u8>]) {
    in_ns(ns, || {
        let s = UdpSocket::bind(from).expect("bind sender");
        for p in payloads {
            s.send_to(p, to).expect("send");
        }
    });
}

/// Sends ICMP echo requests with a raw socket (no `ping` binary needed).
fn icmp_echo(ns: &str, to: Ipv4Addr, count: u16) {
    in_ns(ns, || {
        // SAFETY: plain syscall.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP) };
        assert!(
            fd >= 0,
            "raw ICMP socket: {}",
            std::io::Error::last_os_error()
        );
        for seq in 1..=count {
            let mut msg = vec![8u8, 0, 0, 0, 0x12, 0x34];
            msg.extend_from_slice(&seq.to_be_bytes());
            msg.extend_from_slice(b"afpacket-ping");
            let c = checksum(&msg);
            msg[2..4].copy_from_slice(&c.to_be_bytes());
            // SAFETY: zeroed sockaddr_in is valid.
            let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_addr.s_addr = u32::from(to).to_be();
            // SAFETY: valid buffer and address.
            let rc = unsafe {
                libc::sendto(
                    fd,
                    msg.as_ptr().cast(),
                    msg.len(),
                    0,
                    (&sin as *const libc::sockaddr_in).cast(),
                    std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                )
            };
            assert!(rc > 0, "sendto: {}", std::io::Error::last_os_error());
        }
        // SAFETY: closing our own fd.
        unsafe { libc::close(fd) };
    });
}

#[test]
fn udp_tcp_icmp_and_ipv6_frames_arrive_decoded() {
    let lab = Lab::new();
    let mut cap = open_in(&lab.b, LiveConfig::new(&lab.vb));

    let to: SocketAddr = (B_IP, 5353).into();
    udp_send(
        &lab.a,
        (A_IP, 41000).into(),
        to,
        &[
            b"hello-afpacket".to_vec(),
            b"second".to_vec(),
            b"third".to_vec(),
        ],
    );
    in_ns(&lab.a, || {
        // Closed port: SYN answered by RST. Only the frames matter.
        let _ = TcpStream::connect_timeout(&(B_IP, 8080).into(), Duration::from_secs(1));
    });
    icmp_echo(&lab.a, B_IP, 3);
    udp_send(
        &lab.a,
        "[fd77::1]:41001".parse().unwrap(),
        "[fd77::2]:5354".parse().unwrap(),
        &[b"v6-payload".to_vec()],
    );

    let want_v6: IpAddr = "fd77::2".parse().unwrap();
    let seen = collect(&mut cap, Duration::from_secs(5), |s| {
        s.iter().filter(|p| p.icmp_type == Some(0)).count() >= 3
            && s.iter().any(|p| p.dst == want_v6 && p.proto == 17)
            && s.iter().any(|p| p.tcp_flags.is_some_and(|f| f & 0x04 != 0))
    });

    let udp: Vec<&Seen> = seen
        .iter()
        .filter(|p| p.proto == 17 && p.ports == Some((41000, 5353)))
        .collect();
    assert_eq!(udp.len(), 3, "three UDP datagrams: {seen:#?}");
    assert_eq!(udp[0].payload, b"hello-afpacket");
    assert_eq!(
        (udp[0].src, udp[0].dst),
        (IpAddr::from(A_IP), IpAddr::from(B_IP))
    );
    // Both directions: the SYN in, the RST out; echo requests in, replies out.
    assert!(
        seen.iter()
            .any(|p| p.ports.map(|p| p.1) == Some(8080) && p.tcp_flags == Some(0x02)),
        "TCP SYN to 8080: {seen:#?}"
    );
    assert!(seen
        .iter()
        .any(|p| p.ports.map(|p| p.0) == Some(8080) && p.tcp_flags.is_some_and(|f| f & 0x04 != 0)));
    assert_eq!(seen.iter().filter(|p| p.icmp_type == Some(8)).count(), 3);
    assert_eq!(seen.iter().filter(|p| p.icmp_type == Some(0)).count(), 3);
    // Closed UDP port: port unreachable back to the sender.
    assert!(seen.iter().any(|p| p.proto == 1 && p.icmp_type == Some(3)));
    let v6 = seen
        .iter()
        .find(|p| p.dst == want_v6 && p.proto == 17)
        .expect("IPv6 UDP datagram");
    assert_eq!(v6.payload, b"v6-payload");

    let stats = cap.stats();
    assert!(
        stats.packets >= cap.delivered(),
        "{stats:?} vs {} delivered",
        cap.delivered()
    );
    assert_eq!(stats.drops, 0);
    assert_eq!(cap.corrupt_blocks(), 0);
}

#[test]
fn filter_passes_only_matching_packets_on_a_real_socket() {
    let lab = Lab::new();
    let mut cfg = LiveConfig::new(&lab.vb);
    cfg.filter = Some("udp and dst port 7000 and src host 10.77.0.1".into());
    let mut cap = open_in(&lab.b, cfg);

    let to_7000: SocketAddr = (B_IP, 7000).into();
    let to_7001: SocketAddr = (B_IP, 7001).into();
    let five: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10]).collect();
    udp_send(&lab.a, (A_IP, 42000).into(), to_7001, &five);
    udp_send(&lab.a, (A_IP, 42001).into(), to_7000, &five);
    icmp_echo(&lab.a, B_IP, 2);

    let seen = collect(&mut cap, Duration::from_secs(2), |_| false);
    assert_eq!(seen.len(), 5, "only the five datagrams to 7000: {seen:#?}");
    assert!(seen.iter().all(|p| p.ports == Some((42001, 7000))));
    let stats = cap.stats();
    assert_eq!(
        stats.packets, 5,
        "the kernel counts only accepted packets: {stats:?}"
    );
}

#[test]
fn ring_overflow_is_counted_as_drops() {
    let lab = Lab::new();
    let mut cfg = LiveConfig::new(&lab.vb);
    // Two 4 KiB blocks hold a few 1 KiB datagrams; the rest must be dropped while unread.
    cfg.block_size = 4096;
    cfg.block_count = 2;
    cfg.frame_size = 2048;
    cfg.filter = Some("udp port 9000".into());
    let mut cap = open_in(&lab.b, cfg);

    let payloads: Vec<Vec<u8>> = (0..500u32).map(|_| vec![0xab; 1000]).collect();
    udp_send(&lab.a, (A_IP, 43000).into(), (B_IP, 9000).into(), &payloads);
    std::thread::sleep(Duration::from_millis(100));
    let mid = cap.stats();
    assert!(mid.drops > 0, "a full ring drops: {mid:?}");
    assert!(mid.freeze_q_cnt > 0, "the ring froze: {mid:?}");

    let seen = collect(&mut cap, Duration::from_millis(500), |_| false);
    let total = cap.stats();
    assert_eq!(
        total.packets, 500,
        "every datagram reached the socket: {total:?}"
    );
    assert_eq!(
        seen.len() as u64 + total.drops,
        500,
        "delivered + dropped = sent: {total:?}"
    );
    assert!(
        total.packets >= mid.packets,
        "counters accumulate across reads"
    );
}

#[test]
fn fanout_hash_splits_flows_without_splitting_any_flow() {
    const FLOWS: u16 = 48;
    const PER_FLOW: usize = 4;
    let lab = Lab::new();
    let group = 0x4000 | (std::process::id() as u16 & 0x3fff);
    let open = |_: usize| {
        let mut cfg = LiveConfig::new(&lab.vb);
        cfg.fanout = Some(FanoutConfig::hash(group));
        cfg.filter = Some("udp port 9100".into());
        open_in(&lab.b, cfg)
    };
    let mut caps = [open(0), open(1)];

    // Echo server in b so that both directions of each flow are on the wire.
    let (ready_tx, ready_rx) = mpsc::channel();
    let b_ns = lab.b.clone();
    let server = std::thread::spawn(move || {
        enter_ns(&b_ns);
        let s = UdpSocket::bind((B_IP, 9100)).expect("bind echo server");
        s.set_read_timeout(Some(Duration::from_millis(500))).ok();
        ready_tx.send(()).ok();
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = s.recv_from(&mut buf) {
            let _ = s.send_to(&buf[..n], from);
        }
    });
    ready_rx.recv().expect("echo server ready");
    in_ns(&lab.a, || {
        for f in 0..FLOWS {
            let s = UdpSocket::bind((A_IP, 20000 + f)).expect("bind flow");
            for i in 0..PER_FLOW {
                s.send_to(&[i as u8; 32], (B_IP, 9100)).expect("send");
            }
        }
    });
    server.join().expect("echo server");

    // flow (client port) -> sockets that saw it, and packet count per socket
    let mut owner: BTreeMap<u16, BTreeSet<usize>> = BTreeMap::new();
    let mut count = [0usize; 2];
    for (i, cap) in caps.iter_mut().enumerate() {
        for p in collect(cap, Duration::from_millis(700), |_| false) {
            let (s, d) = p.ports.expect("udp ports");
            let client = if s == 9100 { d } else { s };
            owner.entry(client).or_default().insert(i);
            count[i] += 1;
        }
    }
    assert_eq!(
        owner.len(),
        usize::from(FLOWS),
        "every flow captured: {owner:?}"
    );
    assert_eq!(
        count[0] + count[1],
        usize::from(FLOWS) * PER_FLOW * 2,
        "{count:?}"
    );
    for (flow, sockets) in &owner {
        assert_eq!(
            sockets.len(),
            1,
            "flow from port {flow} split over {sockets:?}"
        );
    }
    assert!(
        count[0] > 0 && count[1] > 0,
        "both workers got flows: {count:?}"
    );
}

/// Sends raw Ethernet frames out of `dev` in namespace `ns` with an AF_PACKET socket.
fn raw_send(ns: &str, dev: &str, frames: &[Vec<u8>]) {
    in_ns(ns, || {
        let name = std::ffi::CString::new(dev).expect("device name");
        // SAFETY: valid NUL-terminated name.
        let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
        assert_ne!(ifindex, 0, "no device {dev} in {ns}");
        // SAFETY: plain syscall.
        let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
        assert!(
            fd >= 0,
            "AF_PACKET send socket: {}",
            std::io::Error::last_os_error()
        );
        // SAFETY: zeroed sockaddr_ll is valid.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_ifindex = ifindex as i32;
        sll.sll_halen = 6;
        for f in frames {
            // SAFETY: valid buffer and address.
            let rc = unsafe {
                libc::sendto(
                    fd,
                    f.as_ptr().cast(),
                    f.len(),
                    0,
                    (&sll as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
                )
            };
            assert!(rc > 0, "raw sendto: {}", std::io::Error::last_os_error());
        }
        // SAFETY: closing our own fd.
        unsafe { libc::close(fd) };
    });
}

#[test]
fn vlan_tag_stripped_by_the_kernel_is_put_back_in_the_frame() {
    let lab = Lab::new();
    let mut cfg = LiveConfig::new(&lab.vb);
    cfg.filter = Some("vlan 105 and udp".into());
    let mut cap = open_in(&lab.b, cfg);
    let dg = udp(A_IP.into(), B_IP.into(), 44000, 6000, b"tagged");
    let tagged = ethernet_vlan(&[105], 0x0800, &ipv4(A_IP, B_IP, 17, 1, &dg));
    let other_vlan = ethernet_vlan(&[106], 0x0800, &ipv4(A_IP, B_IP, 17, 2, &dg));
    let untagged = eth_ipv4_udp(A_IP, B_IP, 44000, 6000, b"untagged");
    raw_send(&lab.a, &lab.va, &[other_vlan, untagged, tagged]);
    let seen = collect(&mut cap, Duration::from_secs(1), |_| false);
    assert_eq!(
        seen.len(),
        1,
        "only the VLAN 105 frame passes the filter: {seen:#?}"
    );
    let p = &seen[0];
    assert_eq!(p.vlan, vec![105], "tag re-inserted and decoded");
    assert_eq!(p.ports, Some((44000, 6000)));
    assert_eq!(p.payload, b"tagged");
}

#[test]
fn loopback_delivers_each_packet_once() {
    let lab = Lab::new();
    let mut cfg = LiveConfig::new("lo");
    cfg.filter = Some("udp port 9300".into());
    let mut cap = open_in(&lab.a, cfg);
    let payloads: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 8]).collect();
    udp_send(
        &lab.a,
        "127.0.0.1:45000".parse().unwrap(),
        "127.0.0.1:9300".parse().unwrap(),
        &payloads,
    );
    let seen = collect(&mut cap, Duration::from_secs(1), |_| false);
    let fwd = seen
        .iter()
        .filter(|p| p.ports == Some((45000, 9300)))
        .count();
    assert_eq!(fwd, 4, "no outgoing duplicates on loopback: {seen:#?}");
}

#[test]
fn open_reports_bad_interface_config_and_filter() {
    require_root_and_ip();
    match LiveCapture::open(LiveConfig::new("afp-nonexist0")) {
        Err(LiveError::NoSuchInterface(n)) => assert_eq!(n, "afp-nonexist0"),
        other => panic!("expected NoSuchInterface, got {other:?}"),
    }
    let mut cfg = LiveConfig::new("lo");
    cfg.block_size = 1000;
    assert!(matches!(LiveCapture::open(cfg), Err(LiveError::Config(_))));
    let mut cfg = LiveConfig::new("lo");
    cfg.frame_size = 100;
    assert!(matches!(LiveCapture::open(cfg), Err(LiveError::Config(_))));
    let mut cfg = LiveConfig::new("lo");
    cfg.filter = Some("tcp and (port 80".into());
    match LiveCapture::open(cfg) {
        Err(e @ LiveError::Filter(_)) => assert!(e.to_string().contains("offset 16"), "{e}"),
        other => panic!("expected a filter error, got {other:?}"),
    }
}
