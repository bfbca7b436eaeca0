//! What the game server needs of a scenario, fixed when the game starts.

use serde::{Deserialize, Serialize};

use super::clock::Clock;
use super::flag::FlagKey;
use crate::scenario::Scenario;

/// The fixed configuration of one game (first line of its journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameConfig {
    /// Exercise name.
    pub name: String,
    /// Team names, index = team number.
    pub teams: Vec<String>,
    /// Service names, index = service number.
    pub services: Vec<String>,
    /// Flag stores per service.
    pub flag_stores: Vec<u8>,
    /// Flag prefix.
    pub prefix: String,
    /// Flag lifetime in ticks.
    pub lifetime: u32,
    /// Tick at which the public scoreboard freezes, if any.
    pub freeze_tick: Option<u32>,
    /// The clock (never paused here; pauses are journal events).
    pub clock: Clock,
    /// The flag key, hex.
    pub key_hex: String,
}

impl GameConfig {
    /// The configuration for `scenario` started at `now_ms` (unless it names a start).
    pub fn from_scenario(s: &Scenario, now_ms: i64, key: &FlagKey) -> Self {
        let tick_ms = s.timing.tick.as_millis().clamp(1, u128::from(u64::MAX)) as u64;
        let ticks =
            (s.timing.duration.as_millis() / u128::from(tick_ms)).min(u128::from(u32::MAX)) as u32;
        let freeze_tick = s
            .timing
            .freeze
            .map(|f| (f.as_millis() / u128::from(tick_ms)).min(u128::from(u32::MAX)) as u32);
        GameConfig {
            name: s.name.clone(),
            teams: s.teams.iter().map(|t| t.name.clone()).collect(),
            services: s.services.iter().map(|x| x.name.clone()).collect(),
            flag_stores: s.services.iter().map(|x| x.flag_stores).collect(),
            prefix: s.flags.prefix.clone(),
            lifetime: s.flags.lifetime,
            freeze_tick,
            clock: Clock::new(s.timing.start_unix_ms.unwrap_or(now_ms), tick_ms, ticks),
            key_hex: key.0.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// The flag key decoded from hex (`None` when the file was tampered with).
    pub fn key(&self) -> Option<FlagKey> {
        let h = self.key_hex.as_bytes();
        if h.len() != 64 {
            return None;
        }
        let mut k = [0u8; 32];
        for (i, pair) in h.chunks(2).enumerate() {
            let s = std::str::from_utf8(pair).ok()?;
            k[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(FlagKey(k))
    }
}

/// A fresh random key from the OS.
pub fn random_key() -> std::io::Result<FlagKey> {
    use std::io::Read;
    let mut k = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut k)?;
    Ok(FlagKey(k))
}
