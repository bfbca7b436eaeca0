//! The range: attack/defense exercises from scenario files.
//!
//! Modules, one concern each:
//! - [`scenario`]: the versioned YAML scenario file, parsed with positions and validated
//!   with every error reported as `file:line:column: what was expected`.
//! - [`game`]: wall-clock ticks, HMAC-signed flags, submission verdicts, FAUST scoring and
//!   the persisted game state.
//! - [`checker`]: running checkers by the Hackerdom exec protocol with timeouts and bounded
//!   concurrency.
//! - [`submit`]: the flag submission line protocol over TCP.
//! - [`round`]: one tick of checker runs turned into SLA statuses.
//! - [`orchestrate`]: Docker: images, networks, containers, the game server process.
//! - [`web`]: the live scoreboard, trainer login and controls over HTTP.
//! - [`soc`]: exercise events sent to the SOC server's ingest API.

pub mod checker;
pub mod game;
pub mod orchestrate;
pub mod round;
pub mod scenario;
pub mod soc;
pub mod submit;
pub mod web;
