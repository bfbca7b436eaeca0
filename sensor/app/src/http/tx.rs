//! One HTTP request/response pair and its detection buffers.

use super::headers::HeaderSet;

/// Progress of one side of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Progress {
    /// Nothing seen yet.
    #[default]
    NotStarted,
    /// Start line seen, headers in progress.
    Line,
    /// Headers complete, body in progress (or none expected).
    Body,
    /// Message complete.
    Complete,
}

/// An HTTP transaction (request and, when seen, its response).
#[derive(Debug, Clone, Default)]
pub struct HttpTx {
    pub(crate) id: u64,
    pub(crate) method: Vec<u8>,
    pub(crate) uri_raw: Vec<u8>,
    pub(crate) uri_normalized: Vec<u8>,
    pub(crate) protocol: Vec<u8>,
    pub(crate) request_line: Vec<u8>,
    pub(crate) request_start: Vec<u8>,
    pub(crate) req_headers: HeaderSet,
    pub(crate) host: Vec<u8>,
    pub(crate) host_raw: Vec<u8>,
    pub(crate) uri_port: Option<u16>,
    pub(crate) request_body: Vec<u8>,
    pub(crate) request_body_len: u64,
    pub(crate) request_progress: Progress,
    pub(crate) status_raw: Vec<u8>,
    pub(crate) status: Option<u16>,
    pub(crate) stat_msg: Vec<u8>,
    pub(crate) resp_protocol: Vec<u8>,
    pub(crate) response_line: Vec<u8>,
    pub(crate) response_start: Vec<u8>,
    pub(crate) resp_headers: HeaderSet,
    pub(crate) response_body: Vec<u8>,
    pub(crate) response_body_len: u64,
    pub(crate) response_progress: Progress,
    /// Anomalies already raised on this transaction (Suricata keeps one
    /// event set per transaction, so each name alerts once).
    pub(crate) events: Vec<&'static str>,
    /// Anomalies libhtp's once-per-transaction flags keep from being raised here (set by
    /// another condition sharing the flag); not events of the transaction.
    pub(crate) suppressed: Vec<&'static str>,
}

fn opt(v: &[u8]) -> Option<&[u8]> {
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

impl HttpTx {
    /// Anomaly names raised on this transaction so far.
    pub fn events(&self) -> &[&'static str] {
        &self.events
    }
    /// Transaction id within the flow (from 0).
    pub fn id(&self) -> u64 {
        self.id
    }
    /// `http.method`.
    pub fn method(&self) -> &[u8] {
        &self.method
    }
    /// `http.uri.raw`: URI as in the request line.
    pub fn uri_raw(&self) -> &[u8] {
        &self.uri_raw
    }
    /// `http.uri`: normalized URI.
    pub fn uri_normalized(&self) -> &[u8] {
        &self.uri_normalized
    }
    /// `http.protocol` of the request (e.g. `HTTP/1.1`; empty for HTTP/0.9).
    pub fn protocol(&self) -> &[u8] {
        &self.protocol
    }
    /// `http.request_line` (without CRLF).
    pub fn request_line(&self) -> &[u8] {
        &self.request_line
    }
    /// `http.start` for the request: request line, headers and empty line.
    pub fn request_start(&self) -> &[u8] {
        &self.request_start
    }
    /// Request headers and derived buffers.
    pub fn request_headers(&self) -> &HeaderSet {
        &self.req_headers
    }
    /// `http.host`: lowercased host without port (Host header or absolute URI).
    pub fn host(&self) -> Option<&[u8]> {
        opt(&self.host)
    }
    /// `http.host.raw`: Host as received.
    pub fn host_raw(&self) -> Option<&[u8]> {
        opt(&self.host_raw)
    }
    /// `http.user_agent`.
    pub fn user_agent(&self) -> Option<&[u8]> {
        self.req_headers.get(b"user-agent")
    }
    /// `http.cookie` of the request (Cookie header).
    pub fn cookie(&self) -> Option<&[u8]> {
        self.req_headers.get(b"cookie")
    }
    /// Set-Cookie of the response (`http.cookie` to client).
    pub fn set_cookie(&self) -> Option<&[u8]> {
        self.resp_headers.get(b"set-cookie")
    }
    /// `http.referer`.
    pub fn referer(&self) -> Option<&[u8]> {
        self.req_headers.get(b"referer")
    }
    /// `http.accept`.
    pub fn accept(&self) -> Option<&[u8]> {
        self.req_headers.get(b"accept")
    }
    /// `http.accept_enc`.
    pub fn accept_enc(&self) -> Option<&[u8]> {
        self.req_headers.get(b"accept-encoding")
    }
    /// `http.accept_lang`.
    pub fn accept_lang(&self) -> Option<&[u8]> {
        self.req_headers.get(b"accept-language")
    }
    /// `http.connection` (request side).
    pub fn connection(&self) -> Option<&[u8]> {
        self.req_headers.get(b"connection")
    }
    /// `http.content_type` of the request.
    pub fn request_content_type(&self) -> Option<&[u8]> {
        self.req_headers.get(b"content-type")
    }
    /// `http.content_len` of the request.
    pub fn request_content_len(&self) -> Option<&[u8]> {
        self.req_headers.get(b"content-length")
    }
    /// `http.request_body` / `http_client_body`: dechunked, decompressed, capped.
    pub fn request_body(&self) -> &[u8] {
        &self.request_body
    }
    /// Total request body length seen on the wire (after dechunking).
    pub fn request_body_len(&self) -> u64 {
        self.request_body_len
    }
    /// Request progress.
    pub fn request_progress(&self) -> Progress {
        self.request_progress
    }
    /// `http.stat_code` (raw digits).
    pub fn stat_code(&self) -> Option<&[u8]> {
        opt(&self.status_raw)
    }
    /// Numeric status code.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// `http.stat_msg`.
    pub fn stat_msg(&self) -> &[u8] {
        &self.stat_msg
    }
    /// Protocol of the response line.
    pub fn response_protocol(&self) -> &[u8] {
        &self.resp_protocol
    }
    /// `http.response_line` (without CRLF).
    pub fn response_line(&self) -> &[u8] {
        &self.response_line
    }
    /// `http.start` for the response.
    pub fn response_start(&self) -> &[u8] {
        &self.response_start
    }
    /// Response headers and derived buffers.
    pub fn response_headers(&self) -> &HeaderSet {
        &self.resp_headers
    }
    /// `http.location`.
    pub fn location(&self) -> Option<&[u8]> {
        self.resp_headers.get(b"location")
    }
    /// `http.server`.
    pub fn server(&self) -> Option<&[u8]> {
        self.resp_headers.get(b"server")
    }
    /// `http.content_type` of the response.
    pub fn response_content_type(&self) -> Option<&[u8]> {
        self.resp_headers.get(b"content-type")
    }
    /// `http.content_len` of the response.
    pub fn response_content_len(&self) -> Option<&[u8]> {
        self.resp_headers.get(b"content-length")
    }
    /// `http.response_body` / `file_data`: dechunked, decompressed, capped.
    pub fn response_body(&self) -> &[u8] {
        &self.response_body
    }
    /// Total response body length seen on the wire (after dechunking).
    pub fn response_body_len(&self) -> u64 {
        self.response_body_len
    }
    /// Response progress.
    pub fn response_progress(&self) -> Progress {
        self.response_progress
    }
    /// Both request and response are complete.
    pub fn is_complete(&self) -> bool {
        self.request_progress == Progress::Complete && self.response_progress == Progress::Complete
    }
    /// Port from an absolute URI, if any.
    pub fn uri_port(&self) -> Option<u16> {
        self.uri_port
    }
}
