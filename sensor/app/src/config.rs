//! Limits and options for the parsers.

/// Memory limits and options shared by all application-layer parsers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Maximum request body bytes kept for inspection (after decompression).
    pub request_body_limit: usize,
    /// Maximum response body bytes kept for inspection (after decompression).
    pub response_body_limit: usize,
    /// Maximum length of one HTTP line (request/status line or header line).
    pub http_field_limit: usize,
    /// Maximum number of headers per HTTP message.
    pub http_max_headers: usize,
    /// Maximum number of HTTP transactions kept in flight per flow.
    pub http_max_txs: usize,
    /// Maximum size of a buffered TLS handshake message.
    pub tls_max_handshake: usize,
    /// Maximum number of certificates kept from a Certificate message.
    pub tls_max_certs: usize,
    /// Maximum number of DNS transactions kept per flow before pruning.
    pub dns_max_txs: usize,
    /// Maximum number of resource records parsed per DNS section.
    pub dns_max_records: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            request_body_limit: 100 * 1024,
            response_body_limit: 100 * 1024,
            http_field_limit: 18_000,
            http_max_headers: 1024,
            http_max_txs: 512,
            tls_max_handshake: 256 * 1024,
            tls_max_certs: 16,
            dns_max_txs: 256,
            dns_max_records: 256,
        }
    }
}
