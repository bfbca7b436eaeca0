//! Per-flow application-layer state dispatching to the protocol parsers.

use crate::config::AppConfig;
use crate::dns::DnsState;
use crate::event::AppEvent;
use crate::http::HttpState;
use crate::krb5::Krb5State;
use crate::modbus::ModbusState;
use crate::proto::{AppProto, Direction};
use crate::quic::QuicState;
use crate::rfb::RfbState;
use crate::smb::SmbState;
use crate::smtp::SmtpState;
use crate::tls::TlsState;

/// Parser state of one flow, selected after protocol detection.
#[derive(Debug)]
pub enum AppState {
    /// HTTP/1.x.
    Http(HttpState),
    /// DNS over UDP or TCP.
    Dns(DnsState),
    /// TLS.
    Tls(Box<TlsState>),
    /// Modbus/TCP.
    Modbus(ModbusState),
    /// Kerberos 5.
    Krb5(Krb5State),
    /// QUIC.
    Quic(Box<QuicState>),
    /// SMB over NetBIOS/TCP.
    Smb(Box<SmbState>),
    /// SMTP.
    Smtp(SmtpState),
    /// RFB (VNC).
    Rfb(RfbState),
    /// A protocol recognized by its first bytes that the sensor does not parse: the flow
    /// carries its name, its data is inspected as raw stream only.
    Unparsed(AppProto),
}

impl AppState {
    /// New state for `proto`; `tcp` matters for DNS framing only.
    pub fn new(proto: AppProto, tcp: bool, cfg: &AppConfig) -> AppState {
        match proto {
            AppProto::Http => AppState::Http(HttpState::new(cfg)),
            AppProto::Dns => AppState::Dns(DnsState::new(tcp, cfg)),
            AppProto::Tls => AppState::Tls(Box::new(TlsState::new(cfg))),
            AppProto::Modbus => AppState::Modbus(ModbusState::new()),
            AppProto::Krb5 => AppState::Krb5(Krb5State::new(tcp)),
            AppProto::Quic => AppState::Quic(Box::default()),
            AppProto::Smb => AppState::Smb(Box::new(SmbState::new())),
            AppProto::Smtp => AppState::Smtp(SmtpState::new()),
            AppProto::Rfb => AppState::Rfb(RfbState::new()),
            AppProto::Ftp | AppProto::Ssh | AppProto::Dnp3 | AppProto::Dcerpc => {
                AppState::Unparsed(proto)
            }
        }
    }

    /// Protocol of this state.
    pub fn proto(&self) -> AppProto {
        match self {
            AppState::Http(_) => AppProto::Http,
            AppState::Dns(_) => AppProto::Dns,
            AppState::Tls(_) => AppProto::Tls,
            AppState::Modbus(_) => AppProto::Modbus,
            AppState::Krb5(_) => AppProto::Krb5,
            AppState::Quic(_) => AppProto::Quic,
            AppState::Smb(_) => AppProto::Smb,
            AppState::Smtp(_) => AppProto::Smtp,
            AppState::Rfb(_) => AppProto::Rfb,
            AppState::Unparsed(p) => *p,
        }
    }

    /// Feed data of one direction; events for changed transactions are
    /// appended to `out`. `ts_micros` is the packet time (reserved).
    pub fn parse(&mut self, dir: Direction, data: &[u8], ts_micros: i64, out: &mut Vec<AppEvent>) {
        let _ = ts_micros;
        match self {
            AppState::Http(s) => s.parse(dir, data, out),
            AppState::Dns(s) => s.parse(dir, data, out),
            AppState::Tls(s) => s.parse(dir, data, out),
            AppState::Modbus(s) => s.parse(dir, data, out),
            AppState::Krb5(s) => s.parse(dir, data, out),
            AppState::Quic(s) => s.parse(dir, data, out),
            AppState::Smb(s) => s.parse(dir, data, out),
            AppState::Smtp(s) => s.parse(dir, data, out),
            AppState::Rfb(s) => s.parse(dir, data, out),
            AppState::Unparsed(_) => {}
        }
    }

    /// A hole of `len` bytes in one direction's stream.
    pub fn gap(&mut self, dir: Direction, len: u64, out: &mut Vec<AppEvent>) {
        match self {
            AppState::Http(s) => s.gap(dir, len, out),
            AppState::Dns(s) => s.gap(dir),
            AppState::Tls(s) => s.gap(dir),
            AppState::Modbus(s) => s.gap(dir),
            AppState::Krb5(s) => s.gap(dir),
            AppState::Quic(_) => {}
            AppState::Smb(s) => s.gap(dir, len),
            AppState::Smtp(s) => s.gap(dir),
            AppState::Rfb(s) => s.gap(),
            AppState::Unparsed(_) => {}
        }
    }

    /// The flow ended (FIN/RST/timeout): complete close-delimited messages.
    pub fn close(&mut self, out: &mut Vec<AppEvent>) {
        if let AppState::Http(s) = self {
            s.close(out);
        }
    }

    /// HTTP state, if this is an HTTP flow.
    pub fn http(&self) -> Option<&HttpState> {
        match self {
            AppState::Http(s) => Some(s),
            _ => None,
        }
    }

    /// DNS state, if this is a DNS flow.
    pub fn dns(&self) -> Option<&DnsState> {
        match self {
            AppState::Dns(s) => Some(s),
            _ => None,
        }
    }

    /// TLS state, if this is a TLS flow.
    pub fn tls(&self) -> Option<&TlsState> {
        match self {
            AppState::Tls(s) => Some(s),
            _ => None,
        }
    }
}
