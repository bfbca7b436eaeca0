//! Exercise events to the SOC server: EVE-style JSON (`event_type: range`, see [`event`])
//! for tick starts, service statuses, flag captures and control actions, posted to its
//! ingest API (`POST {url}/api/v1/ingest`, sensor token, `X-Sensor-Seq`) by a background
//! sender with a bounded queue and retries ([`sender`]); [`watch`] derives the events from
//! the game's journal and clock, so the game never waits on the SOC.

pub mod event;
pub mod sender;
pub mod tail;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use crate::game::Game;
pub use sender::{SocSender, SocTarget};

/// The sender's state file beside the game's state file: `<state>.soc.json`.
pub fn state_file(game_state: &Path) -> PathBuf {
    let mut p = game_state.as_os_str().to_owned();
    p.push(".soc.json");
    PathBuf::from(p)
}

/// Starts the sender and the watcher for the game persisted at `game_state`.
pub fn start(
    game: Arc<Mutex<Game>>,
    game_state: &Path,
    target: SocTarget,
    stop: Arc<AtomicBool>,
) -> std::io::Result<Arc<SocSender>> {
    let sender = SocSender::start(target, state_file(game_state), Arc::clone(&stop))?;
    watch::spawn(game, Arc::clone(&sender), game_state.to_path_buf(), stop)?;
    Ok(sender)
}
