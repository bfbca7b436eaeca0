//! Initial packet protection (RFC 9001 section 5): keys derived from the client's first
//! destination connection id, header protection removal and AES-128-GCM opening, done
//! as Suricata 7 does it (packet number not expanded, versions it knows only).

use ring::aead::{self, quic, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf::{KeyType, Prk, Salt, HKDF_SHA256};

const KEY_LEN: usize = 16;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Bytes of packet number assumed when sampling (RFC 9001 section 5.4.2).
const PN_MAX_LEN: usize = 4;
/// QUIC version 2 (RFC 9369), which uses its own labels.
const V2: u32 = 0x6b33_43cf;

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// TLS 1.3 HKDF-Expand-Label with an empty context.
fn expand_label(prk: &Prk, label: &[u8], out: &mut [u8]) -> Option<()> {
    let len = u16::try_from(out.len()).ok()?.to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).ok()?];
    let info: [&[u8]; 5] = [&len, &label_len, b"tls13 ", label, &[0]];
    prk.expand(&info, Len(out.len())).ok()?.fill(out).ok()
}

/// Keys of one direction.
pub(crate) struct DirectionKeys {
    header: quic::HeaderProtectionKey,
    packet: LessSafeKey,
    iv: [u8; IV_LEN],
}

impl std::fmt::Debug for DirectionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectionKeys")
    }
}

impl DirectionKeys {
    fn new(secret: &[u8], version: u32) -> Option<DirectionKeys> {
        let prk = Prk::new_less_safe(HKDF_SHA256, secret);
        let (hp, key, iv) = if version == V2 {
            (&b"quicv2 hp"[..], &b"quicv2 key"[..], &b"quicv2 iv"[..])
        } else {
            (&b"quic hp"[..], &b"quic key"[..], &b"quic iv"[..])
        };
        let mut hp_key = [0u8; KEY_LEN];
        expand_label(&prk, hp, &mut hp_key)?;
        let mut pkt_key = [0u8; KEY_LEN];
        expand_label(&prk, key, &mut pkt_key)?;
        let mut ivb = [0u8; IV_LEN];
        expand_label(&prk, iv, &mut ivb)?;
        Some(DirectionKeys {
            header: quic::HeaderProtectionKey::new(&quic::AES_128, &hp_key).ok()?,
            packet: LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &pkt_key).ok()?),
            iv: ivb,
        })
    }

    /// Opens one protected packet: `packet` is the whole packet (header and payload),
    /// `hlen` the header length up to the packet number. Returns the plaintext.
    pub(crate) fn open(&self, packet: &[u8], hlen: usize) -> Option<Vec<u8>> {
        let payload = packet.get(hlen..)?;
        if payload.len() < PN_MAX_LEN + KEY_LEN {
            return None;
        }
        let sample = &payload[PN_MAX_LEN..PN_MAX_LEN + KEY_LEN];
        let mask = self.header.new_mask(sample).ok()?;
        let mut header = packet[..hlen + PN_MAX_LEN].to_vec();
        let bits = if header[0] & 0x80 != 0 { 0x0f } else { 0x1f };
        header[0] ^= mask[0] & bits;
        let pn_len = usize::from(header[0] & 0x03) + 1;
        let mut pn = 0u64;
        for i in 0..pn_len {
            header[hlen + i] ^= mask[1 + i];
            pn = (pn << 8) | u64::from(header[hlen + i]);
        }
        header.truncate(hlen + pn_len);
        let mut body = payload.get(pn_len..)?.to_vec();
        if body.len() < TAG_LEN {
            return None;
        }
        let mut nonce = [0u8; IV_LEN];
        nonce[4..].copy_from_slice(&pn.to_be_bytes());
        for (n, iv) in nonce.iter_mut().zip(self.iv) {
            *n ^= iv;
        }
        let plain = self
            .packet
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&header[..]),
                &mut body,
            )
            .ok()?;
        let n = plain.len();
        body.truncate(n);
        Some(body)
    }
}

/// Initial keys of a connection: the client's (to server) and the server's.
#[derive(Debug)]
pub(crate) struct InitialKeys {
    pub client: DirectionKeys,
    pub server: DirectionKeys,
}

/// Initial salt of the versions Suricata decrypts; other versions are not decrypted.
fn salt(version: u32) -> Option<[u8; 20]> {
    Some(match version {
        // gQUIC Q050
        0x5130_3530 => [
            0x50, 0x45, 0x74, 0xef, 0xd0, 0x66, 0xfe, 0x2f, 0x9d, 0x94, 0x5c, 0xfc, 0xdb, 0xd3,
            0xa7, 0xf0, 0xd3, 0xb5, 0x6b, 0x45,
        ],
        // drafts 29 to 32
        0xff00_001d..=0xff00_0020 => [
            0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
            0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
        ],
        // drafts 23 to 28, and mvfst's 0xfaceb002
        0xface_b002 | 0xff00_0017..=0xff00_001c => [
            0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4,
            0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02,
        ],
        // version 1 (RFC 9001), drafts 33 and 34
        0x0000_0001 | 0xff00_0021..=0xff00_0022 => [
            0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
            0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
        ],
        // version 2 (RFC 9369)
        V2 => [
            0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
            0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
        ],
        _ => return None,
    })
}

/// Initial keys for `version` from the client's destination connection id.
pub(crate) fn initial_keys(version: u32, dcid: &[u8]) -> Option<InitialKeys> {
    let prk = Salt::new(HKDF_SHA256, &salt(version)?).extract(dcid);
    let mut client = [0u8; 32];
    expand_label(&prk, b"client in", &mut client)?;
    let mut server = [0u8; 32];
    expand_label(&prk, b"server in", &mut server)?;
    Some(InitialKeys {
        client: DirectionKeys::new(&client, version)?,
        server: DirectionKeys::new(&server, version)?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Seals a payload the way a QUIC endpoint would (test helper): returns the packet.
    pub(crate) fn seal(keys: &DirectionKeys, header: &[u8], pn: u8, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; IV_LEN];
        nonce[11] = pn;
        for (n, iv) in nonce.iter_mut().zip(keys.iv) {
            *n ^= iv;
        }
        let mut aad = header.to_vec();
        aad.push(pn);
        let mut body = plain.to_vec();
        keys.packet
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad[..]),
                &mut body,
            )
            .expect("seal");
        let mut packet = aad;
        packet.extend_from_slice(&body);
        let hlen = header.len();
        let mask = keys
            .header
            .new_mask(&packet[hlen + PN_MAX_LEN..hlen + PN_MAX_LEN + KEY_LEN])
            .expect("mask");
        packet[0] ^= mask[0] & 0x0f;
        packet[hlen] ^= mask[1];
        packet
    }

    /// RFC 9001 appendix A.1: the client's initial key, IV and header protection key.
    #[test]
    fn rfc9001_initial_secrets() {
        let dcid = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];
        let prk = Salt::new(HKDF_SHA256, &salt(1).unwrap()).extract(&dcid);
        let mut client = [0u8; 32];
        expand_label(&prk, b"client in", &mut client).unwrap();
        let prk = Prk::new_less_safe(HKDF_SHA256, &client);
        let mut iv = [0u8; IV_LEN];
        expand_label(&prk, b"quic iv", &mut iv).unwrap();
        assert_eq!(
            iv,
            [0xfa, 0x04, 0x4b, 0x2f, 0x42, 0xa3, 0xfd, 0x3b, 0x46, 0xfb, 0x25, 0x5c]
        );
        let keys = initial_keys(1, &dcid).unwrap();
        assert_eq!(keys.client.iv, iv);
    }

    #[test]
    fn sealed_packet_opens_and_tampered_one_does_not() {
        let keys = initial_keys(1, &[7; 8]).unwrap();
        let header = [
            0xc0, 0, 0, 0, 1, 8, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0x40, 0x30,
        ];
        let plain = vec![0x01; 31];
        let mut packet = seal(&keys.client, &header, 0, &plain);
        assert_eq!(keys.client.open(&packet, header.len()), Some(plain));
        assert_eq!(keys.server.open(&packet, header.len()), None);
        let last = packet.len() - 1;
        packet[last] ^= 1;
        assert_eq!(keys.client.open(&packet, header.len()), None);
    }
}
