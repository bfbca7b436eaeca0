//! Match operations of one buffer (content, pcre, byte_*, isdataat, ...).

use crate::buffer::BufferKind;
use crate::numcmp::NumCmp;
use crate::search::Searcher;

/// A numeric argument: a literal or a `byte_extract`/`byte_math` variable (by slot index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRef {
    /// Literal value.
    Lit(i64),
    /// Variable slot in `InspectCtx::vars`.
    Var(usize),
}

/// Explicit `fast_pattern` settings on a content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FastPatternSpec {
    /// `fast_pattern` was given.
    pub set: bool,
    /// `fast_pattern:only` (deprecated in 7; accepted, same as plain).
    pub only: bool,
    /// `fast_pattern:offset,len`.
    pub chop: Option<(u16, u16)>,
}

/// A `content` match.
#[derive(Debug, Clone)]
pub struct ContentOp {
    /// Decoded pattern bytes.
    pub pattern: Vec<u8>,
    /// `content:!"..."`
    pub negated: bool,
    /// `nocase`
    pub nocase: bool,
    /// `offset`
    pub offset: Option<ValueRef>,
    /// `depth`
    pub depth: Option<ValueRef>,
    /// `distance` (relative; may be negative)
    pub distance: Option<ValueRef>,
    /// `within` (relative)
    pub within: Option<ValueRef>,
    /// `startswith`
    pub startswith: bool,
    /// `endswith`
    pub endswith: bool,
    /// `rawbytes` (accepted, no effect)
    pub rawbytes: bool,
    /// Explicit `fast_pattern` settings.
    pub fast_pattern: FastPatternSpec,
    /// Prebuilt searcher (rebuilt by the parser when `nocase` is set).
    pub searcher: Searcher,
    /// Suricata's RELATIVE_NEXT: a later op is anchored to this match, so on failure
    /// of the rest the next occurrence is tried (set by the parser).
    pub relative_next: bool,
}

impl ContentOp {
    /// A content with no modifiers.
    pub fn new(pattern: Vec<u8>, negated: bool) -> ContentOp {
        let searcher = Searcher::new(&pattern, false);
        ContentOp {
            pattern,
            negated,
            nocase: false,
            offset: None,
            depth: None,
            distance: None,
            within: None,
            startswith: false,
            endswith: false,
            rawbytes: false,
            fast_pattern: FastPatternSpec::default(),
            searcher,
            relative_next: false,
        }
    }

    /// True if this content is relative to the previous match (distance/within).
    pub fn is_relative(&self) -> bool {
        self.distance.is_some() || self.within.is_some()
    }

    /// Rebuild the searcher after changing `pattern` or `nocase`.
    pub fn rebuild(&mut self) {
        self.searcher = Searcher::new(&self.pattern, self.nocase);
    }
}

/// A `pcre` match. The compiled regex is `Send + Sync` and keeps a per-thread
/// match-data pool internally.
#[derive(Debug, Clone)]
pub struct PcreOp {
    /// The compiled regex (JIT when available).
    pub regex: pcre2::bytes::Regex,
    /// The source text as written in the rule.
    pub source: String,
    /// `!` before the pattern.
    pub negated: bool,
    /// `R`: start at the end of the previous match.
    pub relative: bool,
    /// Capture targets (`pkt:name` / `flow:name`), in capture-group order.
    pub captures: Vec<String>,
    /// Suricata's RELATIVE_NEXT (see [`ContentOp::relative_next`]).
    pub relative_next: bool,
}

/// `isdataat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsDataAtOp {
    /// Position to test.
    pub value: ValueRef,
    /// `relative`
    pub relative: bool,
    /// `!`
    pub negated: bool,
}

/// Byte order of numeric extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Endian {
    /// Big endian (default).
    #[default]
    Big,
    /// Little endian.
    Little,
}

/// How bytes are turned into a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumBase {
    /// Binary (with [`Endian`]).
    #[default]
    Binary,
    /// ASCII string in base 10.
    Dec,
    /// ASCII string in base 16.
    Hex,
    /// ASCII string in base 8.
    Oct,
}

/// byte_test operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOp {
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `&` (non-zero after AND)
    And,
    /// `^` (non-zero after XOR)
    Xor,
}

/// `byte_test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteTestOp {
    /// Bytes to extract.
    pub nbytes: u8,
    /// Operator.
    pub op: ByteOp,
    /// `!` before the operator.
    pub negated: bool,
    /// Value compared against.
    pub value: ValueRef,
    /// Offset of the extraction.
    pub offset: ValueRef,
    /// `relative`
    pub relative: bool,
    /// Endianness (binary only).
    pub endian: Endian,
    /// Number base.
    pub base: NumBase,
    /// `bitmask`
    pub bitmask: Option<u64>,
}

/// `byte_jump`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteJumpOp {
    /// Bytes to extract.
    pub nbytes: u8,
    /// Offset of the extraction.
    pub offset: ValueRef,
    /// `relative`
    pub relative: bool,
    /// `multiplier`
    pub multiplier: u64,
    /// `post_offset`
    pub post_offset: i64,
    /// `from_beginning`
    pub from_beginning: bool,
    /// `from_end`
    pub from_end: bool,
    /// `align`
    pub align: bool,
    /// Endianness.
    pub endian: Endian,
    /// Number base.
    pub base: NumBase,
    /// `bitmask`
    pub bitmask: Option<u64>,
}

/// `byte_extract`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteExtractOp {
    /// Bytes to extract.
    pub nbytes: u8,
    /// Offset of the extraction.
    pub offset: i64,
    /// Variable name.
    pub name: String,
    /// Slot in the context's variable table.
    pub slot: usize,
    /// `relative`
    pub relative: bool,
    /// `multiplier`
    pub multiplier: u64,
    /// `align`
    pub align: u8,
    /// Endianness.
    pub endian: Endian,
    /// Number base.
    pub base: NumBase,
    /// `bitmask`
    pub bitmask: Option<u64>,
}

/// byte_math operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

/// `byte_math`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteMathOp {
    /// Bytes to extract.
    pub nbytes: u8,
    /// Offset of the extraction.
    pub offset: i64,
    /// Operator.
    pub op: MathOp,
    /// Right-hand value.
    pub rvalue: ValueRef,
    /// Result variable name.
    pub name: String,
    /// Result slot.
    pub slot: usize,
    /// `relative`
    pub relative: bool,
    /// Endianness.
    pub endian: Endian,
    /// Number base.
    pub base: NumBase,
    /// `bitmask`
    pub bitmask: Option<u64>,
}

/// `base64_decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base64DecodeOp {
    /// `bytes` to decode (0 = all).
    pub bytes: u32,
    /// `offset`
    pub offset: u32,
    /// `relative`
    pub relative: bool,
}

/// One match operation on a buffer.
#[derive(Debug, Clone)]
pub enum MatchOp {
    /// `content`
    Content(ContentOp),
    /// `pcre`
    Pcre(PcreOp),
    /// `isdataat`
    IsDataAt(IsDataAtOp),
    /// `byte_test`
    ByteTest(ByteTestOp),
    /// `byte_jump`
    ByteJump(ByteJumpOp),
    /// `byte_extract`
    ByteExtract(ByteExtractOp),
    /// `byte_math`
    ByteMath(ByteMathOp),
    /// `bsize` (length of the whole buffer)
    Bsize(NumCmp),
    /// `base64_decode`: decode into the context's base64 buffer.
    Base64Decode(Base64DecodeOp),
    /// `base64_data`: the remaining ops inspect the decoded buffer.
    Base64Data,
}

impl MatchOp {
    /// True if the op is evaluated relative to the previous match position.
    pub fn is_relative(&self) -> bool {
        match self {
            MatchOp::Content(c) => c.is_relative(),
            MatchOp::Pcre(p) => p.relative,
            MatchOp::IsDataAt(i) => i.relative,
            MatchOp::ByteTest(b) => b.relative,
            MatchOp::ByteJump(b) => b.relative,
            MatchOp::ByteExtract(b) => b.relative,
            MatchOp::ByteMath(b) => b.relative,
            MatchOp::Base64Decode(b) => b.relative,
            MatchOp::Bsize(_) | MatchOp::Base64Data => false,
        }
    }
}

/// A transform applied to a buffer before inspection.
#[derive(Debug, Clone)]
pub enum Transform {
    /// `dotprefix`
    Dotprefix,
    /// `strip_whitespace`
    StripWhitespace,
    /// `compress_whitespace`
    CompressWhitespace,
    /// `to_lowercase`
    ToLowercase,
    /// `to_uppercase`
    ToUppercase,
    /// `to_md5` (lowercase hex is NOT produced: raw 16-byte digest, as Suricata)
    ToMd5,
    /// `to_sha1` (raw digest)
    ToSha1,
    /// `to_sha256` (raw digest)
    ToSha256,
    /// `url_decode`
    UrlDecode,
    /// `xor:"key"`
    Xor(Vec<u8>),
    /// `header_lowercase`
    HeaderLowercase,
    /// `strip_pseudo_headers` (no-op for HTTP/1)
    StripPseudoHeaders,
    /// `pcrexform:"re"`: the first capture group becomes the buffer.
    Pcrexform(pcre2::bytes::Regex),
}

/// The ops of one buffer, with transforms, in rule order.
///
/// Several content groups on the same buffer stay separate entries when they are
/// separated by a different buffer in the rule text (Suricata merges them into one
/// list; the engine must require all entries to match).
#[derive(Debug, Clone)]
pub struct BufferMatch {
    /// Which buffer.
    pub kind: BufferKind,
    /// Transforms applied in order before inspection.
    pub transforms: Vec<Transform>,
    /// Ops in rule order.
    pub ops: Vec<MatchOp>,
}
