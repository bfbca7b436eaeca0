//! The sensor engine: capture → decode → flow/reassembly → app-layer → detect → EVE.
//!
//! Each stage lives in its own crate (`sensor-net`, `sensor-flow`, `sensor-app`,
//! `sensor-rules`, `sensor-detect`); this crate wires them into a pipeline
//! ([`pipeline`]), writes EVE JSON ([`output`]) and provides the command line.

pub mod cli;
pub mod commands;
pub mod config;
pub mod control;
pub mod output;
pub mod pipeline;
