//! RFB (VNC) handshake, as far as Suricata 7's parser follows it: protocol versions, the
//! security type the server imposes (3.3) or the client picks from the server's list
//! (3.7 and later), and `rfb.unimplemented_security_type` when that type is neither
//! "None" (1) nor "VNC authentication" (2). Suricata stops following the flow there, and so
//! does this parser; the rest of the session (authentication, framebuffer updates) is not
//! parsed.

use crate::event::AppEvent;
use crate::proto::Direction;

/// The one event this parser raises.
pub const UNIMPLEMENTED_SECURITY_TYPE: &str = "rfb.unimplemented_security_type";
/// Event names this parser can raise.
pub const EVENT_NAMES: &[&str] = &[UNIMPLEMENTED_SECURITY_TYPE];

/// `RFB xxx.yyy\n`
const VERSION_LEN: usize = 12;
/// Bytes kept per direction: the longest message followed (a 255-type list) fits.
const MAX_BUFFER: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stage {
    /// Waiting for the server's protocol version.
    #[default]
    ServerVersion,
    /// Waiting for the client's protocol version.
    ClientVersion,
    /// 3.3: waiting for the 4-byte security type the server imposes.
    ServerSecurityType,
    /// 3.7+: waiting for the server's list of security types.
    SecurityTypes,
    /// 3.7+: waiting for the client's 1-byte choice.
    ClientChoice,
    /// Handshake followed as far as Suricata does, or not RFB: nothing more to parse.
    Done,
}

/// RFB state of one connection.
#[derive(Debug, Default)]
pub struct RfbState {
    stage: Stage,
    buf: [Vec<u8>; 2],
}

impl RfbState {
    /// New connection state.
    pub fn new() -> RfbState {
        RfbState::default()
    }

    /// Feed stream bytes of one direction.
    pub fn parse(&mut self, dir: Direction, data: &[u8], out: &mut Vec<AppEvent>) {
        if self.stage == Stage::Done {
            return;
        }
        let i = match dir {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        };
        let buf = &mut self.buf[i];
        let room = MAX_BUFFER.saturating_sub(buf.len()).min(data.len());
        buf.extend_from_slice(data.get(..room).unwrap_or_default());
        loop {
            let before = self.stage;
            self.step(out);
            if self.stage == before || self.stage == Stage::Done {
                break;
            }
        }
    }

    /// A hole in one direction: the handshake cannot be followed any more.
    pub fn gap(&mut self) {
        self.stage = Stage::Done;
    }

    fn take(&mut self, i: usize, n: usize) -> Option<Vec<u8>> {
        let buf = &mut self.buf[i];
        if buf.len() < n {
            return None;
        }
        Some(buf.drain(..n).collect())
    }

    fn step(&mut self, out: &mut Vec<AppEvent>) {
        match self.stage {
            Stage::ServerVersion => {
                if let Some(v) = self.take(1, VERSION_LEN) {
                    self.stage = if v.starts_with(b"RFB ") {
                        Stage::ClientVersion
                    } else {
                        Stage::Done
                    };
                }
            }
            Stage::ClientVersion => {
                if let Some(v) = self.take(0, VERSION_LEN) {
                    self.stage = if !v.starts_with(b"RFB ") {
                        Stage::Done
                    } else if &v[4..11] == b"003.003" {
                        Stage::ServerSecurityType
                    } else {
                        Stage::SecurityTypes
                    };
                }
            }
            Stage::ServerSecurityType => {
                if let Some(t) = self.take(1, 4) {
                    let t = u32::from_be_bytes([t[0], t[1], t[2], t[3]]);
                    if !matches!(t, 0..=2) {
                        out.push(AppEvent::Anomaly(UNIMPLEMENTED_SECURITY_TYPE));
                    }
                    self.stage = Stage::Done;
                }
            }
            Stage::SecurityTypes => {
                let Some(&count) = self.buf[1].first() else {
                    return;
                };
                if count == 0 {
                    // Connection refused, a reason follows.
                    self.stage = Stage::Done;
                } else if self.take(1, 1 + usize::from(count)).is_some() {
                    self.stage = Stage::ClientChoice;
                }
            }
            Stage::ClientChoice => {
                if let Some(t) = self.take(0, 1) {
                    if !matches!(t[0], 1 | 2) {
                        out.push(AppEvent::Anomaly(UNIMPLEMENTED_SECURITY_TYPE));
                    }
                    self.stage = Stage::Done;
                }
            }
            Stage::Done => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(steps: &[(Direction, &[u8])]) -> usize {
        let mut s = RfbState::new();
        let mut out = Vec::new();
        for (d, data) in steps {
            s.parse(*d, data, &mut out);
        }
        out.iter()
            .filter(|e| matches!(e, AppEvent::Anomaly(UNIMPLEMENTED_SECURITY_TYPE)))
            .count()
    }

    #[test]
    fn client_choice_outside_none_and_vnc_auth_is_flagged() {
        use Direction::*;
        let apple = [
            (ToClient, &b"RFB 003.889\n"[..]),
            (ToServer, &b"RFB 003.008\n"[..]),
            (ToClient, &[4, 1, 2, 30, 35][..]),
            (ToServer, &[30][..]),
        ];
        assert_eq!(events(&apple), 1);
        let vnc = [
            (ToClient, &b"RFB 003.008\n"[..]),
            (ToServer, &b"RFB 003.008\n"[..]),
            (ToClient, &[2, 1, 2][..]),
            (ToServer, &[2][..]),
        ];
        assert_eq!(events(&vnc), 0);
    }

    #[test]
    fn version_3_3_server_imposes_the_type() {
        use Direction::*;
        let steps = [
            (ToClient, &b"RFB 003.003\n"[..]),
            (ToServer, &b"RFB 003.003\n"[..]),
            (ToClient, &[0, 0, 0, 16][..]),
        ];
        assert_eq!(events(&steps), 1);
    }
}
