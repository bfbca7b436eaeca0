//! Application-layer transactions as the detection engine sees them: each sticky buffer
//! mapped to the parser's field, per direction.

use sensor_app::dns::DnsTx;
use sensor_app::http::HttpTx;
use sensor_app::tls::TlsState;
use sensor_detect::TxView;
use sensor_rules::BufferKind;

/// One side of an HTTP transaction.
pub struct HttpView<'a> {
    pub tx: &'a HttpTx,
    pub to_server: bool,
}

impl HttpView<'_> {
    fn get(&self, kind: BufferKind) -> Option<&[u8]> {
        use BufferKind::*;
        let t = self.tx;
        let nonempty = |b: &'_ [u8]| -> bool { !b.is_empty() };
        if self.to_server {
            match kind {
                HttpUri => Some(t.uri_normalized()).filter(|b| nonempty(b)),
                HttpUriRaw => Some(t.uri_raw()).filter(|b| nonempty(b)),
                HttpMethod => Some(t.method()).filter(|b| nonempty(b)),
                HttpProtocol => Some(t.protocol()).filter(|b| nonempty(b)),
                HttpRequestLine => Some(t.request_line()).filter(|b| nonempty(b)),
                HttpStart => Some(t.request_start()).filter(|b| nonempty(b)),
                HttpHost => t.host(),
                HttpHostRaw => t.host_raw(),
                HttpUserAgent => t.user_agent(),
                HttpCookie => t.cookie(),
                HttpReferer => t.referer(),
                HttpAccept => t.accept(),
                HttpAcceptEnc => t.accept_enc(),
                HttpAcceptLang => t.accept_lang(),
                HttpConnection => t.connection(),
                HttpContentType => t.request_content_type(),
                HttpContentLen => t.request_content_len(),
                HttpHeader => Some(t.request_headers().normalized()).filter(|b| nonempty(b)),
                HttpHeaderRaw => Some(t.request_headers().raw()).filter(|b| nonempty(b)),
                HttpHeaderNames => Some(t.request_headers().names()).filter(|b| nonempty(b)),
                HttpRequestBody | FileData => Some(t.request_body()).filter(|b| nonempty(b)),
                _ => None,
            }
        } else {
            match kind {
                HttpStatCode => t.stat_code(),
                HttpStatMsg => Some(t.stat_msg()).filter(|b| nonempty(b)),
                HttpResponseLine => Some(t.response_line()).filter(|b| nonempty(b)),
                HttpStart => Some(t.response_start()).filter(|b| nonempty(b)),
                HttpProtocol => Some(t.response_protocol()).filter(|b| nonempty(b)),
                HttpLocation => t.location(),
                HttpServer => t.server(),
                HttpCookie => t.set_cookie(),
                HttpConnection => t.response_headers().get(b"connection"),
                HttpContentType => t.response_content_type(),
                HttpContentLen => t.response_content_len(),
                HttpHeader => Some(t.response_headers().normalized()).filter(|b| nonempty(b)),
                HttpHeaderRaw => Some(t.response_headers().raw()).filter(|b| nonempty(b)),
                HttpHeaderNames => Some(t.response_headers().names()).filter(|b| nonempty(b)),
                HttpResponseBody | FileData => Some(t.response_body()).filter(|b| nonempty(b)),
                _ => None,
            }
        }
    }
}

impl TxView for HttpView<'_> {
    fn app_proto(&self) -> &'static str {
        "http"
    }
    fn to_server(&self) -> bool {
        self.to_server
    }
    fn buffer_count(&self, kind: BufferKind) -> usize {
        usize::from(self.get(kind).is_some())
    }
    fn buffer(&self, kind: BufferKind, index: usize) -> Option<&[u8]> {
        if index == 0 {
            self.get(kind)
        } else {
            None
        }
    }
}

/// HTTP transaction events, inspected apart from the transaction's buffers and later than
/// the data that raised them: Suricata (IDS mode) parses a side's data when the peer
/// acknowledges it, so an event raised by the response is first seen by the client's next
/// packet, then by the server's next packet (a rule without direction alerts on both, as
/// Suricata inspects a transaction once per direction).
pub struct HttpEventsView {
    pub events: Vec<&'static str>,
    pub to_server: bool,
}

impl TxView for HttpEventsView {
    fn app_proto(&self) -> &'static str {
        "http"
    }
    fn to_server(&self) -> bool {
        self.to_server
    }
    fn buffer_count(&self, _: BufferKind) -> usize {
        0
    }
    fn buffer(&self, _: BufferKind, _: usize) -> Option<&[u8]> {
        None
    }
    fn events(&self) -> &[&'static str] {
        &self.events
    }
}

/// One DNS message: queries are inspected by `dns.query`, one buffer per name.
pub struct DnsView<'a> {
    pub tx: &'a DnsTx,
}

impl TxView for DnsView<'_> {
    fn app_proto(&self) -> &'static str {
        "dns"
    }
    fn to_server(&self) -> bool {
        !self.tx.is_response()
    }
    fn buffer_count(&self, kind: BufferKind) -> usize {
        match kind {
            BufferKind::DnsQuery => self.tx.queries().len(),
            _ => 0,
        }
    }
    fn buffer(&self, kind: BufferKind, index: usize) -> Option<&[u8]> {
        match kind {
            BufferKind::DnsQuery => self.tx.queries().get(index).map(|q| q.name.as_slice()),
            _ => None,
        }
    }
}

/// One side of a TLS handshake: the ClientHello side (SNI, JA3) or the server side
/// (certificate, JA3S).
pub struct TlsView<'a> {
    pub state: &'a TlsState,
    pub to_server: bool,
}

impl TlsView<'_> {
    fn get(&self, kind: BufferKind, index: usize) -> Option<&[u8]> {
        use BufferKind::*;
        let s = self.state;
        if kind == TlsCerts {
            return if self.to_server {
                None
            } else {
                s.certificates().get(index).map(|c| c.as_slice())
            };
        }
        if index != 0 {
            return None;
        }
        if self.to_server {
            match kind {
                TlsSni => s.sni(),
                Ja3Hash => s.ja3_hash(),
                Ja3String => s.ja3_string(),
                _ => None,
            }
        } else {
            match kind {
                TlsCertSubject => s.cert_subject(),
                TlsCertIssuer => s.cert_issuer(),
                TlsCertSerial => s.cert_serial(),
                TlsCertFingerprint => s.cert_fingerprint(),
                Ja3sHash => s.ja3s_hash(),
                Ja3sString => s.ja3s_string(),
                _ => None,
            }
        }
    }
}

impl TxView for TlsView<'_> {
    fn app_proto(&self) -> &'static str {
        "tls"
    }
    fn to_server(&self) -> bool {
        self.to_server
    }
    fn buffer_count(&self, kind: BufferKind) -> usize {
        if kind == BufferKind::TlsCerts && !self.to_server {
            return self.state.certificates().len();
        }
        usize::from(self.get(kind, 0).is_some())
    }
    fn buffer(&self, kind: BufferKind, index: usize) -> Option<&[u8]> {
        self.get(kind, index)
    }
}
