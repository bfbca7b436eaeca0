//! The boundary to Docker. Planning (names, labels, addresses, limits) needs no Docker and
//! lives in [`plan`]; carrying a plan out goes through [`Orchestrator`], implemented with
//! bollard in a later session. Until then [`NotImplemented`] answers every call.

pub mod plan;

use thiserror::Error;

use crate::scenario::Scenario;
pub use plan::Plan;

/// Orchestration failures.
#[derive(Debug, Error)]
pub enum OrchestrateError {
    /// No Docker backend yet.
    #[error("not implemented yet: needs the Docker orchestration (issue 5)")]
    NotImplemented,
}

/// What the range asks of a container engine. Every object it makes carries the label
/// [`plan::LABEL`] = exercise name, so that `down` finds all of it, also after a crash.
pub trait Orchestrator {
    /// Creates networks and containers of the plan; idempotent.
    fn up(&self, scenario: &Scenario, plan: &Plan) -> Result<(), OrchestrateError>;
    /// Removes every container, network and volume labelled with the exercise.
    fn down(&self, exercise: &str) -> Result<(), OrchestrateError>;
    /// Container states and health of the exercise, as JSON.
    fn status(&self, exercise: &str) -> Result<serde_json::Value, OrchestrateError>;
    /// Restarts one team's service container.
    fn restart(&self, exercise: &str, team: &str, service: &str) -> Result<(), OrchestrateError>;
}

/// The placeholder backend.
#[derive(Debug, Default)]
pub struct NotImplemented;

impl Orchestrator for NotImplemented {
    fn up(&self, _: &Scenario, _: &Plan) -> Result<(), OrchestrateError> {
        Err(OrchestrateError::NotImplemented)
    }
    fn down(&self, _: &str) -> Result<(), OrchestrateError> {
        Err(OrchestrateError::NotImplemented)
    }
    fn status(&self, _: &str) -> Result<serde_json::Value, OrchestrateError> {
        Err(OrchestrateError::NotImplemented)
    }
    fn restart(&self, _: &str, _: &str, _: &str) -> Result<(), OrchestrateError> {
        Err(OrchestrateError::NotImplemented)
    }
}
