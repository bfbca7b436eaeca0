//! One tick's checker round: for every team and service, `check`, then `put` of this tick's
//! flags (one per flag store), then `get` of the flags of the previous `lifetime − 1` ticks;
//! team/service pairs run in parallel (bounded), the actions of one pair in order. The game
//! lock is held only to read flags and to record results. A relative checker command
//! (`checkers/notes`) is taken relative to the scenario folder, which is also its working
//! directory.
//!
//! Status of a pair: a CHECKER_ERROR anywhere → CHECKER_ERROR; else the first non-OK verdict
//! of `check` or a `put` (MUMBLE, CORRUPT, DOWN); else RECOVERING when a `get` of an older
//! flag failed; else OK.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::checker::{run, run_bounded, Action, CheckerVerdict, Invocation, Run};
use crate::game::{FlagId, Game, GameError, SlaStatus};
use crate::scenario::Scenario;

/// The outcome of one team's service in a round.
#[derive(Debug, Clone)]
pub struct PairResult {
    /// Team index.
    pub team: usize,
    /// Service index.
    pub service: usize,
    /// The status recorded.
    pub status: SlaStatus,
    /// Every run, in order (check, puts, gets).
    pub runs: Vec<Run>,
}

/// The SLA status from the verdicts of one pair's actions.
pub fn decide(
    check: CheckerVerdict,
    puts: &[CheckerVerdict],
    gets: &[CheckerVerdict],
) -> SlaStatus {
    let all = std::iter::once(&check).chain(puts).chain(gets);
    if all.clone().any(|v| *v == CheckerVerdict::CheckerError) {
        return SlaStatus::CheckerError;
    }
    if let Some(v) = std::iter::once(&check)
        .chain(puts)
        .find(|v| **v != CheckerVerdict::Ok)
    {
        return v.status();
    }
    if gets.iter().any(|v| *v != CheckerVerdict::Ok) {
        SlaStatus::Recovering
    } else {
        SlaStatus::Ok
    }
}

struct Pair {
    team: usize,
    service: usize,
    base: Invocation,
    puts: Vec<(FlagId, String)>,
    gets: Vec<(FlagId, String, String)>,
}

/// Runs the round of `tick`, records statuses and flag ids in the game, returns the results.
pub fn run_tick(
    scenario: &Scenario,
    scenario_dir: Option<PathBuf>,
    game: &Mutex<Game>,
    tick: u32,
    parallel: usize,
) -> Result<Vec<PairResult>, GameError> {
    let pairs: Vec<Pair> = {
        let g = game.lock().unwrap_or_else(|p| p.into_inner());
        let lifetime = g.config().lifetime;
        let mut pairs = Vec::new();
        for (ti, team) in scenario.teams.iter().enumerate() {
            for (si, svc) in scenario.services.iter().enumerate() {
                let mut puts = Vec::new();
                let mut gets = Vec::new();
                for store in 0..svc.flag_stores {
                    let id = FlagId {
                        team: ti as u16,
                        service: si as u16,
                        tick,
                        store,
                    };
                    puts.push((id, g.flag(id)));
                    for back in 1..lifetime.min(tick + 1) {
                        let old = FlagId {
                            tick: tick - back,
                            ..id
                        };
                        if let Some(fid) = g.flag_id(&old) {
                            gets.push((old, fid.to_string(), g.flag(old)));
                        }
                    }
                }
                let mut command = svc.checker.command.clone();
                if let (Some(first), Some(dir)) = (command.first_mut(), &scenario_dir) {
                    let p = std::path::Path::new(first.as_str());
                    if p.is_relative() && first.contains('/') {
                        *first = dir.join(p).display().to_string();
                    }
                }
                pairs.push(Pair {
                    team: ti,
                    service: si,
                    base: Invocation {
                        command,
                        cwd: scenario_dir.clone(),
                        host: team.service_addr(si).to_string(),
                        action: Action::Check,
                        timeout: svc.checker.timeout,
                        on_timeout: svc.checker.on_timeout,
                    },
                    puts,
                    gets,
                });
            }
        }
        pairs
    };
    let outcomes = run_bounded(&pairs, parallel, |p| {
        let mut runs = vec![run(&p.base)];
        let mut put_ids = Vec::new();
        for (id, flag) in &p.puts {
            let proposed = format!("{}-{}-{}", id.tick, id.store, id.team);
            let r = run(&Invocation {
                action: Action::Put {
                    flag_id: proposed.clone(),
                    flag: flag.clone(),
                    vuln: u32::from(id.store) + 1,
                },
                ..p.base.clone()
            });
            if r.verdict == CheckerVerdict::Ok {
                put_ids.push((*id, r.flag_id().unwrap_or(&proposed).to_string()));
            }
            runs.push(r);
        }
        for (id, fid, flag) in &p.gets {
            runs.push(run(&Invocation {
                action: Action::Get {
                    flag_id: fid.clone(),
                    flag: flag.clone(),
                    vuln: u32::from(id.store) + 1,
                },
                ..p.base.clone()
            }));
        }
        (runs, put_ids)
    });
    let mut g = game.lock().unwrap_or_else(|p| p.into_inner());
    let mut results = Vec::with_capacity(pairs.len());
    for (p, (runs, put_ids)) in pairs.iter().zip(outcomes) {
        let v: Vec<CheckerVerdict> = runs.iter().map(|r| r.verdict).collect();
        let n_puts = p.puts.len();
        let status = decide(v[0], &v[1..1 + n_puts], &v[1 + n_puts..]);
        for (id, fid) in put_ids {
            g.record_put(id, fid)?;
        }
        g.record_status(tick, p.team, p.service, status)?;
        results.push(PairResult {
            team: p.team,
            service: p.service,
            status,
            runs,
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckerVerdict as V;

    #[test]
    fn status_follows_check_then_put_then_get() {
        assert_eq!(decide(V::Ok, &[V::Ok], &[V::Ok]), SlaStatus::Ok);
        assert_eq!(decide(V::Down, &[V::Ok], &[]), SlaStatus::Down);
        assert_eq!(
            decide(V::Ok, &[V::Mumble], &[V::Corrupt]),
            SlaStatus::Mumble
        );
        assert_eq!(
            decide(V::Ok, &[V::Ok], &[V::Corrupt]),
            SlaStatus::Recovering
        );
        assert_eq!(
            decide(V::Ok, &[V::Ok], &[V::CheckerError]),
            SlaStatus::CheckerError
        );
    }
}
