//! Parsing of one rule: header, options, buffer assembly, validation.

use crate::buffer::{BufferKind, Direction};
use crate::error::RuleError;
use crate::header::{Action, AddrSet, Header, PortSet, Protocol};
use crate::keywords::unsupported_reason;
use crate::numcmp::NumCmp;
use crate::ops::{Base64DecodeOp, BufferMatch, ContentOp, MatchOp, Transform, ValueRef};
use crate::parse::byte::{self, VarResolver};
use crate::parse::content::decode_content;
use crate::parse::fastpattern::choose_fast_pattern;
use crate::parse::packet;
use crate::parse::pcre::{parse_pcre, parse_pcrexform};
use crate::parse::util::{parse_i64, split_header, split_options, unescape, unquote};
use crate::rule::{EventKind, EventMatch, Rule, Target};
use crate::vars::Vars;

/// Maximum number of byte_extract/byte_math variables per rule.
pub const MAX_VARS: usize = 16;

/// Parse one rule. `file`/`line` of the result are left empty (see `load_files`).
pub fn parse_rule(text: &str, vars: &Vars) -> Result<Rule, RuleError> {
    let text = text.trim();
    let open = text
        .find('(')
        .ok_or_else(|| RuleError::Syntax("missing `(`".into()))?;
    let close = text
        .rfind(')')
        .filter(|c| *c > open)
        .ok_or_else(|| RuleError::Syntax("missing `)`".into()))?;
    if !text[close + 1..].trim().is_empty() {
        return Err(RuleError::Syntax("text after closing `)`".into()));
    }
    let header = parse_header(&text[..open], vars)?;
    let action = Action::parse(split_header(&text[..open]).first().copied().unwrap_or(""))?;
    let opts = split_options(&text[open + 1..close]).map_err(RuleError::Syntax)?;
    let mut b = Builder::new(action, header, text);
    for (name, value) in opts {
        b.option(name, value)?;
    }
    b.finish()
}

fn parse_header(h: &str, vars: &Vars) -> Result<Header, RuleError> {
    let t = split_header(h);
    let [_, proto, src, sport, dir, dst, dport] = t.as_slice() else {
        return Err(RuleError::Syntax(format!(
            "header must have 7 fields, found {}",
            t.len()
        )));
    };
    let bidirectional = match *dir {
        "->" => false,
        "<>" => true,
        _ => return Err(RuleError::Syntax(format!("invalid direction `{dir}`"))),
    };
    let addr = |spec: &str| -> Result<AddrSet, RuleError> {
        let a = AddrSet::parse(spec, vars)?;
        if a.is_empty() {
            return Err(RuleError::Syntax(format!(
                "address `{spec}` matches nothing"
            )));
        }
        Ok(a)
    };
    let port = |spec: &str| -> Result<PortSet, RuleError> {
        let p = PortSet::parse(spec, vars)?;
        if p.ranges().is_empty() {
            return Err(RuleError::Syntax(format!("port `{spec}` matches nothing")));
        }
        Ok(p)
    };
    Ok(Header {
        proto: Protocol::parse(proto)?,
        src: addr(src)?,
        sport: port(sport)?,
        dst: addr(dst)?,
        dport: port(dport)?,
        bidirectional,
    })
}

struct Builder {
    rule: Rule,
    has_sid: bool,
    /// Buffer selected by the last sticky keyword (or Payload).
    cur_kind: BufferKind,
    cur_transforms: Vec<Transform>,
    /// Entry the current sticky buffer has materialised into.
    cur_entry: Option<usize>,
    sticky_explicit: bool,
    /// The next op starts a new instance of a multi-instance buffer.
    force_new: bool,
    /// Transform names per entry, for merging identical buffers.
    entry_keys: Vec<Vec<&'static str>>,
    last_content: Option<(usize, usize)>,
    last_match_entry: Option<usize>,
    var_names: Vec<(String, bool)>,
    base64_entry: Option<usize>,
}

/// byte_extract/byte_math variables: (name, defined by byte_math) by slot.
struct Names<'a>(&'a [(String, bool)]);
impl VarResolver for Names<'_> {
    /// Suricata resolves a name to the first byte_math result of that name, else the
    /// first byte_extract variable.
    fn lookup(&self, name: &str) -> Option<usize> {
        self.0
            .iter()
            .position(|(n, math)| *math && n == name)
            .or_else(|| self.0.iter().position(|(n, _)| n == name))
    }
}

impl Builder {
    fn new(action: Action, header: Header, raw: &str) -> Builder {
        Builder {
            rule: Rule {
                action,
                header,
                sid: 0,
                gid: 1,
                rev: 0,
                msg: String::new(),
                classtype: None,
                priority: None,
                references: Vec::new(),
                metadata: Vec::new(),
                target: None,
                file: None,
                line: 0,
                raw: raw.to_string(),
                buffers: Vec::new(),
                fast_pattern: None,
                direction: None,
                dsize: None,
                ttl: None,
                itype: None,
                icode: None,
                icmp_id: None,
                icmp_seq: None,
                ip_proto: None,
                ip_id: None,
                tos: None,
                ipopts: None,
                fragbits: None,
                fragoffset: None,
                flags: None,
                window: None,
                seq: None,
                ack: None,
                sameip: false,
                flow: None,
                flowbits: Vec::new(),
                flowints: Vec::new(),
                noalert: false,
                app_layer_protocol: None,
                stream_size: None,
                payload_anchored: false,
                urilen: None,
                threshold: None,
                detection_filter: None,
                events: Vec::new(),
                tag: false,
                var_count: 0,
            },
            has_sid: false,
            cur_kind: BufferKind::Payload,
            cur_transforms: Vec::new(),
            cur_entry: None,
            sticky_explicit: false,
            force_new: false,
            entry_keys: Vec::new(),
            last_content: None,
            last_match_entry: None,
            var_names: Vec::new(),
            base64_entry: None,
        }
    }

    fn find_or_create(&mut self, kind: BufferKind, transforms: Vec<Transform>) -> usize {
        let key: Vec<&'static str> = transforms.iter().map(Transform::name).collect();
        let mergeable = !transforms
            .iter()
            .any(|t| matches!(t, Transform::Xor(_) | Transform::Pcrexform(_)));
        if mergeable {
            if let Some(i) = self
                .rule
                .buffers
                .iter()
                .zip(&self.entry_keys)
                .position(|(b, k)| b.kind == kind && *k == key)
            {
                return i;
            }
        }
        self.push_entry(kind, transforms)
    }

    fn push_entry(&mut self, kind: BufferKind, transforms: Vec<Transform>) -> usize {
        let key: Vec<&'static str> = transforms.iter().map(Transform::name).collect();
        self.rule.buffers.push(BufferMatch {
            kind,
            transforms,
            ops: Vec::new(),
        });
        self.entry_keys.push(key);
        self.rule.buffers.len() - 1
    }

    /// Entry receiving the next op (`relative` ops without sticky buffer follow the
    /// previous content/pcre, like Suricata).
    fn entry(&mut self, relative: bool) -> usize {
        if let Some(e) = self.base64_entry {
            return e;
        }
        if relative && !self.sticky_explicit {
            if let Some(e) = self.last_match_entry {
                return e;
            }
        }
        if let Some(e) = self.cur_entry {
            return e;
        }
        let t = self.cur_transforms.clone();
        let e = if std::mem::take(&mut self.force_new) {
            self.push_entry(self.cur_kind, t)
        } else {
            self.find_or_create(self.cur_kind, t)
        };
        self.cur_entry = Some(e);
        e
    }

    fn push(&mut self, entry: usize, op: MatchOp) -> usize {
        let ops = match self.rule.buffers.get_mut(entry) {
            Some(b) => &mut b.ops,
            None => return 0,
        };
        ops.push(op);
        ops.len() - 1
    }

    fn last_content_mut(&mut self, kw: &str) -> Result<&mut ContentOp, RuleError> {
        let (e, i) = self
            .last_content
            .ok_or_else(|| RuleError::invalid(kw, "needs a preceding content"))?;
        match self.rule.buffers.get_mut(e).and_then(|b| b.ops.get_mut(i)) {
            Some(MatchOp::Content(c)) => Ok(c),
            _ => Err(RuleError::invalid(kw, "needs a preceding content")),
        }
    }

    fn value_ref(&self, kw: &str, v: Option<&str>) -> Result<ValueRef, RuleError> {
        let v = v
            .ok_or_else(|| RuleError::invalid(kw, "missing value"))?
            .trim();
        if let Some(n) = parse_i64(v) {
            return Ok(ValueRef::Lit(n));
        }
        Names(&self.var_names)
            .lookup(v)
            .map(ValueRef::Var)
            .ok_or_else(|| RuleError::invalid(kw, format!("bad value `{v}`")))
    }

    /// Allocate a slot for a byte_extract/byte_math result. A redefined name gets a new
    /// slot while lookups keep resolving to the first one, as in Suricata.
    fn new_var(&mut self, kw: &str, name: &str) -> Result<usize, RuleError> {
        if self.var_names.len() >= MAX_VARS {
            return Err(RuleError::invalid(kw, "too many variables"));
        }
        self.var_names.push((name.to_string(), kw == "byte_math"));
        Ok(self.var_names.len() - 1)
    }

    fn set_sticky(&mut self, kind: BufferKind) {
        self.force_new = kind.is_multi_instance();
        self.cur_kind = kind;
        self.cur_transforms.clear();
        self.cur_entry = None;
        self.sticky_explicit = kind != BufferKind::Payload;
        self.base64_entry = None;
    }

    fn add_content(
        &mut self,
        kw: &str,
        value: Option<&str>,
        kind: Option<BufferKind>,
    ) -> Result<(), RuleError> {
        let v = value
            .ok_or_else(|| RuleError::invalid(kw, "missing value"))?
            .trim();
        let (negated, v) = match v.strip_prefix('!') {
            Some(r) => (true, r.trim()),
            None => (false, v),
        };
        let pat = decode_content(unquote(v), kw)?;
        if pat.is_empty() {
            return Err(RuleError::invalid(kw, "empty content"));
        }
        let op = MatchOp::Content(ContentOp::new(pat, negated));
        let entry = match kind {
            Some(k) => self.find_or_create(k, Vec::new()),
            None => self.entry(false),
        };
        let idx = self.push(entry, op);
        self.last_content = Some((entry, idx));
        self.last_match_entry = Some(entry);
        Ok(())
    }

    /// Legacy modifier: move the last content into `kind`'s buffer.
    fn move_last_content(&mut self, kw: &str, kind: BufferKind) -> Result<(), RuleError> {
        let (e, i) = self
            .last_content
            .ok_or_else(|| RuleError::invalid(kw, "needs a preceding content"))?;
        let from = self
            .rule
            .buffers
            .get_mut(e)
            .ok_or_else(|| RuleError::invalid(kw, "needs a preceding content"))?;
        if from.kind != BufferKind::Payload || i + 1 != from.ops.len() || self.sticky_explicit {
            return Err(RuleError::invalid(
                kw,
                "content already bound to another buffer",
            ));
        }
        let Some(op) = from.ops.pop() else {
            return Err(RuleError::invalid(kw, "needs a preceding content"));
        };
        let to = self.find_or_create(kind, Vec::new());
        let idx = self.push(to, op);
        self.last_content = Some((to, idx));
        self.last_match_entry = Some(to);
        Ok(())
    }

    fn option(&mut self, name: &str, value: Option<&str>) -> Result<(), RuleError> {
        let r = &mut self.rule;
        let need = |kw: &str| value.ok_or_else(|| RuleError::invalid(kw, "missing value"));
        match name {
            "msg" => r.msg = unescape(unquote(need(name)?)),
            "sid" => {
                r.sid = need(name)?
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| RuleError::invalid("sid", "bad sid"))?;
                self.has_sid = true;
            }
            "rev" => {
                r.rev = need(name)?
                    .trim()
                    .parse()
                    .map_err(|_| RuleError::invalid("rev", "bad rev"))?
            }
            "gid" => {
                r.gid = need(name)?
                    .trim()
                    .parse()
                    .map_err(|_| RuleError::invalid("gid", "bad gid"))?
            }
            "classtype" => r.classtype = Some(need(name)?.trim().to_string()),
            "priority" => {
                r.priority = Some(
                    need(name)?
                        .trim()
                        .parse::<u32>()
                        .map_err(|_| RuleError::invalid("priority", "bad priority"))?,
                )
            }
            "reference" => r.references.push(need(name)?.trim().to_string()),
            "metadata" => {
                for item in need(name)?.split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        r.metadata.push(item.to_string());
                    }
                }
            }
            "target" => {
                r.target = Some(match need(name)?.trim() {
                    "src_ip" => Target::SrcIp,
                    "dest_ip" => Target::DestIp,
                    v => return Err(RuleError::invalid("target", format!("bad target `{v}`"))),
                })
            }
            "content" => self.add_content(name, value, None)?,
            "uricontent" => self.add_content(name, value, Some(BufferKind::HttpUri))?,
            "nocase" => {
                let c = self.last_content_mut(name)?;
                if c.nocase {
                    return Err(RuleError::invalid(name, "given twice"));
                }
                c.nocase = true;
                c.rebuild();
            }
            "offset" | "depth" | "distance" | "within" => {
                let v = self.value_ref(name, value)?;
                let c = self.last_content_mut(name)?;
                if let ValueRef::Lit(n) = v {
                    let min = if name == "distance" {
                        i64::from(i32::MIN)
                    } else {
                        0
                    };
                    if n < min || n > i64::from(i32::MAX) {
                        return Err(RuleError::invalid(name, "value out of range"));
                    }
                    if (name == "depth" || name == "within") && (n as usize) < c.pattern.len() {
                        return Err(RuleError::invalid(
                            name,
                            format!("{name} {n} smaller than content length {}", c.pattern.len()),
                        ));
                    }
                }
                let slot = match name {
                    "offset" => &mut c.offset,
                    "depth" => &mut c.depth,
                    "distance" => &mut c.distance,
                    _ => &mut c.within,
                };
                if slot.is_some() {
                    return Err(RuleError::invalid(name, "given twice"));
                }
                *slot = Some(v);
                if c.startswith {
                    return Err(RuleError::invalid(
                        name,
                        format!("can't mix {name} with startswith"),
                    ));
                }
                if (c.offset.is_some() || c.depth.is_some()) && c.is_relative() {
                    return Err(RuleError::invalid(
                        name,
                        "cannot mix relative (distance/within) and absolute (offset/depth) modifiers",
                    ));
                }
            }
            "startswith" => {
                let c = self.last_content_mut(name)?;
                if c.is_relative() || c.depth.is_some() || c.offset.is_some() {
                    return Err(RuleError::invalid(
                        name,
                        "cannot combine with offset/depth/distance/within",
                    ));
                }
                c.startswith = true;
            }
            "endswith" => self.last_content_mut(name)?.endswith = true,
            "rawbytes" => {
                if let Ok(c) = self.last_content_mut(name) {
                    c.rawbytes = true;
                }
            }
            "fast_pattern" => {
                let c = self.last_content_mut(name)?;
                c.fast_pattern.set = true;
                match value.map(str::trim) {
                    None | Some("") => {}
                    Some("only") => c.fast_pattern.only = true,
                    Some(v) => {
                        let (a, l) = v
                            .split_once(',')
                            .ok_or_else(|| RuleError::invalid(name, format!("bad value `{v}`")))?;
                        let a: u16 = a
                            .trim()
                            .parse()
                            .map_err(|_| RuleError::invalid(name, "bad offset"))?;
                        let l: u16 = l
                            .trim()
                            .parse()
                            .map_err(|_| RuleError::invalid(name, "bad length"))?;
                        if l == 0 || usize::from(a) + usize::from(l) > c.pattern.len() {
                            return Err(RuleError::invalid(name, "offset,len outside the pattern"));
                        }
                        c.fast_pattern.chop = Some((a, l));
                    }
                }
            }
            "pcre" => {
                let p = parse_pcre(need(name)?)?;
                let entry = match p.buffer {
                    Some(BufferKind::Payload) | None => self.entry(p.op.relative),
                    Some(k) => self.find_or_create(k, Vec::new()),
                };
                if p.op.relative {
                    // Suricata looks for a preceding content/pcre in any buffer.
                    let has_prev = self.rule.buffers.iter().any(|b| {
                        b.ops
                            .iter()
                            .any(|o| matches!(o, MatchOp::Content(_) | MatchOp::Pcre(_)))
                    });
                    if !has_prev {
                        return Err(RuleError::invalid(
                            name,
                            "pcre with /R (relative) needs a preceding match",
                        ));
                    }
                }
                self.push(entry, MatchOp::Pcre(p.op));
                self.last_match_entry = Some(entry);
            }
            "isdataat" => {
                let op = byte::parse_isdataat(need(name)?, &Names(&self.var_names))?;
                let e = self.entry(op.relative);
                // Suricata turns `content:...; isdataat:!1,relative;` into endswith.
                if op.relative && op.negated && op.value == ValueRef::Lit(1) {
                    if let Some(MatchOp::Content(c)) =
                        self.rule.buffers.get_mut(e).and_then(|b| b.ops.last_mut())
                    {
                        c.endswith = true;
                        return Ok(());
                    }
                }
                self.push(e, MatchOp::IsDataAt(op));
            }
            "byte_test" => {
                let op = byte::parse_byte_test(need(name)?, &Names(&self.var_names))?;
                let e = self.entry(op.relative);
                self.push(e, MatchOp::ByteTest(op));
            }
            "byte_jump" => {
                let op = byte::parse_byte_jump(need(name)?, &Names(&self.var_names))?;
                let e = self.entry(op.relative);
                self.push(e, MatchOp::ByteJump(op));
                self.last_match_entry = Some(e);
            }
            "byte_extract" => {
                let mut op = byte::parse_byte_extract(need(name)?)?;
                op.slot = self.new_var(name, &op.name)?;
                let e = self.entry(op.relative);
                self.push(e, MatchOp::ByteExtract(op));
                self.last_match_entry = Some(e);
            }
            "byte_math" => {
                let mut op = byte::parse_byte_math(need(name)?, &Names(&self.var_names))?;
                op.slot = self.new_var(name, &op.name)?;
                let e = self.entry(op.relative);
                self.push(e, MatchOp::ByteMath(op));
            }
            "bsize" => {
                let c = NumCmp::parse(name, need(name)?, u32::MAX as u64)?;
                if !self.sticky_explicit {
                    return Err(RuleError::invalid(name, "needs a sticky buffer"));
                }
                let e = self.entry(false);
                self.push(e, MatchOp::Bsize(c));
            }
            "base64_decode" => {
                let mut op = Base64DecodeOp {
                    bytes: 0,
                    offset: 0,
                    relative: false,
                };
                for item in value.unwrap_or("").split(',') {
                    let item = item.trim();
                    if item.is_empty() {
                        continue;
                    }
                    let (k, v) = item.split_once(char::is_whitespace).unwrap_or((item, ""));
                    let num = || {
                        v.trim()
                            .parse::<u32>()
                            .map_err(|_| RuleError::invalid(name, format!("bad value `{item}`")))
                    };
                    match k {
                        "bytes" => op.bytes = num()?,
                        "offset" => op.offset = num()?,
                        "relative" => op.relative = true,
                        _ => return Err(RuleError::invalid(name, format!("unknown option `{k}`"))),
                    }
                }
                let e = self.entry(op.relative);
                self.push(e, MatchOp::Base64Decode(op));
                self.last_match_entry = Some(e);
            }
            "base64_data" => {
                let e = self
                    .rule
                    .buffers
                    .iter()
                    .rposition(|b| b.ops.iter().any(|o| matches!(o, MatchOp::Base64Decode(_))))
                    .ok_or_else(|| RuleError::invalid(name, "needs a preceding base64_decode"))?;
                self.push(e, MatchOp::Base64Data);
                self.base64_entry = Some(e);
            }
            "dsize" => r.dsize = Some(NumCmp::parse(name, need(name)?, u16::MAX as u64)?),
            "ttl" => r.ttl = Some(NumCmp::parse(name, need(name)?, 255)?),
            "itype" => r.itype = Some(NumCmp::parse(name, need(name)?, 255)?),
            "icode" => r.icode = Some(NumCmp::parse(name, need(name)?, 255)?),
            "icmp_id" | "icmp_seq" => {
                let v = unquote(need(name)?);
                let n: u16 = v
                    .trim()
                    .parse()
                    .map_err(|_| RuleError::invalid(name, format!("bad value `{v}`")))?;
                let slot = if name == "icmp_id" {
                    &mut r.icmp_id
                } else {
                    &mut r.icmp_seq
                };
                *slot = Some(NumCmp::Eq(u64::from(n)));
            }
            "id" => r.ip_id = Some(NumCmp::parse(name, need(name)?, u16::MAX as u64)?),
            "tos" => r.tos = Some(NumCmp::parse(name, need(name)?, 255)?),
            "fragoffset" => r.fragoffset = Some(NumCmp::parse(name, need(name)?, 8191)?),
            "window" => r.window = Some(NumCmp::parse(name, need(name)?, u16::MAX as u64)?),
            "seq" => r.seq = Some(packet::parse_u32(name, need(name)?)?),
            "ack" => r.ack = Some(packet::parse_u32(name, need(name)?)?),
            "ip_proto" => r.ip_proto = Some(packet::parse_ip_proto(need(name)?)?),
            "ipopts" => {
                let v = need(name)?.trim();
                const OPTS: &[&str] = &[
                    "rr", "eol", "nop", "ts", "sec", "esec", "lsrr", "ssrr", "satid", "any",
                ];
                if !OPTS.contains(&v) {
                    return Err(RuleError::invalid(name, format!("bad option `{v}`")));
                }
                r.ipopts = Some(v.to_string());
            }
            "fragbits" => r.fragbits = Some(packet::parse_fragbits(need(name)?)?),
            "flags" | "tcp.flags" => r.flags = Some(packet::parse_tcp_flags(name, need(name)?)?),
            "sameip" => r.sameip = true,
            "flow" => r.flow = Some(packet::parse_flow(need(name)?)?),
            "flowbits" => match packet::parse_flowbits(need(name)?)? {
                Some(fb) => r.flowbits.push(fb),
                None => r.noalert = true,
            },
            "flowint" => r.flowints.push(packet::parse_flowint(need(name)?)?),
            "noalert" => r.noalert = true,
            "app-layer-protocol" => {
                r.app_layer_protocol = Some(packet::parse_app_proto(need(name)?)?)
            }
            "stream_size" => r.stream_size = Some(packet::parse_stream_size(need(name)?)?),
            "urilen" => r.urilen = Some(packet::parse_urilen(need(name)?)?),
            "threshold" => r.threshold = Some(packet::parse_threshold(name, need(name)?)?),
            "detection_filter" => {
                r.detection_filter = Some(packet::parse_threshold(name, need(name)?)?)
            }
            "decode-event" | "stream-event" | "app-layer-event" => {
                let kind = match name {
                    "decode-event" => EventKind::Decode,
                    "stream-event" => EventKind::Stream,
                    _ => EventKind::AppLayer,
                };
                r.events.push(EventMatch {
                    kind,
                    name: need(name)?.trim().to_string(),
                });
            }
            "tag" => r.tag = true,
            "pkt_data" => self.set_sticky(BufferKind::Payload),
            "dotprefix"
            | "strip_whitespace"
            | "compress_whitespace"
            | "to_lowercase"
            | "to_uppercase"
            | "to_md5"
            | "to_sha1"
            | "to_sha256"
            | "url_decode"
            | "xor"
            | "header_lowercase"
            | "strip_pseudo_headers"
            | "pcrexform" => {
                let t = match name {
                    "dotprefix" => Transform::Dotprefix,
                    "strip_whitespace" => Transform::StripWhitespace,
                    "compress_whitespace" => Transform::CompressWhitespace,
                    "to_lowercase" => Transform::ToLowercase,
                    "to_uppercase" => Transform::ToUppercase,
                    "to_md5" => Transform::ToMd5,
                    "to_sha1" => Transform::ToSha1,
                    "to_sha256" => Transform::ToSha256,
                    "url_decode" => Transform::UrlDecode,
                    "header_lowercase" => Transform::HeaderLowercase,
                    "strip_pseudo_headers" => Transform::StripPseudoHeaders,
                    "xor" => {
                        let hex = unquote(need(name)?).trim();
                        if hex.is_empty() || hex.len() & 1 == 1 {
                            return Err(RuleError::invalid(
                                name,
                                "key must be an even-length hex string",
                            ));
                        }
                        let key = (0..hex.len() / 2)
                            .map(|i| {
                                hex.get(i * 2..i * 2 + 2)
                                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                                    .ok_or_else(|| RuleError::invalid(name, "key must be hex"))
                            })
                            .collect::<Result<Vec<u8>, RuleError>>()?;
                        Transform::Xor(key)
                    }
                    _ => Transform::Pcrexform(parse_pcrexform(need(name)?)?),
                };
                // Transforms accumulate since the sticky buffer; ops that follow go to
                // the buffer with all of them (earlier ops keep theirs), like Suricata.
                if self.cur_entry.take().is_some() && self.cur_kind.is_multi_instance() {
                    self.force_new = true;
                }
                if !self.sticky_explicit {
                    return Err(RuleError::invalid(name, "transform needs a sticky buffer"));
                }
                self.cur_transforms.push(t);
            }
            _ => {
                if let Some(reason) = unsupported_reason(name) {
                    return Err(RuleError::unsupported(name, reason));
                }
                if let Some(kind) = BufferKind::from_modifier(name) {
                    return self.move_last_content(name, kind);
                }
                if let Some(kind) = BufferKind::from_sticky(name) {
                    if kind == BufferKind::Payload {
                        self.set_sticky(kind);
                        return Ok(());
                    }
                    if value.is_some() {
                        return Err(RuleError::invalid(name, "sticky buffer takes no value"));
                    }
                    self.set_sticky(kind);
                    return Ok(());
                }
                return Err(RuleError::unsupported(
                    name,
                    "unknown or unsupported keyword",
                ));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Rule, RuleError> {
        if !self.has_sid {
            return Err(RuleError::Syntax("missing sid".into()));
        }
        let r = &mut self.rule;
        r.buffers.retain(|b| !b.ops.is_empty());
        r.var_count = self.var_names.len();
        r.payload_anchored = r
            .buffers
            .iter()
            .filter(|b| b.kind == BufferKind::Payload)
            .flat_map(|b| &b.ops)
            .any(|op| {
                matches!(op, MatchOp::Content(c)
                    if c.depth.is_some() || c.offset.is_some() || c.startswith)
            });
        for b in &mut r.buffers {
            for op in &mut b.ops {
                if let MatchOp::Content(c) = op {
                    // startswith: anchored at 0 with depth = pattern length
                    if c.startswith {
                        c.depth = Some(ValueRef::Lit(c.pattern.len() as i64));
                        c.offset = None;
                    }
                    // depth counts from offset: store the absolute end, like Suricata
                    if let (Some(ValueRef::Lit(o)), Some(ValueRef::Lit(d))) = (c.offset, c.depth) {
                        c.depth = Some(ValueRef::Lit(o + d));
                    }
                }
            }
            propagate_limits(&mut b.ops);
            set_relative_next(&mut b.ops);
        }
        // http.host is normalised to lowercase: Suricata rejects uppercase patterns.
        for b in &r.buffers {
            if b.kind.is_lowercase() && b.transforms.is_empty() {
                for op in &b.ops {
                    if let MatchOp::Content(c) = op {
                        if !c.nocase && c.pattern.iter().any(u8::is_ascii_uppercase) {
                            return Err(RuleError::invalid(
                                b.kind.name(),
                                "pattern with uppercase characters can never match the lowercase host buffer",
                            ));
                        }
                    }
                }
            }
        }
        for b in &r.buffers {
            for op in &b.ops {
                if let MatchOp::Content(c) = op {
                    if c.negated
                        && c.fast_pattern.set
                        && (c.is_relative() || c.offset.is_some() || c.depth.is_some())
                    {
                        return Err(RuleError::invalid(
                            "fast_pattern",
                            "negated content with offset/depth/distance/within",
                        ));
                    }
                }
            }
        }
        // App-layer protocol consistency (header protocol and buffers).
        let mut app: Option<&'static str> = match &r.header.proto {
            Protocol::Http => Some("http"),
            Protocol::Dns => Some("dns"),
            Protocol::Tls => Some("tls"),
            _ => None,
        };
        let header_is_other_app = matches!(&r.header.proto, Protocol::App(n) if n != "http2");
        for b in &r.buffers {
            if let Some(a) = b.kind.app_proto() {
                if header_is_other_app && a != "http" {
                    return Err(RuleError::invalid(
                        b.kind.name(),
                        format!(
                            "buffer conflicts with rule protocol `{}`",
                            r.header.proto.name()
                        ),
                    ));
                }
                match app {
                    Some(x) if x != a => {
                        return Err(RuleError::invalid(
                            b.kind.name(),
                            format!("rule mixes `{x}` and `{a}` keywords"),
                        ))
                    }
                    _ => app = Some(a),
                }
            }
        }
        // Direction checks.
        let mut dir: Option<Direction> = r.flow.and_then(|f| {
            if f.to_server {
                Some(Direction::ToServer)
            } else if f.to_client {
                Some(Direction::ToClient)
            } else {
                None
            }
        });
        for b in &r.buffers {
            if let Some(d) = b.kind.implied_direction() {
                match dir {
                    Some(x) if x != d => {
                        return Err(RuleError::invalid(
                            b.kind.name(),
                            "rule mixes keywords with conflicting directions",
                        ))
                    }
                    _ => dir = Some(d),
                }
            }
        }
        r.direction = dir;
        r.fast_pattern = choose_fast_pattern(&r.buffers);
        Ok(self.rule)
    }
}

/// Suricata's `DetectContentPropagateLimits` (offset part): relative contents with a
/// `distance` get a static minimum offset derived from the preceding contents. This is
/// implied by the runtime checks except after a negated content, where Suricata's
/// static offset makes the rule stricter; we reproduce that.
fn propagate_limits(ops: &mut [MatchOp]) {
    let mut offset: i64 = 0;
    let mut offset_plus_pat: i64 = 0;
    for op in ops.iter_mut() {
        match op {
            MatchOp::Content(c) => {
                let len = c.pattern.len() as i64;
                if c.offset.is_none() && c.depth.is_none() && !c.is_relative() {
                    offset = 0;
                    offset_plus_pat = len;
                    continue;
                }
                if c.negated {
                    offset = 0;
                    offset_plus_pat = 0;
                    continue;
                }
                let distance = match c.distance {
                    Some(ValueRef::Lit(d)) => Some(d),
                    Some(ValueRef::Var(_)) => {
                        offset = 0;
                        offset_plus_pat = 0;
                        continue;
                    }
                    None => None,
                };
                let user_offset = c.offset;
                match distance {
                    None => {
                        offset = 0;
                        offset_plus_pat = 0;
                    }
                    Some(d) => {
                        if offset_plus_pat + d >= 0 {
                            offset = offset_plus_pat + d;
                            if c.offset.is_none() && offset > 0 {
                                c.offset = Some(ValueRef::Lit(offset));
                            }
                            offset_plus_pat = offset + len;
                        }
                    }
                }
                if let Some(ValueRef::Lit(o)) = user_offset {
                    offset = o;
                    offset_plus_pat = o + len;
                }
                if c.depth.is_some() {
                    offset_plus_pat = offset + len;
                }
            }
            MatchOp::Pcre(p) if p.relative => {}
            _ => {
                offset = 0;
                offset_plus_pat = 0;
            }
        }
    }
}

/// Set RELATIVE_NEXT on the content/pcre each relative op is anchored to. Content and
/// pcre anchor to the last content/pcre; byte_* and isdataat anchor to the last
/// content/pcre/byte_*/isdataat op (so an intervening byte keyword hides the content).
fn set_relative_next(ops: &mut [MatchOp]) {
    // base64_data ops form their own list
    match ops.iter().position(|o| matches!(o, MatchOp::Base64Data)) {
        Some(m) => {
            let (a, b) = ops.split_at_mut(m);
            set_relative_next_list(a);
            set_relative_next_list(b.get_mut(1..).unwrap_or_default());
        }
        None => set_relative_next_list(ops),
    }
}

fn set_relative_next_list(ops: &mut [MatchOp]) {
    for j in 0..ops.len() {
        let Some(op) = ops.get(j) else { break };
        // base64_decode does not mark the preceding match (Suricata)
        if !op.is_relative() || matches!(op, MatchOp::Base64Decode(_)) {
            continue;
        }
        let narrow = matches!(op, MatchOp::Content(_) | MatchOp::Pcre(_));
        let anchor = ops.get(..j).and_then(|prev| {
            prev.iter().rposition(|p| match p {
                MatchOp::Content(_) | MatchOp::Pcre(_) => true,
                MatchOp::ByteTest(_)
                | MatchOp::ByteJump(_)
                | MatchOp::ByteExtract(_)
                | MatchOp::ByteMath(_)
                | MatchOp::IsDataAt(_) => !narrow,
                _ => false,
            })
        });
        match anchor.and_then(|a| ops.get_mut(a)) {
            Some(MatchOp::Content(c)) => c.relative_next = true,
            Some(MatchOp::Pcre(p)) => p.relative_next = true,
            _ => {}
        }
    }
}
