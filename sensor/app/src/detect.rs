//! Per-direction protocol detection outcome, with Suricata 7's notion of "detection is
//! done" for a direction: its pattern matcher saw as many bytes as the deepest pattern of
//! that direction without a match, and the probing parsers of the flow's ports gave up.
//!
//! The pipeline detects a flow's protocol from whichever side speaks first
//! ([`crate::probe_tcp`]). This module follows both sides to the end of detection so that
//! a flow whose one side is recognized while the other is not raises
//! `applayer_detect_protocol_only_one_direction`, as Suricata does. It also recognizes a
//! few protocols the sensor has no parser for (SMTP, FTP, SSH, DNP3, DCE/RPC), so that
//! their flows carry the right `app_proto` and the event fires the same way for them.

use crate::probe::{probe_dns_tcp, Probe};
use crate::proto::{AppProto, Direction};

/// The app-layer event raised when one side's protocol is known and the other side's
/// detection finished without a result.
pub const ONLY_ONE_DIRECTION: &str = "applayer_detect_protocol_only_one_direction";

/// Bytes a direction's buffer keeps for detection (more is never needed).
pub const BUFFER_LIMIT: usize = 512;

/// Depth of the deepest detection pattern to the server (the HTTP/2 client preface).
const MAX_DEPTH_TO_SERVER: usize = 24;
/// Depth of the deepest detection pattern to the client (`HTTP/1.1`, `|ff|SMB` at 4).
const MAX_DEPTH_TO_CLIENT: usize = 8;
/// NetBIOS session header + SMB header: the SMB probe needs this much.
const SMB_MIN_RECORD: usize = 36;
const SMB_PORTS: [u16; 2] = [139, 445];
/// Suricata's DNP3 detection port (`app-layer.protocols.dnp3.detection-ports`).
const DNP3_PORT: u16 = 20000;
/// A DNP3 link header: start bytes, length, control, destination, source, CRC.
const DNP3_LINK_HEADER: usize = 10;

/// Where detection of one direction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// More data may still decide.
    #[default]
    Pending,
    /// The protocol of this direction.
    Detected(AppProto),
    /// Detection is done and found nothing.
    Failed,
}

/// Patterns of the protocols recognized without a parser: (protocol, pattern, case
/// insensitive) at offset 0, per direction.
const TO_SERVER_PATTERNS: &[(AppProto, &[u8], bool)] = &[
    (AppProto::Smtp, b"EHLO", true),
    (AppProto::Smtp, b"HELO", true),
    (AppProto::Smtp, b"QUIT", true),
    (AppProto::Ftp, b"FEAT", true),
    (AppProto::Ftp, b"USER ", true),
    (AppProto::Ftp, b"PASS ", true),
    (AppProto::Ftp, b"PORT ", true),
    (AppProto::Ssh, b"SSH-", true),
    (AppProto::Rfb, b"RFB ", false),
];
const TO_CLIENT_PATTERNS: &[(AppProto, &[u8], bool)] = &[
    (AppProto::Ftp, b"220 (", true),
    (AppProto::Ssh, b"SSH-", true),
    (AppProto::Rfb, b"RFB ", false),
];

fn pattern_match(dir: Direction, data: &[u8]) -> Option<AppProto> {
    let table = match dir {
        Direction::ToServer => TO_SERVER_PATTERNS,
        Direction::ToClient => TO_CLIENT_PATTERNS,
    };
    table.iter().find_map(|(proto, pat, ci)| {
        let head = data.get(..pat.len())?;
        let hit = if *ci {
            head.eq_ignore_ascii_case(pat)
        } else {
            head == *pat
        };
        hit.then_some(*proto)
    })
}

/// HTTP methods Suricata's detection knows (followed by a space or a tab).
const HTTP_METHODS: &[&[u8]] = &[
    b"GET",
    b"PUT",
    b"POST",
    b"HEAD",
    b"TRACE",
    b"OPTIONS",
    b"CONNECT",
    b"DELETE",
    b"PATCH",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"CHECKOUT",
    b"UNCHECKOUT",
    b"CHECKIN",
    b"UPDATE",
    b"LABEL",
    b"REPORT",
    b"MKWORKSPACE",
    b"MKACTIVITY",
    b"MERGE",
    b"INVALID",
    b"VERSION-CONTROL",
    b"BASELINE-CONTROL",
];

/// HTTP and TLS by their detection patterns, strictly at offset 0 (the parsers are more
/// lenient: they skip leading white space, for example), plus SSLv2 hellos on port 443.
fn http_tls_match(dir: Direction, data: &[u8], sport: u16, dport: u16) -> Option<AppProto> {
    let starts_ci = |p: &[u8]| {
        data.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    match dir {
        Direction::ToServer => {
            let method = HTTP_METHODS
                .iter()
                .any(|m| starts_ci(m) && matches!(data.get(m.len()), Some(b' ' | b'\t')));
            if method {
                return Some(AppProto::Http);
            }
            let tls = matches!(data, [0x01 | 0x16, 0x03, 0..=3, ..])
                || data.get(2..5) == Some(&[0x01, 0x00, 0x02][..])
                || ((sport == 443 || dport == 443)
                    && data.len() >= 3
                    && data[0] & 0x80 != 0
                    && data[2] == 0x01);
            tls.then_some(AppProto::Tls)
        }
        Direction::ToClient => {
            if [&b"HTTP/0.9"[..], b"HTTP/1.0", b"HTTP/1.1"]
                .iter()
                .any(|v| starts_ci(v))
            {
                return Some(AppProto::Http);
            }
            matches!(data, [0x15 | 0x16, 0x03, 0..=3, ..]).then_some(AppProto::Tls)
        }
    }
}

/// NetBIOS session record carrying an SMB1/2/3 header.
fn nbss_is_smb(rec: &[u8]) -> bool {
    rec.first() == Some(&0x00)
        && matches!(rec.get(4), Some(0xfd..=0xff))
        && rec.get(5..8) == Some(b"SMB")
}

/// Suricata's SMB probe over a NetBIOS session stream: the first record is SMB, or a small
/// NetBIOS message (session request / response, keep-alive) is followed by an SMB record.
fn smb_probe(data: &[u8]) -> Probe {
    if data.len() < SMB_MIN_RECORD {
        return Probe::NeedMore;
    }
    if nbss_is_smb(data) {
        return Probe::Detected(AppProto::Smb);
    }
    let typ = data[0];
    let len =
        (usize::from(data[1] & 0x01) << 16) | (usize::from(data[2]) << 8) | usize::from(data[3]);
    let valid = matches!(typ, 0x81..=0x85) && data[1] & 0xfe == 0;
    if !valid {
        return Probe::NotRecognized;
    }
    let body = &data[4..];
    if body.len() >= len + 8 {
        if nbss_is_smb(&body[len..]) {
            return Probe::Detected(AppProto::Smb);
        }
        Probe::NotRecognized
    } else if len < 256 {
        Probe::NeedMore
    } else {
        Probe::NotRecognized
    }
}

/// Suricata's DNP3 probing parser (port 20000): a printable banner naming DNP3, or a link
/// header with the `05 64` start bytes and a length of at least 5.
fn dnp3_probe(data: &[u8]) -> Probe {
    let banner = data.windows(4).any(|w| w == b"DNP3")
        && data
            .iter()
            .all(|c| c.is_ascii_graphic() || matches!(c, b' ' | b'\n' | b'\r'));
    if banner {
        return Probe::Detected(AppProto::Dnp3);
    }
    if data.len() < DNP3_LINK_HEADER {
        return Probe::NeedMore;
    }
    if data[..2] != [0x05, 0x64] || data[2] < 5 {
        return Probe::NotRecognized;
    }
    Probe::Detected(AppProto::Dnp3)
}

/// Suricata's DCE/RPC detection: the `05 00` pattern at offset 0, confirmed by its probe
/// on the 16-byte header (version 5.0, a valid data representation).
fn dcerpc_match(data: &[u8]) -> Option<AppProto> {
    if data.get(..2) != Some(&[0x05, 0x00][..]) {
        return None;
    }
    let hdr = data.get(..16)?;
    (hdr[4] & 0xee == 0 && hdr[5] <= 3).then_some(AppProto::Dcerpc)
}

/// Where detection of direction `dir` stands after `data` (everything the direction sent,
/// up to [`BUFFER_LIMIT`] bytes); `sport`/`dport` are the flow's ports in either order.
pub fn outcome(dir: Direction, data: &[u8], sport: u16, dport: u16) -> Outcome {
    if data.is_empty() {
        return Outcome::Pending;
    }
    if let Some(p) = pattern_match(dir, data)
        .or_else(|| http_tls_match(dir, data, sport, dport))
        .or_else(|| dcerpc_match(data))
    {
        return Outcome::Detected(p);
    }
    // DNS (53), Modbus (502), Kerberos (88) and DNP3 (20000) are recognized by their port's
    // probing parser.
    let dns = if sport == 53 || dport == 53 {
        probe_dns_tcp(data)
    } else {
        Probe::NotRecognized
    };
    let modbus = crate::modbus::probe(data, sport, dport);
    let krb5 = if sport == crate::krb5::PORT || dport == crate::krb5::PORT {
        crate::krb5::probe_tcp(data)
    } else {
        Probe::NotRecognized
    };
    let dnp3 = if sport == DNP3_PORT || dport == DNP3_PORT {
        dnp3_probe(data)
    } else {
        Probe::NotRecognized
    };
    for p in [dns, modbus, krb5, dnp3] {
        if let Probe::Detected(proto) = p {
            return Outcome::Detected(proto);
        }
    }
    // SMB headers are looked for at offset 4 on any port, and probed on its own ports.
    let smb_port = SMB_PORTS.contains(&sport) || SMB_PORTS.contains(&dport);
    let smb = if smb_port || data.get(5..8) == Some(b"SMB") {
        smb_probe(data)
    } else {
        Probe::NotRecognized
    };
    if smb == Probe::Detected(AppProto::Smb) {
        return Outcome::Detected(AppProto::Smb);
    }
    let max_depth = match dir {
        Direction::ToServer => MAX_DEPTH_TO_SERVER,
        Direction::ToClient => MAX_DEPTH_TO_CLIENT,
    };
    let patterns_done = data.len() >= max_depth;
    // The port probes may still want more; the SMB probe gives up past its record size.
    let port_probe_pending = dns == Probe::NeedMore
        || modbus == Probe::NeedMore
        || krb5 == Probe::NeedMore
        || dnp3 == Probe::NeedMore
        || (smb_port && smb == Probe::NeedMore && data.len() <= SMB_MIN_RECORD);
    if patterns_done && !port_probe_pending {
        Outcome::Failed
    } else {
        Outcome::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_client_is_recognized_and_its_banner_is_not() {
        let banner = b"220 mail.example.com ESMTP ready\r\n";
        assert_eq!(
            outcome(Direction::ToClient, banner, 40000, 25),
            Outcome::Failed
        );
        assert_eq!(
            outcome(Direction::ToServer, b"EHLO client.example\r\n", 40000, 25),
            Outcome::Detected(AppProto::Smtp)
        );
    }

    #[test]
    fn short_data_keeps_detection_pending() {
        assert_eq!(
            outcome(Direction::ToClient, b"OK\r\n", 40000, 80),
            Outcome::Pending
        );
        assert_eq!(
            outcome(Direction::ToServer, b"hello there\n", 40000, 80),
            Outcome::Pending
        );
        assert_eq!(
            outcome(
                Direction::ToServer,
                b"hello there, this is not http\n",
                40000,
                80
            ),
            Outcome::Failed
        );
    }

    #[test]
    fn http_sides_are_recognized() {
        assert_eq!(
            outcome(Direction::ToServer, b"GET / HTTP/1.1\r\n", 40000, 80),
            Outcome::Detected(AppProto::Http)
        );
        assert_eq!(
            outcome(Direction::ToClient, b"HTTP/1.1 200 OK\r\n", 40000, 80),
            Outcome::Detected(AppProto::Http)
        );
        assert_eq!(
            outcome(Direction::ToClient, b"0123456789abcdef", 40000, 80),
            Outcome::Failed
        );
    }

    #[test]
    fn netbios_session_request_then_smb_is_smb_only_for_the_answer() {
        // client: session request (type 0x81, 68 bytes of names)
        let mut req = vec![0x81, 0, 0, 68];
        req.extend(std::iter::repeat_n(0x20, 68));
        assert_eq!(
            outcome(Direction::ToServer, &req, 40000, 139),
            Outcome::Failed
        );
        // server: positive session response, then an SMB1 negotiate response
        let mut resp = vec![0x82, 0, 0, 0, 0x00, 0, 0, 0x55, 0xff, b'S', b'M', b'B'];
        resp.extend(std::iter::repeat_n(0, 40));
        assert_eq!(
            outcome(Direction::ToClient, &resp[..4], 40000, 139),
            Outcome::Pending
        );
        assert_eq!(
            outcome(Direction::ToClient, &resp, 40000, 139),
            Outcome::Detected(AppProto::Smb)
        );
    }

    #[test]
    fn dnp3_on_its_port_and_dcerpc_anywhere() {
        // A master's request; an outstation answer with a length under 5 is not DNP3.
        let req = [0x05, 0x64, 0x05, 0xc9, 0x03, 0x00, 0x04, 0x00, 0xbd, 0x71];
        let bad = [0x05, 0x64, 0x00, 0x0b, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00];
        assert_eq!(
            outcome(Direction::ToServer, &req, 43691, 20000),
            Outcome::Detected(AppProto::Dnp3)
        );
        assert_eq!(
            outcome(Direction::ToClient, &bad, 43691, 20000),
            Outcome::Failed
        );
        assert_eq!(
            outcome(Direction::ToServer, &req[..4], 43691, 20000),
            Outcome::Pending
        );
        assert_eq!(
            outcome(Direction::ToServer, &req, 43691, 20001),
            Outcome::Pending
        );
        // DCE/RPC bind, little endian.
        let mut bind = vec![5, 0, 11, 3, 0x10, 0, 0, 0, 0x48, 0, 0, 0, 1, 0, 0, 0];
        bind.extend([0u8; 16]);
        assert_eq!(
            outcome(Direction::ToServer, &bind, 49700, 135),
            Outcome::Detected(AppProto::Dcerpc)
        );
    }

    #[test]
    fn ftp_banner_with_parenthesis_is_ftp() {
        assert_eq!(
            outcome(Direction::ToClient, b"220 (vsFTPd 3.0.3)\r\n", 40000, 21),
            Outcome::Detected(AppProto::Ftp)
        );
        assert_eq!(
            outcome(
                Direction::ToClient,
                b"220 ProFTPD Server ready\r\n",
                40000,
                21
            ),
            Outcome::Failed
        );
    }
}
