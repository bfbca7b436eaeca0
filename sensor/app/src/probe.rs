//! Protocol detection by content (any port), like Suricata's probing parsers.

use crate::dns::parse_message;
use crate::http::parser::METHODS;
use crate::proto::{AppProto, Direction};

/// Result of probing the first bytes of a flow direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// The protocol was recognized.
    Detected(AppProto),
    /// Not enough data to decide.
    NeedMore,
    /// None of the supported protocols.
    NotRecognized,
}

fn probe_http(data: &[u8]) -> Probe {
    let data = data.trim_ascii_start();
    if data.is_empty() {
        return Probe::NeedMore;
    }
    let mut partial = false;
    for m in METHODS {
        let n = m.len();
        if data.len() > n {
            if data.get(..n) == Some(m) && matches!(data.get(n), Some(b' ') | Some(b'\t')) {
                return Probe::Detected(AppProto::Http);
            }
        } else if m.starts_with(data) {
            partial = true;
        }
    }
    let resp = b"HTTP/1.";
    if data.len() >= resp.len() {
        if data.starts_with(resp) {
            return Probe::Detected(AppProto::Http);
        }
    } else if resp.starts_with(data) {
        partial = true;
    }
    if partial {
        Probe::NeedMore
    } else {
        Probe::NotRecognized
    }
}

fn probe_tls(data: &[u8]) -> Probe {
    match data {
        [] => Probe::NeedMore,
        [0x16] | [0x16, 0x03] => Probe::NeedMore,
        [0x16, 0x03, v, ..] if *v <= 4 => match data.get(5) {
            None => Probe::NeedMore,
            Some(1) | Some(2) => Probe::Detected(AppProto::Tls),
            Some(_) => Probe::NotRecognized,
        },
        _ => Probe::NotRecognized,
    }
}

pub(crate) fn probe_dns_tcp(data: &[u8]) -> Probe {
    let Some(len) = data
        .get(..2)
        .map(|b| usize::from(b[0]) << 8 | usize::from(b[1]))
    else {
        return Probe::NeedMore;
    };
    if len < 12 {
        return Probe::NotRecognized;
    }
    match data.get(2..2 + len) {
        Some(msg) => match parse_message(msg, 64) {
            Ok(m) if !m.queries.is_empty() => Probe::Detected(AppProto::Dns),
            _ => Probe::NotRecognized,
        },
        None if data.len() >= 14 => {
            // header visible: qdcount must be sane
            let qd = data
                .get(6..8)
                .map(|b| u16::from(b[0]) << 8 | u16::from(b[1]))
                .unwrap_or(0);
            if (1..=16).contains(&qd) {
                Probe::NeedMore
            } else {
                Probe::NotRecognized
            }
        }
        None => Probe::NeedMore,
    }
}

/// Detect the protocol of a TCP stream direction from its first bytes.
///
/// DNS over TCP is only considered when either port is 53, Kerberos when either is 88;
/// SMB on 139/445 or with an SMB header at offset 4.
pub fn probe_tcp(dir: Direction, data: &[u8], sport: u16, dport: u16) -> Probe {
    let _ = dir;
    let http = probe_http(data);
    if let Probe::Detected(_) = http {
        return http;
    }
    let tls = probe_tls(data);
    if let Probe::Detected(_) = tls {
        return tls;
    }
    let dns = if sport == 53 || dport == 53 {
        probe_dns_tcp(data)
    } else {
        Probe::NotRecognized
    };
    if let Probe::Detected(_) = dns {
        return dns;
    }
    let modbus = crate::modbus::probe(data, sport, dport);
    if let Probe::Detected(_) = modbus {
        return modbus;
    }
    let krb5 = if sport == crate::krb5::PORT || dport == crate::krb5::PORT {
        crate::krb5::probe_tcp(data)
    } else {
        Probe::NotRecognized
    };
    if let Probe::Detected(_) = krb5 {
        return krb5;
    }
    // SMB on its ports, or with an SMB header at offset 4 on any port.
    let smb = crate::smb::probe(data, sport, dport);
    if let Probe::Detected(_) = smb {
        return smb;
    }
    if [http, tls, dns, modbus, krb5, smb].contains(&Probe::NeedMore) {
        Probe::NeedMore
    } else {
        Probe::NotRecognized
    }
}

/// Detect the protocol of a UDP datagram, like Suricata 7's probing parsers. `sport` and
/// `dport` are the flow's client and server ports (the server port picks the probes):
/// DNS needs port 53 on either side and a header and question section that parse;
/// Kerberos 5 needs server port 88, QUIC server port 443 or 80.
pub fn probe_udp(data: &[u8], sport: u16, dport: u16) -> Probe {
    if dport == crate::krb5::PORT {
        return match crate::krb5::probe_message(data) {
            Probe::Detected(p) => Probe::Detected(p),
            _ => Probe::NotRecognized,
        };
    }
    if crate::quic::PORTS.contains(&dport) {
        return crate::quic::probe(data);
    }
    if data.len() < 12 || (sport != 53 && dport != 53) {
        return Probe::NotRecognized;
    }
    match parse_message(data, 64) {
        Ok(_) => Probe::Detected(AppProto::Dns),
        Err(_) => Probe::NotRecognized,
    }
}
