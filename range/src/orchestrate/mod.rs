//! Docker orchestration with bollard.
//!
//! - [`plan`]: the deterministic plan (names, addresses, limits); needs no Docker.
//! - [`engine`]: the connection to the Docker engine (API version negotiated at start).
//! - [`images`]: `range images build`: the busybox base image and the service images,
//!   tagged with a content hash and built with the classic builder.
//! - [`exercise`]: `up`, `down`, `status`, `restart` of an exercise's network, volumes and
//!   containers; every object carries the label [`plan::LABEL`] = exercise name so that
//!   `down` finds all of it, also after a crash of the range process.
//! - [`server`]: the detached game server process and its per-exercise state directory.
//! - [`events`]: the Docker events of an exercise's containers (health, death).

pub mod engine;
pub mod events;
pub mod exercise;
pub mod images;
pub mod plan;
pub mod server;

use thiserror::Error;

pub use engine::Engine;
pub use plan::Plan;

/// Orchestration failures; each says what to do about it where there is something to do.
#[derive(Debug, Error)]
pub enum OrchestrateError {
    /// The engine cannot be reached.
    #[error("cannot reach the Docker engine ({0}); is dockerd running and /var/run/docker.sock accessible?")]
    Unreachable(String),
    /// An API call failed.
    #[error("Docker: {what}: {source}")]
    Api {
        /// What the range was doing.
        what: String,
        /// The engine's answer.
        source: bollard::errors::Error,
    },
    /// An image the plan needs is not there.
    #[error("image {image} of service {service} not found: run `range images build {hint}` first")]
    MissingImage {
        /// The reference.
        image: String,
        /// The service.
        service: String,
        /// The scenario folder to build.
        hint: String,
    },
    /// The network cannot be created.
    #[error("impossible network: {0}")]
    Network(String),
    /// An object of the same name exists with a different configuration.
    #[error("{0}; run `range down {1}` first (or restore the scenario it was created from)")]
    Mismatch(String, String),
    /// A service image failed to build.
    #[error("building {image}: {message}")]
    Build {
        /// The image tag.
        image: String,
        /// What the builder said.
        message: String,
    },
    /// Local files (build folders, state directory, busybox).
    #[error("{what}: {source}")]
    Io {
        /// What the range was doing.
        what: String,
        /// The failure.
        source: std::io::Error,
    },
    /// The game server process.
    #[error("game server: {0}")]
    Server(String),
    /// No such team or service.
    #[error("{0}")]
    NotFound(String),
}

impl OrchestrateError {
    /// An API failure while doing `what`.
    pub fn api(what: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> Self {
        let what = what.into();
        move |source| OrchestrateError::Api { what, source }
    }

    /// A local I/O failure while doing `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| OrchestrateError::Io { what, source }
    }
}

/// Whether a bollard error is the engine's "404 not found".
pub fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
