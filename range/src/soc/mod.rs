//! Exercise events to the SOC server: EVE-style JSON (`event_type: range`) sent to its
//! ingest API, never blocking the game.

pub mod tail;
