//! ClientHello / ServerHello parsing.

use crate::error::AppError;

/// Parsed ClientHello.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientHello {
    /// Legacy version field (e.g. 0x0303).
    pub version: u16,
    /// Client random.
    pub random: Vec<u8>,
    /// Session id.
    pub session_id: Vec<u8>,
    /// Cipher suites in order.
    pub ciphers: Vec<u16>,
    /// Compression methods.
    pub compression: Vec<u8>,
    /// Extension types in order.
    pub extensions: Vec<u16>,
    /// Server name (first host_name entry).
    pub sni: Option<Vec<u8>>,
    /// supported_groups (elliptic curves).
    pub groups: Vec<u16>,
    /// ec_point_formats.
    pub point_formats: Vec<u8>,
    /// supported_versions.
    pub supported_versions: Vec<u16>,
    /// ALPN protocol names.
    pub alpn: Vec<Vec<u8>>,
}

/// Parsed ServerHello.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerHello {
    /// Legacy version field.
    pub version: u16,
    /// Server random.
    pub random: Vec<u8>,
    /// Session id.
    pub session_id: Vec<u8>,
    /// Selected cipher suite.
    pub cipher: u16,
    /// Selected compression method.
    pub compression: u8,
    /// Extension types in order.
    pub extensions: Vec<u16>,
    /// Version from supported_versions (TLS 1.3), if present.
    pub selected_version: Option<u16>,
    /// Selected ALPN protocol.
    pub alpn: Option<Vec<u8>>,
}

impl ServerHello {
    /// Negotiated protocol version.
    pub fn negotiated_version(&self) -> u16 {
        self.selected_version.unwrap_or(self.version)
    }
}

struct R<'a> {
    d: &'a [u8],
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], AppError> {
        let (a, b) = (self.d.get(..n), self.d.get(n..));
        match (a, b) {
            (Some(a), Some(b)) => {
                self.d = b;
                Ok(a)
            }
            _ => Err(AppError::Truncated),
        }
    }
    fn u8(&mut self) -> Result<u8, AppError> {
        Ok(*self.take(1)?.first().ok_or(AppError::Truncated)?)
    }
    fn u16(&mut self) -> Result<u16, AppError> {
        let b = self.take(2)?;
        Ok(u16::from(*b.first().unwrap_or(&0)) << 8 | u16::from(*b.get(1).unwrap_or(&0)))
    }
    fn vec8(&mut self) -> Result<&'a [u8], AppError> {
        let n = usize::from(self.u8()?);
        self.take(n)
    }
    fn vec16(&mut self) -> Result<&'a [u8], AppError> {
        let n = usize::from(self.u16()?);
        self.take(n)
    }
}

fn u16s(d: &[u8]) -> Vec<u16> {
    d.chunks_exact(2)
        .map(|c| u16::from(*c.first().unwrap_or(&0)) << 8 | u16::from(*c.get(1).unwrap_or(&0)))
        .collect()
}

/// Parse a ClientHello body; anomaly names are appended to `anomalies`.
pub fn parse_client_hello(
    body: &[u8],
    anomalies: &mut Vec<&'static str>,
) -> Result<ClientHello, AppError> {
    let mut r = R { d: body };
    let mut ch = ClientHello {
        version: r.u16()?,
        ..ClientHello::default()
    };
    ch.random = r.take(32)?.to_vec();
    ch.session_id = r.vec8()?.to_vec();
    ch.ciphers = u16s(r.vec16()?);
    ch.compression = r.vec8()?.to_vec();
    if r.d.is_empty() {
        return Ok(ch);
    }
    let mut exts = R { d: r.vec16()? };
    while !exts.d.is_empty() {
        let typ = exts.u16()?;
        let data = exts.vec16()?;
        ch.extensions.push(typ);
        let mut e = R { d: data };
        match typ {
            0 => {
                if ch.sni.is_some() {
                    anomalies.push("tls.multiple_sni_extensions");
                    continue;
                }
                let list = match e.vec16() {
                    Ok(l) => l,
                    Err(_) => {
                        anomalies.push("tls.invalid_sni_length");
                        continue;
                    }
                };
                let mut l = R { d: list };
                if let Ok(kind) = l.u8() {
                    if kind != 0 {
                        anomalies.push("tls.invalid_sni_type");
                    } else {
                        match l.vec16() {
                            Ok(name) => ch.sni = Some(name.to_vec()),
                            Err(_) => anomalies.push("tls.invalid_sni_length"),
                        }
                    }
                }
            }
            10 => {
                if let Ok(v) = e.vec16() {
                    ch.groups = u16s(v);
                }
            }
            11 => {
                if let Ok(v) = e.vec8() {
                    ch.point_formats = v.to_vec();
                }
            }
            16 => {
                if let Ok(v) = e.vec16() {
                    let mut p = R { d: v };
                    while let Ok(name) = p.vec8() {
                        ch.alpn.push(name.to_vec());
                    }
                }
            }
            43 => {
                if let Ok(v) = e.vec8() {
                    ch.supported_versions = u16s(v);
                }
            }
            _ => {}
        }
    }
    Ok(ch)
}

/// Parse a ServerHello body.
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, AppError> {
    let mut r = R { d: body };
    let mut sh = ServerHello {
        version: r.u16()?,
        ..ServerHello::default()
    };
    sh.random = r.take(32)?.to_vec();
    sh.session_id = r.vec8()?.to_vec();
    sh.cipher = r.u16()?;
    sh.compression = r.u8()?;
    if r.d.is_empty() {
        return Ok(sh);
    }
    let mut exts = R { d: r.vec16()? };
    while !exts.d.is_empty() {
        let typ = exts.u16()?;
        let data = exts.vec16()?;
        sh.extensions.push(typ);
        let mut e = R { d: data };
        match typ {
            43 => sh.selected_version = e.u16().ok(),
            16 => {
                if let Ok(v) = e.vec16() {
                    let mut p = R { d: v };
                    sh.alpn = p.vec8().ok().map(<[u8]>::to_vec);
                }
            }
            _ => {}
        }
    }
    Ok(sh)
}

/// Split a Certificate message body into DER certificates (at most `max`).
pub fn parse_certificate_list(body: &[u8], max: usize) -> Result<Vec<&[u8]>, AppError> {
    let mut r = R { d: body };
    let len = {
        let b = r.take(3)?;
        usize::from(*b.first().unwrap_or(&0)) << 16
            | usize::from(*b.get(1).unwrap_or(&0)) << 8
            | usize::from(*b.get(2).unwrap_or(&0))
    };
    let mut list = R { d: r.take(len)? };
    let mut out = Vec::new();
    while !list.d.is_empty() && out.len() < max {
        let b = list.take(3)?;
        let l = usize::from(*b.first().unwrap_or(&0)) << 16
            | usize::from(*b.get(1).unwrap_or(&0)) << 8
            | usize::from(*b.get(2).unwrap_or(&0));
        out.push(list.take(l)?);
    }
    Ok(out)
}
