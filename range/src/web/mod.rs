//! The live scoreboard and the trainer controls over HTTP (std threads, hand-rolled
//! HTTP/1.1 in [`http`]).
//!
//! Routes:
//! - `GET /`: the scoreboard page (polls `/api/scoreboard` every 3 s);
//! - `GET /api/scoreboard`: the board as JSON: the public view (frozen after the scenario's
//!   freeze tick or a trainer's freeze) for everyone, the full one for a trainer session or
//!   the control token;
//! - `GET /login`, `POST /login` (form `password`): trainer login; the session cookie is
//!   HttpOnly and SameSite=Strict; 5 failures per source address and minute, then 429;
//! - `GET /trainer`: full standings and the control buttons;
//! - `POST /api/control/{pause,resume,stop,freeze,unfreeze}`: a trainer session plus its
//!   CSRF token in `X-CSRF-Token`, or `Authorization: Bearer <control token>`; 401 without
//!   credentials, 403 with a session but a missing or wrong CSRF token;
//! - `POST /logout` (session + CSRF token);
//! - `GET /static/board.js`, `GET /static/board.css`.

pub mod auth;
pub mod board;
pub mod http;
pub mod page;

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;

use crate::game::{now_ms, Game};
use auth::{same_secret, Login, TrainerAuth, SESSION_COOKIE, SESSION_MS};
use board::Board;
use http::{Request, Response};

/// Connections served at once; more are answered 503.
const MAX_CONNECTIONS: usize = 256;

/// A control action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    /// Freeze ticks and submission.
    Pause,
    /// Back to the wall clock.
    Resume,
    /// The game server finishes.
    Stop,
    /// Freeze the public scoreboard now.
    Freeze,
    /// Lift a manual freeze.
    Unfreeze,
}

impl ControlAction {
    /// The action of a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pause" => ControlAction::Pause,
            "resume" => ControlAction::Resume,
            "stop" => ControlAction::Stop,
            "freeze" => ControlAction::Freeze,
            "unfreeze" => ControlAction::Unfreeze,
            _ => return None,
        })
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlAction::Pause => "pause",
            ControlAction::Resume => "resume",
            ControlAction::Stop => "stop",
            ControlAction::Freeze => "freeze",
            ControlAction::Unfreeze => "unfreeze",
        }
    }
}

/// Called after every control action with the action and who did it (`trainer` or `cli`).
pub type ControlHook = Box<dyn Fn(ControlAction, &str) + Send + Sync>;

/// Failures setting the web server up.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Hashing the trainer password failed.
    #[error("hashing the trainer password: {0}")]
    Hash(String),
}

/// How to set up the web server.
#[derive(Debug, Default)]
pub struct WebOptions {
    /// The trainer password (hashed at once, then dropped); `None` disables trainer login.
    pub trainer_password: Option<String>,
    /// Name of the environment variable the password comes from (for messages only).
    pub trainer_password_env: String,
    /// The control token of the `range` CLI, accepted as `Authorization: Bearer`.
    pub control_token: Option<String>,
    /// The game's state file (first bloods are read from it; a manual freeze is kept
    /// beside it in `<state>.freeze.json`).
    pub state: Option<PathBuf>,
    /// Set by `stop`; the game server's tick loop and listeners watch it.
    pub stop: Arc<AtomicBool>,
}

/// What the web server shares between connections.
pub struct WebContext {
    game: Arc<Mutex<Game>>,
    exercise: String,
    password_env: String,
    auth: TrainerAuth,
    control_token: Option<String>,
    stop: Arc<AtomicBool>,
    board: Mutex<Board>,
    hook: Option<ControlHook>,
    open: AtomicUsize,
}

impl std::fmt::Debug for WebContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebContext")
            .field("exercise", &self.exercise)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// A trainer session (with its CSRF token and cookie).
    Trainer {
        csrf: String,
        cookie: String,
    },
    /// The control token.
    Cli,
}

impl WebContext {
    /// The context of `game` with `opts`.
    pub fn new(game: Arc<Mutex<Game>>, opts: WebOptions) -> Result<Self, WebError> {
        let auth = TrainerAuth::new(opts.trainer_password.as_deref())
            .map_err(|e| WebError::Hash(e.to_string()))?;
        let (exercise, services) = {
            let g = game.lock().unwrap_or_else(|p| p.into_inner());
            (g.config().name.clone(), g.config().services.len())
        };
        let freeze_file = opts.state.as_ref().map(|s| {
            let mut p = s.clone().into_os_string();
            p.push(".freeze.json");
            PathBuf::from(p)
        });
        Ok(WebContext {
            game,
            exercise,
            password_env: opts.trainer_password_env,
            auth,
            control_token: opts.control_token.filter(|t| !t.is_empty()),
            stop: opts.stop,
            board: Mutex::new(Board::new(services, opts.state, freeze_file)),
            hook: None,
            open: AtomicUsize::new(0),
        })
    }

    /// Adds a hook called after every control action (exercise events to the SOC).
    pub fn with_hook(mut self, hook: ControlHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Whether trainer login is possible.
    pub fn trainer_login_enabled(&self) -> bool {
        self.auth.enabled()
    }

    fn caller(&self, req: &Request, now: i64) -> Caller {
        if let (Some(t), Some(want)) = (req.bearer(), &self.control_token) {
            if same_secret(t, want) {
                return Caller::Cli;
            }
        }
        if let Some(cookie) = req.cookie(SESSION_COOKIE) {
            if let Some(csrf) = self.auth.session_csrf(cookie, now) {
                return Caller::Trainer {
                    csrf,
                    cookie: cookie.to_string(),
                };
            }
        }
        Caller::Anonymous
    }

    fn scoreboard(&self, trainer: bool, now: i64) -> serde_json::Value {
        // New journal lines are read without holding the game's lock.
        self.board
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .refresh();
        let g = self.game.lock().unwrap_or_else(|p| p.into_inner());
        let b = self.board.lock().unwrap_or_else(|p| p.into_inner());
        b.json(&g, now, trainer)
    }

    fn control(&self, action: ControlAction, actor: &str, now: i64) -> Response {
        let result = {
            let mut g = self.game.lock().unwrap_or_else(|p| p.into_inner());
            let r: Result<(), String> = match action {
                ControlAction::Pause => g.pause(now).map_err(|e| e.to_string()),
                ControlAction::Resume => g.resume().map_err(|e| e.to_string()),
                ControlAction::Stop => {
                    self.stop.store(true, Ordering::Relaxed);
                    Ok(())
                }
                ControlAction::Freeze => {
                    let mut b = self.board.lock().unwrap_or_else(|p| p.into_inner());
                    b.freeze(&g, now).map_err(|e| e.to_string())
                }
                ControlAction::Unfreeze => {
                    let mut b = self.board.lock().unwrap_or_else(|p| p.into_inner());
                    b.unfreeze().map_err(|e| e.to_string())
                }
            };
            r.map(|()| g.phase(now))
        };
        match result {
            Ok(phase) => {
                tracing::info!(action = action.as_str(), actor, "control");
                if let Some(h) = &self.hook {
                    h(action, actor);
                }
                Response::json(
                    "200 OK",
                    &json!({"ok": true, "action": action.as_str(), "phase": phase}),
                )
            }
            Err(e) => {
                tracing::error!(action = action.as_str(), error = %e, "control action failed");
                Response::error("500 Internal Server Error", &e)
            }
        }
    }

    /// Answers one request.
    pub fn handle(&self, req: &Request) -> Response {
        let now = now_ms();
        let caller = self.caller(req, now);
        let html = "text/html; charset=utf-8";
        let method = req.method.as_str();
        match (method, req.path.as_str()) {
            ("GET", "/") => Response::text("200 OK", html, page::scoreboard(&self.exercise)),
            ("GET", "/api/scoreboard") => {
                let trainer = caller != Caller::Anonymous;
                Response::json("200 OK", &self.scoreboard(trainer, now))
            }
            ("GET", "/static/board.js") => {
                Response::text("200 OK", "text/javascript; charset=utf-8", page::JS)
            }
            ("GET", "/static/board.css") => {
                Response::text("200 OK", "text/css; charset=utf-8", page::CSS)
            }
            ("GET", "/login") => Response::text("200 OK", html, page::login(&self.exercise, None)),
            ("POST", "/login") => self.login(req, now),
            ("GET", "/trainer") => match &caller {
                Caller::Trainer { csrf, .. } => {
                    Response::text("200 OK", html, page::trainer(&self.exercise, csrf))
                }
                _ => Response::redirect("/login"),
            },
            ("POST", "/logout") => match &caller {
                Caller::Trainer { csrf, cookie } if self.csrf_ok(req, csrf) => {
                    self.auth.logout(cookie);
                    Response::json("200 OK", &json!({"ok": true})).with(
                        "Set-Cookie",
                        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
                    )
                }
                Caller::Trainer { .. } => {
                    Response::error("403 Forbidden", "missing or wrong X-CSRF-Token")
                }
                _ => Response::error("401 Unauthorized", "not logged in"),
            },
            (m, p) if p.starts_with("/api/control/") => {
                let Some(action) = ControlAction::parse(&p["/api/control/".len()..]) else {
                    return Response::error("404 Not Found", "no such control action");
                };
                if m != "POST" {
                    return Response::error("405 Method Not Allowed", "use POST")
                        .with("Allow", "POST".into());
                }
                match &caller {
                    Caller::Cli => self.control(action, "cli", now),
                    Caller::Trainer { csrf, .. } if self.csrf_ok(req, csrf) => {
                        self.control(action, "trainer", now)
                    }
                    Caller::Trainer { .. } => {
                        Response::error("403 Forbidden", "missing or wrong X-CSRF-Token")
                    }
                    Caller::Anonymous => Response::error(
                        "401 Unauthorized",
                        "log in as trainer or send Authorization: Bearer <control token>",
                    )
                    .with("WWW-Authenticate", "Bearer".into()),
                }
            }
            (_, "/" | "/api/scoreboard" | "/login" | "/trainer" | "/logout")
            | (_, "/static/board.js" | "/static/board.css") => {
                Response::error("405 Method Not Allowed", "method not allowed")
            }
            _ => Response::error("404 Not Found", "not found"),
        }
    }

    fn csrf_ok(&self, req: &Request, csrf: &str) -> bool {
        req.header("x-csrf-token")
            .is_some_and(|t| same_secret(t, csrf))
    }

    fn login(&self, req: &Request, now: i64) -> Response {
        let html = "text/html; charset=utf-8";
        let password = req.form("password").unwrap_or_default();
        match self.auth.login(req.peer, &password, now) {
            Login::Ok(cookie) => Response::redirect("/trainer").with(
                "Set-Cookie",
                format!(
                    "{SESSION_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                    SESSION_MS / 1000
                ),
            ),
            Login::Denied => Response::text(
                "401 Unauthorized",
                html,
                page::login(&self.exercise, Some("wrong password")),
            ),
            Login::Limited(secs) => Response::text(
                "429 Too Many Requests",
                html,
                page::login(
                    &self.exercise,
                    Some(&format!("too many failed logins; retry in {secs} s")),
                ),
            )
            .with("Retry-After", secs.to_string()),
            Login::Disabled => Response::text(
                "503 Service Unavailable",
                html,
                page::login(
                    &self.exercise,
                    Some(&format!(
                        "trainer login is disabled: start the game server with {} set",
                        self.password_env
                    )),
                ),
            ),
        }
    }
}

fn connection(ctx: &WebContext, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let peer = stream.peer_addr()?.ip();
    let resp = match Request::read(&stream, peer) {
        Ok(req) => ctx.handle(&req),
        Err(http::RequestError::TooLarge) => {
            Response::error("413 Payload Too Large", "request too large")
        }
        Err(http::RequestError::Malformed(m)) => Response::error("400 Bad Request", m),
        Err(http::RequestError::Io(e)) => return Err(e),
    };
    resp.write(&stream)
}

/// Serves the scoreboard on `listener`; returns at the first connection after the stop flag
/// is set (a blocking accept: no polling delay on new connections).
pub fn serve(listener: TcpListener, ctx: Arc<WebContext>) -> std::io::Result<()> {
    listener.set_nonblocking(false)?;
    for stream in listener.incoming() {
        if ctx.stop.load(Ordering::Relaxed) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "scoreboard accept failed");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if ctx.open.fetch_add(1, Ordering::Relaxed) >= MAX_CONNECTIONS {
            ctx.open.fetch_sub(1, Ordering::Relaxed);
            let _ =
                Response::error("503 Service Unavailable", "too many connections").write(&stream);
            continue;
        }
        let c = Arc::clone(&ctx);
        thread::spawn(move || {
            if let Err(e) = connection(&c, stream) {
                tracing::debug!(error = %e, "scoreboard connection ended");
            }
            c.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    Ok(())
}
