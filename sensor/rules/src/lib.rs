//! Suricata 7 rule language for the sensor: parsing, variables, config files and the
//! per-buffer match primitives with Suricata's semantics.
//!
//! - [`parse_rule`] / [`load_files`] turn rule text into [`Rule`]s, skipping (never
//!   half-applying) rules with keywords that cannot be honoured.
//! - [`inspect_buffer`] evaluates one buffer's [`MatchOp`]s the way Suricata's
//!   `DetectEngineContentInspection` does (relative matching, backtracking, negation).
//! - [`config`] parses `classification.config` and `threshold.config`.

pub mod buffer;
pub mod config;
pub mod error;
pub mod header;
pub mod inspect;
pub mod keywords;
pub mod numcmp;
pub mod ops;
pub mod parse;
pub mod rule;
pub mod search;
pub mod transform;
pub mod vars;

pub use buffer::{BufferKind, Direction};
pub use error::{ConfigError, RuleError};
pub use header::{Action, AddrSet, Header, PortSet, Protocol};
pub use inspect::{find_content, inspect_buffer, match_content_only, InspectCtx};
pub use numcmp::NumCmp;
pub use ops::{BufferMatch, ContentOp, MatchOp, PcreOp, Transform, ValueRef};
pub use parse::load::{load_files, load_str, LoadReport, Skipped};
pub use parse::rule::parse_rule;
pub use rule::{FastPattern, Rule};
pub use transform::apply_transforms;
pub use vars::Vars;
