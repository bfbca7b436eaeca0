//! TLS: record layer, handshake parsing, certificates, JA3/JA3S and EVE.

pub mod der;
pub mod eve;
pub mod handshake;
pub mod hex;
pub mod ja3;
pub mod state;
pub mod x509;

pub use handshake::{ClientHello, ServerHello};
pub use state::TlsState;
pub use x509::CertInfo;

/// Suricata's name for a TLS/SSL protocol version (`"TLSv1"`, `"TLS 1.2"`).
pub fn version_name(v: u16) -> String {
    match v {
        0x0002 => "SSLv2".into(),
        0x0300 => "SSLv3".into(),
        0x0301 => "TLSv1".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        0x7f00..=0x7fff => format!("TLS 1.3 draft-{}", v & 0xff),
        0 => "UNDETERMINED".into(),
        _ => format!("0x{v:04x}"),
    }
}
