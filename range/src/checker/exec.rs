//! Runs one checker action as a child process in its own process group, with a time limit;
//! on timeout the whole group is killed so that nothing the checker started survives.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::protocol::{Action, CheckerVerdict};
use crate::scenario::model::TimeoutVerdict;

/// Bytes kept of each output stream.
const OUTPUT_LIMIT: usize = 64 * 1024;

/// One checker invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// Checker program and leading arguments.
    pub command: Vec<String>,
    /// Working directory (the scenario folder), if any.
    pub cwd: Option<PathBuf>,
    /// The team's vulnbox address.
    pub host: String,
    /// What to do.
    pub action: Action,
    /// Time limit.
    pub timeout: Duration,
    /// What a timeout counts as.
    pub on_timeout: TimeoutVerdict,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The verdict.
    pub verdict: CheckerVerdict,
    /// Exit code (`None` when killed or not started).
    pub exit_code: Option<i32>,
    /// Whether the time limit was hit.
    pub timed_out: bool,
    /// stdout: public message (for `put`: the flag id on its first line).
    pub public: String,
    /// stderr plus run errors: for trainers only.
    pub private: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl Run {
    /// The flag id a `put` printed (first stdout line, trimmed), if any.
    pub fn flag_id(&self) -> Option<&str> {
        self.public
            .lines()
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

fn reader(mut r: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = OUTPUT_LIMIT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Runs `inv` to completion or timeout. Never fails: every problem is a checker error.
pub fn run(inv: &Invocation) -> Run {
    let started = Instant::now();
    let fail = |msg: String| Run {
        verdict: CheckerVerdict::CheckerError,
        exit_code: None,
        timed_out: false,
        public: String::new(),
        private: msg,
        elapsed: started.elapsed(),
    };
    let Some((program, lead)) = inv.command.split_first() else {
        return fail("empty checker command".into());
    };
    let mut cmd = Command::new(program);
    cmd.args(lead)
        .args(inv.action.args(&inv.host))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = &inv.cwd {
        cmd.current_dir(dir);
    }
    // A checker file that was just written may still be open for writing in a child that
    // another thread is forking ("Text file busy"): that clears within milliseconds.
    let mut attempts = 0;
    let mut child = loop {
        match cmd.spawn() {
            Ok(c) => break c,
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && attempts < 50 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return fail(format!("cannot start checker {program}: {e}")),
        }
    };
    let pgid = child.id();
    let out = child.stdout.take().map(reader);
    let err = child.stderr.take().map(reader);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if started.elapsed() >= inv.timeout => {
                timed_out = true;
                kill_group(pgid);
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(2)),
            Err(e) => {
                tracing::warn!(error = %e, "waiting for checker failed");
                kill_group(pgid);
                break child.wait().ok();
            }
        }
    };
    // Anything the checker left running in its group goes too (it would hold the pipes).
    kill_group(pgid);
    let public = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let mut private = err.and_then(|h| h.join().ok()).unwrap_or_default();
    let exit_code = status.and_then(|s| s.code());
    let verdict = if timed_out {
        private.push_str(&format!("\nchecker timed out after {:?}", inv.timeout));
        match inv.on_timeout {
            TimeoutVerdict::Down => CheckerVerdict::Down,
            TimeoutVerdict::CheckerError => CheckerVerdict::CheckerError,
        }
    } else {
        if exit_code.is_none() {
            private.push_str("\nchecker was killed by a signal");
        }
        CheckerVerdict::from_exit(exit_code)
    };
    Run {
        verdict,
        exit_code,
        timed_out,
        public,
        private,
        elapsed: started.elapsed(),
    }
}
