//! TCP timestamp (PAWS) validation as Suricata applies it with the Windows
//! host-os-policy (the packaged default): a timestamp of 0 is tolerated and a
//! value may not go backwards unless the sender was idle for 24 days.

use super::half::HalfStream;
use crate::packet::TcpMeta;

/// Idle time after which an old timestamp is accepted again (RFC 1323 PAWS).
const PAWS_24DAYS: u32 = 24 * 24 * 60 * 60;

/// Outcome of checking a packet's timestamp against its sender's state.
fn check(snd: &HalfStream, tcp: &TcpMeta, now: u32, midstream: bool) -> (bool, bool) {
    // returns (valid, checked)
    let Some((ts, _)) = tcp.timestamp else {
        return (true, false);
    };
    if snd.zero_ts && snd.next_seq == tcp.seq {
        return (true, false);
    }
    let result = ts.wrapping_sub(snd.last_ts) as i32;
    let mut last_pkt = snd.last_pkt_ts;
    if last_pkt == 0 && midstream {
        last_pkt = now;
    }
    let stale = now > last_pkt.saturating_add(PAWS_24DAYS);
    let bad = result < 0 || (snd.last_ts != 0 && stale);
    if bad && !(snd.next_seq == tcp.seq && stale) {
        return (false, true);
    }
    (true, true)
}

/// Suricata `StreamTcpValidateTimestamp`: false when the packet must be rejected.
pub fn validate(snd: &HalfStream, tcp: &TcpMeta, now: u32, midstream: bool) -> bool {
    check(snd, tcp, now, midstream).0
}

/// Suricata `StreamTcpHandleTimestamp`: records the sender's timestamp of an accepted packet.
pub fn update(snd: &mut HalfStream, tcp: &TcpMeta, now: u32, midstream: bool) {
    let Some((ts, _)) = tcp.timestamp else {
        return;
    };
    if snd.zero_ts {
        snd.zero_ts = false;
        if snd.next_seq == tcp.seq {
            snd.last_ts = ts;
            return;
        }
    }
    let (valid, checked) = check(snd, tcp, now, midstream);
    if checked && valid {
        if snd.next_seq == tcp.seq {
            snd.last_ts = ts;
        }
        snd.last_pkt_ts = now;
    }
}

/// Suricata `StateSynSentValidateTimestamp`: a SYN-ACK side packet must echo the
/// client's SYN timestamp (or none when the SYN had none).
/// A SYN resent with the same ISN may be answered for any of its copies, so the
/// echo may match any SYN timestamp in `syn_tsvals`.
pub fn synsent_valid(
    client: &HalfStream,
    syn_tsvals: &[u32],
    tcp: &TcpMeta,
    to_client: bool,
) -> bool {
    let Some((_, ecr)) = tcp.timestamp else {
        return true;
    };
    if !to_client {
        return true;
    }
    if client.ts_seen {
        client.last_ts == 0 || ecr == 0 || ecr == client.last_ts || syn_tsvals.contains(&ecr)
    } else {
        !(client.last_ts == 0 && ecr != 0)
    }
}
