//! `threshold.config` parsing (suppress, threshold, event_filter, rate_filter).

use crate::error::ConfigError;
use crate::header::AddrSet;
use crate::rule::{ThresholdType, Track};
use crate::vars::Vars;
use std::path::Path;

/// `rate_filter` new action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateAction {
    /// `alert`
    Alert,
    /// `drop`
    Drop,
    /// `pass`
    Pass,
    /// `reject`
    Reject,
}

/// One entry of threshold.config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThresholdEntry {
    /// `suppress gen_id G, sig_id S[, track T, ip ADDR]` (sid 0 = all).
    Suppress {
        /// Generator id.
        gid: u32,
        /// Signature id (0 = all).
        sid: u32,
        /// Tracking (None = suppress everywhere).
        track: Option<Track>,
        /// Addresses (with `track`).
        ip: Option<AddrSet>,
    },
    /// `threshold` / `event_filter`.
    Threshold {
        /// Generator id.
        gid: u32,
        /// Signature id (0 = all).
        sid: u32,
        /// Type.
        kind: ThresholdType,
        /// Tracking.
        track: Track,
        /// Count.
        count: u32,
        /// Seconds.
        seconds: u32,
    },
    /// `rate_filter`.
    RateFilter {
        /// Generator id.
        gid: u32,
        /// Signature id.
        sid: u32,
        /// Tracking.
        track: Track,
        /// Count.
        count: u32,
        /// Seconds.
        seconds: u32,
        /// New action.
        new_action: RateAction,
        /// Timeout.
        timeout: u32,
    },
}

/// Parse threshold.config text.
pub fn parse_threshold_config(
    text: &str,
    file: &str,
    vars: &Vars,
) -> Result<Vec<ThresholdEntry>, ConfigError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let err = |reason: String| ConfigError::Parse {
            file: file.to_string(),
            line: i + 1,
            reason,
        };
        let (kw, rest) = t
            .split_once(char::is_whitespace)
            .ok_or_else(|| err(format!("incomplete entry `{t}`")))?;
        let mut gid = None;
        let mut sid = None;
        let (mut kind, mut track, mut count, mut seconds, mut ip) = (None, None, None, None, None);
        let (mut new_action, mut timeout) = (None, None);
        for item in rest.split(',') {
            let item = item.trim();
            let (k, v) = item
                .split_once(char::is_whitespace)
                .map(|(a, b)| (a, b.trim()))
                .ok_or_else(|| err(format!("bad item `{item}`")))?;
            let num = |v: &str| {
                v.parse::<u32>()
                    .map_err(|_| err(format!("bad number `{v}`")))
            };
            match k {
                "gen_id" => gid = Some(num(v)?),
                "sig_id" => sid = Some(num(v)?),
                "type" => {
                    kind = Some(match v {
                        "limit" => ThresholdType::Limit,
                        "threshold" => ThresholdType::Threshold,
                        "both" => ThresholdType::Both,
                        _ => return Err(err(format!("bad type `{v}`"))),
                    })
                }
                "track" => {
                    track = Some(Track::parse(v).ok_or_else(|| err(format!("bad track `{v}`")))?)
                }
                "count" => count = Some(num(v)?),
                "seconds" => seconds = Some(num(v)?),
                "ip" => {
                    ip = Some(AddrSet::parse(v, vars).map_err(|e| err(format!("bad ip: {e}")))?)
                }
                "new_action" => {
                    new_action = Some(match v {
                        "alert" => RateAction::Alert,
                        "drop" => RateAction::Drop,
                        "pass" => RateAction::Pass,
                        "reject" => RateAction::Reject,
                        _ => return Err(err(format!("bad new_action `{v}`"))),
                    })
                }
                "timeout" => timeout = Some(num(v)?),
                _ => return Err(err(format!("unknown item `{k}`"))),
            }
        }
        let gid = gid.ok_or_else(|| err("missing gen_id".into()))?;
        let sid = sid.ok_or_else(|| err("missing sig_id".into()))?;
        let missing = |w: &str| err(format!("missing {w}"));
        out.push(match kw {
            "suppress" => {
                if track.is_some() != ip.is_some() {
                    return Err(err("suppress needs both track and ip, or neither".into()));
                }
                ThresholdEntry::Suppress {
                    gid,
                    sid,
                    track,
                    ip,
                }
            }
            "threshold" | "event_filter" => ThresholdEntry::Threshold {
                gid,
                sid,
                kind: kind.ok_or_else(|| missing("type"))?,
                track: track.ok_or_else(|| missing("track"))?,
                count: count.ok_or_else(|| missing("count"))?,
                seconds: seconds.ok_or_else(|| missing("seconds"))?,
            },
            "rate_filter" => ThresholdEntry::RateFilter {
                gid,
                sid,
                track: track.ok_or_else(|| missing("track"))?,
                count: count.ok_or_else(|| missing("count"))?,
                seconds: seconds.ok_or_else(|| missing("seconds"))?,
                new_action: new_action.ok_or_else(|| missing("new_action"))?,
                timeout: timeout.ok_or_else(|| missing("timeout"))?,
            },
            other => return Err(err(format!("unknown entry `{other}`"))),
        });
    }
    Ok(out)
}

/// Read and parse a threshold.config file.
pub fn load_threshold_config(path: &Path, vars: &Vars) -> Result<Vec<ThresholdEntry>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        file: path.display().to_string(),
        source,
    })?;
    parse_threshold_config(&text, &path.display().to_string(), vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let v = Vars::default();
        let e = parse_threshold_config(
            "suppress gen_id 1, sig_id 2\nsuppress gen_id 1, sig_id 3, track by_src, ip 10.0.0.0/8\n\
             threshold gen_id 1, sig_id 4, type limit, track by_src, count 1, seconds 60\n\
             event_filter gen_id 1, sig_id 5, type both, track by_dst, count 2, seconds 10\n\
             rate_filter gen_id 1, sig_id 6, track by_src, count 10, seconds 1, new_action drop, timeout 5\n",
            "t",
            &v,
        )
        .unwrap();
        assert_eq!(e.len(), 5);
        let err = parse_threshold_config("\nsuppress gen_id 1\n", "t.conf", &v).unwrap_err();
        assert_eq!(err.to_string(), "t.conf:2: missing sig_id");
    }
}
