//! SOC server: authenticated EVE ingest, an embedded store, the query language and the
//! analyst console.
//!
//! Data flows one way: `ingest` (auth, parse, dedupe by sensor sequence) → `store`
//! (SQLite behind the [`store::Store`] trait) → `api` / `console` (reads, triage).

pub mod api;
pub mod auth;
pub mod cli;
pub mod client;
pub mod config;
pub mod console;
pub mod evetime;
pub mod ingest;
pub mod maintenance;
pub mod query;
pub mod quickstart;
pub mod rulecheck;
pub mod server;
pub mod store;
pub mod tls;
