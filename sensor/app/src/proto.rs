//! Protocol identifiers and stream directions.

/// Direction of application data within a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server.
    ToServer,
    /// Server to client.
    ToClient,
}

impl Direction {
    /// The opposite direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::ToServer => Direction::ToClient,
            Direction::ToClient => Direction::ToServer,
        }
    }
}

/// Application protocols understood by this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppProto {
    /// HTTP/1.x.
    Http,
    /// DNS (UDP or TCP).
    Dns,
    /// TLS / SSL.
    Tls,
    /// Modbus/TCP.
    Modbus,
    /// SMTP.
    Smtp,
    /// FTP control channel (recognized, not parsed).
    Ftp,
    /// SSH (recognized, not parsed).
    Ssh,
    /// SMB over NetBIOS/TCP (parsed for its `smb.*` events).
    Smb,
    /// Kerberos 5 (UDP or TCP).
    Krb5,
    /// QUIC (UDP).
    Quic,
    /// DNP3 over TCP (recognized, not parsed).
    Dnp3,
    /// DCE/RPC over TCP (recognized, not parsed).
    Dcerpc,
    /// RFB (VNC), followed to the security type.
    Rfb,
}

impl AppProto {
    /// Suricata's `app_proto` string for this protocol.
    pub fn name(self) -> &'static str {
        match self {
            AppProto::Http => "http",
            AppProto::Dns => "dns",
            AppProto::Tls => "tls",
            AppProto::Modbus => "modbus",
            AppProto::Smtp => "smtp",
            AppProto::Ftp => "ftp",
            AppProto::Ssh => "ssh",
            AppProto::Smb => "smb",
            AppProto::Krb5 => "krb5",
            AppProto::Quic => "quic",
            AppProto::Dnp3 => "dnp3",
            AppProto::Dcerpc => "dcerpc",
            AppProto::Rfb => "rfb",
        }
    }

    /// The reassembly depth Suricata gives this protocol's sessions once detected
    /// (`app-layer.protocols.<proto>.stream-depth`, 0 = unlimited): SMB and Modbus are
    /// tracked completely by default. `None`: the global depth.
    pub fn stream_depth(self) -> Option<u64> {
        matches!(self, AppProto::Smb | AppProto::Modbus).then_some(0)
    }

    /// Whether Suricata inspects one side's raw stream once the other side answers (its
    /// parser triggers raw reassembly at message boundaries, or the protocol is one whose
    /// request/response exchange we model that way). SMB's parser never triggers it: its
    /// raw stream is inspected only in 2,560-byte chunks and at the end of the stream, so
    /// an SMB request is seen by payload rules on its own packet only.
    pub fn raw_inspected_on_answer(self) -> bool {
        !matches!(self, AppProto::Smb)
    }
}
