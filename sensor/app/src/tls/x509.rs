//! Minimal X.509 certificate field extraction (subject, issuer, serial,
//! validity, SHA-1 fingerprint) formatted the way Suricata logs them.

use super::der::{children, oid_to_string, read, Tlv};
use super::hex::hex;
use crate::error::AppError;
use sha1::{Digest, Sha1};

/// Fields of a certificate used for detection and logging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertInfo {
    /// Subject DN, e.g. `C=US, O=Let's Encrypt, CN=R3`.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial as uppercase hex bytes joined with `:`.
    pub serial: String,
    /// notBefore as `YYYY-MM-DDTHH:MM:SS`.
    pub not_before: String,
    /// notAfter as `YYYY-MM-DDTHH:MM:SS`.
    pub not_after: String,
    /// SHA-1 of the DER, lowercase hex joined with `:`.
    pub fingerprint: String,
}

fn attr_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x04] => "SN",
        [0x55, 0x04, 0x05] => "serialNumber",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x09] => "street",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        [0x55, 0x04, 0x0c] => "title",
        [0x55, 0x04, 0x0f] => "businessCategory",
        [0x55, 0x04, 0x11] => "postalCode",
        [0x55, 0x04, 0x2a] => "givenName",
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID",
        _ => return None,
    })
}

fn string_value(t: &Tlv<'_>) -> String {
    match t.tag {
        // BMPString: UTF-16BE
        0x1e => {
            let units: Vec<u16> = t
                .content
                .chunks(2)
                .map(|c| {
                    u16::from(*c.first().unwrap_or(&0)) << 8 | u16::from(*c.get(1).unwrap_or(&0))
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(t.content).into_owned(),
    }
}

/// Format an X.501 Name (`SEQUENCE OF SET OF AttributeTypeAndValue`).
pub fn format_name(name: &Tlv<'_>) -> String {
    let mut out = String::new();
    for rdn in children(name.content) {
        let mut first_in_set = true;
        for atv in children(rdn.content) {
            let mut it = children(atv.content);
            let (Some(oid), Some(val)) = (it.next(), it.next()) else {
                continue;
            };
            if !out.is_empty() {
                out.push_str(if first_in_set { ", " } else { " + " });
            }
            first_in_set = false;
            match attr_name(oid.content) {
                Some(n) => out.push_str(n),
                None => out.push_str(&oid_to_string(oid.content)),
            }
            out.push('=');
            out.push_str(&string_value(&val));
        }
    }
    out
}

/// Format UTCTime / GeneralizedTime as `YYYY-MM-DDTHH:MM:SS`.
pub fn format_time(t: &Tlv<'_>) -> Option<String> {
    let c = t.content;
    let (year, rest) = match t.tag {
        0x17 => {
            let yy = std::str::from_utf8(c.get(..2)?).ok()?.parse::<u32>().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, c.get(2..)?)
        }
        0x18 => (
            std::str::from_utf8(c.get(..4)?).ok()?.parse::<u32>().ok()?,
            c.get(4..)?,
        ),
        _ => return None,
    };
    let d = rest.get(..8)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sec = match rest.get(8..10) {
        Some(s) if s.iter().all(u8::is_ascii_digit) => std::str::from_utf8(s).ok()?,
        _ => "00",
    };
    let p = |a: usize| std::str::from_utf8(d.get(a..a + 2).unwrap_or(b"00")).unwrap_or("00");
    Some(format!(
        "{:04}-{}-{}T{}:{}:{}",
        year,
        p(0),
        p(2),
        p(4),
        p(6),
        sec
    ))
}

/// Extract [`CertInfo`] from a DER certificate.
pub fn parse_certificate(der: &[u8]) -> Result<CertInfo, AppError> {
    let bad = AppError::Malformed("certificate");
    let (cert, _) = read(der).ok_or(bad.clone())?;
    if cert.tag != 0x30 {
        return Err(bad);
    }
    let (tbs, _) = read(cert.content).ok_or(bad.clone())?;
    let mut it = children(tbs.content).peekable();
    if it.peek().is_some_and(|t| t.tag == 0xa0) {
        it.next();
    }
    let serial = it.next().filter(|t| t.tag == 0x02).ok_or(bad.clone())?;
    let _sig = it.next().ok_or(bad.clone())?;
    let issuer = it.next().filter(|t| t.tag == 0x30).ok_or(bad.clone())?;
    let validity = it.next().filter(|t| t.tag == 0x30).ok_or(bad.clone())?;
    let subject = it.next().filter(|t| t.tag == 0x30).ok_or(bad.clone())?;
    let mut v = children(validity.content);
    let nb = v.next().and_then(|t| format_time(&t)).unwrap_or_default();
    let na = v.next().and_then(|t| format_time(&t)).unwrap_or_default();
    let fp = Sha1::digest(der);
    Ok(CertInfo {
        subject: format_name(&subject),
        issuer: format_name(&issuer),
        serial: hex(serial.content, true, Some(b':')),
        not_before: nb,
        not_after: na,
        fingerprint: hex(&fp, false, Some(b':')),
    })
}
