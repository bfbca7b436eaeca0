//! The parsed rule and its packet-level options.

use crate::buffer::Direction;
use crate::header::{Action, Header};
use crate::numcmp::NumCmp;
use crate::ops::BufferMatch;
use std::path::PathBuf;

/// `target:` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `src_ip`
    SrcIp,
    /// `dest_ip`
    DestIp,
}

/// `flow:` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowOpts {
    /// `to_server` / `from_client`
    pub to_server: bool,
    /// `to_client` / `from_server`
    pub to_client: bool,
    /// `established`
    pub established: bool,
    /// `not_established`
    pub not_established: bool,
    /// `stateless`
    pub stateless: bool,
    /// `only_stream`
    pub only_stream: bool,
    /// `no_stream`
    pub no_stream: bool,
    /// `only_frag`
    pub only_frag: bool,
    /// `no_frag`
    pub no_frag: bool,
}

/// flowbits commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowbitCmd {
    /// `set`
    Set,
    /// `unset`
    Unset,
    /// `toggle`
    Toggle,
    /// `isset`
    IsSet,
    /// `isnotset`
    IsNotSet,
}

/// One `flowbits:` option (except `noalert`, which sets [`Rule::noalert`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flowbit {
    /// Command.
    pub cmd: FlowbitCmd,
    /// Bit names (`a|b` or `a&b` lists).
    pub names: Vec<String>,
    /// True for `|` lists (any of); false for `&` lists or a single name (all of).
    pub any_of: bool,
}

/// `flowint` operations: modifications apply when the rule matches, tests are conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowintOp {
    /// `=,N`: set.
    Set(u64),
    /// `+,N`: add (saturating; an unset variable starts at 0).
    Add(u64),
    /// `-,N`: subtract (saturating at 0).
    Sub(u64),
    /// `==,N` `!=,N` `<,N` `<=,N` `>,N` `>=,N`: compare (an unset variable never matches).
    Cmp(crate::numcmp::NumCmp),
    /// `isset`
    IsSet,
    /// `notset` / `isnotset`
    NotSet,
}

impl FlowintOp {
    /// True for operations that are conditions rather than actions.
    pub fn is_test(&self) -> bool {
        matches!(
            self,
            FlowintOp::Cmp(_) | FlowintOp::IsSet | FlowintOp::NotSet
        )
    }
}

/// One `flowint:` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flowint {
    /// Variable name.
    pub name: String,
    /// Operation.
    pub op: FlowintOp,
}

/// `threshold` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdType {
    /// `limit`
    Limit,
    /// `threshold`
    Threshold,
    /// `both`
    Both,
}

/// `track` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Track {
    /// `by_src`
    BySrc,
    /// `by_dst`
    ByDst,
    /// `by_rule`
    ByRule,
    /// `by_both`
    ByBoth,
    /// `by_flow`
    ByFlow,
    /// `by_either` (suppress only)
    ByEither,
}

impl Track {
    /// Parse a `track` value.
    pub fn parse(s: &str) -> Option<Track> {
        Some(match s.trim() {
            "by_src" => Track::BySrc,
            "by_dst" => Track::ByDst,
            "by_rule" => Track::ByRule,
            "by_both" => Track::ByBoth,
            "by_flow" => Track::ByFlow,
            "by_either" => Track::ByEither,
            _ => return None,
        })
    }
}

/// `threshold:` / `detection_filter:` parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// Type (`detection_filter` uses [`ThresholdType::Threshold`] semantics: alert after `count`).
    pub kind: ThresholdType,
    /// Tracking key.
    pub track: Track,
    /// Count.
    pub count: u32,
    /// Window in seconds.
    pub seconds: u32,
}

/// TCP flags / fragbits match modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagModifier {
    /// Exactly these flags (after masking).
    Exact,
    /// `+`: these flags and possibly others.
    Plus,
    /// `*`: any of these flags.
    Any,
    /// `!`: not all of these flags.
    Not,
}

/// `flags:` (TCP flags) or `fragbits:` match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagsMatch {
    /// Flags to test (TCP: FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE=0x40 CWR=0x80;
    /// fragbits: RF=0x04 DF=0x02 MF=0x01 in the high bits of the IPv4 flags field >> 13).
    pub flags: u8,
    /// Flags ignored before comparing.
    pub ignore: u8,
    /// Modifier.
    pub modifier: FlagModifier,
}

impl FlagsMatch {
    /// Evaluate against the actual flags.
    #[inline]
    pub fn matches(&self, actual: u8) -> bool {
        let f = actual & !self.ignore;
        match self.modifier {
            FlagModifier::Exact => f == self.flags,
            FlagModifier::Plus => f & self.flags == self.flags,
            FlagModifier::Any => f & self.flags != 0,
            FlagModifier::Not => f & self.flags != self.flags,
        }
    }
}

/// `stream_size` side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamSide {
    /// `server`
    Server,
    /// `client`
    Client,
    /// `both`
    Both,
    /// `either`
    Either,
}

/// `stream_size:` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSize {
    /// Which side(s).
    pub side: StreamSide,
    /// Comparison on the byte count.
    pub cmp: NumCmp,
}

/// Event keyword families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `decode-event`
    Decode,
    /// `stream-event`
    Stream,
    /// `app-layer-event`
    AppLayer,
}

/// An event keyword (`decode-event:ipv4.trunc_pkt`); the engine decides support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMatch {
    /// Family.
    pub kind: EventKind,
    /// Event name as written.
    pub name: String,
}

/// `app-layer-protocol:` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppProtoMatch {
    /// Protocol name (`http`, `tls`, `failed`, ...).
    pub name: String,
    /// `!`
    pub negated: bool,
}

/// `urilen:` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UriLen {
    /// Comparison.
    pub cmp: NumCmp,
    /// `raw` (else normalized).
    pub raw: bool,
}

/// The chosen fast pattern of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastPattern {
    /// Index into [`Rule::buffers`].
    pub buffer_index: usize,
    /// Index into that buffer's ops.
    pub op_index: usize,
    /// The bytes to feed the multi-pattern matcher (honours `fast_pattern:offset,len`).
    pub bytes: Vec<u8>,
    /// Case-insensitive.
    pub nocase: bool,
    /// `fast_pattern:only` was given.
    pub only: bool,
    /// The pattern is a negated content (chosen only when the rule has no positive
    /// content): if it occurs anywhere in the buffer the rule cannot match (Suricata's
    /// negated-mpm behaviour, which ignores offset/depth/endswith); otherwise evaluate
    /// the rule.
    pub negated: bool,
}

/// A parsed rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Action.
    pub action: Action,
    /// Header.
    pub header: Header,
    /// `sid`
    pub sid: u32,
    /// `gid` (default 1)
    pub gid: u32,
    /// `rev` (default 0)
    pub rev: u32,
    /// `msg`
    pub msg: String,
    /// `classtype`
    pub classtype: Option<String>,
    /// `priority`
    pub priority: Option<u32>,
    /// `reference` values as written (`url,example.com`).
    pub references: Vec<String>,
    /// `metadata` entries, one `key value` string each.
    pub metadata: Vec<String>,
    /// `target`
    pub target: Option<Target>,
    /// Source file, if loaded from a file.
    pub file: Option<PathBuf>,
    /// 1-based line in `file` (0 if parsed from a string).
    pub line: usize,
    /// The rule text.
    pub raw: String,
    /// Buffer inspections, in rule order. All must match.
    pub buffers: Vec<BufferMatch>,
    /// Chosen fast pattern.
    pub fast_pattern: Option<FastPattern>,
    /// Direction from `flow` or implied by buffers.
    pub direction: Option<Direction>,
    /// `dsize`
    pub dsize: Option<NumCmp>,
    /// `ttl`
    pub ttl: Option<NumCmp>,
    /// `itype`
    pub itype: Option<NumCmp>,
    /// `icode`
    pub icode: Option<NumCmp>,
    /// `icmp_id`
    pub icmp_id: Option<NumCmp>,
    /// `icmp_seq`
    pub icmp_seq: Option<NumCmp>,
    /// `ip_proto`
    pub ip_proto: Option<NumCmp>,
    /// `id` (IPv4 id)
    pub ip_id: Option<NumCmp>,
    /// `tos`
    pub tos: Option<NumCmp>,
    /// `ipopts` option name
    pub ipopts: Option<String>,
    /// `fragbits`
    pub fragbits: Option<FlagsMatch>,
    /// `fragoffset`
    pub fragoffset: Option<NumCmp>,
    /// `flags` / `tcp.flags`
    pub flags: Option<FlagsMatch>,
    /// `window`
    pub window: Option<NumCmp>,
    /// `seq`
    pub seq: Option<u32>,
    /// `ack`
    pub ack: Option<u32>,
    /// `sameip`
    pub sameip: bool,
    /// `flow`
    pub flow: Option<FlowOpts>,
    /// `flowbits` (except `noalert`)
    pub flowbits: Vec<Flowbit>,
    /// `flowint` options, in rule order.
    pub flowints: Vec<Flowint>,
    /// `noalert` / `flowbits:noalert`
    pub noalert: bool,
    /// `app-layer-protocol`
    pub app_layer_protocol: Option<AppProtoMatch>,
    /// `stream_size`
    pub stream_size: Option<StreamSize>,
    /// `urilen`
    pub urilen: Option<UriLen>,
    /// `threshold`
    pub threshold: Option<Threshold>,
    /// `detection_filter`
    pub detection_filter: Option<Threshold>,
    /// Event keywords.
    pub events: Vec<EventMatch>,
    /// `tag` was given (accepted, ignored).
    pub tag: bool,
    /// Number of byte_extract/byte_math variable slots used.
    pub var_count: usize,
    /// A payload (no sticky buffer) `content` was written with `depth`, `offset` or
    /// `startswith`. Suricata then inspects a TCP rule on each packet's own payload as
    /// well as on the reassembled stream (its `SIG_FLAG_REQUIRE_PACKET`). Limits derived
    /// from `distance`/`within` do not count.
    pub payload_anchored: bool,
}

impl Rule {
    /// Effective priority: `priority` or, failing that, none (the engine falls back to
    /// the classification's priority, then 3).
    pub fn explicit_priority(&self) -> Option<u32> {
        self.priority
    }

    /// The application protocol the rule needs: from the header (`http`, `dns`, `tls`,
    /// other app names) or implied by its buffers; None for packet-level rules.
    pub fn app_proto(&self) -> Option<&str> {
        use crate::header::Protocol;
        match &self.header.proto {
            Protocol::Http => Some("http"),
            Protocol::Dns => Some("dns"),
            Protocol::Tls => Some("tls"),
            Protocol::App(n) => Some(n.as_str()),
            _ => self.buffers.iter().find_map(|b| b.kind.app_proto()),
        }
    }

    /// True if any buffer other than the packet payload is inspected.
    pub fn has_app_buffers(&self) -> bool {
        self.buffers
            .iter()
            .any(|b| b.kind != crate::buffer::BufferKind::Payload)
    }
}
