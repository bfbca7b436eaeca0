//! Parsers of packet-level and flow-level options.

use crate::error::RuleError;
use crate::numcmp::NumCmp;
use crate::parse::util::parse_i64;
use crate::rule::{
    AppProtoMatch, FlagModifier, FlagsMatch, FlowOpts, Flowbit, FlowbitCmd, StreamSide, StreamSize,
    Threshold, ThresholdType, Track, UriLen,
};

/// Parse `flow:` values.
pub(crate) fn parse_flow(v: &str) -> Result<FlowOpts, RuleError> {
    let mut f = FlowOpts::default();
    for item in v.split(',') {
        match item.trim() {
            "to_server" | "from_client" => f.to_server = true,
            "to_client" | "from_server" => f.to_client = true,
            "established" => f.established = true,
            "not_established" => f.not_established = true,
            "stateless" => f.stateless = true,
            "only_stream" => f.only_stream = true,
            "no_stream" => f.no_stream = true,
            "only_frag" => f.only_frag = true,
            "no_frag" => f.no_frag = true,
            other => {
                return Err(RuleError::invalid(
                    "flow",
                    format!("unknown option `{other}`"),
                ))
            }
        }
    }
    if f.to_server && f.to_client {
        return Err(RuleError::invalid("flow", "to_server and to_client"));
    }
    if f.established && f.not_established {
        return Err(RuleError::invalid(
            "flow",
            "established and not_established",
        ));
    }
    if f.only_stream && f.no_stream {
        return Err(RuleError::invalid("flow", "only_stream and no_stream"));
    }
    Ok(f)
}

/// Parse `flowbits:`; returns `None` for `noalert`.
pub(crate) fn parse_flowbits(v: &str) -> Result<Option<Flowbit>, RuleError> {
    let kw = "flowbits";
    let (cmd, names) = match v.split_once(',') {
        Some((c, n)) => (c.trim(), Some(n.trim())),
        None => (v.trim(), None),
    };
    let cmd = match cmd {
        "noalert" => return Ok(None),
        "set" => FlowbitCmd::Set,
        "unset" => FlowbitCmd::Unset,
        "toggle" => FlowbitCmd::Toggle,
        "isset" => FlowbitCmd::IsSet,
        "isnotset" => FlowbitCmd::IsNotSet,
        other => return Err(RuleError::invalid(kw, format!("unknown command `{other}`"))),
    };
    let names = names.ok_or_else(|| RuleError::invalid(kw, "missing flowbit name"))?;
    let any_of = names.contains('|');
    if any_of && names.contains('&') {
        return Err(RuleError::invalid(kw, "cannot mix `|` and `&`"));
    }
    let list: Vec<String> = names
        .split(['|', '&'])
        .map(|s| s.trim().to_string())
        .collect();
    if list
        .iter()
        .any(|n| n.is_empty() || n.contains(char::is_whitespace))
    {
        return Err(RuleError::invalid(kw, "bad flowbit name"));
    }
    Ok(Some(Flowbit {
        cmd,
        names: list,
        any_of,
    }))
}

/// Parse `flowint:name,op[,value]`.
pub(crate) fn parse_flowint(v: &str) -> Result<crate::rule::Flowint, RuleError> {
    use crate::numcmp::NumCmp;
    use crate::rule::{Flowint, FlowintOp};
    let kw = "flowint";
    let parts: Vec<&str> = v.split(',').map(str::trim).collect();
    let name = parts.first().copied().unwrap_or("");
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(RuleError::invalid(kw, "missing or bad variable name"));
    }
    let op = parts
        .get(1)
        .copied()
        .ok_or_else(|| RuleError::invalid(kw, "missing operator"))?;
    let value = || -> Result<u64, RuleError> {
        let raw = parts
            .get(2)
            .copied()
            .ok_or_else(|| RuleError::invalid(kw, format!("operator `{op}` needs a value")))?;
        raw.parse::<u64>().map_err(|_| {
            RuleError::invalid(
                kw,
                format!(
                    "value `{raw}` is not a number (flowint variables as values are not supported)"
                ),
            )
        })
    };
    let op = match op {
        "=" => FlowintOp::Set(value()?),
        "+" => FlowintOp::Add(value()?),
        "-" => FlowintOp::Sub(value()?),
        "==" => FlowintOp::Cmp(NumCmp::Eq(value()?)),
        "!=" => FlowintOp::Cmp(NumCmp::Ne(value()?)),
        "<" => FlowintOp::Cmp(NumCmp::Lt(value()?)),
        "<=" => FlowintOp::Cmp(NumCmp::Le(value()?)),
        ">" => FlowintOp::Cmp(NumCmp::Gt(value()?)),
        ">=" => FlowintOp::Cmp(NumCmp::Ge(value()?)),
        "isset" => FlowintOp::IsSet,
        "notset" | "isnotset" => FlowintOp::NotSet,
        other => {
            return Err(RuleError::invalid(
                kw,
                format!("unknown operator `{other}`"),
            ))
        }
    };
    Ok(Flowint {
        name: name.to_string(),
        op,
    })
}

/// Parse `threshold:` / `detection_filter:` (the latter has no `type`).
pub(crate) fn parse_threshold(kw: &str, v: &str) -> Result<Threshold, RuleError> {
    let mut kind = if kw == "detection_filter" {
        Some(ThresholdType::Threshold)
    } else {
        None
    };
    let (mut track, mut count, mut seconds) = (None, None, None);
    for item in v.split(',') {
        let item = item.trim();
        let (k, val) = item
            .split_once(char::is_whitespace)
            .map(|(a, b)| (a, b.trim()))
            .ok_or_else(|| RuleError::invalid(kw, format!("bad item `{item}`")))?;
        match k {
            "type" if kw != "detection_filter" => {
                kind = Some(match val {
                    "limit" => ThresholdType::Limit,
                    "threshold" => ThresholdType::Threshold,
                    "both" => ThresholdType::Both,
                    _ => return Err(RuleError::invalid(kw, format!("bad type `{val}`"))),
                })
            }
            "track" => {
                let t = Track::parse(val)
                    .ok_or_else(|| RuleError::invalid(kw, format!("bad track `{val}`")))?;
                let allowed = if kw == "detection_filter" {
                    matches!(t, Track::BySrc | Track::ByDst)
                } else {
                    matches!(
                        t,
                        Track::BySrc | Track::ByDst | Track::ByRule | Track::ByBoth
                    )
                };
                if !allowed {
                    return Err(RuleError::invalid(kw, format!("track `{val}` not allowed")));
                }
                track = Some(t);
            }
            "count" => count = val.parse::<u32>().ok(),
            "seconds" => seconds = val.parse::<u32>().ok(),
            _ => return Err(RuleError::invalid(kw, format!("unknown item `{k}`"))),
        }
    }
    let missing = |w: &str| RuleError::invalid(kw, format!("missing or bad {w}"));
    Ok(Threshold {
        kind: kind.ok_or_else(|| missing("type"))?,
        track: track.ok_or_else(|| missing("track"))?,
        count: count.ok_or_else(|| missing("count"))?,
        seconds: seconds.ok_or_else(|| missing("seconds"))?,
    })
}

/// Parse `flags:` (TCP) with optional `,mask`.
pub(crate) fn parse_tcp_flags(kw: &str, v: &str) -> Result<FlagsMatch, RuleError> {
    let (main, mask) = match v.split_once(',') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (v.trim(), None),
    };
    let bit = |c: char| -> Option<u8> {
        Some(match c.to_ascii_uppercase() {
            'F' => 0x01,
            'S' => 0x02,
            'R' => 0x04,
            'P' => 0x08,
            'A' => 0x10,
            'U' => 0x20,
            'E' | '2' => 0x40,
            'C' | '1' => 0x80,
            '0' => 0,
            _ => return None,
        })
    };
    let mut modifier = FlagModifier::Exact;
    let mut flags = 0u8;
    for c in main.chars() {
        match c {
            '+' => modifier = FlagModifier::Plus,
            '*' => modifier = FlagModifier::Any,
            '!' => modifier = FlagModifier::Not,
            c => {
                flags |= bit(c).ok_or_else(|| RuleError::invalid(kw, format!("bad flag `{c}`")))?
            }
        }
    }
    let mut ignore = 0u8;
    if let Some(m) = mask {
        for c in m.chars() {
            ignore |=
                bit(c).ok_or_else(|| RuleError::invalid(kw, format!("bad mask flag `{c}`")))?;
        }
    }
    Ok(FlagsMatch {
        flags,
        ignore,
        modifier,
    })
}

/// Parse `fragbits:` (M, D, R with modifiers).
pub(crate) fn parse_fragbits(v: &str) -> Result<FlagsMatch, RuleError> {
    let mut modifier = FlagModifier::Exact;
    let mut flags = 0u8;
    for c in v.trim().chars() {
        match c {
            '+' => modifier = FlagModifier::Plus,
            '*' => modifier = FlagModifier::Any,
            '!' => modifier = FlagModifier::Not,
            'M' | 'm' => flags |= 0x01,
            'D' | 'd' => flags |= 0x02,
            'R' | 'r' => flags |= 0x04,
            c if c.is_whitespace() => {}
            c => return Err(RuleError::invalid("fragbits", format!("bad bit `{c}`"))),
        }
    }
    Ok(FlagsMatch {
        flags,
        ignore: 0,
        modifier,
    })
}

/// Parse `stream_size:side,op,N`.
pub(crate) fn parse_stream_size(v: &str) -> Result<StreamSize, RuleError> {
    let kw = "stream_size";
    let a: Vec<&str> = v.split(',').map(str::trim).collect();
    let (side, op, n) = match a.as_slice() {
        [s, o, n] => (*s, *o, *n),
        _ => return Err(RuleError::invalid(kw, "expected side,op,value")),
    };
    let side = match side {
        "server" => StreamSide::Server,
        "client" => StreamSide::Client,
        "both" => StreamSide::Both,
        "either" => StreamSide::Either,
        _ => return Err(RuleError::invalid(kw, format!("bad side `{side}`"))),
    };
    let n: u64 = n
        .parse()
        .map_err(|_| RuleError::invalid(kw, format!("bad value `{n}`")))?;
    let cmp = match op {
        "<" => NumCmp::Lt(n),
        ">" => NumCmp::Gt(n),
        "<=" => NumCmp::Le(n),
        ">=" => NumCmp::Ge(n),
        "=" => NumCmp::Eq(n),
        "!=" => NumCmp::Ne(n),
        _ => return Err(RuleError::invalid(kw, format!("bad operator `{op}`"))),
    };
    Ok(StreamSize { side, cmp })
}

/// Parse `urilen:N[,raw|norm]`.
pub(crate) fn parse_urilen(v: &str) -> Result<UriLen, RuleError> {
    let (n, mode) = match v.split_once(',') {
        Some((a, b)) => (a, Some(b.trim())),
        None => (v, None),
    };
    let raw = match mode {
        None | Some("norm") => false,
        Some("raw") => true,
        Some(m) => return Err(RuleError::invalid("urilen", format!("bad mode `{m}`"))),
    };
    Ok(UriLen {
        cmp: NumCmp::parse("urilen", n, u16::MAX as u64)?,
        raw,
    })
}

/// Parse `ip_proto:` (number, name, `!`, `<`, `>`).
pub(crate) fn parse_ip_proto(v: &str) -> Result<NumCmp, RuleError> {
    let v = v.trim();
    let (prefix, body) = match v.chars().next() {
        Some(c @ ('!' | '<' | '>')) => (Some(c), v[1..].trim()),
        _ => (None, v),
    };
    let n: u64 = match body.to_ascii_lowercase().as_str() {
        "icmp" => 1,
        "igmp" => 2,
        "ipip" | "ipv4" => 4,
        "tcp" => 6,
        "udp" => 17,
        "ipv6" => 41,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" | "icmpv6" => 58,
        "sctp" => 132,
        other => other
            .parse::<u8>()
            .map_err(|_| RuleError::invalid("ip_proto", format!("bad protocol `{v}`")))?
            as u64,
    };
    Ok(match prefix {
        Some('!') => NumCmp::Ne(n),
        Some('<') => NumCmp::Lt(n),
        Some('>') => NumCmp::Gt(n),
        _ => NumCmp::Eq(n),
    })
}

/// Parse `app-layer-protocol:[!]name`.
pub(crate) fn parse_app_proto(v: &str) -> Result<AppProtoMatch, RuleError> {
    let v = v.split(',').next().unwrap_or("").trim();
    let (negated, name) = match v.strip_prefix('!') {
        Some(r) => (true, r.trim()),
        None => (false, v),
    };
    if name.is_empty() {
        return Err(RuleError::invalid("app-layer-protocol", "missing protocol"));
    }
    Ok(AppProtoMatch {
        name: name.to_ascii_lowercase(),
        negated,
    })
}

/// Parse a plain u32 (seq/ack).
pub(crate) fn parse_u32(kw: &str, v: &str) -> Result<u32, RuleError> {
    parse_i64(v)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| RuleError::invalid(kw, format!("bad value `{v}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_opts() {
        let f = parse_flow("established,to_server").unwrap();
        assert!(f.established && f.to_server);
        assert!(parse_flow("to_server,to_client").is_err());
        let fb = parse_flowbits("isset,fb3|fb4").unwrap().unwrap();
        assert!(fb.any_of && fb.names.len() == 2);
        assert!(parse_flowbits("noalert").unwrap().is_none());
        assert!(parse_flowbits("set,a|b").is_ok());
        assert!(parse_flowbits("set,a|b&c").is_err());
        let t = parse_threshold(
            "threshold",
            "type limit, track by_rule, count 5, seconds 300",
        )
        .unwrap();
        assert_eq!(t.count, 5);
        let d = parse_threshold("detection_filter", "track by_src, count 1, seconds 3600").unwrap();
        assert_eq!(d.kind, ThresholdType::Threshold);
        let fl = parse_tcp_flags("flags", "SA").unwrap();
        assert!(fl.matches(0x12) && !fl.matches(0x02));
        let fl = parse_tcp_flags("flags", "S,CE").unwrap();
        assert!(fl.matches(0x02 | 0xc0));
        let fl = parse_tcp_flags("flags", "+S").unwrap();
        assert!(fl.matches(0x12));
        let fl = parse_tcp_flags("flags", "0").unwrap();
        assert!(fl.matches(0) && !fl.matches(1));
        assert_eq!(parse_stream_size("server,<,6").unwrap().cmp, NumCmp::Lt(6));
        assert_eq!(parse_ip_proto("!tcp").unwrap(), NumCmp::Ne(6));
        assert!(parse_urilen("<10,raw").unwrap().raw);
    }
}
