//! The detection engine that capture workers run, replaceable while they run.
//!
//! A reload builds the new engine in the background, then publishes it here. Each worker
//! checks the generation (one atomic load) before every frame and, when it changed, takes
//! the new engine and a fresh per-thread context. A frame is thus inspected by exactly one
//! engine; no packet waits for a reload and none is dropped; flows keep their reassembly
//! and application-layer state. Per-flow detection state (flowbits, flowints) and
//! threshold counters start over with the new engine, because they are indexed by the
//! rules of the engine that made them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sensor_detect::Engine;

struct Current {
    generation: u64,
    engine: Arc<Engine>,
    version: String,
}

/// The published engine and its ruleset version.
pub struct EngineSlot {
    generation: AtomicU64,
    current: Mutex<Current>,
}

impl EngineSlot {
    /// A slot holding `engine` (ruleset `version`, `local` for the sensor's own files).
    pub fn new(engine: Arc<Engine>, version: impl Into<String>) -> Self {
        EngineSlot {
            generation: AtomicU64::new(0),
            current: Mutex::new(Current {
                generation: 0,
                engine,
                version: version.into(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The generation of the published engine (bumped by every [`EngineSlot::publish`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The published engine with its generation.
    pub fn load(&self) -> (u64, Arc<Engine>) {
        let c = self.lock();
        (c.generation, Arc::clone(&c.engine))
    }

    /// The ruleset version of the published engine.
    pub fn version(&self) -> String {
        self.lock().version.clone()
    }

    /// Publishes a new engine; workers switch to it before their next frame.
    pub fn publish(&self, engine: Arc<Engine>, version: impl Into<String>) -> u64 {
        let mut c = self.lock();
        c.generation += 1;
        c.engine = engine;
        c.version = version.into();
        self.generation.store(c.generation, Ordering::Release);
        c.generation
    }
}
