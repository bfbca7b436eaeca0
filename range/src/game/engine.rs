//! The game: judges submissions, records statuses, keeps the scoreboard, persists events.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;
use thiserror::Error;

use super::clock::{Clock, Phase};
use super::config::GameConfig;
use super::flag::{FlagId, FlagKey};
use super::journal::{Journal, JournalError, Record};
use super::scoring::{Scoreboard, TeamLine};
use super::status::SlaStatus;
use super::verdict::Verdict;

/// Game failures.
#[derive(Debug, Error)]
pub enum GameError {
    /// Persistence.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The configuration's key is not 64 hex digits.
    #[error("the game's flag key is malformed")]
    BadKey,
    /// An index outside the game.
    #[error("no team {team} or service {service}")]
    NoSuch {
        /// Team index.
        team: usize,
        /// Service index.
        service: usize,
    },
}

/// A running (or finished) game.
#[derive(Debug)]
pub struct Game {
    config: GameConfig,
    key: FlagKey,
    clock: Clock,
    board: Scoreboard,
    frozen: Option<Vec<TeamLine>>,
    submitted: HashSet<(u16, FlagId)>,
    statuses: HashSet<(u32, u16, u16)>,
    flag_ids: HashMap<FlagId, String>,
    last_round: Option<u32>,
    journal: Option<Journal>,
}

/// The scoreboard as printed by `range score`.
#[derive(Debug, Serialize)]
pub struct Standings<'a> {
    /// Exercise name.
    pub name: &'a str,
    /// Clock phase now.
    pub phase: Phase,
    /// Team names.
    pub teams: &'a [String],
    /// Service names.
    pub services: &'a [String],
    /// Lines in team order.
    pub lines: Vec<TeamLine>,
}

impl Game {
    fn build(config: GameConfig, journal: Option<Journal>) -> Result<Self, GameError> {
        let key = config.key().ok_or(GameError::BadKey)?;
        Ok(Game {
            board: Scoreboard::new(config.teams.len(), config.services.len()),
            clock: config.clock.clone(),
            key,
            config,
            frozen: None,
            submitted: HashSet::new(),
            statuses: HashSet::new(),
            flag_ids: HashMap::new(),
            last_round: None,
            journal,
        })
    }

    /// A game that persists nothing (tests, benchmarks).
    pub fn in_memory(config: GameConfig) -> Result<Self, GameError> {
        Self::build(config, None)
    }

    /// A new game persisted at `path` (which must not exist).
    pub fn create(path: &Path, config: GameConfig) -> Result<Self, GameError> {
        let j = Journal::create(path, &config)?;
        Self::build(config, Some(j))
    }

    /// Resumes the game persisted at `path`.
    pub fn open(path: &Path) -> Result<Self, GameError> {
        let (j, config, records) = Journal::open(path)?;
        let mut g = Self::build(config, None)?;
        for r in records {
            g.apply(&r);
        }
        g.journal = Some(j);
        Ok(g)
    }

    fn apply(&mut self, r: &Record) {
        match r {
            Record::Game(_) => {}
            Record::Capture {
                attacker,
                flag,
                tick,
            } => {
                if self.submitted.insert((*attacker, *flag)) {
                    self.maybe_freeze(*tick);
                    self.board.capture(usize::from(*attacker), *flag);
                }
            }
            Record::Status {
                tick,
                team,
                service,
                status,
            } => {
                self.last_round = self.last_round.max(Some(*tick));
                if self.statuses.insert((*tick, *team, *service)) {
                    self.maybe_freeze(*tick);
                    self.board
                        .status(usize::from(*team), usize::from(*service), *status);
                }
            }
            Record::Put { flag, flag_id } => {
                self.flag_ids.insert(*flag, flag_id.clone());
            }
            Record::Pause { at_ms } => self.clock.pause(*at_ms),
            Record::Resume => self.clock.resume(),
        }
    }

    fn maybe_freeze(&mut self, tick: u32) {
        if self.frozen.is_none() && self.config.freeze_tick.is_some_and(|f| tick >= f) {
            self.frozen = Some(self.board.lines());
        }
    }

    fn persist(&mut self, r: Record) -> Result<(), GameError> {
        if let Some(j) = &mut self.journal {
            j.append(&r)?;
        }
        self.apply(&r);
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &GameConfig {
        &self.config
    }

    /// The clock phase at `now_ms`.
    pub fn phase(&self, now_ms: i64) -> Phase {
        self.clock.phase(now_ms)
    }

    /// The flag string of `id`.
    pub fn flag(&self, id: FlagId) -> String {
        self.key.sign(&self.config.prefix, id)
    }

    /// Judges `text` submitted by team `attacker` at `now_ms`. Order of checks: ERR (game not
    /// running), INV (format, signature, unknown team/service/store, future tick), OWN, OLD,
    /// DUP, then OK (recorded and scored).
    pub fn submit(&mut self, attacker: usize, text: &str, now_ms: i64) -> Verdict {
        let Phase::Running(tick) = self.clock.phase(now_ms) else {
            return Verdict::Err;
        };
        let Ok(id) = self.key.verify(&self.config.prefix, text.trim()) else {
            return Verdict::Inv;
        };
        let svc = usize::from(id.service);
        if usize::from(id.team) >= self.config.teams.len()
            || !matches!(self.config.flag_stores.get(svc), Some(s) if id.store < *s)
            || id.tick > tick
            || attacker >= self.config.teams.len()
        {
            return Verdict::Inv;
        }
        if usize::from(id.team) == attacker {
            return Verdict::Own;
        }
        if tick - id.tick >= self.config.lifetime {
            return Verdict::Old;
        }
        let attacker = attacker as u16;
        if self.submitted.contains(&(attacker, id)) {
            return Verdict::Dup;
        }
        match self.persist(Record::Capture {
            attacker,
            flag: id,
            tick,
        }) {
            Ok(()) => Verdict::Ok,
            Err(e) => {
                tracing::error!(error = %e, "cannot persist a capture");
                Verdict::Err
            }
        }
    }

    /// Records the status of a team's service in `tick` (a repeat for the same tick is ignored).
    pub fn record_status(
        &mut self,
        tick: u32,
        team: usize,
        service: usize,
        status: SlaStatus,
    ) -> Result<(), GameError> {
        if team >= self.config.teams.len() || service >= self.config.services.len() {
            return Err(GameError::NoSuch { team, service });
        }
        if self.statuses.contains(&(tick, team as u16, service as u16)) {
            return Ok(());
        }
        self.persist(Record::Status {
            tick,
            team: team as u16,
            service: service as u16,
            status,
        })
    }

    /// The latest tick with a recorded status (a resumed game server continues after it).
    pub fn last_round(&self) -> Option<u32> {
        self.last_round
    }

    /// Remembers the flag id a checker's `put` printed for `flag`.
    pub fn record_put(&mut self, flag: FlagId, flag_id: String) -> Result<(), GameError> {
        self.persist(Record::Put { flag, flag_id })
    }

    /// The flag id stored for `flag`, for the checker's `get`.
    pub fn flag_id(&self, flag: &FlagId) -> Option<&str> {
        self.flag_ids.get(flag).map(String::as_str)
    }

    /// Pauses ticks and submission.
    pub fn pause(&mut self, now_ms: i64) -> Result<(), GameError> {
        if self.clock.paused_at_ms.is_some() {
            return Ok(());
        }
        self.persist(Record::Pause { at_ms: now_ms })
    }

    /// Resumes on the wall clock.
    pub fn resume(&mut self) -> Result<(), GameError> {
        if self.clock.paused_at_ms.is_none() {
            return Ok(());
        }
        self.persist(Record::Resume)
    }

    /// The live scoreboard (trainers).
    pub fn standings(&self, now_ms: i64) -> Standings<'_> {
        Standings {
            name: &self.config.name,
            phase: self.clock.phase(now_ms),
            teams: &self.config.teams,
            services: &self.config.services,
            lines: self.board.lines(),
        }
    }

    /// The public scoreboard: frozen at the freeze tick, live before it.
    pub fn public_standings(&self, now_ms: i64) -> Standings<'_> {
        let mut s = self.standings(now_ms);
        if let Some(f) = &self.frozen {
            s.lines = f.clone();
        }
        s
    }
}
