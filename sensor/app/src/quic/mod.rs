//! QUIC over UDP (ports 443 and 80): protocol detection and the `quic.*` app-layer
//! events, with Suricata 7's semantics.
//!
//! Each datagram is read as a sequence of coalesced packets. An Initial packet of a
//! version Suricata knows the keys of (v1, v2, drafts 23 to 34, mvfst, Q050) is
//! decrypted with keys derived from the first Initial's destination connection id;
//! when opening it fails, the packet raises `quic.failed_decrypt`. The (decrypted)
//! Initial payload is then read frame by frame; a frame that does not parse raises
//! `quic.error_on_data` — which every Initial of an unknown version (grease, old gQUIC,
//! vendor versions) risks, its payload being parsed while still encrypted. Either event
//! ends the datagram; the next datagram is parsed again. Once a direction carried its
//! TLS hello, nothing more of that direction is read; a short header ends the datagram.
//! A server's first Retry discards the keys (the client starts over with a new id).
//! Each event is its own transaction, so each one alerts once.

mod crypto;
mod frames;
mod header;

use crate::event::AppEvent;
use crate::probe::Probe;
use crate::proto::{AppProto, Direction};
use header::PacketType;

/// Server ports QUIC detection runs on (Suricata's defaults).
pub const PORTS: [u16; 2] = [443, 80];
/// Longest CRYPTO reassembly kept per direction (Suricata's limit).
const MAX_CRYPTO_FRAG: usize = 65535;

const FAILED_DECRYPT: &str = "quic.failed_decrypt";
const ERROR_ON_DATA: &str = "quic.error_on_data";

/// Suricata's QUIC probe: the datagram starts with a header that parses.
pub fn probe(data: &[u8]) -> Probe {
    match header::parse(data) {
        Some(_) => Probe::Detected(AppProto::Quic),
        None => Probe::NotRecognized,
    }
}

/// QUIC parser state of one flow.
#[derive(Debug, Default)]
pub struct QuicState {
    keys: Option<crypto::InitialKeys>,
    /// A TLS hello was seen, per direction (0 = to server): the rest is encrypted.
    hello: [bool; 2],
    /// The server already sent a Retry (later ones are ignored).
    retried: bool,
    /// CRYPTO stream bytes from offset 0 not yet forming a hello, per direction.
    crypto: [Vec<u8>; 2],
    /// Packets read, for tests and statistics.
    packets: u64,
}

impl QuicState {
    /// A new, empty state.
    pub fn new() -> QuicState {
        QuicState::default()
    }

    /// Packets (coalesced ones counted apart) read so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// Feeds one datagram; events are appended to `out`.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        let to_server = dir == Direction::ToServer;
        let di = usize::from(!to_server);
        let mut buf = data;
        while !buf.is_empty() {
            let Some((h, rest)) = header::parse(buf) else {
                return;
            };
            if self.hello[di] || h.ty == PacketType::Short {
                return;
            }
            self.packets += 1;
            if self.keys.is_none() && h.ty == PacketType::Initial {
                self.keys = crypto::initial_keys(h.version, &h.dcid);
            } else if !to_server
                && h.ty == PacketType::Retry
                && self.keys.is_some()
                && !self.retried
            {
                self.hello[0] = false;
                self.keys = None;
                self.retried = true;
            }
            let hlen = buf.len() - rest.len();
            let packet = &buf[..hlen + h.length];
            let payload = &rest[..h.length];
            buf = &rest[h.length..];
            if h.ty != PacketType::Initial {
                continue;
            }
            let plain;
            let payload = match &self.keys {
                Some(keys) if !payload.is_empty() => {
                    let k = if to_server {
                        &keys.client
                    } else {
                        &keys.server
                    };
                    match k.open(packet, hlen) {
                        Some(p) => {
                            plain = p;
                            &plain[..]
                        }
                        None => {
                            out.push(AppEvent::Anomaly(FAILED_DECRYPT));
                            return;
                        }
                    }
                }
                _ => payload,
            };
            match frames::parse(payload) {
                Some(f) => self.on_frames(di, f),
                None => {
                    out.push(AppEvent::Anomaly(ERROR_ON_DATA));
                    return;
                }
            }
        }
    }

    /// Records a hello, or reassembles CRYPTO fragments until one is complete.
    fn on_frames(&mut self, di: usize, f: frames::Frames) {
        if f.hello {
            self.hello[di] = true;
            self.crypto[di].clear();
            return;
        }
        if f.crypto_frags.is_empty() {
            return;
        }
        let stream = &mut self.crypto[di];
        let mut frags = f.crypto_frags;
        frags.sort_by_key(|(off, _)| *off);
        for (off, data) in frags {
            let Ok(off) = usize::try_from(off) else {
                continue;
            };
            let end = off.saturating_add(data.len());
            if off > stream.len() || end > MAX_CRYPTO_FRAG {
                continue;
            }
            if end > stream.len() {
                stream.extend_from_slice(&data[stream.len() - off..]);
            }
        }
        if frames::tls_hello(stream) == frames::Hello::Complete {
            self.hello[di] = true;
            stream.clear();
        }
    }
}

#[cfg(test)]
mod tests;
