//! Running a sensor under the SOC's control: rules swapped in while capturing
//! ([`EngineSlot`]), rulesets fetched from the server and SIGHUP reloads ([`rules`]),
//! health counters ([`Health`]) and the background agent that polls and sends
//! heartbeats ([`agent`]).

pub mod agent;
mod health;
pub mod rules;
mod slot;

pub use health::{Health, WorkerHealth};
pub use slot::EngineSlot;
