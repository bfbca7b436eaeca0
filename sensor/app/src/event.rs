//! Events reported by the parsers after each `parse` call.

/// Something that changed in the application-layer state.
///
/// HTTP and DNS events carry the transaction id; fetch the transaction with
/// [`crate::http::HttpState::tx`] or [`crate::dns::DnsState::tx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEvent {
    /// Request line and headers of the transaction are complete.
    HttpRequestHeaders(u64),
    /// New request body bytes are available.
    HttpRequestBody(u64),
    /// The request (including body) is complete.
    HttpRequestComplete(u64),
    /// Status line and response headers are complete.
    HttpResponseHeaders(u64),
    /// New response body bytes are available.
    HttpResponseBody(u64),
    /// The response (including body) is complete.
    HttpResponseComplete(u64),
    /// A DNS message was parsed into the transaction with this id.
    Dns(u64),
    /// A TLS ClientHello was parsed.
    TlsClientHello,
    /// A TLS ServerHello was parsed.
    TlsServerHello,
    /// A TLS Certificate message was parsed.
    TlsCertificate,
    /// The TLS handshake is finished (both sides switched to encrypted data).
    TlsHandshakeDone,
    /// An app-layer anomaly, named as in Suricata (`http.request_field_too_long`).
    Anomaly(&'static str),
}
