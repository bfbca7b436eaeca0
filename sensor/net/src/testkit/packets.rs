//! Single-packet builders.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Source MAC used by the builders.
pub const SRC_MAC: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
/// Destination MAC used by the builders.
pub const DST_MAC: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

fn sum16(data: &[u8], mut sum: u32) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum = sum.wrapping_add(u32::from(u16::from_be_bytes([c[0], c[1]])));
    }
    if let [last] = chunks.remainder() {
        sum = sum.wrapping_add(u32::from(*last) << 8);
    }
    sum
}

fn fold(mut sum: u32) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Internet checksum of `data`.
pub fn checksum(data: &[u8]) -> u16 {
    fold(sum16(data, 0))
}

/// TCP/UDP/ICMPv6 checksum with the pseudo-header of `src`/`dst`.
pub fn l4_checksum(src: IpAddr, dst: IpAddr, proto: u8, segment: &[u8]) -> u16 {
    let mut pseudo = Vec::with_capacity(40);
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            pseudo.extend_from_slice(&s.octets());
            pseudo.extend_from_slice(&d.octets());
            pseudo.extend_from_slice(&[0, proto]);
            pseudo.extend_from_slice(&(segment.len() as u16).to_be_bytes());
        }
        (s, d) => {
            pseudo.extend_from_slice(&to_v6(s).octets());
            pseudo.extend_from_slice(&to_v6(d).octets());
            pseudo.extend_from_slice(&(segment.len() as u32).to_be_bytes());
            pseudo.extend_from_slice(&[0, 0, 0, proto]);
        }
    }
    fold(sum16(segment, sum16(&pseudo, 0)))
}

fn to_v6(a: IpAddr) -> Ipv6Addr {
    match a {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    }
}

/// Ethernet II frame.
pub fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + payload.len());
    f.extend_from_slice(&DST_MAC);
    f.extend_from_slice(&SRC_MAC);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Ethernet frame with 802.1Q tags (outermost first; 0x88a8 is used for the outer tag of QinQ).
pub fn ethernet_vlan(vlans: &[u16], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(14 + 4 * vlans.len() + payload.len());
    f.extend_from_slice(&DST_MAC);
    f.extend_from_slice(&SRC_MAC);
    for (i, v) in vlans.iter().enumerate() {
        let tpid: u16 = if i == 0 && vlans.len() > 1 {
            0x88a8
        } else {
            0x8100
        };
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&(v & 0x0fff).to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// IPv4 datagram (20-byte header, TTL 64, DF clear) with a correct header checksum.
pub fn ipv4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    ipv4_with(src, dst, proto, id, 0, &[], payload)
}

/// IPv4 datagram with raw flags/offset field (`frag`) and options (padded to 4 bytes).
pub fn ipv4_with(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    proto: u8,
    id: u16,
    frag: u16,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let optlen = (options.len() + 3) & !3;
    let hlen = 20 + optlen;
    let total = (hlen + payload.len()) as u16;
    let mut p = Vec::with_capacity(hlen + payload.len());
    p.push(0x40 | (hlen / 4) as u8);
    p.push(0);
    p.extend_from_slice(&total.to_be_bytes());
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&frag.to_be_bytes());
    p.push(64);
    p.push(proto);
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(options);
    p.resize(hlen, 0);
    let sum = checksum(&p);
    p[10..12].copy_from_slice(&sum.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// IPv6 datagram (hop limit 64) with next header `nh`.
pub fn ipv6(src: Ipv6Addr, dst: Ipv6Addr, nh: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(40 + payload.len());
    p.extend_from_slice(&[0x60, 0, 0, 0]);
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.push(nh);
    p.push(64);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(payload);
    p
}

/// TCP segment (20-byte header, window 65535) with a correct checksum for `src`/`dst`.
#[allow(clippy::too_many_arguments)]
pub fn tcp(
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    tcp_with_options(src, dst, sport, dport, seq, ack, flags, &[], payload)
}

/// TCP segment with raw options (padded with NOPs... zeros to 4 bytes).
#[allow(clippy::too_many_arguments)]
pub fn tcp_with_options(
    src: IpAddr,
    dst: IpAddr,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    options: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let optlen = (options.len() + 3) & !3;
    let hlen = 20 + optlen;
    let mut s = Vec::with_capacity(hlen + payload.len());
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(&ack.to_be_bytes());
    s.push(((hlen / 4) as u8) << 4);
    s.push(flags);
    s.extend_from_slice(&65535u16.to_be_bytes());
    s.extend_from_slice(&[0, 0, 0, 0]);
    s.extend_from_slice(options);
    s.resize(hlen, 0);
    s.extend_from_slice(payload);
    let sum = l4_checksum(src, dst, 6, &s);
    s[16..18].copy_from_slice(&sum.to_be_bytes());
    s
}

/// UDP datagram with a correct checksum.
pub fn udp(src: IpAddr, dst: IpAddr, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut s = Vec::with_capacity(8 + payload.len());
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    s.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    s.extend_from_slice(&[0, 0]);
    s.extend_from_slice(payload);
    let sum = l4_checksum(src, dst, 17, &s);
    s[6..8].copy_from_slice(&sum.to_be_bytes());
    s
}

/// ICMP (v4 when `v6` is None, else ICMPv6 with pseudo-header checksum) message with id/seq.
fn icmp(
    v6: Option<(Ipv6Addr, Ipv6Addr)>,
    typ: u8,
    code: u8,
    id: u16,
    seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut s = Vec::with_capacity(8 + payload.len());
    s.extend_from_slice(&[typ, code, 0, 0]);
    s.extend_from_slice(&id.to_be_bytes());
    s.extend_from_slice(&seq.to_be_bytes());
    s.extend_from_slice(payload);
    let sum = match v6 {
        None => checksum(&s),
        Some((a, b)) => l4_checksum(IpAddr::V6(a), IpAddr::V6(b), 58, &s),
    };
    s[2..4].copy_from_slice(&sum.to_be_bytes());
    s
}

/// Ethernet + IPv4 + TCP frame.
#[allow(clippy::too_many_arguments)]
pub fn eth_ipv4_tcp(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let seg = tcp(
        src.into(),
        dst.into(),
        sport,
        dport,
        seq,
        ack,
        flags,
        payload,
    );
    ethernet(0x0800, &ipv4(src, dst, 6, 1, &seg))
}

/// Ethernet + IPv4 + UDP frame.
pub fn eth_ipv4_udp(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    payload: &[u8],
) -> Vec<u8> {
    let dg = udp(src.into(), dst.into(), sport, dport, payload);
    ethernet(0x0800, &ipv4(src, dst, 17, 1, &dg))
}

/// Ethernet + IPv4 + ICMP frame (echo request is type 8, code 0).
pub fn eth_ipv4_icmp(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    typ: u8,
    code: u8,
    id: u16,
    seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let m = icmp(None, typ, code, id, seq, payload);
    ethernet(0x0800, &ipv4(src, dst, 1, 1, &m))
}

/// Ethernet + IPv6 + TCP frame.
#[allow(clippy::too_many_arguments)]
pub fn eth_ipv6_tcp(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) -> Vec<u8> {
    let seg = tcp(
        src.into(),
        dst.into(),
        sport,
        dport,
        seq,
        ack,
        flags,
        payload,
    );
    ethernet(0x86dd, &ipv6(src, dst, 6, &seg))
}

/// Ethernet + IPv6 + UDP frame.
pub fn eth_ipv6_udp(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    sport: u16,
    dport: u16,
    payload: &[u8],
) -> Vec<u8> {
    let dg = udp(src.into(), dst.into(), sport, dport, payload);
    ethernet(0x86dd, &ipv6(src, dst, 17, &dg))
}

/// Ethernet + IPv6 + ICMPv6 frame (echo request is type 128).
pub fn eth_ipv6_icmp(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    typ: u8,
    code: u8,
    id: u16,
    seq: u16,
    payload: &[u8],
) -> Vec<u8> {
    let m = icmp(Some((src, dst)), typ, code, id, seq, payload);
    ethernet(0x86dd, &ipv6(src, dst, 58, &m))
}

/// IP datagram (v4 or v6 by address family) carrying `l4` with protocol `proto`.
pub fn ip(src: IpAddr, dst: IpAddr, proto: u8, l4: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => ipv4(s, d, proto, 1, l4),
        (s, d) => ipv6(to_v6(s), to_v6(d), proto, l4),
    }
}

/// Splits an IPv4 datagram (20-byte header, no options) into raw-IP fragments of at most
/// `frag_payload` bytes of data (rounded down to a multiple of 8).
pub fn ipv4_fragments(datagram: &[u8], frag_payload: usize) -> Vec<Vec<u8>> {
    let hlen = usize::from(datagram.first().copied().unwrap_or(0x45) & 0x0f) * 4;
    if hlen < 20 {
        return Vec::new();
    }
    let (Some(hdr), Some(data)) = (datagram.get(..hlen), datagram.get(hlen..)) else {
        return Vec::new();
    };
    let step = (frag_payload / 8).max(1) * 8;
    let src = Ipv4Addr::new(hdr[12], hdr[13], hdr[14], hdr[15]);
    let dst = Ipv4Addr::new(hdr[16], hdr[17], hdr[18], hdr[19]);
    let id = u16::from_be_bytes([hdr[4], hdr[5]]);
    let proto = hdr[9];
    let mut out = Vec::new();
    let mut off = 0usize;
    while off < data.len() {
        let end = (off + step).min(data.len());
        let more = end < data.len();
        let frag = ((off / 8) as u16) | if more { 0x2000 } else { 0 };
        out.push(ipv4_with(src, dst, proto, id, frag, &[], &data[off..end]));
        off = end;
    }
    out
}

/// Splits an IPv6 datagram (40-byte header, no extension headers) into raw-IP fragments
/// with identification `id`.
pub fn ipv6_fragments(datagram: &[u8], frag_payload: usize, id: u32) -> Vec<Vec<u8>> {
    let (Some(hdr), Some(data)) = (datagram.get(..40), datagram.get(40..)) else {
        return Vec::new();
    };
    let step = (frag_payload / 8).max(1) * 8;
    let nh = hdr[6];
    let mut out = Vec::new();
    let mut off = 0usize;
    while off < data.len() {
        let end = (off + step).min(data.len());
        let more = end < data.len();
        let mut p = hdr.to_vec();
        p[6] = 44;
        let plen = (8 + end - off) as u16;
        p[4..6].copy_from_slice(&plen.to_be_bytes());
        p.push(nh);
        p.push(0);
        let fo = ((off as u16) & 0xfff8) | u16::from(more);
        p.extend_from_slice(&fo.to_be_bytes());
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(&data[off..end]);
        out.push(p);
        off = end;
    }
    out
}
