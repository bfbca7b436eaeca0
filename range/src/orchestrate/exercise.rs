//! An exercise's Docker objects: `up` (idempotent, all or nothing), `down` (everything with
//! the exercise's label), `status`, `restart`.
//!
//! What `up` makes, all labelled `city.range.exercise=<exercise>`:
//! - the network `range-<exercise>`: a bridge over `network.cidr` (gateway = first address,
//!   the host), `internal` so that containers reach each other and the host but nothing
//!   beyond;
//! - per image `VOLUME`, a named volume `range-<exercise>-<team>-<service>-<n>` (so that
//!   `down` finds it; anonymous volumes would carry no label);
//! - per team and service the container `range-<exercise>-<team>-<service>` at its fixed
//!   address, with memory = memory+swap (no swap), nano-CPUs, a pids limit,
//!   `cap_drop: ALL` plus the service's `capabilities`, `no-new-privileges`, a read-only
//!   root with a tmpfs `/tmp` when the service says `read_only: true`, no Docker socket or
//!   other host mount, restart policy `no` (the range reports health instead), and the
//!   label `city.range.spec` holding a digest of all of this.
//!
//! `up` checks everything before creating anything: images exist, the network does not
//! overlap another Docker network, objects that already exist match the plan (same
//! digest). Existing matching objects are kept; missing ones are created; if creation fails
//! half-way, what this call created is removed again.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HealthConfig, HostConfig, Ipam,
    IpamConfig, Mount, MountType, NetworkCreateRequest, NetworkingConfig, RestartPolicy,
    RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, ListContainersOptionsBuilder,
    ListNetworksOptionsBuilder, ListVolumesOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveVolumeOptionsBuilder, RestartContainerOptionsBuilder,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::plan::{ContainerPlan, Plan, LABEL, LABEL_SERVICE, LABEL_SPEC, LABEL_TEAM};
use super::{is_not_found, Engine, OrchestrateError};
use crate::scenario::network::Cidr;
use crate::scenario::Scenario;

/// Size of the tmpfs on `/tmp` of a read-only container.
const TMPFS: &str = "rw,nosuid,nodev,size=16m";

fn label_filter(exercise: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{LABEL}={exercise}")])])
}

/// A container's full configuration, as digested into [`LABEL_SPEC`].
#[derive(Serialize)]
struct Spec<'a> {
    plan: &'a ContainerPlan,
    image: &'a str,
    network: &'a str,
    health: Option<(&'a [String], u128, u32)>,
}

fn digest(spec: &Spec) -> String {
    let json = serde_json::to_vec(spec).unwrap_or_default();
    Sha256::digest(&json)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `up` did.
#[derive(Debug, Default, Serialize)]
pub struct UpReport {
    /// Objects created by this call.
    pub created: Vec<String>,
    /// Objects that existed and match the plan.
    pub kept: Vec<String>,
    /// Containers started by this call.
    pub started: Vec<String>,
}

enum Made {
    Network(String),
    Volume(String),
    Container(String),
}

fn overlap_check(
    engine: &Engine,
    plan: &Plan,
    own: &Cidr,
) -> Result<Option<String>, OrchestrateError> {
    let nets = engine
        .block_on(
            engine
                .docker()
                .list_networks(Some(ListNetworksOptionsBuilder::default().build())),
        )
        .map_err(OrchestrateError::api("listing networks"))?;
    let mut existing = None;
    for n in nets {
        let name = n.name.clone().unwrap_or_default();
        let subnets: Vec<String> = n
            .ipam
            .as_ref()
            .and_then(|i| i.config.as_ref())
            .map(|c| c.iter().filter_map(|x| x.subnet.clone()).collect())
            .unwrap_or_default();
        if name == plan.network.name {
            let ours = n.labels.as_ref().and_then(|l| l.get(LABEL)) == Some(&plan.exercise);
            if !ours || subnets != [plan.network.subnet.clone()] {
                return Err(OrchestrateError::Mismatch(
                    format!(
                        "network {name} exists with subnet(s) {subnets:?} and {} label, the plan wants {} labelled {}",
                        if ours { "the exercise's" } else { "another" },
                        plan.network.subnet,
                        plan.exercise
                    ),
                    plan.exercise.clone(),
                ));
            }
            existing = n.id.clone();
            continue;
        }
        for s in subnets {
            if let Ok(c) = s.parse::<Cidr>() {
                if c.overlaps(own) {
                    return Err(OrchestrateError::Network(format!(
                        "network.cidr {own} overlaps Docker network {name} ({s}); choose another network.cidr or remove that network"
                    )));
                }
            }
        }
    }
    Ok(existing)
}

fn container_body(
    s: &Scenario,
    plan: &Plan,
    c: &ContainerPlan,
    image: &str,
    spec: &str,
    mounts: Vec<Mount>,
) -> ContainerCreateBody {
    let svc = s.services.iter().find(|x| x.name == c.service);
    let healthcheck = svc.and_then(|x| x.health.as_ref()).map(|h| {
        let mut test = vec!["CMD".to_string()];
        test.extend(h.command.iter().cloned());
        let ns = h.interval.as_nanos().min(i64::MAX as u128) as i64;
        HealthConfig {
            test: Some(test),
            interval: Some(ns),
            timeout: Some(ns),
            retries: Some(i64::from(h.retries)),
            start_period: Some(ns),
            ..Default::default()
        }
    });
    let labels = HashMap::from([
        (LABEL.to_string(), plan.exercise.clone()),
        (LABEL_TEAM.to_string(), c.team.clone()),
        (LABEL_SERVICE.to_string(), c.service.clone()),
        (LABEL_SPEC.to_string(), spec.to_string()),
    ]);
    let host = HostConfig {
        memory: Some(c.memory as i64),
        memory_swap: Some(c.memory as i64),
        nano_cpus: Some(c.nano_cpus),
        pids_limit: Some(i64::from(c.pids)),
        cap_drop: Some(vec!["ALL".into()]),
        cap_add: (!c.cap_add.is_empty()).then(|| c.cap_add.clone()),
        security_opt: Some(vec!["no-new-privileges".into()]),
        readonly_rootfs: Some(c.read_only),
        tmpfs: c
            .read_only
            .then(|| HashMap::from([("/tmp".to_string(), TMPFS.to_string())])),
        restart_policy: Some(RestartPolicy {
            name: Some(RestartPolicyNameEnum::NO),
            maximum_retry_count: None,
        }),
        network_mode: Some(plan.network.name.clone()),
        mounts: (!mounts.is_empty()).then_some(mounts),
        ..Default::default()
    };
    let endpoint = EndpointSettings {
        ipam_config: Some(EndpointIpamConfig {
            ipv4_address: Some(c.ip.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(image.to_string()),
        hostname: Some(format!("{}-{}", c.team, c.service)),
        labels: Some(labels),
        healthcheck,
        host_config: Some(host),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(plan.network.name.clone(), endpoint)])),
        }),
        ..Default::default()
    }
}

/// Brings the exercise's network, volumes and containers up (see the module docs).
/// `images` maps each service to its image reference (from [`super::images::resolve`]).
pub fn up(
    engine: &Engine,
    s: &Scenario,
    plan: &Plan,
    images: &HashMap<String, String>,
    progress: &mut dyn FnMut(&str),
) -> Result<UpReport, OrchestrateError> {
    let mut made = Vec::new();
    let mut report = UpReport::default();
    match up_inner(engine, s, plan, images, progress, &mut made, &mut report) {
        Ok(()) => Ok(report),
        Err(e) => {
            progress(&format!(
                "up failed, removing the {} object(s) this call created",
                made.len()
            ));
            rollback(engine, made);
            Err(e)
        }
    }
}

fn rollback(engine: &Engine, made: Vec<Made>) {
    let d = engine.docker();
    for m in made.into_iter().rev() {
        let r = match &m {
            Made::Container(n) => engine.block_on(
                d.remove_container(
                    n,
                    Some(
                        RemoveContainerOptionsBuilder::default()
                            .force(true)
                            .v(true)
                            .build(),
                    ),
                ),
            ),
            Made::Volume(n) => engine.block_on(d.remove_volume(
                n,
                Some(RemoveVolumeOptionsBuilder::default().force(true).build()),
            )),
            Made::Network(n) => engine.block_on(d.remove_network(n)),
        };
        if let Err(e) = r {
            tracing::warn!(error = %e, "rollback: cannot remove an object");
        }
    }
}

fn up_inner(
    engine: &Engine,
    s: &Scenario,
    plan: &Plan,
    images: &HashMap<String, String>,
    progress: &mut dyn FnMut(&str),
    made: &mut Vec<Made>,
    report: &mut UpReport,
) -> Result<(), OrchestrateError> {
    let d = engine.docker();
    // 1. Check everything first.
    let existing_net = overlap_check(engine, plan, &s.network.cidr)?;
    let mut specs = Vec::new();
    let mut existing = Vec::new();
    for c in &plan.containers {
        let image = images
            .get(&c.service)
            .ok_or_else(|| OrchestrateError::NotFound(format!("no image for {}", c.service)))?;
        let svc = s.services.iter().find(|x| x.name == c.service);
        let spec = digest(&Spec {
            plan: c,
            image,
            network: &plan.network.name,
            health: svc
                .and_then(|x| x.health.as_ref())
                .map(|h| (h.command.as_slice(), h.interval.as_millis(), h.retries)),
        });
        let found =
            match engine.block_on(d.inspect_container(&c.name, None::<InspectContainerOptions>)) {
                Ok(i) => Some(i),
                Err(e) if is_not_found(&e) => None,
                Err(e) => return Err(OrchestrateError::api(format!("inspecting {}", c.name))(e)),
            };
        if let Some(i) = &found {
            let labels = i
                .config
                .as_ref()
                .and_then(|x| x.labels.clone())
                .unwrap_or_default();
            if labels.get(LABEL) != Some(&plan.exercise) || labels.get(LABEL_SPEC) != Some(&spec) {
                return Err(OrchestrateError::Mismatch(
                    format!(
                        "container {} exists with a different configuration than the plan",
                        c.name
                    ),
                    plan.exercise.clone(),
                ));
            }
        }
        let running = found
            .as_ref()
            .and_then(|i| i.state.as_ref())
            .and_then(|st| st.running)
            .unwrap_or(false);
        existing.push(found.map(|_| running));
        specs.push((image.clone(), spec));
    }
    // 2. The network.
    if existing_net.is_some() {
        report.kept.push(plan.network.name.clone());
    } else {
        let req = NetworkCreateRequest {
            name: plan.network.name.clone(),
            driver: Some("bridge".into()),
            internal: Some(true),
            ipam: Some(Ipam {
                driver: Some("default".into()),
                config: Some(vec![IpamConfig {
                    subnet: Some(plan.network.subnet.clone()),
                    gateway: Some(plan.network.gateway.clone()),
                    ..Default::default()
                }]),
                options: None,
            }),
            labels: Some(HashMap::from([(LABEL.to_string(), plan.exercise.clone())])),
            ..Default::default()
        };
        engine
            .block_on(d.create_network(req))
            .map_err(|e| match e {
                bollard::errors::Error::DockerResponseServerError { message, .. } => {
                    OrchestrateError::Network(format!(
                        "Docker refused network {} ({}): {message}",
                        plan.network.name, plan.network.subnet
                    ))
                }
                other => {
                    OrchestrateError::api(format!("creating network {}", plan.network.name))(other)
                }
            })?;
        made.push(Made::Network(plan.network.name.clone()));
        report.created.push(plan.network.name.clone());
        progress(&format!(
            "network {} {} (gateway {})",
            plan.network.name, plan.network.subnet, plan.network.gateway
        ));
    }
    // 3. Volumes and containers.
    for ((c, (image, spec)), state) in plan.containers.iter().zip(specs).zip(existing) {
        match state {
            Some(true) => {
                report.kept.push(c.name.clone());
                continue;
            }
            Some(false) => report.kept.push(c.name.clone()),
            None => {
                let volumes = engine
                    .block_on(d.inspect_image(&image))
                    .map_err(OrchestrateError::api(format!("inspecting image {image}")))?
                    .config
                    .and_then(|x| x.volumes)
                    .unwrap_or_default();
                let mut mounts = Vec::new();
                for (n, target) in volumes.iter().enumerate() {
                    let name = format!("{}-{n}", c.name);
                    let labels = HashMap::from([
                        (LABEL.to_string(), plan.exercise.clone()),
                        (LABEL_TEAM.to_string(), c.team.clone()),
                        (LABEL_SERVICE.to_string(), c.service.clone()),
                    ]);
                    let existed = match engine.block_on(d.inspect_volume(&name)) {
                        Ok(_) => true,
                        Err(e) if is_not_found(&e) => false,
                        Err(e) => {
                            return Err(OrchestrateError::api(format!("inspecting volume {name}"))(
                                e,
                            ))
                        }
                    };
                    if !existed {
                        engine
                            .block_on(d.create_volume(VolumeCreateRequest {
                                name: Some(name.clone()),
                                labels: Some(labels),
                                ..Default::default()
                            }))
                            .map_err(OrchestrateError::api(format!("creating volume {name}")))?;
                        made.push(Made::Volume(name.clone()));
                    }
                    mounts.push(Mount {
                        target: Some(target.clone()),
                        source: Some(name),
                        typ: Some(MountType::VOLUME),
                        ..Default::default()
                    });
                }
                let body = container_body(s, plan, c, &image, &spec, mounts);
                engine
                    .block_on(
                        d.create_container(
                            Some(
                                CreateContainerOptionsBuilder::default()
                                    .name(&c.name)
                                    .build(),
                            ),
                            body,
                        ),
                    )
                    .map_err(OrchestrateError::api(format!(
                        "creating container {}",
                        c.name
                    )))?;
                made.push(Made::Container(c.name.clone()));
                report.created.push(c.name.clone());
            }
        }
        engine
            .block_on(d.start_container(&c.name, None))
            .map_err(OrchestrateError::api(format!(
                "starting container {}",
                c.name
            )))?;
        report.started.push(c.name.clone());
        progress(&format!("container {} at {} ({})", c.name, c.ip, image));
    }
    Ok(())
}

/// What `down` removed.
#[derive(Debug, Default, Serialize)]
pub struct DownReport {
    /// Containers removed.
    pub containers: Vec<String>,
    /// Networks removed.
    pub networks: Vec<String>,
    /// Volumes removed.
    pub volumes: Vec<String>,
}

/// Removes every container, network and volume labelled with `exercise` (found by label,
/// so it also cleans up after a crash). Objects already gone are not an error.
pub fn down(engine: &Engine, exercise: &str) -> Result<DownReport, OrchestrateError> {
    let d = engine.docker();
    let filters = label_filter(exercise);
    let mut report = DownReport::default();
    let containers = engine
        .block_on(
            d.list_containers(Some(
                ListContainersOptionsBuilder::default()
                    .all(true)
                    .filters(&filters)
                    .build(),
            )),
        )
        .map_err(OrchestrateError::api("listing containers"))?;
    for c in containers {
        let Some(id) = c.id else { continue };
        let name = c
            .names
            .and_then(|n| n.first().cloned())
            .unwrap_or_else(|| id.clone());
        match engine.block_on(
            d.remove_container(
                &id,
                Some(
                    RemoveContainerOptionsBuilder::default()
                        .force(true)
                        .v(true)
                        .build(),
                ),
            ),
        ) {
            Ok(()) => report
                .containers
                .push(name.trim_start_matches('/').to_string()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(OrchestrateError::api(format!("removing container {name}"))(
                    e,
                ))
            }
        }
    }
    let nets = engine
        .block_on(
            d.list_networks(Some(
                ListNetworksOptionsBuilder::default()
                    .filters(&filters)
                    .build(),
            )),
        )
        .map_err(OrchestrateError::api("listing networks"))?;
    for n in nets {
        let Some(id) = n.id else { continue };
        let name = n.name.unwrap_or_else(|| id.clone());
        match engine.block_on(d.remove_network(&id)) {
            Ok(()) => report.networks.push(name),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(OrchestrateError::api(format!("removing network {name}"))(e)),
        }
    }
    let vols = engine
        .block_on(
            d.list_volumes(Some(
                ListVolumesOptionsBuilder::default()
                    .filters(&filters)
                    .build(),
            )),
        )
        .map_err(OrchestrateError::api("listing volumes"))?;
    for v in vols.volumes.unwrap_or_default() {
        match engine.block_on(d.remove_volume(
            &v.name,
            Some(RemoveVolumeOptionsBuilder::default().force(true).build()),
        )) {
            Ok(()) => report.volumes.push(v.name),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(OrchestrateError::api(format!("removing volume {}", v.name))(e)),
        }
    }
    Ok(report)
}

/// One container of an exercise as `status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerStatus {
    /// Container name.
    pub name: String,
    /// Team.
    pub team: String,
    /// Service.
    pub service: String,
    /// Address on the exercise network.
    pub ip: String,
    /// `running`, `exited`, ...
    pub state: String,
    /// `healthy`, `unhealthy`, `starting`, or `none` without a health check.
    pub health: String,
    /// Main process id on the host (0 when not running).
    pub pid: i64,
}

/// The exercise's containers, sorted by team then service.
pub fn status(engine: &Engine, exercise: &str) -> Result<Vec<ContainerStatus>, OrchestrateError> {
    let d = engine.docker();
    let list = engine
        .block_on(
            d.list_containers(Some(
                ListContainersOptionsBuilder::default()
                    .all(true)
                    .filters(&label_filter(exercise))
                    .build(),
            )),
        )
        .map_err(OrchestrateError::api("listing containers"))?;
    let mut out = Vec::new();
    for c in list {
        let Some(id) = c.id else { continue };
        let i = match engine.block_on(d.inspect_container(&id, None::<InspectContainerOptions>)) {
            Ok(i) => i,
            Err(e) if is_not_found(&e) => continue,
            Err(e) => return Err(OrchestrateError::api(format!("inspecting {id}"))(e)),
        };
        let labels = i
            .config
            .as_ref()
            .and_then(|x| x.labels.clone())
            .unwrap_or_default();
        let st = i.state.clone().unwrap_or_default();
        let ip = i
            .network_settings
            .as_ref()
            .and_then(|n| n.networks.as_ref())
            .and_then(|n| n.values().next())
            .and_then(|e| e.ip_address.clone())
            .unwrap_or_default();
        out.push(ContainerStatus {
            name: i
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            team: labels.get(LABEL_TEAM).cloned().unwrap_or_default(),
            service: labels.get(LABEL_SERVICE).cloned().unwrap_or_default(),
            ip,
            state: st.status.map(|x| x.to_string()).unwrap_or_default(),
            health: st
                .health
                .and_then(|h| h.status)
                .map(|x| x.to_string())
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| "none".into()),
            pid: st.pid.unwrap_or(0),
        });
    }
    out.sort_by(|a, b| (&a.team, &a.service).cmp(&(&b.team, &b.service)));
    Ok(out)
}

/// Restarts (or starts, when stopped) one team's service container.
pub fn restart(
    engine: &Engine,
    exercise: &str,
    team: &str,
    service: &str,
) -> Result<String, OrchestrateError> {
    let found = status(engine, exercise)?
        .into_iter()
        .find(|c| c.team == team && c.service == service)
        .ok_or_else(|| {
            OrchestrateError::NotFound(format!(
                "exercise {exercise} has no container for team {team}, service {service} (is it up?)"
            ))
        })?;
    engine
        .block_on(engine.docker().restart_container(
            &found.name,
            Some(RestartContainerOptionsBuilder::default().t(5).build()),
        ))
        .map_err(OrchestrateError::api(format!("restarting {}", found.name)))?;
    Ok(found.name)
}
