//! FAUST scoring, computed incrementally.
//!
//! Per team and service: attack = Σ over the team's captures of (1 + 1/c_f) where c_f is how
//! many teams captured flag f; defense = −Σ over the team's lost flags of c_f^0.75;
//! SLA = (OK ticks + 0.5 × RECOVERING ticks) × sqrt(active teams); total = Σ over services.
//! "Active teams" is the number of teams of the scenario.
//!
//! A new capture of a flag already captured c times changes every earlier captor's attack by
//! 1/(c+1) − 1/c and the owner's defense by c^0.75 − (c+1)^0.75: O(c) per capture.

use std::collections::HashMap;

use serde::Serialize;

use super::flag::FlagId;
use super::status::SlaStatus;

/// Score of one team in one service.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceScore {
    /// Attack points.
    pub attack: f64,
    /// Defense points (zero or negative).
    pub defense: f64,
    /// SLA points.
    pub sla: f64,
    /// Ticks with OK.
    pub ok_ticks: u32,
    /// Ticks with RECOVERING.
    pub recovering_ticks: u32,
    /// Flags captured.
    pub captures: u32,
    /// Own flags lost (distinct flags).
    pub flags_lost: u32,
    /// Latest status.
    pub status: Option<SlaStatus>,
}

/// The incremental scoreboard.
#[derive(Debug, Clone)]
pub struct Scoreboard {
    teams: usize,
    services: usize,
    cells: Vec<ServiceScore>,
    captors: HashMap<FlagId, Vec<u16>>,
}

/// One team's line of the scoreboard.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TeamLine {
    /// Team index.
    pub team: usize,
    /// Sum over services of attack + defense + SLA.
    pub total: f64,
    /// Per service, in scenario order.
    pub services: Vec<ServiceScore>,
}

impl Scoreboard {
    /// An empty board.
    pub fn new(teams: usize, services: usize) -> Self {
        Scoreboard {
            teams,
            services,
            cells: vec![ServiceScore::default(); teams * services],
            captors: HashMap::new(),
        }
    }

    fn cell(&mut self, team: usize, service: usize) -> Option<&mut ServiceScore> {
        if team < self.teams && service < self.services {
            self.cells.get_mut(team * self.services + service)
        } else {
            None
        }
    }

    /// How many teams captured `flag`.
    pub fn captors(&self, flag: &FlagId) -> usize {
        self.captors.get(flag).map_or(0, Vec::len)
    }

    /// Records that `attacker` captured `flag` (the caller has ruled out DUP and OWN).
    pub fn capture(&mut self, attacker: usize, flag: FlagId) {
        let svc = usize::from(flag.service);
        let owner = usize::from(flag.team);
        if attacker >= self.teams || owner >= self.teams || svc >= self.services {
            return;
        }
        let list = self.captors.entry(flag).or_default();
        let c = list.len() as f64;
        let earlier: Vec<u16> = list.clone();
        list.push(attacker as u16);
        if c > 0.0 {
            let delta = 1.0 / (c + 1.0) - 1.0 / c;
            for t in earlier {
                if let Some(cell) = self.cell(usize::from(t), svc) {
                    cell.attack += delta;
                }
            }
        }
        if let Some(cell) = self.cell(attacker, svc) {
            cell.attack += 1.0 + 1.0 / (c + 1.0);
            cell.captures += 1;
        }
        if let Some(cell) = self.cell(owner, svc) {
            cell.defense -= (c + 1.0).powf(0.75) - c.powf(0.75);
            if c == 0.0 {
                cell.flags_lost += 1;
            }
        }
    }

    /// Records a tick's status of a team's service.
    pub fn status(&mut self, team: usize, service: usize, status: SlaStatus) {
        let factor = (self.teams as f64).sqrt();
        if let Some(cell) = self.cell(team, service) {
            match status {
                SlaStatus::Ok => cell.ok_ticks += 1,
                SlaStatus::Recovering => cell.recovering_ticks += 1,
                _ => {}
            }
            cell.sla += status.points() * factor;
            cell.status = Some(status);
        }
    }

    /// The board, one line per team in team order.
    pub fn lines(&self) -> Vec<TeamLine> {
        (0..self.teams)
            .map(|t| {
                let services: Vec<ServiceScore> =
                    self.cells[t * self.services..(t + 1) * self.services].to_vec();
                let total = services.iter().map(|s| s.attack + s.defense + s.sla).sum();
                TeamLine {
                    team: t,
                    total,
                    services,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_capture_splits_the_bonus_and_costs_the_owner_more() {
        let mut b = Scoreboard::new(3, 1);
        let f = FlagId {
            team: 0,
            service: 0,
            tick: 1,
            store: 0,
        };
        b.capture(1, f);
        assert_eq!(b.lines()[1].services[0].attack, 2.0);
        assert_eq!(b.lines()[0].services[0].defense, -1.0);
        b.capture(2, f);
        let l = b.lines();
        assert!((l[1].services[0].attack - 1.5).abs() < 1e-12);
        assert!((l[2].services[0].attack - 1.5).abs() < 1e-12);
        assert!((l[0].services[0].defense + 2f64.powf(0.75)).abs() < 1e-12);
    }

    #[test]
    fn sla_counts_ok_fully_and_recovering_half_times_sqrt_teams() {
        let mut b = Scoreboard::new(4, 1);
        b.status(0, 0, SlaStatus::Ok);
        b.status(0, 0, SlaStatus::Recovering);
        b.status(0, 0, SlaStatus::Down);
        b.status(0, 0, SlaStatus::CheckerError);
        assert!((b.lines()[0].total - 1.5 * 2.0).abs() < 1e-12);
    }
}
