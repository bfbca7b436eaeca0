//! Request bodies: identity or gzip, with a hard cap on the decompressed size.

use std::io::Read;
use thiserror::Error;

/// Why a body could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BodyError {
    /// `Content-Encoding` other than identity or gzip.
    #[error("unsupported Content-Encoding '{0}' (identity, gzip)")]
    UnsupportedEncoding(String),
    /// The gzip stream is corrupt.
    #[error("corrupt gzip body: {0}")]
    Corrupt(String),
    /// Decompressed body larger than allowed.
    #[error("decompressed body exceeds {0} bytes")]
    TooLarge(usize),
}

/// Decodes a body according to its `Content-Encoding`, refusing more than `max` bytes out.
pub fn decode_body(encoding: Option<&str>, body: &[u8], max: usize) -> Result<Vec<u8>, BodyError> {
    let enc = encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match enc.as_str() {
        "" | "identity" => {
            if body.len() > max {
                return Err(BodyError::TooLarge(max));
            }
            Ok(body.to_vec())
        }
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            let dec = flate2::read::MultiGzDecoder::new(body);
            dec.take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| BodyError::Corrupt(e.to_string()))?;
            if out.len() > max {
                return Err(BodyError::TooLarge(max));
            }
            Ok(out)
        }
        other => Err(BodyError::UnsupportedEncoding(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_bodies_are_inflated() {
        assert_eq!(
            decode_body(Some("gzip"), &gz(b"abc\n"), 100).unwrap(),
            b"abc\n"
        );
    }

    #[test]
    fn gzip_bombs_stop_at_the_cap() {
        let bomb = gz(&vec![b'a'; 1 << 20]);
        assert_eq!(
            decode_body(Some("gzip"), &bomb, 1000),
            Err(BodyError::TooLarge(1000))
        );
    }

    #[test]
    fn corrupt_gzip_and_unknown_encodings_are_errors() {
        assert!(matches!(
            decode_body(Some("gzip"), b"not gzip", 100),
            Err(BodyError::Corrupt(_))
        ));
        assert!(matches!(
            decode_body(Some("br"), b"x", 100),
            Err(BodyError::UnsupportedEncoding(_))
        ));
    }
}
