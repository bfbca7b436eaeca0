//! The validated scenario (schema `version: 1`), as the rest of the range uses it.

use std::net::Ipv4Addr;
use std::time::Duration;

use super::network::Cidr;

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Exercise name (labels, state file names).
    pub name: String,
    /// The teams, 2 to 10, in file order (their index is their number).
    pub teams: Vec<Team>,
    /// The services every team runs.
    pub services: Vec<Service>,
    /// The game clock.
    pub timing: Timing,
    /// Flag format and lifetime.
    pub flags: Flags,
    /// The address plan.
    pub network: Network,
    /// Flag submission endpoints.
    pub submission: Submission,
    /// The scoring model.
    pub scoring: Scoring,
    /// Player and trainer access.
    pub access: Access,
}

/// A team.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    /// Unique name.
    pub name: String,
    /// Token for HTTP flag submission; generated at start when absent.
    pub token: Option<String>,
    /// The team's subnet (derived, or given explicitly).
    pub subnet: Cidr,
}

/// Where a service image comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ImageSource {
    /// An existing local image.
    Image(String),
    /// A folder with a Dockerfile, relative to the scenario file.
    Build(String),
}

/// A service every team runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Unique name.
    pub name: String,
    /// Image or build folder.
    pub source: ImageSource,
    /// TCP ports the service listens on.
    pub ports: Vec<u16>,
    /// Resource limits.
    pub resources: Resources,
    /// Optional container health check.
    pub health: Option<HealthCheck>,
    /// The checker.
    pub checker: CheckerSpec,
    /// Flag stores (flags put per tick).
    pub flag_stores: u8,
    /// Linux capabilities added after dropping all.
    pub capabilities: Vec<String>,
    /// Whether the service runs on a read-only root filesystem (with a tmpfs on `/tmp`).
    pub read_only: bool,
}

/// Container limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    /// Memory limit in bytes (swap is limited to the same value).
    pub memory: u64,
    /// CPU share (1.0 = one core).
    pub cpus: f64,
    /// Maximum processes.
    pub pids: u32,
}

/// A container health check.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    /// Command run inside the container.
    pub command: Vec<String>,
    /// Time between checks.
    pub interval: Duration,
    /// Failures before unhealthy.
    pub retries: u32,
}

/// What a checker timeout counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutVerdict {
    /// DOWN (Hackerdom convention).
    Down,
    /// CHECKER_ERROR (never against the team).
    CheckerError,
}

/// How to run a service's checker.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckerSpec {
    /// Executable and leading arguments, relative paths to the scenario folder.
    pub command: Vec<String>,
    /// Time limit of one action.
    pub timeout: Duration,
    /// What a timeout counts as.
    pub on_timeout: TimeoutVerdict,
}

/// The game clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Start in Unix milliseconds, or `None` for "now" (when the game server starts).
    pub start_unix_ms: Option<i64>,
    /// Tick length.
    pub tick: Duration,
    /// Game length.
    pub duration: Duration,
    /// Scoreboard freeze, as an offset from the start.
    pub freeze: Option<Duration>,
}

/// Flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Flags {
    /// Prefix before `{`.
    pub prefix: String,
    /// Ticks a flag stays valid.
    pub lifetime: u32,
}

/// The address plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// The game network.
    pub cidr: Cidr,
    /// Prefix length of each team subnet.
    pub team_prefix: u8,
    /// The infrastructure subnet (first subnet: the game network's gateway, which is the
    /// host the game server and checkers run on).
    pub infra: Cidr,
}

impl Network {
    /// The game server's address: the game network's gateway (first address of the
    /// infrastructure subnet), i.e. the host side of the exercise's Docker bridge.
    pub fn game_server(&self) -> Ipv4Addr {
        self.infra.host(1)
    }
}

impl Team {
    /// The team's vulnbox address (second address of its subnet).
    pub fn vulnbox(&self) -> Ipv4Addr {
        self.subnet.host(2)
    }

    /// The address of the team's `index`-th service container (host `2 + index`).
    pub fn service_addr(&self, index: usize) -> Ipv4Addr {
        self.subnet.host(2 + index as u32)
    }
}

/// A rate limit per team.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Flags per second sustained.
    pub per_second: f64,
    /// Burst size.
    pub burst: u32,
}

/// Flag submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// TCP line protocol port.
    pub tcp_port: u16,
    /// HTTP JSON endpoint port.
    pub http_port: Option<u16>,
    /// Limit per team.
    pub rate_limit: RateLimit,
}

/// Scoring models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoringModel {
    /// FAUST CTF's formula.
    Faust,
}

/// Scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// The model.
    pub model: ScoringModel,
}

/// Access.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    /// Environment variable holding the trainer password.
    pub trainer_password_env: String,
    /// Whether players get SSH into their vulnbox.
    pub ssh: bool,
}
