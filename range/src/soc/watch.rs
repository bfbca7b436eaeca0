//! Turns the game into exercise events: follows the journal (service statuses, captures)
//! and the clock (tick starts), and queues each event on the sender; control actions come
//! from the control API's hook ([`control`]).
//! It reads the journal file and holds the game lock only to read the phase, so the game
//! never waits on the SOC.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;

use super::event::{from_record, RangeEvent};
use super::sender::{Pending, SocSender};
use super::tail::JournalTail;
use crate::game::{now_ms, Game, Phase};

/// How often the journal and the clock are looked at.
pub const POLL: Duration = Duration::from_millis(250);

/// Starts the watcher thread; it ends when `stop` is set.
pub fn spawn(
    game: Arc<Mutex<Game>>,
    sender: Arc<SocSender>,
    journal: PathBuf,
    stop: Arc<AtomicBool>,
) -> std::io::Result<thread::JoinHandle<()>> {
    let cfg = game
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .config()
        .clone();
    let state = sender.state();
    let start = state
        .journal_offset
        .unwrap_or_else(|| JournalTail::new(journal.clone(), 0).len_now());
    let mut tail = JournalTail::new(journal, start);
    let mut last_tick = state.last_tick;
    thread::Builder::new()
        .name("soc-watch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let phase = game
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .phase(now_ms());
                if let Phase::Running(t) | Phase::Paused(t) = phase {
                    if last_tick.is_none_or(|l| t > l) {
                        let mut e = RangeEvent::new("tick_started");
                        e.tick = Some(t);
                        e.extra
                            .insert("tick_start_ms".into(), json!(cfg.clock.tick_start(t)));
                        e.extra.insert("ticks".into(), json!(cfg.clock.ticks));
                        sender.push(Pending {
                            line: e.to_eve(&cfg.name, now_ms()).to_string(),
                            journal_offset: None,
                            tick_started: Some(t),
                        });
                        last_tick = Some(t);
                    }
                }
                match tail.poll() {
                    Ok(records) => {
                        for (r, off) in records {
                            if let Some(e) = from_record(&cfg, &r) {
                                sender.push(Pending {
                                    line: e.to_eve(&cfg.name, now_ms()).to_string(),
                                    journal_offset: Some(off),
                                    tick_started: None,
                                });
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "reading the journal for SOC events"),
                }
                thread::sleep(POLL);
            }
        })
}

/// Queues a control action taken through the control API (`actor`: `trainer` or `cli`).
pub fn control(sender: &SocSender, exercise: &str, action: &str, actor: &str) {
    let mut e = RangeEvent::new("control");
    e.status = Some(action.to_string());
    e.extra.insert("actor".into(), json!(actor));
    sender.push(Pending {
        line: e.to_eve(exercise, now_ms()).to_string(),
        journal_offset: None,
        tick_started: None,
    });
}
