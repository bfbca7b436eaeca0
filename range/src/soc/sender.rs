//! The background sender: a bounded in-memory queue (pushing never blocks; when it is full
//! the oldest event is dropped and counted) drained by one thread that posts batches of
//! EVE lines to `POST {url}/api/v1/ingest` with `Authorization: Bearer <sensor token>` and
//! `X-Sensor-Seq: <first sequence number>`, retrying with backoff (honouring
//! `Retry-After`) until the server acknowledges.
//!
//! The sequence numbering survives restarts: after every acknowledged batch the next
//! sequence number, the journal offset covered and the last tick announced are written
//! atomically to the sender's state file. A batch the server already had (a crash between
//! its acknowledgement and that write) comes back as all duplicates; it is renumbered after
//! the server's mark and sent again, so nothing is lost (at most one batch is doubled).
//! A server that refuses a gap (409) gets the batch again with `X-Sensor-Lost: 1`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Events kept while the SOC server is unreachable.
pub const QUEUE_CAPACITY: usize = 10_000;
/// Events per request.
pub const BATCH: usize = 200;

/// Where to send and how.
#[derive(Debug, Clone)]
pub struct SocTarget {
    /// Base URL of the SOC server (`http://127.0.0.1:8443`).
    pub url: String,
    /// The sensor token (never logged).
    pub token: String,
}

/// What survives a restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderState {
    /// Sequence number of the next event.
    pub next_seq: i64,
    /// Journal bytes whose events were acknowledged (`None`: start at the journal's end).
    pub journal_offset: Option<u64>,
    /// The last tick whose `tick_started` was acknowledged.
    pub last_tick: Option<u32>,
}

impl SenderState {
    /// Reads the state file (missing: a fresh state).
    pub fn load(path: &Path) -> std::io::Result<SenderState> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                std::io::Error::other(format!("{}: not a sender state: {e}", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SenderState::default()),
            Err(e) => Err(e),
        }
    }

    fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).unwrap_or_default())?;
        std::fs::rename(&tmp, path)
    }
}

/// One queued event.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The EVE line (no newline).
    pub line: String,
    /// The journal offset after the record it came from, if any.
    pub journal_offset: Option<u64>,
    /// The tick it announces, for `tick_started`.
    pub tick_started: Option<u32>,
}

/// Counters for logs and tests.
#[derive(Debug, Default)]
pub struct SenderStats {
    /// Events acknowledged by the server.
    pub sent: AtomicU64,
    /// Events dropped because the queue was full.
    pub dropped: AtomicU64,
    /// Failed attempts.
    pub failures: AtomicU64,
}

/// The sender handle: push events; a thread sends them.
pub struct SocSender {
    queue: Mutex<VecDeque<Pending>>,
    ready: Condvar,
    capacity: usize,
    state: Mutex<SenderState>,
    /// Counters.
    pub stats: SenderStats,
    stop: Arc<AtomicBool>,
    busy: AtomicBool,
}

impl std::fmt::Debug for SocSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocSender").finish_non_exhaustive()
    }
}

enum Outcome {
    Acked,
    Retry(Duration),
    Drop,
}

impl SocSender {
    /// Starts the sender thread for `target`, keeping its state in `state_file`; it stops
    /// (after a short attempt to flush) when `stop` is set.
    pub fn start(
        target: SocTarget,
        state_file: PathBuf,
        stop: Arc<AtomicBool>,
    ) -> std::io::Result<Arc<SocSender>> {
        Self::start_with_capacity(target, state_file, stop, QUEUE_CAPACITY)
    }

    /// [`SocSender::start`] with a chosen queue capacity.
    pub fn start_with_capacity(
        target: SocTarget,
        state_file: PathBuf,
        stop: Arc<AtomicBool>,
        capacity: usize,
    ) -> std::io::Result<Arc<SocSender>> {
        let state = SenderState::load(&state_file)?;
        let s = Arc::new(SocSender {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            capacity: capacity.max(1),
            state: Mutex::new(state),
            stats: SenderStats::default(),
            stop,
            busy: AtomicBool::new(false),
        });
        let me = Arc::clone(&s);
        thread::Builder::new()
            .name("soc-sender".into())
            .spawn(move || me.run(&target, &state_file))?;
        Ok(s)
    }

    /// The persisted state as of the last acknowledgement.
    pub fn state(&self) -> SenderState {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an event; never blocks. A full queue drops its oldest event.
    pub fn push(&self, p: Pending) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= self.capacity {
            q.pop_front();
            let n = self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n == 1 || n.is_multiple_of(1000) {
                tracing::warn!(
                    dropped = n,
                    "SOC event queue full: dropping the oldest events"
                );
            }
        }
        q.push_back(p);
        self.ready.notify_one();
    }

    /// Events waiting.
    pub fn queued(&self) -> usize {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits until every queued event was sent (or `timeout` passed); true when all went.
    pub fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.queued() == 0 && !self.busy.load(Ordering::Acquire) {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn take_batch(&self, wait: Duration) -> Vec<Pending> {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.is_empty() {
            q = self
                .ready
                .wait_timeout(q, wait)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        let n = q.len().min(BATCH);
        if n > 0 {
            self.busy.store(true, Ordering::Release);
        }
        q.drain(..n).collect()
    }

    fn run(&self, target: &SocTarget, state_file: &Path) {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build();
        let url = format!("{}/api/v1/ingest", target.url.trim_end_matches('/'));
        let mut stop_seen: Option<Instant> = None;
        loop {
            let stopping = self.stop.load(Ordering::Relaxed);
            if stopping {
                let since = *stop_seen.get_or_insert_with(Instant::now);
                if self.queued() == 0 || since.elapsed() > Duration::from_secs(5) {
                    return;
                }
            }
            let batch = self.take_batch(Duration::from_millis(200));
            if batch.is_empty() {
                continue;
            }
            self.deliver(&agent, &url, target, state_file, &batch, &mut stop_seen);
            self.busy.store(false, Ordering::Release);
        }
    }

    /// Sends one batch until it is acknowledged, dropped, or the stop grace ran out.
    fn deliver(
        &self,
        agent: &ureq::Agent,
        url: &str,
        target: &SocTarget,
        state_file: &Path,
        batch: &[Pending],
        stop_seen: &mut Option<Instant>,
    ) {
        let mut backoff = Duration::from_millis(500);
        let mut lost = false;
        loop {
            match self.send(agent, url, target, batch, lost) {
                Outcome::Acked => {
                    self.stats
                        .sent
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    let st = self.state();
                    if let Err(e) = st.save(state_file) {
                        tracing::error!(file = %state_file.display(), error = %e, "cannot save the SOC sender state");
                    }
                    break;
                }
                Outcome::Drop => break,
                Outcome::Retry(after) => {
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    lost = lost || after == Duration::ZERO;
                    let wait = if after == Duration::ZERO {
                        Duration::from_millis(10)
                    } else {
                        after.max(backoff)
                    };
                    if self.stop.load(Ordering::Relaxed)
                        && stop_seen.get_or_insert_with(Instant::now).elapsed()
                            > Duration::from_secs(5)
                    {
                        tracing::warn!(events = batch.len(), "stopping with unsent SOC events");
                        return;
                    }
                    thread::sleep(wait.min(Duration::from_secs(30)));
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }

    /// One attempt. `Retry(ZERO)` means "resend at once declaring the gap lost".
    fn send(
        &self,
        agent: &ureq::Agent,
        url: &str,
        target: &SocTarget,
        batch: &[Pending],
        declare_lost: bool,
    ) -> Outcome {
        let first = self.state().next_seq;
        let mut body = String::new();
        for p in batch {
            body.push_str(&p.line);
            body.push('\n');
        }
        let mut req = agent
            .post(url)
            .set("Authorization", &format!("Bearer {}", target.token))
            .set("X-Sensor-Seq", &first.to_string())
            .set("Content-Type", "application/x-ndjson");
        if declare_lost {
            req = req.set("X-Sensor-Lost", "1");
        }
        let n = batch.len() as i64;
        match req.send_string(&body) {
            Ok(resp) => {
                let v: serde_json::Value = resp
                    .into_string()
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default();
                let acked = v["acked_seq"].as_i64().unwrap_or(first + n - 1);
                let stored = v["stored"].as_u64().unwrap_or(0);
                let dups = v["duplicates"].as_u64().unwrap_or(0);
                if stored == 0 && dups == n as u64 && acked >= first + n - 1 && n > 0 {
                    // The server had these numbers already: our state is behind its mark.
                    tracing::warn!(
                        first,
                        acked,
                        "SOC server is ahead of our sequence: renumbering"
                    );
                    let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                    st.next_seq = acked + 1;
                    return Outcome::Retry(Duration::from_millis(10));
                }
                if let Some(r) = v["rejected"].as_array().filter(|r| !r.is_empty()) {
                    tracing::warn!(rejected = %serde_json::Value::Array(r.clone()), "SOC server rejected exercise events");
                }
                let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                st.next_seq = first + n;
                for p in batch {
                    if p.journal_offset.is_some() {
                        st.journal_offset = st.journal_offset.max(p.journal_offset);
                    }
                    if p.tick_started.is_some() {
                        st.last_tick = st.last_tick.max(p.tick_started);
                    }
                }
                Outcome::Acked
            }
            Err(ureq::Error::Status(409, _)) if !declare_lost => {
                tracing::warn!(
                    first,
                    "SOC server refused a sequence gap: resending, declaring it lost"
                );
                Outcome::Retry(Duration::ZERO)
            }
            Err(ureq::Error::Status(code, resp)) if code == 429 || code >= 500 => {
                let after = resp
                    .header("Retry-After")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_millis(500), Duration::from_secs);
                tracing::warn!(status = code, "SOC server busy; retrying");
                Outcome::Retry(after)
            }
            Err(ureq::Error::Status(code, resp)) if code == 401 || code == 403 => {
                let msg = resp.into_string().unwrap_or_default();
                tracing::error!(status = code, answer = %msg.trim(), "SOC server refused the sensor token; retrying in 30 s");
                Outcome::Retry(Duration::from_secs(30))
            }
            Err(ureq::Error::Status(code, resp)) => {
                let msg = resp.into_string().unwrap_or_default();
                tracing::error!(status = code, answer = %msg.trim(), events = batch.len(), "SOC server refused a batch; dropping it");
                Outcome::Drop
            }
            Err(ureq::Error::Transport(t)) => {
                tracing::warn!(error = %t, "SOC server unreachable; retrying");
                Outcome::Retry(Duration::from_millis(500))
            }
        }
    }
}
