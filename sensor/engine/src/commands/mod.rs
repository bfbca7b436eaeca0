//! The subcommands.

pub mod enroll;
pub mod rules_check;
pub mod run;
pub mod status;

pub mod load;
