//! Checkers: the Hackerdom exec protocol, runs with timeouts, bounded concurrency.

pub mod exec;
pub mod pool;
pub mod protocol;

pub use exec::{run, Invocation, Run};
pub use pool::{run_all, run_bounded};
pub use protocol::{Action, CheckerVerdict};
