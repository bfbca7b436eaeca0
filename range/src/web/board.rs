//! The scoreboard as JSON: per team total, per-service attack, defense, SLA, current
//! status; first bloods (first capture per service, read from the game's journal); the
//! public view respects the scenario's freeze and a trainer's manual freeze.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::game::journal::Record;
use crate::game::scoring::TeamLine;
use crate::game::{Game, Phase};
use crate::soc::tail::JournalTail;

/// The first capture of a service's flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstBlood {
    /// Captor team index.
    pub team: usize,
    /// Tick of the capture.
    pub tick: u32,
}

/// Scoreboard state the game does not keep: first bloods and the manual freeze.
#[derive(Debug)]
pub struct Board {
    tail: Option<JournalTail>,
    first_bloods: Vec<Option<FirstBlood>>,
    manual: Option<Value>,
    freeze_file: Option<PathBuf>,
}

/// The tick a phase is in (`None` before the start).
pub fn phase_tick(p: Phase, ticks: u32) -> Option<u32> {
    match p {
        Phase::NotStarted => None,
        Phase::Running(t) | Phase::Paused(t) => Some(t),
        Phase::Over => Some(ticks),
    }
}

impl Board {
    /// A board for `services` services. `journal`: the game's state file (first bloods come
    /// from it); `freeze_file`: where a manual freeze survives restarts.
    pub fn new(services: usize, journal: Option<PathBuf>, freeze_file: Option<PathBuf>) -> Self {
        let manual = freeze_file
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        Board {
            tail: journal.map(|p| JournalTail::new(p, 0)),
            first_bloods: vec![None; services],
            manual,
            freeze_file,
        }
    }

    /// Reads new journal lines.
    pub fn refresh(&mut self) {
        let Some(t) = &mut self.tail else { return };
        match t.poll() {
            Ok(records) => {
                for (r, _) in records {
                    if let Record::Capture {
                        attacker,
                        flag,
                        tick,
                    } = r
                    {
                        if let Some(slot @ None) =
                            self.first_bloods.get_mut(usize::from(flag.service))
                        {
                            *slot = Some(FirstBlood {
                                team: usize::from(attacker),
                                tick,
                            });
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading the journal for first bloods"),
        }
    }

    /// First bloods per service.
    pub fn first_bloods(&self) -> &[Option<FirstBlood>] {
        &self.first_bloods
    }

    /// Whether a trainer froze the public board.
    pub fn manually_frozen(&self) -> bool {
        self.manual.is_some()
    }

    /// Freezes the public board as it is now (no effect when already frozen).
    pub fn freeze(&mut self, game: &Game, now_ms: i64) -> std::io::Result<()> {
        if self.manual.is_some() {
            return Ok(());
        }
        self.refresh();
        let mut snap = self.render(game, now_ms, false);
        snap["manual_freeze_at_ms"] = json!(now_ms);
        if let Some(p) = &self.freeze_file {
            let tmp = p.with_extension("tmp");
            std::fs::write(&tmp, serde_json::to_vec(&snap).unwrap_or_default())?;
            std::fs::rename(&tmp, p)?;
        }
        self.manual = Some(snap);
        Ok(())
    }

    /// Lifts a manual freeze.
    pub fn unfreeze(&mut self) -> std::io::Result<()> {
        self.manual = None;
        if let Some(p) = &self.freeze_file {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The scoreboard JSON: the full board for trainers, the public one otherwise (call
    /// [`Board::refresh`] first, outside the game's lock).
    pub fn json(&self, game: &Game, now_ms: i64, trainer: bool) -> Value {
        let mut v = self.render(game, now_ms, trainer);
        if !trainer {
            if let Some(snap) = &self.manual {
                v["teams"] = snap["teams"].clone();
                v["first_bloods"] = snap["first_bloods"].clone();
                v["frozen"] = json!(true);
            }
        }
        v["manual_freeze"] = json!(self.manual.is_some());
        v
    }

    fn render(&self, game: &Game, now_ms: i64, trainer: bool) -> Value {
        let cfg = game.config();
        let phase = game.phase(now_ms);
        let tick = phase_tick(phase, cfg.clock.ticks);
        let auto_frozen = matches!((cfg.freeze_tick, tick), (Some(f), Some(t)) if t >= f);
        let st = if trainer {
            game.standings(now_ms)
        } else {
            game.public_standings(now_ms)
        };
        let mut order: Vec<&TeamLine> = st.lines.iter().collect();
        order.sort_by(|a, b| b.total.total_cmp(&a.total).then(a.team.cmp(&b.team)));
        let teams: Vec<Value> = order
            .iter()
            .enumerate()
            .map(|(rank, l)| {
                let services: Vec<Value> = l
                    .services
                    .iter()
                    .enumerate()
                    .map(|(si, s)| {
                        json!({
                            "service": cfg.services.get(si),
                            "attack": s.attack,
                            "defense": s.defense,
                            "sla": s.sla,
                            "points": s.attack + s.defense + s.sla,
                            "status": s.status,
                            "captures": s.captures,
                            "flags_lost": s.flags_lost,
                            "ok_ticks": s.ok_ticks,
                            "recovering_ticks": s.recovering_ticks,
                        })
                    })
                    .collect();
                json!({
                    "rank": rank + 1,
                    "team": cfg.teams.get(l.team),
                    "index": l.team,
                    "total": l.total,
                    "services": services,
                })
            })
            .collect();
        let hide_after = if trainer || !auto_frozen {
            None
        } else {
            cfg.freeze_tick
        };
        let first_bloods: Vec<Value> = self
            .first_bloods
            .iter()
            .enumerate()
            .filter_map(|(si, fb)| {
                let fb = (*fb)?;
                if hide_after.is_some_and(|f| fb.tick >= f) {
                    return None;
                }
                Some(json!({
                    "service": cfg.services.get(si),
                    "team": cfg.teams.get(fb.team),
                    "tick": fb.tick,
                }))
            })
            .collect();
        json!({
            "exercise": cfg.name,
            "view": if trainer { "trainer" } else { "public" },
            "phase": phase,
            "tick": tick,
            "ticks": cfg.clock.ticks,
            "tick_ms": cfg.clock.tick_ms,
            "freeze_tick": cfg.freeze_tick,
            "frozen": !trainer && auto_frozen,
            "services": cfg.services,
            "teams": teams,
            "first_bloods": first_bloods,
            "generated_at_ms": now_ms,
        })
    }
}
