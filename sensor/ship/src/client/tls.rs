//! rustls client configurations: a pinned server certificate (SHA-256 of its DER) or a
//! private CA file. Without either, ureq's default (public web roots) is used.

use super::config::TlsOptions;
use crate::error::ShipError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The client configuration for `opts`, or `None` to use the default roots.
pub fn client_config(opts: &TlsOptions) -> Result<Option<Arc<ClientConfig>>, ShipError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ShipError::Config(format!("TLS: {e}")))?;
    if let Some(pin) = &opts.pin_sha256 {
        let verifier = PinnedCertVerifier {
            pin: parse_fingerprint(pin)?,
            algs: provider.signature_verification_algorithms,
        };
        let cfg = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        return Ok(Some(Arc::new(cfg)));
    }
    if let Some(path) = &opts.ca_file {
        let mut roots = RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| ShipError::Config(format!("CA file {}: {e}", path.display())))?;
        for cert in certs {
            let cert =
                cert.map_err(|e| ShipError::Config(format!("CA file {}: {e}", path.display())))?;
            roots
                .add(cert)
                .map_err(|e| ShipError::Config(format!("CA file {}: {e}", path.display())))?;
        }
        if roots.is_empty() {
            return Err(ShipError::Config(format!(
                "CA file {}: no certificate found",
                path.display()
            )));
        }
        return Ok(Some(Arc::new(
            builder.with_root_certificates(roots).with_no_client_auth(),
        )));
    }
    Ok(None)
}

/// Parses a SHA-256 fingerprint written as hex, with or without colons.
pub fn parse_fingerprint(s: &str) -> Result<[u8; 32], ShipError> {
    let hex: Vec<u8> = s.bytes().filter(|b| !matches!(b, b':' | b' ')).collect();
    let bad = || {
        ShipError::Config(format!(
            "certificate pin: expected 64 hex digits (SHA-256), got {s:?}"
        ))
    };
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
        let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Ok(out)
}

/// SHA-256 of a certificate's DER.
pub fn fingerprint(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

/// Accepts exactly one server certificate (by fingerprint), whatever its issuer, name or
/// validity dates; the handshake signatures are still verified against its key.
#[derive(Debug)]
struct PinnedCertVerifier {
    pin: [u8; 32],
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if fingerprint(end_entity.as_ref()) == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            tracing::error!(
                "the SOC server's certificate does not match the pinned SHA-256 fingerprint"
            );
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_with_or_without_colons() {
        let plain = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let colons = plain
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(":");
        let a = parse_fingerprint(plain).expect("plain");
        assert_eq!(a, parse_fingerprint(&colons).expect("colons"));
        assert_eq!(a[1], 0x11);
        assert_eq!(a[31], 0xff);
        assert!(parse_fingerprint("abcd").is_err());
        assert!(parse_fingerprint(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn pinned_verifier_accepts_only_the_pinned_certificate() {
        let cert = CertificateDer::from(vec![1u8, 2, 3, 4]);
        let other = CertificateDer::from(vec![9u8, 9, 9]);
        let v = PinnedCertVerifier {
            pin: fingerprint(cert.as_ref()),
            algs: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        };
        let name = ServerName::try_from("soc.example").expect("name");
        assert!(v
            .verify_server_cert(&cert, &[], &name, &[], UnixTime::now())
            .is_ok());
        assert!(v
            .verify_server_cert(&other, &[], &name, &[], UnixTime::now())
            .is_err());
        assert!(!v.supported_verify_schemes().is_empty());
    }

    #[test]
    fn missing_ca_file_is_a_config_error() {
        let opts = TlsOptions {
            pin_sha256: None,
            ca_file: Some("/nonexistent/ca.pem".into()),
        };
        assert!(matches!(client_config(&opts), Err(ShipError::Config(_))));
        assert!(client_config(&TlsOptions::default())
            .expect("default")
            .is_none());
    }
}
