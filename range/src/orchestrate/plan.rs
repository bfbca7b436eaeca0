//! The deterministic plan of Docker objects for a scenario: same file, same names and
//! addresses, every time.

use serde::Serialize;

use crate::scenario::model::ImageSource;
use crate::scenario::Scenario;

/// Label carried by every object of an exercise; its value is the exercise name.
pub const LABEL: &str = "city.range.exercise";

/// A Docker network to create.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkPlan {
    /// Name.
    pub name: String,
    /// Subnet (`ipam_config`).
    pub subnet: String,
    /// Gateway (first address).
    pub gateway: String,
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
    /// Image reference, or build folder for `images build`.
    pub image: String,
    /// Network name.
    pub network: String,
    /// Fixed address.
    pub ip: String,
    /// Memory limit (bytes); swap limited to the same.
    pub memory: u64,
    /// CPU limit in nano-CPUs.
    pub nano_cpus: i64,
    /// Pids limit.
    pub pids: u32,
    /// Capabilities added after `cap_drop: ALL`.
    pub cap_add: Vec<String>,
}

/// Everything to create for an exercise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Exercise name (label value).
    pub exercise: String,
    /// Infrastructure network first, then one per team.
    pub networks: Vec<NetworkPlan>,
    /// One container per team and service (vulnbox services share the team's address
    /// range: service `i` of a team gets host address `2 + i`).
    pub containers: Vec<ContainerPlan>,
    /// The game server's address.
    pub game_server: String,
}

impl Plan {
    /// The plan of `s`.
    pub fn of(s: &Scenario) -> Plan {
        let infra = NetworkPlan {
            name: format!("range-{}-infra", s.name),
            subnet: s.network.infra.to_string(),
            gateway: s.network.infra.host(1).to_string(),
        };
        let mut networks = vec![infra];
        let mut containers = Vec::new();
        for t in &s.teams {
            let net = format!("range-{}-{}", s.name, t.name);
            networks.push(NetworkPlan {
                name: net.clone(),
                subnet: t.subnet.to_string(),
                gateway: t.subnet.host(1).to_string(),
            });
            for (i, svc) in s.services.iter().enumerate() {
                containers.push(ContainerPlan {
                    name: format!("range-{}-{}-{}", s.name, t.name, svc.name),
                    team: t.name.clone(),
                    service: svc.name.clone(),
                    image: match &svc.source {
                        ImageSource::Image(i) => i.clone(),
                        ImageSource::Build(dir) => format!("build:{dir}"),
                    },
                    network: net.clone(),
                    ip: t.subnet.host(2 + i as u32).to_string(),
                    memory: svc.resources.memory,
                    nano_cpus: (svc.resources.cpus * 1e9) as i64,
                    pids: svc.resources.pids,
                    cap_add: svc.capabilities.clone(),
                });
            }
        }
        Plan {
            exercise: s.name.clone(),
            networks,
            containers,
            game_server: s.network.game_server().to_string(),
        }
    }
}
