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

/// Every anomaly name the parsers can raise (for `app-layer-event` rule support checks).
pub const ANOMALY_NAMES: &[&str] = &[
    crate::detect::ONLY_ONE_DIRECTION,
    "dns.infinite_loop",
    "dns.invalid_opcode",
    "dns.malformed_data",
    "dns.name_too_long",
    "dns.not_request",
    "dns.not_response",
    "dns.too_many_labels",
    "dns.z_flag_set",
    "http.compression_bomb",
    "http.duplicate_content_length_field_in_request",
    "http.duplicate_content_length_field_in_response",
    "http.gzip_decompression_failed",
    "http.invalid_content_length_field_in_request",
    "http.invalid_content_length_field_in_response",
    "http.invalid_request_chunk_len",
    "http.invalid_request_field_folding",
    "http.invalid_response_chunk_len",
    "http.invalid_response_field_folding",
    "http.invalid_transfer_encoding_value_in_request",
    "http.invalid_transfer_encoding_value_in_response",
    "http.missing_host_header",
    "http.range_invalid",
    "http.request_auth_unrecognized",
    "http.request_chunk_extension",
    "http.request_field_missing_colon",
    "http.request_field_too_long",
    "http.request_header_invalid",
    "http.request_header_repetition",
    "http.request_line_incomplete",
    "http.request_line_leading_whitespace",
    "http.request_line_missing_protocol",
    "http.request_too_many_headers",
    "http.response_field_missing_colon",
    "http.response_field_too_long",
    "http.response_header_invalid",
    "http.response_header_repetition",
    "http.response_invalid_protocol",
    "http.response_invalid_status",
    "http.response_too_many_headers",
    "http.unable_to_match_response_to_request",
    "http.abnormal_ce_header",
    "http.too_many_encoding_layers",
    "http.response_abnormal_transfer_encoding",
    "http.response_chunked_old_proto",
    "krb5.malformed_data",
    "krb5.weak_encryption",
    "modbus.flooded",
    "modbus.invalid_exception_code",
    "modbus.invalid_function_code",
    "modbus.invalid_length",
    "modbus.invalid_protocol_id",
    "modbus.invalid_value",
    "modbus.unsolicited_response",
    "modbus.value_mismatch",
    "quic.error_on_data",
    "quic.failed_decrypt",
    "smtp.bdat_chunk_len_exceeded",
    "smtp.data_command_rejected",
    "smtp.duplicate_fields",
    "smtp.invalid_pipelined_sequence",
    "smtp.invalid_reply",
    "smtp.mime_long_boundary",
    "smtp.no_server_welcome_message",
    "smtp.tls_rejected",
    "smtp.unparsable_content",
    "tls.certificate_invalid_length",
    "tls.dataleak_heartbeat_mismatch",
    "tls.handshake_invalid_length",
    "tls.heartbeat_message",
    "tls.invalid_certificate",
    "tls.invalid_handshake_message",
    "tls.invalid_heartbeat_message",
    "tls.invalid_record_type",
    "tls.invalid_record_version",
    "tls.invalid_sni_length",
    "tls.invalid_sni_type",
    "tls.invalid_tls_header",
    "tls.multiple_sni_extensions",
    "tls.overflow_heartbeat_message",
];

#[cfg(test)]
mod tests {
    /// Every anomaly literal in the parser sources is listed in [`super::ANOMALY_NAMES`].
    #[test]
    fn anomaly_list_is_complete() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                for e in std::fs::read_dir(&p).expect("read src").flatten() {
                    stack.push(e.path());
                }
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") || p.ends_with("event.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("read");
            for proto in [
                "\"http.", "\"dns.", "\"tls.", "\"krb5.", "\"quic.", "\"smtp.",
            ] {
                for (i, _) in text.match_indices(proto) {
                    let rest = &text[i + 1..];
                    let end = rest.find('"').unwrap_or(0);
                    let name = &rest[..end];
                    if name.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'
                    }) {
                        assert!(
                            super::ANOMALY_NAMES.contains(&name),
                            "{} not in ANOMALY_NAMES ({})",
                            name,
                            p.display()
                        );
                    }
                }
            }
        }
    }
}
