//! The table of rule keywords this crate understands (used for docs and dispatch checks).

/// What a keyword does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordClass {
    /// Metadata (msg, sid, ...).
    Meta,
    /// Payload match op or its modifier.
    Payload,
    /// Sticky buffer.
    Buffer,
    /// Legacy content modifier that moves the content into a buffer.
    Modifier,
    /// Transform.
    Transform,
    /// Packet/flow level option.
    Packet,
    /// Accepted and ignored.
    Ignored,
}

/// One supported keyword.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    /// Keyword name.
    pub name: &'static str,
    /// Class.
    pub class: KeywordClass,
}

const fn k(name: &'static str, class: KeywordClass) -> Keyword {
    Keyword { name, class }
}

use KeywordClass::*;

/// All supported non-buffer keywords. Sticky buffers are listed by
/// [`crate::BufferKind::ALL`] and legacy modifiers by [`crate::BufferKind::from_modifier`].
pub const KEYWORDS: &[Keyword] = &[
    k("msg", Meta),
    k("sid", Meta),
    k("rev", Meta),
    k("gid", Meta),
    k("classtype", Meta),
    k("priority", Meta),
    k("reference", Meta),
    k("metadata", Meta),
    k("target", Meta),
    k("content", Payload),
    k("uricontent", Payload),
    k("nocase", Payload),
    k("offset", Payload),
    k("depth", Payload),
    k("distance", Payload),
    k("within", Payload),
    k("fast_pattern", Payload),
    k("startswith", Payload),
    k("endswith", Payload),
    k("rawbytes", Payload),
    k("pcre", Payload),
    k("isdataat", Payload),
    k("byte_test", Payload),
    k("byte_jump", Payload),
    k("byte_extract", Payload),
    k("byte_math", Payload),
    k("bsize", Payload),
    k("base64_decode", Payload),
    k("base64_data", Payload),
    k("dsize", Packet),
    k("urilen", Packet),
    k("flow", Packet),
    k("flowbits", Packet),
    k("flowint", Packet),
    k("noalert", Packet),
    k("threshold", Packet),
    k("detection_filter", Packet),
    k("flags", Packet),
    k("tcp.flags", Packet),
    k("itype", Packet),
    k("icode", Packet),
    k("icmp_id", Packet),
    k("icmp_seq", Packet),
    k("ttl", Packet),
    k("ip_proto", Packet),
    k("app-layer-protocol", Packet),
    k("stream_size", Packet),
    k("sameip", Packet),
    k("fragbits", Packet),
    k("fragoffset", Packet),
    k("id", Packet),
    k("tos", Packet),
    k("ipopts", Packet),
    k("window", Packet),
    k("seq", Packet),
    k("ack", Packet),
    k("decode-event", Packet),
    k("stream-event", Packet),
    k("app-layer-event", Packet),
    k("tag", Ignored),
    k("dotprefix", Transform),
    k("strip_whitespace", Transform),
    k("compress_whitespace", Transform),
    k("to_lowercase", Transform),
    k("to_uppercase", Transform),
    k("to_md5", Transform),
    k("to_sha1", Transform),
    k("to_sha256", Transform),
    k("url_decode", Transform),
    k("xor", Transform),
    k("header_lowercase", Transform),
    k("strip_pseudo_headers", Transform),
    k("pcrexform", Transform),
];

/// Known Suricata keywords that are deliberately not supported, with the reason.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    ("xbits", "xbits (host/ip-pair bits) not supported"),
    ("flowvar", "flow variables not supported"),
    ("pktvar", "packet variables not supported"),
    ("hostbits", "host bits not supported"),
    ("lua", "lua scripts not supported"),
    ("luajit", "lua scripts not supported"),
    ("filestore", "file extraction not supported"),
    ("filemagic", "libmagic not available"),
    ("filename", "file names not tracked"),
    ("fileext", "file names not tracked"),
    ("filemd5", "file hash lists not supported"),
    ("filesha1", "file hash lists not supported"),
    ("filesha256", "file hash lists not supported"),
    ("filesize", "file sizes not tracked"),
    ("asn1", "ASN.1 decoding not supported"),
    ("replace", "IPS mode not supported"),
    ("iprep", "IP reputation not supported"),
    ("geoip", "GeoIP not supported"),
    ("datarep", "datasets not supported"),
    ("dataset", "datasets not supported"),
    ("tls.version", "tls.version not supported"),
    ("tls_cert_notbefore", "certificate dates not supported"),
    ("tls_cert_notafter", "certificate dates not supported"),
    ("tls_cert_expired", "certificate dates not supported"),
    ("tls_cert_valid", "certificate dates not supported"),
    ("tls.store", "tls.store not supported"),
    ("ssl_version", "ssl_version not supported"),
    ("ssl_state", "ssl_state not supported"),
    ("http.response_header", "HTTP/2 keyword not supported"),
    ("http.request_header", "HTTP/2 keyword not supported"),
    ("http2.header", "HTTP/2 not supported"),
    ("dce_iface", "DCERPC not supported"),
    ("dce_opnum", "DCERPC not supported"),
    ("dce_stub_data", "DCERPC not supported"),
    ("ssh_proto", "SSH not supported"),
    ("ssh.proto", "SSH not supported"),
    ("ssh.software", "SSH not supported"),
    ("ssh_software", "SSH not supported"),
    ("ssh.hassh", "SSH not supported"),
    ("ssh.hassh.server", "SSH not supported"),
];

/// True if `name` is a supported keyword (options, sticky buffers, modifiers).
pub fn is_supported(name: &str) -> bool {
    KEYWORDS.iter().any(|k| k.name == name)
        || crate::BufferKind::from_sticky(name).is_some()
        || crate::BufferKind::from_modifier(name).is_some()
}

/// Why a known keyword is unsupported, if it is in [`UNSUPPORTED`].
pub fn unsupported_reason(name: &str) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, r)| *r)
}

/// Markdown table of supported keywords, for the README.
pub fn markdown_table() -> String {
    let mut s = String::from("| keyword | class |\n|---|---|\n");
    for k in KEYWORDS {
        s.push_str(&format!("| `{}` | {:?} |\n", k.name, k.class));
    }
    for b in crate::BufferKind::ALL {
        s.push_str(&format!("| `{}` | Buffer |\n", b.name()));
    }
    s
}
