//! The shipper: reads batches after the spool's cursor, sends them, and advances the
//! cursor to what the server acknowledged. Runs to completion (`run_until_idle`, for
//! pcap replays) or on a background thread (live capture).

use super::backoff::Backoff;
use super::config::ShipperConfig;
use super::transport::{Outcome, Transport};
use crate::error::ShipError;
use crate::spool::{Batch, Spool};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

/// Totals of a shipper's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ShipReport {
    /// Requests answered 200.
    pub batches: u64,
    /// Events in those requests.
    pub events_sent: u64,
    /// Events the server stored for the first time.
    pub stored: u64,
    /// Events the server already had (resends after a crash or a lost answer).
    pub duplicates: u64,
    /// Lines the server refused as malformed (acknowledged, not stored).
    pub rejected: u64,
    /// Failed attempts that were retried.
    pub retries: u64,
    /// Single events the server refused as too large (skipped so the spool cannot stall).
    pub skipped_too_large: u64,
    /// The spool's cursor after the last acknowledgement.
    pub acked_seq: Option<u64>,
}

/// The state of a background shipper.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShipStatus {
    /// Totals so far.
    pub report: ShipReport,
    /// When the server last acknowledged a batch.
    pub last_ack: Option<SystemTime>,
    /// The most recent failure, cleared by the next acknowledgement.
    pub last_error: Option<String>,
}

/// Ships a spool to the SOC server.
#[derive(Debug)]
pub struct Shipper {
    spool: Arc<Spool>,
    cfg: ShipperConfig,
    transport: Transport,
    backoff: Backoff,
    batch_events: usize,
    batch_bytes: usize,
    report: ShipReport,
    last_error: Option<String>,
}

/// What became of one batch.
enum Step {
    /// Acknowledged (possibly partly); read the next batch.
    Acked,
    /// The batch was too large: limits were lowered, read again.
    Shrunk,
}

impl Shipper {
    /// A shipper for `spool`; checks the URL, token and TLS options.
    pub fn new(spool: Arc<Spool>, cfg: ShipperConfig) -> Result<Self, ShipError> {
        let transport = Transport::new(&cfg)?;
        tracing::info!(endpoint = transport.endpoint(), "shipper ready");
        Ok(Shipper {
            backoff: Backoff::new(cfg.backoff_initial, cfg.backoff_max),
            batch_events: cfg.batch_max_events.max(1),
            batch_bytes: cfg.batch_max_bytes.max(1),
            spool,
            cfg,
            transport,
            report: ShipReport::default(),
            last_error: None,
        })
    }

    /// Totals so far.
    pub fn report(&self) -> ShipReport {
        ShipReport {
            acked_seq: self.spool.acked_seq(),
            ..self.report
        }
    }

    /// Ships until every spooled event is acknowledged. After `timeout` without getting
    /// there, returns [`ShipError::Timeout`] (the events stay in the spool). A refused
    /// token or batch ends it at once.
    pub fn run_until_idle(&mut self, timeout: Duration) -> Result<ShipReport, ShipError> {
        let deadline = Instant::now() + timeout;
        loop {
            let Some(batch) = self.spool.next_batch(self.batch_events, self.batch_bytes)? else {
                return Ok(self.report());
            };
            self.ship(&batch, &|| Some(deadline))?;
        }
    }

    /// Sends one batch until it is acknowledged, retrying with backoff.
    fn ship(
        &mut self,
        batch: &Batch,
        deadline: &dyn Fn() -> Option<Instant>,
    ) -> Result<Step, ShipError> {
        loop {
            let remaining = deadline().map(|d| d.saturating_duration_since(Instant::now()));
            if remaining == Some(Duration::ZERO) {
                return Err(self.timeout(batch));
            }
            let body = self.transport.body(batch);
            // Numbers between the last acknowledged one and this batch were dropped by the
            // spool's size cap: say so, or the server refuses the gap.
            let lost_before = match self.spool.acked_seq() {
                Some(acked) => batch.first_seq.saturating_sub(acked + 1),
                None => 0,
            };
            match self.transport.send(batch, &body, remaining, lost_before) {
                Outcome::Acked(answer) => {
                    if answer.acked_seq < batch.first_seq as i64 {
                        let reason = format!(
                            "server acknowledged up to {} only, below the batch starting at {}",
                            answer.acked_seq, batch.first_seq
                        );
                        self.wait_retry(None, reason, deadline);
                        continue;
                    }
                    self.on_acked(batch, &answer)?;
                    return Ok(Step::Acked);
                }
                Outcome::Retry { after, reason } => self.wait_retry(after, reason, deadline),
                Outcome::TooLarge => {
                    if batch.len() > 1 {
                        self.batch_events = (batch.len() as usize / 2).max(1);
                        self.batch_bytes = (batch.lines.len() / 2).max(1);
                        tracing::warn!(
                            events = self.batch_events,
                            bytes = self.batch_bytes,
                            "server: batch too large, shrinking"
                        );
                        return Ok(Step::Shrunk);
                    }
                    tracing::error!(
                        seq = batch.first_seq,
                        bytes = batch.lines.len(),
                        "server refuses this single event as too large; skipping it"
                    );
                    self.report.skipped_too_large += 1;
                    self.spool.ack(batch.last_seq)?;
                    return Ok(Step::Acked);
                }
                Outcome::Fatal(e) => {
                    tracing::error!(error = %e, "shipping stopped");
                    self.last_error = Some(e.to_string());
                    return Err(e);
                }
            }
        }
    }

    fn on_acked(
        &mut self,
        batch: &Batch,
        a: &super::transport::IngestAnswer,
    ) -> Result<(), ShipError> {
        let acked = (a.acked_seq as u64).min(batch.last_seq);
        self.spool.ack(acked)?;
        self.backoff.reset();
        self.last_error = None;
        self.report.batches += 1;
        self.report.events_sent += batch.len();
        self.report.stored += a.stored;
        self.report.duplicates += a.duplicates;
        self.report.rejected += a.rejected.len() as u64;
        if !a.rejected.is_empty() {
            tracing::warn!(
                first_seq = batch.first_seq,
                rejected = a.rejected.len(),
                "server rejected malformed lines"
            );
        }
        if a.acked_seq as u64 > batch.last_seq && a.duplicates >= batch.len() {
            tracing::error!(
                server_acked = a.acked_seq,
                batch_first = batch.first_seq,
                batch_last = batch.last_seq,
                "the server already holds higher sequence numbers than this spool: were the spool's files lost? \
                 these events were taken as duplicates"
            );
        }
        tracing::debug!(
            first = batch.first_seq,
            last = batch.last_seq,
            acked,
            stored = a.stored,
            "batch acknowledged"
        );
        Ok(())
    }

    /// Sleeps before the next attempt: the server's `Retry-After` or the backoff delay,
    /// never past the deadline.
    fn wait_retry(
        &mut self,
        after: Option<Duration>,
        reason: String,
        deadline: &dyn Fn() -> Option<Instant>,
    ) {
        self.report.retries += 1;
        let delay = match after {
            Some(a) => a.min(self.cfg.retry_after_max),
            None => self.backoff.next_delay(),
        };
        tracing::warn!(reason = %reason, retry_in_ms = delay.as_millis() as u64, "ingest failed, will retry");
        self.last_error = Some(reason);
        sleep_until(Instant::now() + delay, deadline);
    }

    fn timeout(&self, batch: &Batch) -> ShipError {
        ShipError::Timeout {
            first_pending: batch.first_seq,
            pending: self.spool.stats().pending,
            last_error: self.last_error.clone().unwrap_or_else(|| "none".into()),
        }
    }

    /// Runs the shipper on a background thread until [`ShipperHandle::shutdown`].
    pub fn spawn(self) -> std::io::Result<ShipperHandle> {
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("shipper".into())
            .spawn(move || background(self, &s))?;
        Ok(ShipperHandle {
            shared,
            thread: Some(thread),
        })
    }
}

/// Sleeps until `until`, waking early when the deadline passes.
fn sleep_until(until: Instant, deadline: &dyn Fn() -> Option<Instant>) {
    loop {
        let now = Instant::now();
        let end = deadline().map_or(until, |d| d.min(until));
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

/// State shared with a background shipper.
#[derive(Debug, Default)]
struct Shared {
    stop_at: Mutex<Option<Instant>>,
    status: Mutex<ShipStatus>,
}

impl Shared {
    fn stop_at(&self) -> Option<Instant> {
        *self.stop_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publish(&self, shipper: &Shipper, acked: bool) {
        let mut st = self.status.lock().unwrap_or_else(|p| p.into_inner());
        st.report = shipper.report();
        st.last_error = shipper.last_error.clone();
        if acked {
            st.last_ack = Some(SystemTime::now());
        }
    }
}

/// The background loop: ship while there is something, wait for appends otherwise;
/// errors are logged and retried (never fatal: events stay in the spool).
fn background(mut shipper: Shipper, shared: &Shared) -> ShipReport {
    let deadline = || shared.stop_at();
    loop {
        if let Some(stop) = shared.stop_at() {
            if Instant::now() >= stop || !shipper.spool.has_pending() {
                break;
            }
        }
        let batch = match shipper
            .spool
            .next_batch(shipper.batch_events, shipper.batch_bytes)
        {
            Ok(Some(b)) => b,
            Ok(None) => {
                shipper.spool.wait_for_pending(Duration::from_millis(100));
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "spool read failed; retrying");
                shipper.last_error = Some(e.to_string());
                shared.publish(&shipper, false);
                sleep_until(Instant::now() + Duration::from_secs(1), &deadline);
                continue;
            }
        };
        match shipper.ship(&batch, &deadline) {
            Ok(_) => shared.publish(&shipper, true),
            Err(ShipError::Timeout { .. }) => break,
            Err(e) => {
                let pause = match e {
                    ShipError::Unauthorized { .. } | ShipError::Refused { .. } => {
                        shipper.cfg.unauthorized_retry
                    }
                    _ => Duration::from_secs(1),
                };
                shipper.last_error = Some(e.to_string());
                shared.publish(&shipper, false);
                sleep_until(Instant::now() + pause, &deadline);
            }
        }
    }
    shared.publish(&shipper, false);
    shipper.report()
}

/// Controls a background shipper.
#[derive(Debug)]
pub struct ShipperHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<ShipReport>>,
}

impl ShipperHandle {
    /// The current status.
    pub fn status(&self) -> ShipStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Stops the shipper after it shipped what it can within `drain` (whatever is not
    /// acknowledged stays in the spool for the next run).
    pub fn shutdown(mut self, drain: Duration) -> ShipReport {
        self.stop(drain)
    }

    fn stop(&mut self, drain: Duration) -> ShipReport {
        *self
            .shared
            .stop_at
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + drain);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(report)) => report,
            Some(Err(_)) => {
                tracing::error!("shipper thread panicked");
                self.status().report
            }
            None => self.status().report,
        }
    }
}

impl Drop for ShipperHandle {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop(Duration::ZERO);
        }
    }
}
