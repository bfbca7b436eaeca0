//! The TCP line protocol: one flag per line; one answer line per flag whose first word is
//! OK, DUP, OWN, OLD, INV or ERR, followed by a short explanation. The team is the one whose
//! subnet holds the connection's source address; unknown sources get `ERR unknown team` and
//! are disconnected. Lines longer than 256 bytes get `ERR line too long` and the connection
//! is closed; idle connections are closed after 60 s.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::ratelimit::RateLimiter;
use super::resolve::TeamResolver;
use crate::game::{now_ms, Game, Verdict};

const MAX_LINE: usize = 256;
const MAX_CONNECTIONS: usize = 512;

/// What the submission server shares between connections.
pub struct Shared {
    /// The game.
    pub game: Arc<Mutex<Game>>,
    /// Source address to team.
    pub resolver: Box<dyn TeamResolver>,
    /// Per-team limits.
    pub limiter: RateLimiter,
    /// Set to stop accepting.
    pub stop: AtomicBool,
    open: AtomicUsize,
}

impl Shared {
    /// Shared state for a server.
    pub fn new(
        game: Arc<Mutex<Game>>,
        resolver: Box<dyn TeamResolver>,
        limiter: RateLimiter,
    ) -> Self {
        Shared {
            game,
            resolver,
            limiter,
            stop: AtomicBool::new(false),
            open: AtomicUsize::new(0),
        }
    }
}

/// The answer line for one submitted line.
pub fn answer(shared: &Shared, team: usize, line: &str) -> String {
    let (v, why) = judge(shared, team, line);
    format!("{} {why}", v.as_str())
}

/// The verdict and its explanation for one flag of `team` (rate limit included).
pub fn judge(shared: &Shared, team: usize, flag: &str) -> (Verdict, &'static str) {
    if !shared.limiter.allow(team, Instant::now()) {
        return (Verdict::Err, "rate limit exceeded");
    }
    let v = match shared.game.lock() {
        Ok(mut g) => g.submit(team, flag, now_ms()),
        Err(_) => Verdict::Err,
    };
    let why = match v {
        Verdict::Ok => "flag captured",
        Verdict::Dup => "already submitted",
        Verdict::Own => "your own flag",
        Verdict::Old => "flag too old",
        Verdict::Inv => "not a valid flag",
        Verdict::Err => "game not running",
    };
    (v, why)
}

fn handle(shared: &Shared, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let peer = stream.peer_addr()?;
    let mut out = stream.try_clone()?;
    let Some(team) = shared.resolver.team_of(peer.ip()) else {
        out.write_all(b"ERR unknown team\n")?;
        return close_gracefully(&stream);
    };
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut buf = Vec::with_capacity(MAX_LINE);
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() != Some(&b'\n') && n > MAX_LINE {
            out.write_all(b"ERR line too long\n")?;
            return close_gracefully(&stream);
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut a = answer(shared, team, line);
        a.push('\n');
        out.write_all(a.as_bytes())?;
    }
}

/// Closes after the answer without a reset: stop writing, then drain (bounded) what the
/// client still sends, so that it reads the answer before the connection goes away.
fn close_gracefully(stream: &TcpStream) -> std::io::Result<()> {
    stream.shutdown(std::net::Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut sink = [0u8; 4096];
    let mut left = 1usize << 20;
    let mut s = stream;
    while left > 0 {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
    Ok(())
}

/// Accepts connections until `shared.stop` is set, one thread per connection.
pub fn serve(listener: TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    while !shared.stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                if shared.open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
                    let mut s = stream;
                    let _ = s.write_all(b"ERR too many connections\n");
                    continue;
                }
                shared.open.fetch_add(1, Ordering::Relaxed);
                let sh = Arc::clone(&shared);
                thread::spawn(move || {
                    if let Err(e) = handle(&sh, stream) {
                        tracing::debug!(error = %e, "submission connection ended");
                    }
                    sh.open.fetch_sub(1, Ordering::Relaxed);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => tracing::warn!(error = %e, "accept failed"),
        }
    }
    Ok(())
}
