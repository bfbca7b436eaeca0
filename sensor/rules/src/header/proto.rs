//! Rule actions and protocols.

use crate::error::RuleError;

/// Rule action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `alert`
    Alert,
    /// `pass`
    Pass,
    /// `drop`
    Drop,
    /// `reject`
    Reject,
    /// `rejectsrc`
    RejectSrc,
    /// `rejectdst`
    RejectDst,
    /// `rejectboth`
    RejectBoth,
}

impl Action {
    /// Parse an action keyword.
    pub fn parse(s: &str) -> Result<Action, RuleError> {
        Ok(match s {
            "alert" => Action::Alert,
            "pass" => Action::Pass,
            "drop" => Action::Drop,
            "reject" => Action::Reject,
            "rejectsrc" => Action::RejectSrc,
            "rejectdst" => Action::RejectDst,
            "rejectboth" => Action::RejectBoth,
            _ => return Err(RuleError::Syntax(format!("unknown action `{s}`"))),
        })
    }

    /// The keyword as written in rules.
    pub fn name(self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Pass => "pass",
            Action::Drop => "drop",
            Action::Reject => "reject",
            Action::RejectSrc => "rejectsrc",
            Action::RejectDst => "rejectdst",
            Action::RejectBoth => "rejectboth",
        }
    }
}

/// Rule protocol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `ip` (any IP packet; also `pkthdr`)
    Ip,
    /// `ipv4`: IPv4 packets only
    Ipv4,
    /// `ipv6`: IPv6 packets only
    Ipv6,
    /// `tcp`
    Tcp,
    /// `tcp-pkt`: TCP, packet payload only
    TcpPkt,
    /// `tcp-stream`: TCP, stream only
    TcpStream,
    /// `udp`
    Udp,
    /// `icmp` (v4 and v6)
    Icmp,
    /// `icmpv4`
    Icmpv4,
    /// `icmpv6`
    Icmpv6,
    /// `sctp`
    Sctp,
    /// `http` / `http1`
    Http,
    /// `dns`
    Dns,
    /// `tls`
    Tls,
    /// Any other application protocol, by name (`ftp`, `smtp`, `ssh`, `smb`, ...).
    App(String),
}

impl Protocol {
    /// Parse a protocol keyword (case-insensitive).
    pub fn parse(s: &str) -> Result<Protocol, RuleError> {
        let l = s.to_ascii_lowercase();
        Ok(match l.as_str() {
            "ip" | "pkthdr" => Protocol::Ip,
            "ipv4" | "ip4" => Protocol::Ipv4,
            "ipv6" | "ip6" => Protocol::Ipv6,
            "tcp" => Protocol::Tcp,
            "tcp-pkt" => Protocol::TcpPkt,
            "tcp-stream" => Protocol::TcpStream,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            "icmpv4" => Protocol::Icmpv4,
            "icmpv6" => Protocol::Icmpv6,
            "sctp" => Protocol::Sctp,
            "http" | "http1" => Protocol::Http,
            "dns" => Protocol::Dns,
            "tls" => Protocol::Tls,
            _ => {
                if l.is_empty()
                    || !l
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    return Err(RuleError::Syntax(format!("invalid protocol `{s}`")));
                }
                Protocol::App(l)
            }
        })
    }

    /// True for application-layer protocols (http, dns, tls, App).
    pub fn is_app(&self) -> bool {
        matches!(
            self,
            Protocol::Http | Protocol::Dns | Protocol::Tls | Protocol::App(_)
        )
    }

    /// Name as written in rules.
    pub fn name(&self) -> &str {
        match self {
            Protocol::Ip => "ip",
            Protocol::Ipv4 => "ipv4",
            Protocol::Ipv6 => "ipv6",
            Protocol::Tcp => "tcp",
            Protocol::TcpPkt => "tcp-pkt",
            Protocol::TcpStream => "tcp-stream",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv4 => "icmpv4",
            Protocol::Icmpv6 => "icmpv6",
            Protocol::Sctp => "sctp",
            Protocol::Http => "http",
            Protocol::Dns => "dns",
            Protocol::Tls => "tls",
            Protocol::App(n) => n,
        }
    }
}
