//! Inspection buffers (sticky buffers) and their properties.

/// Traffic direction implied by a buffer or a `flow` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server.
    ToServer,
    /// Server to client.
    ToClient,
}

macro_rules! buffers {
    ($( $(#[$doc:meta])* $var:ident => $name:literal, $dir:expr, $prio:expr, [$($alias:literal),*]; )*) => {
        /// A buffer a group of match operations inspects.
        ///
        /// `Payload` is the packet payload or reassembled stream (`pkt_data`, or no sticky
        /// buffer at all). All others are application-layer buffers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum BufferKind {
            $( $(#[$doc])* $var, )*
        }

        impl BufferKind {
            /// Every buffer kind, in declaration order.
            pub const ALL: &'static [BufferKind] = &[$(BufferKind::$var,)*];

            /// Suricata's sticky buffer name (e.g. `http.uri`).
            pub fn name(self) -> &'static str {
                match self { $(BufferKind::$var => $name,)* }
            }

            /// The direction this buffer exists in, if it is one-sided.
            pub fn implied_direction(self) -> Option<Direction> {
                match self { $(BufferKind::$var => $dir,)* }
            }

            /// Fast-pattern priority: higher wins when choosing the fast pattern.
            pub fn mpm_priority(self) -> u8 {
                match self { $(BufferKind::$var => $prio,)* }
            }

            /// Look up a sticky buffer keyword (modern name or legacy sticky alias).
            pub fn from_sticky(name: &str) -> Option<BufferKind> {
                match name {
                    $($name $(| $alias)* => Some(BufferKind::$var),)*
                    _ => None,
                }
            }
        }
    };
}

const TS: Option<Direction> = Some(Direction::ToServer);
const TC: Option<Direction> = Some(Direction::ToClient);

buffers! {
    /// Packet payload / reassembled stream.
    Payload => "pkt_data", None, 1, [];
    /// File data (HTTP bodies after dechunking/decompression). In Suricata 7
    FileData => "file.data", None, 2, ["file_data"];
    /// Normalised request URI.
    HttpUri => "http.uri", TS, 2, [];
    /// Raw request URI.
    HttpUriRaw => "http.uri.raw", TS, 2, [];
    /// Request method.
    HttpMethod => "http.method", TS, 1, [];
    /// Normalised (lowercase) host.
    HttpHost => "http.host", TS, 2, [];
    /// Raw host header.
    HttpHostRaw => "http.host.raw", TS, 2, [];
    /// User-Agent header value.
    HttpUserAgent => "http.user_agent", TS, 2, [];
    /// Normalised headers.
    HttpHeader => "http.header", None, 2, [];
    /// Raw headers.
    HttpHeaderRaw => "http.header.raw", None, 2, [];
    /// Cookie / Set-Cookie value.
    HttpCookie => "http.cookie", None, 2, [];
    /// Content-Type header value.
    HttpContentType => "http.content_type", None, 2, ["http_content_type"];
    /// Content-Length header value.
    HttpContentLen => "http.content_len", None, 2, ["http_content_len"];
    /// Request body.
    HttpRequestBody => "http.request_body", TS, 2, [];
    /// HTTP response body (dechunked, decompressed); `file.data` on the response side.
    HttpResponseBody => "http.response_body", TC, 2, ["http_server_body"];
    /// Response status code.
    HttpStatCode => "http.stat_code", TC, 2, [];
    /// Response status message.
    HttpStatMsg => "http.stat_msg", TC, 2, [];
    /// Header names, each followed by CRLF.
    HttpHeaderNames => "http.header_names", None, 2, ["http_header_names"];
    /// Request line.
    HttpRequestLine => "http.request_line", TS, 2, ["http_request_line"];
    /// Response line.
    HttpResponseLine => "http.response_line", TC, 2, ["http_response_line"];
    /// Start line plus headers.
    HttpStart => "http.start", None, 2, ["http_start"];
    /// Protocol string (HTTP/1.1).
    HttpProtocol => "http.protocol", None, 2, ["http_protocol"];
    /// Accept header.
    HttpAccept => "http.accept", TS, 2, ["http_accept"];
    /// Accept-Encoding header.
    HttpAcceptEnc => "http.accept_enc", TS, 2, ["http_accept_enc"];
    /// Accept-Language header.
    HttpAcceptLang => "http.accept_lang", TS, 2, ["http_accept_lang"];
    /// Referer header.
    HttpReferer => "http.referer", TS, 2, ["http_referer"];
    /// Connection header.
    HttpConnection => "http.connection", None, 2, ["http_connection"];
    /// Location header.
    HttpLocation => "http.location", TC, 2, ["http_location"];
    /// Server header.
    HttpServer => "http.server", TC, 2, ["http_server"];
    /// DNS query name (each query of a request).
    DnsQuery => "dns.query", TS, 2, ["dns_query"];
    /// TLS SNI.
    TlsSni => "tls.sni", TS, 2, ["tls_sni"];
    /// Certificate subject (server, or client certificate to-server).
    TlsCertSubject => "tls.cert_subject", None, 2, ["tls_cert_subject"];
    /// Server certificate issuer.
    TlsCertIssuer => "tls.cert_issuer", None, 2, ["tls_cert_issuer"];
    /// Server certificate serial.
    TlsCertSerial => "tls.cert_serial", None, 2, ["tls_cert_serial"];
    /// Server certificate SHA-1 fingerprint.
    TlsCertFingerprint => "tls.cert_fingerprint", None, 2, ["tls_cert_fingerprint"];
    /// Each certificate of the server chain (DER), a multi-buffer.
    TlsCerts => "tls.certs", TC, 2, [];
    /// JA3 hash.
    Ja3Hash => "ja3.hash", TS, 2, ["ja3_hash"];
    /// JA3 string.
    Ja3String => "ja3.string", TS, 2, ["ja3_string"];
    /// JA3S hash.
    Ja3sHash => "ja3s.hash", TC, 2, [];
    /// JA3S string.
    Ja3sString => "ja3s.string", TC, 2, [];
}

impl BufferKind {
    /// The legacy content modifier (`http_uri`, ...) naming this buffer, if any.
    /// Other underscore names (`http_header_names`, `http_accept`, ...) are sticky
    /// buffers in Suricata 7 and handled by [`BufferKind::from_sticky`].
    pub fn from_modifier(name: &str) -> Option<BufferKind> {
        Some(match name {
            "http_uri" => BufferKind::HttpUri,
            "http_raw_uri" => BufferKind::HttpUriRaw,
            "http_method" => BufferKind::HttpMethod,
            "http_host" => BufferKind::HttpHost,
            "http_raw_host" => BufferKind::HttpHostRaw,
            "http_user_agent" => BufferKind::HttpUserAgent,
            "http_header" => BufferKind::HttpHeader,
            "http_raw_header" => BufferKind::HttpHeaderRaw,
            "http_cookie" => BufferKind::HttpCookie,
            "http_client_body" => BufferKind::HttpRequestBody,
            "http_server_body" => BufferKind::HttpResponseBody,
            "http_stat_code" => BufferKind::HttpStatCode,
            "http_stat_msg" => BufferKind::HttpStatMsg,
            _ => return None,
        })
    }

    /// The buffer a pcre buffer flag letter selects (`U`, `I`, `P`, ...).
    pub fn from_pcre_flag(c: char) -> Option<BufferKind> {
        Some(match c {
            'U' => BufferKind::HttpUri,
            'I' => BufferKind::HttpUriRaw,
            'P' => BufferKind::HttpRequestBody,
            'Q' => BufferKind::FileData,
            'H' => BufferKind::HttpHeader,
            'D' => BufferKind::HttpHeaderRaw,
            'M' => BufferKind::HttpMethod,
            'C' => BufferKind::HttpCookie,
            'S' => BufferKind::HttpStatCode,
            'Y' => BufferKind::HttpStatMsg,
            'V' => BufferKind::HttpUserAgent,
            'W' => BufferKind::HttpHost,
            'Z' => BufferKind::HttpHostRaw,
            'B' => BufferKind::Payload,
            _ => return None,
        })
    }

    /// The application protocol this buffer belongs to (`http`, `dns`, `tls`), or None
    /// for the payload and file data (which several protocols provide).
    pub fn app_proto(self) -> Option<&'static str> {
        let n = self.name();
        if n.starts_with("http.") {
            Some("http")
        } else if n.starts_with("dns.") {
            Some("dns")
        } else if n.starts_with("tls.") || n.starts_with("ja3") {
            Some("tls")
        } else {
            None
        }
    }

    /// Multi-instance buffers (Suricata 7 "multi-buffers"): naming the sticky buffer
    /// again starts a new, separately inspected instance instead of continuing the list.
    pub fn is_multi_instance(self) -> bool {
        matches!(
            self,
            BufferKind::FileData | BufferKind::DnsQuery | BufferKind::TlsCerts
        )
    }

    /// True for HTTP buffers.
    pub fn is_http(self) -> bool {
        self.name().starts_with("http.") || self == BufferKind::FileData
    }

    /// True for buffers whose content Suricata normalises to lowercase
    /// (patterns with uppercase letters can never match there).
    pub fn is_lowercase(self) -> bool {
        matches!(self, BufferKind::HttpHost)
    }
}
