//! The background agent of a live sensor: applies SIGHUP reloads, polls the SOC server
//! for its published ruleset, and sends heartbeats. It never touches the capture: a new
//! engine is built here and handed to the workers through the [`EngineSlot`].

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sensor_ship::{ControlClient, Heartbeat, RulesetPoll, Spool};

use super::rules::{build, RulesetDir, LOCAL_VERSION};
use super::{EngineSlot, Health};
use crate::cli::RuleArgs;

/// What the agent works with.
pub struct Agent<'a> {
    pub slot: Arc<EngineSlot>,
    pub health: Arc<Health>,
    /// The rule and config options of the command line (reloads start from them).
    pub rule_args: &'a RuleArgs,
    /// The SOC server (ruleset polls and heartbeats), when the sensor ships.
    pub client: Option<ControlClient>,
    pub spool: Option<Arc<Spool>>,
    pub rulesets: RulesetDir,
    /// Seconds between ruleset polls (0: never).
    pub poll_interval: u64,
    /// Seconds between heartbeats (0: never).
    pub heartbeat_interval: u64,
    pub interface: String,
    pub started: Instant,
}

/// State that changes while the agent runs.
#[derive(Default)]
struct Progress {
    last_error: Option<String>,
    /// A server version that failed to load: not built again until the server publishes
    /// another one.
    failed_version: Option<String>,
}

impl Agent<'_> {
    /// Runs until `stop` is set; `hup` is set by SIGHUP.
    pub fn run(mut self, stop: &AtomicBool, hup: &AtomicBool) {
        let mut p = Progress::default();
        let tick = Duration::from_millis(100);
        let mut next_poll = Instant::now();
        let mut next_beat = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            if hup.swap(false, Ordering::Relaxed) {
                self.reload_from_disk(&mut p);
            }
            let now = Instant::now();
            if self.client.is_some() && self.poll_interval > 0 && now >= next_poll {
                self.poll(&mut p);
                next_poll = Instant::now() + Duration::from_secs(self.poll_interval);
            }
            if self.client.is_some() && self.heartbeat_interval > 0 && now >= next_beat {
                self.beat(&p);
                next_beat = Instant::now() + Duration::from_secs(self.heartbeat_interval);
            }
            std::thread::sleep(tick);
        }
        // A last heartbeat so the console shows the final counters.
        if self.client.is_some() && self.heartbeat_interval > 0 {
            self.beat(&p);
        }
    }

    /// SIGHUP: re-reads the config file and the rules (the current SOC ruleset if the
    /// sensor has one, else the configured files) and swaps them in when they load.
    fn reload_from_disk(&mut self, p: &mut Progress) {
        if let Ok(cfg) =
            crate::config::Config::load(self.rule_args.config.as_deref(), &self.rule_args.sets)
        {
            self.poll_interval = cfg.rules.poll_interval;
            self.heartbeat_interval = cfg.health.heartbeat_interval;
        }
        // The SOC ruleset only while the sensor follows the SOC; else its own files.
        let current = if self.client.is_some() && self.poll_interval > 0 {
            self.rulesets.current()
        } else {
            None
        };
        let (version, file) = match &current {
            Some((v, f)) => (v.clone(), Some(f.as_path())),
            None => (LOCAL_VERSION.to_string(), None),
        };
        tracing::info!(version = %version, "SIGHUP: reloading configuration and rules");
        self.apply(p, &version, file);
    }

    /// Builds the engine for `version` and publishes it; on failure the running engine
    /// stays and the error is logged and reported in the heartbeat.
    fn apply(&self, p: &mut Progress, version: &str, file: Option<&Path>) -> bool {
        let started = Instant::now();
        match build(self.rule_args, file) {
            Ok(loaded) => {
                let n = loaded.engine.len();
                let skipped = loaded.skipped.len();
                let generation = self.slot.publish(Arc::new(loaded.engine), version);
                tracing::info!(
                    version,
                    generation,
                    loaded = n,
                    skipped,
                    seconds = started.elapsed().as_secs_f64(),
                    "rules reloaded"
                );
                p.last_error = None;
                true
            }
            Err(e) => {
                tracing::error!(version, error = %format!("{e:#}"), running = %self.slot.version(), "ruleset failed to load; keeping the running rules");
                p.last_error = Some(format!("ruleset {version}: {e:#}"));
                false
            }
        }
    }

    /// Asks the server for its published ruleset and applies a new one.
    fn poll(&self, p: &mut Progress) {
        let Some(client) = &self.client else { return };
        let running = self.slot.version();
        let current = (running != LOCAL_VERSION).then_some(running.as_str());
        match client.poll_ruleset(current) {
            Ok(RulesetPoll::Unchanged) | Ok(RulesetPoll::NonePublished) => {}
            Ok(RulesetPoll::New { version, text }) => {
                if p.failed_version.as_deref() == Some(version.as_str()) {
                    return;
                }
                tracing::info!(version = %version, bytes = text.len(), "new ruleset from the SOC server");
                let path = match self.rulesets.save(&version, &text) {
                    Ok(path) => path,
                    Err(e) => {
                        tracing::error!(version = %version, error = %format!("{e:#}"), "cannot store the ruleset");
                        p.last_error = Some(format!("ruleset {version}: {e:#}"));
                        return;
                    }
                };
                if self.apply(p, &version, Some(&path)) {
                    p.failed_version = None;
                    if let Err(e) = self.rulesets.mark_current(&version) {
                        tracing::error!(version = %version, error = %format!("{e:#}"), "cannot record the current ruleset");
                    }
                } else {
                    p.failed_version = Some(version);
                }
            }
            Err(e) => tracing::warn!(error = %e, "ruleset poll failed"),
        }
    }

    fn beat(&self, p: &Progress) {
        let Some(client) = &self.client else { return };
        let (packets, kernel_drops) = self.health.totals();
        let st = self.spool.as_ref().map(|s| s.stats()).unwrap_or_default();
        let hb = Heartbeat {
            version: env!("CARGO_PKG_VERSION").to_string(),
            ruleset_version: self.slot.version(),
            ruleset_error: p.last_error.clone(),
            uptime_secs: self.started.elapsed().as_secs(),
            interface: self.interface.clone(),
            packets,
            kernel_drops,
            internal_drops: st.dropped_alert + st.dropped_non_alert,
            spool_bytes: st.bytes,
            spool_events: st.pending,
            last_ack_seq: st
                .acked_seq
                .map_or(-1, |s| i64::try_from(s).unwrap_or(i64::MAX)),
            events: st.appended,
            interval_secs: self.heartbeat_interval,
        };
        if let Err(e) = client.heartbeat(&hb) {
            tracing::warn!(error = %e, "heartbeat failed");
        }
    }
}
