//! Shared state of the request handlers.

use crate::auth::LoginLimiter;
use crate::config::Config;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// What every handler can reach.
pub struct AppState {
    /// The store backend.
    pub store: Arc<dyn Store>,
    /// Effective configuration.
    pub config: Config,
    /// Ingest batches in flight; a batch that finds none free gets 429.
    pub ingest_slots: Arc<Semaphore>,
    /// Failed-login bookkeeping.
    pub login_limiter: LoginLimiter,
    /// Ingest batches per second (`ingest_batches_per_sec`).
    pub ingest_rate: super::IngestRate,
    /// Counters for `/metrics`.
    pub metrics: Arc<super::metrics::Metrics>,
}

impl AppState {
    /// State over `store` with `config`.
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        AppState {
            ingest_slots: Arc::new(Semaphore::new(config.ingest_concurrency.max(1))),
            login_limiter: LoginLimiter::new(
                config.login_max_failures.max(1),
                Duration::from_secs(config.login_window_secs),
            ),
            ingest_rate: super::IngestRate::new(config.ingest_batches_per_sec),
            store,
            config,
            metrics: Default::default(),
        }
    }
}
