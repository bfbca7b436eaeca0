//! The connection to the Docker engine: the local socket (or `DOCKER_HOST`), the API version
//! negotiated down to the daemon's (Docker 20.10 speaks 1.41), and a small runtime so that
//! the rest of the range stays synchronous.

use std::future::Future;

use bollard::Docker;

use super::OrchestrateError;

/// A connected engine.
pub struct Engine {
    docker: Docker,
    rt: tokio::runtime::Runtime,
}

impl Engine {
    /// Connects, negotiates the API version and pings the daemon.
    pub fn connect() -> Result<Engine, OrchestrateError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(OrchestrateError::io("starting the Docker client runtime"))?;
        let docker = rt.block_on(async {
            let d = Docker::connect_with_local_defaults()
                .map_err(|e| OrchestrateError::Unreachable(e.to_string()))?;
            let d = d
                .negotiate_version()
                .await
                .map_err(|e| OrchestrateError::Unreachable(e.to_string()))?;
            d.ping()
                .await
                .map_err(|e| OrchestrateError::Unreachable(e.to_string()))?;
            Ok::<_, OrchestrateError>(d)
        })?;
        tracing::debug!(api = %docker.client_version(), "connected to Docker");
        Ok(Engine { docker, rt })
    }

    /// The client.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// The negotiated API version.
    pub fn api_version(&self) -> String {
        self.docker.client_version().to_string()
    }

    /// Runs `f` to completion.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}
