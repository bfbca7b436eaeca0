//! The subcommands.

pub mod rules_check;
pub mod run;

mod load;
