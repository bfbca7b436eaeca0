//! Compilation stage: rule sources to [`YaraRules`].

mod compiler;
mod rule_info;
mod rules;

pub use rules::YaraRules;
