//! The deterministic plan of Docker objects for a scenario: same file, same names and
//! addresses, every time.
//!
//! One Docker bridge network per exercise (`range-<exercise>`) spans the whole game network
//! `network.cidr`; its gateway (the first address, in the infrastructure subnet) is the host
//! itself, where the game server listens and checkers run. Team *i*'s service *k* gets the
//! fixed address `2 + k` in the team's subnet. All teams share the bridge so that they can
//! attack each other; the game server tells teams apart by source subnet.

use serde::Serialize;

use crate::scenario::model::ImageSource;
use crate::scenario::Scenario;

/// Label carried by every object of an exercise; its value is the exercise name.
pub const LABEL: &str = "city.range.exercise";
/// Label naming the team of a container.
pub const LABEL_TEAM: &str = "city.range.team";
/// Label naming the service of a container or image.
pub const LABEL_SERVICE: &str = "city.range.service";
/// Label holding a digest of the container's whole configuration (plan, image, health check):
/// `up` keeps an existing container only when it matches.
pub const LABEL_SPEC: &str = "city.range.spec";

/// The Docker network to create.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkPlan {
    /// Name.
    pub name: String,
    /// Subnet (`ipam_config`): the whole game network.
    pub subnet: String,
    /// Gateway (first address): the host side of the bridge.
    pub gateway: String,
}

/// Where a container's image comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImagePlan {
    /// An existing local image reference.
    Image(String),
    /// A build folder relative to the scenario file (`range images build` tags it).
    Build(String),
}

/// A container to create.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerPlan {
    /// Name.
    pub name: String,
    /// Team name.
    pub team: String,
    /// Service name.
    pub service: String,
    /// Image reference or build folder.
    pub image: ImagePlan,
    /// Fixed address on the exercise network.
    pub ip: String,
    /// TCP ports the service listens on.
    pub ports: Vec<u16>,
    /// Memory limit (bytes); swap limited to the same (no swap).
    pub memory: u64,
    /// CPU limit in nano-CPUs.
    pub nano_cpus: i64,
    /// Pids limit.
    pub pids: u32,
    /// Capabilities added after `cap_drop: ALL`.
    pub cap_add: Vec<String>,
    /// Read-only root filesystem (a tmpfs on `/tmp`).
    pub read_only: bool,
}

/// Everything to create for an exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Exercise name (label value).
    pub exercise: String,
    /// The exercise's network.
    pub network: NetworkPlan,
    /// One container per team and service, teams in file order.
    pub containers: Vec<ContainerPlan>,
    /// The game server's address (the network's gateway).
    pub game_server: String,
}

impl Plan {
    /// The plan of `s`.
    pub fn of(s: &Scenario) -> Plan {
        let network = NetworkPlan {
            name: format!("range-{}", s.name),
            subnet: s.network.cidr.to_string(),
            gateway: s.network.game_server().to_string(),
        };
        let mut containers = Vec::new();
        for t in &s.teams {
            for (i, svc) in s.services.iter().enumerate() {
                containers.push(ContainerPlan {
                    name: format!("range-{}-{}-{}", s.name, t.name, svc.name),
                    team: t.name.clone(),
                    service: svc.name.clone(),
                    image: match &svc.source {
                        ImageSource::Image(i) => ImagePlan::Image(i.clone()),
                        ImageSource::Build(dir) => ImagePlan::Build(dir.clone()),
                    },
                    ip: t.service_addr(i).to_string(),
                    ports: svc.ports.clone(),
                    memory: svc.resources.memory,
                    nano_cpus: (svc.resources.cpus * 1e9) as i64,
                    pids: svc.resources.pids,
                    cap_add: svc.capabilities.clone(),
                    read_only: svc.read_only,
                });
            }
        }
        Plan {
            exercise: s.name.clone(),
            network,
            containers,
            game_server: s.network.game_server().to_string(),
        }
    }
}
