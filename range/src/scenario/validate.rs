//! Turns the positioned YAML tree into a [`Scenario`], collecting every error.

use std::collections::HashMap;
use std::time::Duration;

use super::model::*;
use super::network::Cidr;
use super::yaml::{Kind, Node, Pos};

/// One validation error: where and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub pos: Pos,
    /// Field path and what was expected.
    pub msg: String,
}

/// Collects problems while walking the tree.
#[derive(Default)]
pub(crate) struct Ctx {
    pub(crate) problems: Vec<Problem>,
}

impl Ctx {
    fn err(&mut self, pos: Pos, msg: impl Into<String>) {
        self.problems.push(Problem {
            pos,
            msg: msg.into(),
        });
    }

    /// The fields of a mapping; reports non-mappings, duplicate and unknown keys.
    fn fields<'a>(
        &mut self,
        node: &'a Node,
        path: &str,
        allowed: &[&str],
        required: &[&str],
    ) -> HashMap<&'a str, &'a Node> {
        let mut out = HashMap::new();
        let Kind::Map(pairs) = &node.kind else {
            self.err(
                node.pos,
                format!("{path}: expected a mapping, found {}", node.describe()),
            );
            return out;
        };
        for (k, v) in pairs {
            let Kind::Scalar { text, .. } = &k.kind else {
                self.err(k.pos, format!("{path}: expected a field name"));
                continue;
            };
            if !allowed.contains(&text.as_str()) {
                self.err(
                    k.pos,
                    format!(
                        "{path}: unknown field `{text}`, expected one of: {}",
                        allowed.join(", ")
                    ),
                );
                continue;
            }
            if out.insert(text.as_str(), v).is_some() {
                self.err(k.pos, format!("{path}: duplicate field `{text}`"));
            }
        }
        let at = pairs.first().map_or(node.pos, |(k, _)| k.pos);
        for r in required {
            if !out.contains_key(r) {
                self.err(at, format!("{path}: missing field `{r}`"));
            }
        }
        out
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.kind {
            Kind::Scalar { text, .. } if !node.is_null() => Some(text.clone()),
            _ => {
                self.err(
                    node.pos,
                    format!("{path}: expected a string, found {}", node.describe()),
                );
                None
            }
        }
    }

    fn name(&mut self, node: &Node, path: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if is_name(&s) {
            Some(s)
        } else {
            self.err(
                node.pos,
                format!("{path}: expected a name of 1 to 32 characters [a-z0-9-] starting with a letter, found `{s}`"),
            );
            None
        }
    }

    fn unsigned(&mut self, node: &Node, path: &str, min: u64, max: u64) -> Option<u64> {
        let parsed = match &node.kind {
            Kind::Scalar {
                text,
                quoted: false,
            } => text.parse::<u64>().ok(),
            _ => None,
        };
        match parsed {
            Some(v) if (min..=max).contains(&v) => Some(v),
            Some(v) => {
                self.err(
                    node.pos,
                    format!("{path}: expected an integer in {min}..={max}, found {v}"),
                );
                None
            }
            None => {
                self.err(
                    node.pos,
                    format!(
                        "{path}: expected an integer in {min}..={max}, found {}",
                        found(node)
                    ),
                );
                None
            }
        }
    }

    fn float(&mut self, node: &Node, path: &str, min_excl: f64, max: f64) -> Option<f64> {
        let parsed = match &node.kind {
            Kind::Scalar {
                text,
                quoted: false,
            } => text.parse::<f64>().ok().filter(|v| v.is_finite()),
            _ => None,
        };
        match parsed {
            Some(v) if v > min_excl && v <= max => Some(v),
            _ => {
                self.err(
                    node.pos,
                    format!(
                        "{path}: expected a number above {min_excl} and at most {max}, found {}",
                        found(node)
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.kind {
            Kind::Scalar {
                text,
                quoted: false,
            } if text == "true" || text == "false" => Some(text == "true"),
            _ => {
                self.err(
                    node.pos,
                    format!("{path}: expected true or false, found {}", found(node)),
                );
                None
            }
        }
    }

    fn seq<'a>(&mut self, node: &'a Node, path: &str) -> &'a [Node] {
        match &node.kind {
            Kind::Seq(items) => items,
            _ => {
                self.err(
                    node.pos,
                    format!("{path}: expected a sequence, found {}", node.describe()),
                );
                &[]
            }
        }
    }

    fn duration(&mut self, node: &Node, path: &str) -> Option<Duration> {
        let d = match &node.kind {
            Kind::Scalar { text, .. } => parse_duration(text),
            _ => None,
        };
        match d {
            Some(d) if !d.is_zero() => Some(d),
            _ => {
                self.err(
                    node.pos,
                    format!(
                        "{path}: expected a positive duration like 90s, 5m, 1h30m, found {}",
                        found(node)
                    ),
                );
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        let items = self.seq(node, path);
        items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.string(n, &format!("{path}[{i}]")))
            .collect()
    }
}

/// Whether `s` is a valid exercise, team or service name: 1 to 32 characters of
/// `[a-z0-9-]` starting with a letter.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.as_bytes()[0].is_ascii_lowercase()
}

fn found(node: &Node) -> String {
    match &node.kind {
        Kind::Scalar { text, .. } if !node.is_null() => format!("`{text}`"),
        _ => node.describe().to_string(),
    }
}

/// Parses `90s`, `5m`, `1h30m`, `250ms` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let d = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60)?),
            "h" => Duration::from_secs(n.checked_mul(3600)?),
            "d" => Duration::from_secs(n.checked_mul(86400)?),
            _ => return None,
        };
        total = total.checked_add(d)?;
    }
    Some(total)
}

/// Parses `512M`, `1G`, `64Ki` style sizes (powers of 1024) or a plain number of bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = t[..digits].parse().ok()?;
    let mult: u64 = match t[digits..].trim_end_matches(['i', 'B', 'b']) {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// Parses an RFC 3339 timestamp (`2026-11-27T10:00:00Z`, offsets allowed) into Unix ms.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let digits = &frac[..n.min(3)];
        millis = digits.parse::<i64>().ok()? * 10i64.pow(3 - digits.len() as u32);
        rest = &frac[n..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !matches!(rb[0], b'+' | b'-') {
                return None;
            }
            let oh: i64 = rest[1..3].parse().ok()?;
            let om: i64 = rest[4..6].parse().ok()?;
            let sign = if rb[0] == b'-' { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
    };
    // Days from civil (proleptic Gregorian), after Howard Hinnant's algorithm.
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
    Some(secs * 1000 + millis)
}

const TOP: &[&str] = &[
    "version",
    "name",
    "teams",
    "services",
    "timing",
    "flags",
    "network",
    "submission",
    "scoring",
    "access",
];

/// Validates a parsed document; `Err` holds every problem found.
pub fn validate(root: &Node) -> Result<Scenario, Vec<Problem>> {
    let mut cx = Ctx::default();
    let f = cx.fields(
        root,
        "scenario",
        TOP,
        &["version", "name", "teams", "services", "timing", "network"],
    );
    if let Some(v) = f.get("version") {
        if let Some(n) = cx.unsigned(v, "version", 1, u64::MAX) {
            if n != 1 {
                cx.err(
                    v.pos,
                    format!("version: expected 1 (the only schema version), found {n}"),
                );
            }
        }
    }
    let name = f.get("name").and_then(|n| cx.name(n, "name"));
    let network = f.get("network").and_then(|n| network(&mut cx, n));
    let teams = f.get("teams").map(|n| teams(&mut cx, n, network.as_ref()));
    let services = f.get("services").map(|n| services(&mut cx, n));
    let timing = f.get("timing").and_then(|n| timing(&mut cx, n));
    let flags = match f.get("flags") {
        Some(n) => flags(&mut cx, n),
        None => Some(Flags {
            prefix: "FLAG".into(),
            lifetime: 5,
        }),
    };
    let submission = match f.get("submission") {
        Some(n) => submission(&mut cx, n),
        None => Some(default_submission()),
    };
    let scoring = match f.get("scoring") {
        Some(n) => scoring(&mut cx, n),
        None => Some(Scoring {
            model: ScoringModel::Faust,
        }),
    };
    let access = match f.get("access") {
        Some(n) => access(&mut cx, n),
        None => Some(default_access()),
    };
    if let (Some(net), Some(svcs), Some(node)) = (&network, &services, f.get("services")) {
        let smallest = teams
            .iter()
            .flatten()
            .map(|t| t.subnet.size())
            .chain([net.infra.size()])
            .min()
            .unwrap_or(0);
        // Network, gateway, one address per service, broadcast.
        if (svcs.len() as u64) + 3 > smallest {
            cx.err(
                node.pos,
                format!(
                    "services: expected at most {} services to fit the smallest team subnet ({smallest} addresses)",
                    smallest.saturating_sub(3)
                ),
            );
        }
    }
    if let (Some(t), Some(fl)) = (&timing, &flags) {
        let ticks = t.duration.as_millis() / t.tick.as_millis().max(1);
        if ticks < u128::from(fl.lifetime) {
            let at = f.get("flags").map(|n| match &n.kind {
                Kind::Map(pairs) => pairs
                    .iter()
                    .find(
                        |(k, _)| matches!(&k.kind, Kind::Scalar { text, .. } if text == "lifetime"),
                    )
                    .map_or(*n, |(_, v)| v),
                _ => n,
            });
            if let Some(n) = at {
                cx.err(
                    n.pos,
                    format!("flags.lifetime: expected at most the game's {ticks} ticks"),
                );
            }
        }
    }
    if !cx.problems.is_empty() {
        cx.problems.sort_by_key(|p| (p.pos.line, p.pos.col));
        return Err(cx.problems);
    }
    match (
        name, network, teams, services, timing, flags, submission, scoring, access,
    ) {
        (
            Some(name),
            Some(network),
            Some(teams),
            Some(services),
            Some(timing),
            Some(flags),
            Some(submission),
            Some(scoring),
            Some(access),
        ) => Ok(Scenario {
            name,
            teams,
            services,
            timing,
            flags,
            network,
            submission,
            scoring,
            access,
        }),
        _ => Err(vec![Problem {
            pos: root.pos,
            msg: "scenario: incomplete".into(),
        }]),
    }
}

fn default_submission() -> Submission {
    Submission {
        tcp_port: 31337,
        http_port: None,
        rate_limit: RateLimit {
            per_second: 10.0,
            burst: 50,
        },
    }
}

fn default_access() -> Access {
    Access {
        trainer_password_env: "RANGE_TRAINER_PASSWORD".into(),
        ssh: false,
    }
}

fn network(cx: &mut Ctx, n: &Node) -> Option<Network> {
    let f = cx.fields(n, "network", &["cidr", "team_prefix"], &["cidr"]);
    let cidr = f.get("cidr").and_then(|c| {
        let s = cx.string(c, "network.cidr")?;
        match s.parse::<Cidr>() {
            Ok(v) => Some(v),
            Err(e) => {
                cx.err(c.pos, format!("network.cidr: {e}, found `{s}`"));
                None
            }
        }
    })?;
    let team_prefix = match f.get("team_prefix") {
        Some(p) => {
            let v = cx.unsigned(p, "network.team_prefix", 8, 29)? as u8;
            if v <= cidr.len {
                cx.err(
                    p.pos,
                    format!(
                        "network.team_prefix: expected a prefix longer than the game network's /{}",
                        cidr.len
                    ),
                );
                return None;
            }
            v
        }
        None => 24.max(cidr.len + 1).min(29),
    };
    if cidr.len >= team_prefix || cidr.len > 28 {
        cx.err(
            n.pos,
            "network.cidr: expected a network of at least /28 to hold team subnets",
        );
        return None;
    }
    let infra = cidr.subnet(team_prefix, 0)?;
    Some(Network {
        cidr,
        team_prefix,
        infra,
    })
}

fn teams(cx: &mut Ctx, n: &Node, net: Option<&Network>) -> Vec<Team> {
    let items = cx.seq(n, "teams");
    if !matches!(n.kind, Kind::Seq(_)) {
        return Vec::new();
    }
    if !(2..=10).contains(&items.len()) {
        cx.err(
            n.pos,
            format!("teams: expected 2 to 10 teams, found {}", items.len()),
        );
    }
    if let Some(net) = net {
        let avail = net.cidr.subnet_count(net.team_prefix).saturating_sub(1);
        if (items.len() as u64) > avail {
            cx.err(
                n.pos,
                format!(
                    "teams: expected at most {avail} teams: {} holds {avail} /{} team subnets after the infrastructure subnet",
                    net.cidr, net.team_prefix
                ),
            );
        }
    }
    let mut out = Vec::new();
    let mut names: HashMap<String, Pos> = HashMap::new();
    let mut tokens: HashMap<String, Pos> = HashMap::new();
    let mut subnets: Vec<(Cidr, Pos, String)> = Vec::new();
    if let Some(net) = net {
        subnets.push((net.infra, n.pos, "the infrastructure subnet".into()));
    }
    for (i, t) in items.iter().enumerate() {
        let path = format!("teams[{i}]");
        let f = cx.fields(t, &path, &["name", "token", "subnet"], &["name"]);
        let name = f
            .get("name")
            .and_then(|v| cx.name(v, &format!("{path}.name")));
        if let (Some(name), Some(v)) = (&name, f.get("name")) {
            if let Some(first) = names.get(name) {
                cx.err(
                    v.pos,
                    format!(
                        "{path}.name: expected a unique name, `{name}` is already used at line {}",
                        first.line
                    ),
                );
            } else {
                names.insert(name.clone(), v.pos);
            }
        }
        let token = f.get("token").and_then(|v| {
            let s = cx.string(v, &format!("{path}.token"))?;
            if s.len() < 16 {
                cx.err(
                    v.pos,
                    format!("{path}.token: expected at least 16 characters"),
                );
            } else if let Some(first) = tokens.get(&s) {
                cx.err(
                    v.pos,
                    format!(
                        "{path}.token: expected a unique token, the same one is used at line {}",
                        first.line
                    ),
                );
            } else {
                tokens.insert(s.clone(), v.pos);
            }
            Some(s)
        });
        let subnet = match (f.get("subnet"), net) {
            (Some(v), Some(net)) => {
                cx.string(v, &format!("{path}.subnet"))
                    .and_then(|s| match s.parse::<Cidr>() {
                        Ok(c) if c.len > 29 => {
                            cx.err(
                                v.pos,
                                format!("{path}.subnet: expected a prefix of at most /29"),
                            );
                            None
                        }
                        Ok(c) if !net.cidr.contains(c.addr) || c.len < net.cidr.len => {
                            cx.err(
                                v.pos,
                                format!("{path}.subnet: expected a subnet inside {}", net.cidr),
                            );
                            None
                        }
                        Ok(c) => Some((c, v.pos)),
                        Err(e) => {
                            cx.err(v.pos, format!("{path}.subnet: {e}, found `{s}`"));
                            None
                        }
                    })
            }
            (None, Some(net)) => net
                .cidr
                .subnet(net.team_prefix, i as u64 + 1)
                .map(|c| (c, t.pos)),
            _ => None,
        };
        if let Some((c, pos)) = subnet {
            if let Some((_, _, other)) = subnets.iter().find(|(o, _, _)| o.overlaps(&c)) {
                cx.err(
                    pos,
                    format!("{path}.subnet: expected a subnet not overlapping {other}, {c} does"),
                );
            }
            subnets.push((
                c,
                pos,
                format!("{}'s subnet", name.clone().unwrap_or(path.clone())),
            ));
            if let Some(name) = name {
                out.push(Team {
                    name,
                    token,
                    subnet: c,
                });
            }
        }
    }
    out
}

fn services(cx: &mut Ctx, n: &Node) -> Vec<Service> {
    let items = cx.seq(n, "services");
    if matches!(n.kind, Kind::Seq(_)) && (items.is_empty() || items.len() > 20) {
        cx.err(
            n.pos,
            format!("services: expected 1 to 20 services, found {}", items.len()),
        );
    }
    let mut out = Vec::new();
    let mut names: HashMap<String, Pos> = HashMap::new();
    let mut ports: HashMap<u16, (Pos, String)> = HashMap::new();
    for (i, s) in items.iter().enumerate() {
        let path = format!("services[{i}]");
        let f = cx.fields(
            s,
            &path,
            &[
                "name",
                "image",
                "build",
                "ports",
                "resources",
                "health",
                "checker",
                "flag_stores",
                "capabilities",
                "read_only",
            ],
            &["name", "ports", "checker"],
        );
        let name = f
            .get("name")
            .and_then(|v| cx.name(v, &format!("{path}.name")));
        if let (Some(nm), Some(v)) = (&name, f.get("name")) {
            if let Some(first) = names.get(nm) {
                cx.err(
                    v.pos,
                    format!(
                        "{path}.name: expected a unique name, `{nm}` is already used at line {}",
                        first.line
                    ),
                );
            } else {
                names.insert(nm.clone(), v.pos);
            }
        }
        let source = match (f.get("image"), f.get("build")) {
            (Some(v), None) => cx
                .string(v, &format!("{path}.image"))
                .map(ImageSource::Image),
            (None, Some(v)) => cx
                .string(v, &format!("{path}.build"))
                .map(ImageSource::Build),
            (Some(_), Some(v)) => {
                cx.err(
                    v.pos,
                    format!("{path}: expected either `image` or `build`, not both"),
                );
                None
            }
            (None, None) => {
                cx.err(s.pos, format!("{path}: missing field `image` or `build`"));
                None
            }
        };
        let port_list: Vec<u16> = f
            .get("ports")
            .map(|v| {
                let ps = cx.seq(v, &format!("{path}.ports"));
                if matches!(v.kind, Kind::Seq(_)) && ps.is_empty() {
                    cx.err(v.pos, format!("{path}.ports: expected at least one port"));
                }
                ps.iter()
                    .enumerate()
                    .filter_map(|(j, p)| {
                        let port = cx.unsigned(p, &format!("{path}.ports[{j}]"), 1, 65535)? as u16;
                        if let Some((first, owner)) = ports.get(&port) {
                            cx.err(p.pos, format!("{path}.ports[{j}]: expected a port not used elsewhere, {port} is used by {owner} at line {}", first.line));
                        } else {
                            ports.insert(port, (p.pos, path.clone()));
                        }
                        Some(port)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let resources = match f.get("resources") {
            Some(v) => resources(cx, v, &format!("{path}.resources")),
            None => Some(Resources {
                memory: 256 << 20,
                cpus: 0.5,
                pids: 128,
            }),
        };
        let health = match f.get("health") {
            Some(v) => health(cx, v, &format!("{path}.health")).map(Some),
            None => Some(None),
        };
        let checker = f
            .get("checker")
            .and_then(|v| checker(cx, v, &format!("{path}.checker")));
        let flag_stores = match f.get("flag_stores") {
            Some(v) => cx
                .unsigned(v, &format!("{path}.flag_stores"), 1, 16)
                .map(|x| x as u8),
            None => Some(1),
        };
        let capabilities = match f.get("capabilities") {
            Some(v) => {
                let caps = cx.strings(v, &format!("{path}.capabilities"));
                for (j, c) in caps.iter().enumerate() {
                    let ok = c.len() > 1 && c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
                    if !ok || c == "SYS_ADMIN" || c == "ALL" {
                        let pos = match &v.kind {
                            Kind::Seq(items) => items.get(j).map_or(v.pos, |x| x.pos),
                            _ => v.pos,
                        };
                        cx.err(pos, format!("{path}.capabilities[{j}]: expected a Linux capability name like NET_BIND_SERVICE (not ALL or SYS_ADMIN), found `{c}`"));
                    }
                }
                caps
            }
            None => Vec::new(),
        };
        let read_only = match f.get("read_only") {
            Some(v) => cx.boolean(v, &format!("{path}.read_only")),
            None => Some(false),
        };
        if let (
            Some(name),
            Some(source),
            Some(resources),
            Some(health),
            Some(checker),
            Some(flag_stores),
            Some(read_only),
        ) = (
            name,
            source,
            resources,
            health,
            checker,
            flag_stores,
            read_only,
        ) {
            out.push(Service {
                name,
                source,
                ports: port_list,
                resources,
                health,
                checker,
                flag_stores,
                capabilities,
                read_only,
            });
        }
    }
    out
}

fn resources(cx: &mut Ctx, n: &Node, path: &str) -> Option<Resources> {
    let f = cx.fields(n, path, &["memory", "cpus", "pids"], &[]);
    let memory = match f.get("memory") {
        Some(v) => {
            let m = match &v.kind {
                Kind::Scalar { text, .. } => parse_size(text),
                _ => None,
            };
            match m {
                Some(m) if m >= 6 << 20 => Some(m),
                _ => {
                    cx.err(v.pos, format!("{path}.memory: expected a size of at least 6M like 256M or 1G, found {}", found(v)));
                    None
                }
            }
        }
        None => Some(256 << 20),
    };
    let cpus = match f.get("cpus") {
        Some(v) => cx.float(v, &format!("{path}.cpus"), 0.0, 64.0),
        None => Some(0.5),
    };
    let pids = match f.get("pids") {
        Some(v) => cx
            .unsigned(v, &format!("{path}.pids"), 8, 65536)
            .map(|x| x as u32),
        None => Some(128),
    };
    Some(Resources {
        memory: memory?,
        cpus: cpus?,
        pids: pids?,
    })
}

fn health(cx: &mut Ctx, n: &Node, path: &str) -> Option<HealthCheck> {
    let f = cx.fields(n, path, &["command", "interval", "retries"], &["command"]);
    let command = f
        .get("command")
        .map(|v| command(cx, v, &format!("{path}.command")));
    let interval = match f.get("interval") {
        Some(v) => cx.duration(v, &format!("{path}.interval")),
        None => Some(Duration::from_secs(10)),
    };
    let retries = match f.get("retries") {
        Some(v) => cx
            .unsigned(v, &format!("{path}.retries"), 1, 100)
            .map(|x| x as u32),
        None => Some(3),
    };
    Some(HealthCheck {
        command: command??,
        interval: interval?,
        retries: retries?,
    })
}

fn command(cx: &mut Ctx, v: &Node, path: &str) -> Option<Vec<String>> {
    let c = match &v.kind {
        Kind::Scalar { .. } => cx
            .string(v, path)
            .map(|s| s.split_whitespace().map(String::from).collect()),
        _ => Some(cx.strings(v, path)),
    }?;
    if c.is_empty() {
        cx.err(v.pos, format!("{path}: expected a non-empty command"));
        return None;
    }
    Some(c)
}

fn checker(cx: &mut Ctx, n: &Node, path: &str) -> Option<CheckerSpec> {
    let f = cx.fields(n, path, &["command", "timeout", "on_timeout"], &["command"]);
    let cmd = f
        .get("command")
        .and_then(|v| command(cx, v, &format!("{path}.command")));
    let timeout = match f.get("timeout") {
        Some(v) => cx.duration(v, &format!("{path}.timeout")),
        None => Some(Duration::from_secs(10)),
    };
    let on_timeout = match f.get("on_timeout") {
        Some(v) => {
            match cx.string(v, &format!("{path}.on_timeout")).as_deref() {
                Some("down") => Some(TimeoutVerdict::Down),
                Some("checker_error") => Some(TimeoutVerdict::CheckerError),
                Some(other) => {
                    cx.err(v.pos, format!("{path}.on_timeout: expected `down` or `checker_error`, found `{other}`"));
                    None
                }
                None => None,
            }
        }
        // A checker that hangs is the checker's fault until shown otherwise: by default a
        // timeout is a checker error, never held against the team.
        None => Some(TimeoutVerdict::CheckerError),
    };
    Some(CheckerSpec {
        command: cmd?,
        timeout: timeout?,
        on_timeout: on_timeout?,
    })
}

fn timing(cx: &mut Ctx, n: &Node) -> Option<Timing> {
    let f = cx.fields(
        n,
        "timing",
        &["start", "tick", "duration", "freeze"],
        &["tick", "duration"],
    );
    let start = match f.get("start") {
        Some(v) => match cx.string(v, "timing.start").as_deref() {
            Some("now") => Some(None),
            Some(s) => match parse_rfc3339(s) {
                Some(ms) => Some(Some(ms)),
                None => {
                    cx.err(v.pos, format!("timing.start: expected `now` or an RFC 3339 time like 2026-11-27T10:00:00Z, found `{s}`"));
                    None
                }
            },
            None => None,
        },
        None => Some(None),
    };
    let tick = f.get("tick").and_then(|v| {
        let d = cx.duration(v, "timing.tick")?;
        if d < Duration::from_secs(1) {
            cx.err(v.pos, "timing.tick: expected at least 1s");
            return None;
        }
        Some(d)
    });
    let duration = f
        .get("duration")
        .and_then(|v| cx.duration(v, "timing.duration"));
    if let (Some(t), Some(d), Some(v)) = (tick, duration, f.get("duration")) {
        if d < t {
            cx.err(v.pos, "timing.duration: expected at least one tick");
        }
    }
    let freeze = match f.get("freeze") {
        Some(v) => {
            let fr = cx.duration(v, "timing.freeze");
            if let (Some(fr), Some(d)) = (fr, duration) {
                if fr > d {
                    cx.err(
                        v.pos,
                        "timing.freeze: expected an offset within the game's duration",
                    );
                }
            }
            fr.map(Some)
        }
        None => Some(None),
    };
    Some(Timing {
        start_unix_ms: start?,
        tick: tick?,
        duration: duration?,
        freeze: freeze?,
    })
}

fn flags(cx: &mut Ctx, n: &Node) -> Option<Flags> {
    let f = cx.fields(n, "flags", &["prefix", "lifetime"], &[]);
    let prefix = match f.get("prefix") {
        Some(v) => cx.string(v, "flags.prefix").and_then(|p| {
            if p.is_empty()
                || p.len() > 16
                || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                cx.err(
                    v.pos,
                    format!("flags.prefix: expected 1 to 16 characters [A-Za-z0-9_], found `{p}`"),
                );
                None
            } else {
                Some(p)
            }
        }),
        None => Some("FLAG".into()),
    };
    let lifetime = match f.get("lifetime") {
        Some(v) => cx.unsigned(v, "flags.lifetime", 1, 1000).map(|x| x as u32),
        None => Some(5),
    };
    Some(Flags {
        prefix: prefix?,
        lifetime: lifetime?,
    })
}

fn submission(cx: &mut Ctx, n: &Node) -> Option<Submission> {
    let f = cx.fields(
        n,
        "submission",
        &["tcp_port", "http_port", "rate_limit"],
        &[],
    );
    let d = default_submission();
    let tcp = match f.get("tcp_port") {
        Some(v) => cx
            .unsigned(v, "submission.tcp_port", 1, 65535)
            .map(|x| x as u16),
        None => Some(d.tcp_port),
    };
    let http = match f.get("http_port") {
        Some(v) => cx
            .unsigned(v, "submission.http_port", 1, 65535)
            .map(|x| Some(x as u16)),
        None => Some(None),
    };
    if let (Some(t), Some(Some(h)), Some(v)) = (tcp, http, f.get("http_port")) {
        if t == h {
            cx.err(
                v.pos,
                "submission.http_port: expected a port different from tcp_port",
            );
        }
    }
    let rate = match f.get("rate_limit") {
        Some(v) => {
            let rf = cx.fields(
                v,
                "submission.rate_limit",
                &["per_second", "burst"],
                &["per_second"],
            );
            let ps = rf
                .get("per_second")
                .and_then(|x| cx.float(x, "submission.rate_limit.per_second", 0.0, 1e6));
            let burst = match rf.get("burst") {
                Some(x) => cx
                    .unsigned(x, "submission.rate_limit.burst", 1, 1_000_000)
                    .map(|b| b as u32),
                None => ps.map(|p| (p.ceil() as u32).max(1)),
            };
            match (ps, burst) {
                (Some(per_second), Some(burst)) => Some(RateLimit { per_second, burst }),
                _ => None,
            }
        }
        None => Some(d.rate_limit),
    };
    Some(Submission {
        tcp_port: tcp?,
        http_port: http?,
        rate_limit: rate?,
    })
}

fn scoring(cx: &mut Ctx, n: &Node) -> Option<Scoring> {
    let f = cx.fields(n, "scoring", &["model"], &[]);
    match f.get("model") {
        Some(v) => match cx.string(v, "scoring.model").as_deref() {
            Some("faust") => Some(Scoring {
                model: ScoringModel::Faust,
            }),
            Some(o) => {
                cx.err(
                    v.pos,
                    format!("scoring.model: expected `faust`, found `{o}`"),
                );
                None
            }
            None => None,
        },
        None => Some(Scoring {
            model: ScoringModel::Faust,
        }),
    }
}

fn access(cx: &mut Ctx, n: &Node) -> Option<Access> {
    let f = cx.fields(n, "access", &["trainer_password_env", "ssh"], &[]);
    let d = default_access();
    let env = match f.get("trainer_password_env") {
        Some(v) => cx.string(v, "access.trainer_password_env"),
        None => Some(d.trainer_password_env),
    };
    let ssh = match f.get("ssh") {
        Some(v) => cx.boolean(v, "access.ssh"),
        None => Some(false),
    };
    Some(Access {
        trainer_password_env: env?,
        ssh: ssh?,
    })
}
