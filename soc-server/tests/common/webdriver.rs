//! A small W3C WebDriver client for the browser test: starts `chromedriver` on a free
//! loopback port, opens a headless Chromium session and speaks the WebDriver JSON
//! protocol over plain HTTP (with `ureq`: chromedriver answers `Connection: close` but
//! keeps the socket open, so a read-to-end client would hang).
//!
//! Everything waits explicitly: [`Browser::wait_for`] and [`Browser::wait_until`] poll
//! for up to [`WAIT`] instead of sleeping.

use base64::Engine;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thiserror::Error;

/// How long explicit waits poll before giving up.
pub const WAIT: Duration = Duration::from_secs(10);

/// How often explicit waits poll.
const POLL: Duration = Duration::from_millis(50);

/// The key W3C WebDriver uses for element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A failed WebDriver exchange.
#[derive(Debug, Error)]
pub enum WdError {
    /// The HTTP exchange with chromedriver failed.
    #[error("webdriver {method} {path}: {message}")]
    Http {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The transport error.
        message: String,
    },
    /// chromedriver answered with a WebDriver error.
    #[error("webdriver {method} {path}: {status} {error}: {message}")]
    Driver {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// HTTP status.
        status: u16,
        /// WebDriver error code (`no such element`, ...).
        error: String,
        /// Its message.
        message: String,
    },
    /// The answer did not have the expected shape.
    #[error("webdriver {0}: unexpected answer {1}")]
    Shape(String, String),
    /// An explicit wait ran out.
    #[error("timed out after {wait:?} waiting for {0}", wait = WAIT)]
    Timeout(String),
    /// Writing a screenshot failed.
    #[error("screenshot {0}: {1}")]
    Screenshot(String, String),
}

impl WdError {
    /// `true` for errors of a page that is still changing: "no such element", "stale
    /// element reference", "element click intercepted", "element not interactable"
    /// (worth polling again).
    ///
    /// Chromium also reports an element of a page that was just replaced (a form post
    /// and redirect) as `unknown error: … Node with given id does not belong to the
    /// document`: the same staleness, so also transient.
    fn is_transient(&self) -> bool {
        match self {
            WdError::Driver { error, message, .. } => {
                matches!(
                    error.as_str(),
                    "no such element"
                        | "stale element reference"
                        | "element click intercepted"
                        | "element not interactable"
                ) || (error == "unknown error"
                    && (message.contains("does not belong to the document")
                        || message.contains("No node with given id")))
            }
            _ => false,
        }
    }
}

/// Finds `name` in `$PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The Chromium binary: `$CHROMIUM`, `/usr/bin/chromium`, or `chromium` in `$PATH`.
/// Panics naming the Debian package when it is missing (the test never skips).
pub fn chromium_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    let default = Path::new("/usr/bin/chromium");
    if default.is_file() {
        return default.to_path_buf();
    }
    which("chromium").unwrap_or_else(|| {
        panic!("Chromium not found (/usr/bin/chromium or `chromium` in PATH): install the Debian package `chromium`")
    })
}

/// The chromedriver binary: `$CHROMEDRIVER`, `/usr/bin/chromedriver`, or `chromedriver`
/// in `$PATH`. Panics naming the Debian package when it is missing.
pub fn chromedriver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMEDRIVER") {
        return PathBuf::from(p);
    }
    let default = Path::new("/usr/bin/chromedriver");
    if default.is_file() {
        return default.to_path_buf();
    }
    which("chromedriver").unwrap_or_else(|| {
        panic!("chromedriver not found (/usr/bin/chromedriver or `chromedriver` in PATH): install the Debian package `chromium-driver`")
    })
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral port on 127.0.0.1")
}

/// One exchange with chromedriver: JSON in, the `value` member of the answer out.
fn call(
    agent: &ureq::Agent,
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, WdError> {
    let req = agent.request(method, &format!("http://{addr}{path}"));
    let sent = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let (status, resp) = match sent {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(ureq::Error::Transport(t)) => {
            return Err(WdError::Http {
                method: method.into(),
                path: path.into(),
                message: t.to_string(),
            })
        }
    };
    let v: Value = resp
        .into_json()
        .map_err(|e| WdError::Shape(path.into(), e.to_string()))?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 {
        let s = |k: &str| {
            value
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        return Err(WdError::Driver {
            method: method.into(),
            path: path.into(),
            status,
            error: s("error"),
            message: s("message").lines().next().unwrap_or("").to_string(),
        });
    }
    Ok(value)
}

/// A running chromedriver, shut down (with the browsers it started) on drop.
pub struct Driver {
    child: Child,
    agent: ureq::Agent,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits until it is ready.
    pub fn start() -> Driver {
        let bin = chromedriver_binary();
        let mut last = String::new();
        // The port is free when picked but could be taken before chromedriver binds it:
        // try a few times.
        for _ in 0..3 {
            let port = free_port();
            // Its own process group: whatever chromedriver and Chromium signal on the way
            // out stays among them and never reaches the test runner or the shell.
            let child = Command::new(&bin)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn();
            let child = match child {
                Ok(c) => c,
                Err(e) => panic!(
                    "cannot run {}: {e}: install the Debian package `chromium-driver`",
                    bin.display()
                ),
            };
            let mut d = Driver {
                child,
                agent: ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(60))
                    .build(),
                addr: format!("127.0.0.1:{port}"),
            };
            let deadline = Instant::now() + WAIT;
            while Instant::now() < deadline {
                if let Ok(Some(status)) = d.child.try_wait() {
                    last = format!("chromedriver exited with {status}");
                    break;
                }
                match call(&d.agent, &d.addr, "GET", "/status", None) {
                    Ok(v) if v["ready"] == true => return d,
                    Ok(v) => last = format!("not ready: {v}"),
                    Err(e) => last = e.to_string(),
                }
                std::thread::sleep(POLL);
            }
        }
        panic!("chromedriver did not become ready: {last}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // `/shutdown` ends the sessions left open (their browsers quit) and chromedriver
        // itself; killing the process is the fallback. Only this child is ever signalled.
        let _ = call(&self.agent, &self.addr, "GET", "/shutdown", None);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A reference to an element of the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

/// A headless Chromium session; deleted (browser closed) on drop.
pub struct Browser<'d> {
    driver: &'d Driver,
    session: String,
    shots: PathBuf,
}

impl<'d> Browser<'d> {
    /// Opens a session with headless Chromium; screenshots go to `shots` (created).
    pub fn open(driver: &'d Driver, shots: &Path) -> Result<Browser<'d>, WdError> {
        std::fs::create_dir_all(shots)
            .map_err(|e| WdError::Screenshot(shots.display().to_string(), e.to_string()))?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--window-size=1400,900"],
            },
        }}});
        let v = call(&driver.agent, &driver.addr, "POST", "/session", Some(&caps))?;
        let session = v
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| WdError::Shape("new session".into(), v.to_string()))?
            .to_string();
        Ok(Browser {
            driver,
            session,
            shots: shots.to_path_buf(),
        })
    }

    fn cmd(&self, method: &str, rel: &str, body: Option<Value>) -> Result<Value, WdError> {
        let path = format!("/session/{}{rel}", self.session);
        call(
            &self.driver.agent,
            &self.driver.addr,
            method,
            &path,
            body.as_ref(),
        )
    }

    /// Navigates to `url` and waits for the page load.
    pub fn goto(&self, url: &str) -> Result<(), WdError> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// The current page's URL.
    pub fn url(&self) -> Result<String, WdError> {
        let v = self.cmd("GET", "/url", None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The current page's title.
    pub fn title(&self) -> Result<String, WdError> {
        let v = self.cmd("GET", "/title", None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    fn element_of(v: &Value) -> Option<Element> {
        v.get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_string()))
    }

    /// The first element matching the CSS selector (error when none).
    pub fn find(&self, css: &str) -> Result<Element, WdError> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.cmd("POST", "/element", Some(body))?;
        Self::element_of(&v).ok_or_else(|| WdError::Shape(css.into(), v.to_string()))
    }

    /// All elements matching the CSS selector (possibly none).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, WdError> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.cmd("POST", "/elements", Some(body))?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(Self::element_of).collect())
            .unwrap_or_default())
    }

    /// The first element matching `css` inside `parent`.
    pub fn find_in(&self, parent: &Element, css: &str) -> Result<Element, WdError> {
        let body = json!({"using": "css selector", "value": css});
        let v = self.cmd(
            "POST",
            &format!("/element/{}/element", parent.0),
            Some(body),
        )?;
        Self::element_of(&v).ok_or_else(|| WdError::Shape(css.into(), v.to_string()))
    }

    /// Polls until an element matches `css` (up to [`WAIT`]).
    pub fn wait_for(&self, css: &str) -> Result<Element, WdError> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.find(css) {
                Ok(e) => return Ok(e),
                Err(e) if e.is_transient() && Instant::now() < deadline => std::thread::sleep(POLL),
                Err(e) if e.is_transient() => {
                    return Err(WdError::Timeout(format!("element `{css}`")))
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Polls `check` until it yields `Some` (up to [`WAIT`]); element lookups that fail
    /// because the page is changing count as "not yet".
    pub fn wait_until<T>(
        &self,
        what: &str,
        mut check: impl FnMut(&Self) -> Result<Option<T>, WdError>,
    ) -> Result<T, WdError> {
        let deadline = Instant::now() + WAIT;
        loop {
            match check(self) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Err(WdError::Timeout(what.to_string()));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Polls until the URL's path (and query) satisfies `ok`; returns it.
    pub fn wait_for_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> Result<String, WdError> {
        self.wait_until(what, |b| {
            let url = b.url()?;
            let path = url
                .split_once("://")
                .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
                .unwrap_or_default();
            Ok(ok(&path).then_some(path))
        })
    }

    /// Clicks an element.
    pub fn click(&self, e: &Element) -> Result<(), WdError> {
        self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({})))
            .map(drop)
    }

    /// Polls until an element matches `css` and accepts a click (up to [`WAIT`]).
    pub fn click_css(&self, css: &str) -> Result<(), WdError> {
        self.wait_until(&format!("a click on `{css}`"), |b| {
            let e = b.find(css)?;
            b.click(&e)?;
            Ok(Some(()))
        })
    }

    /// Clears an input.
    pub fn clear(&self, e: &Element) -> Result<(), WdError> {
        self.cmd("POST", &format!("/element/{}/clear", e.0), Some(json!({})))
            .map(drop)
    }

    /// Types `text` into an element.
    pub fn send_keys(&self, e: &Element, text: &str) -> Result<(), WdError> {
        self.cmd(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    /// Presses and releases one key on whatever has the focus (keyboard shortcuts).
    pub fn press_key(&self, key: &str) -> Result<(), WdError> {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]});
        self.cmd("POST", "/actions", Some(actions))?;
        self.cmd("DELETE", "/actions", None).map(drop)
    }

    /// The rendered text of an element.
    pub fn text(&self, e: &Element) -> Result<String, WdError> {
        let v = self.cmd("GET", &format!("/element/{}/text", e.0), None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// An attribute of an element (`None` when absent).
    pub fn attr(&self, e: &Element, name: &str) -> Result<Option<String>, WdError> {
        let v = self.cmd("GET", &format!("/element/{}/attribute/{name}", e.0), None)?;
        Ok(v.as_str().map(str::to_string))
    }

    /// Runs synchronous JavaScript; `args` may hold elements (see [`Browser::arg`]).
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, WdError> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// An element as a script argument.
    pub fn arg(e: &Element) -> Value {
        json!({ ELEMENT_KEY: e.0 })
    }

    /// Scrolls an element into view (top of the viewport).
    pub fn scroll_to(&self, e: &Element) -> Result<(), WdError> {
        self.execute(
            "arguments[0].scrollIntoView({block: 'start'});",
            vec![Self::arg(e)],
        )
        .map(drop)
    }

    /// Sets the window's outer size (CSS pixels); the viewport follows.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<(), WdError> {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .map(drop)
    }

    /// Saves a PNG screenshot of the viewport as `SHOTS/{name}.png`; returns its path.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf, WdError> {
        let v = self.cmd("GET", "/screenshot", None)?;
        let b64 = v
            .as_str()
            .ok_or_else(|| WdError::Shape("screenshot".into(), v.to_string()))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| WdError::Screenshot(name.into(), e.to_string()))?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png)
            .map_err(|e| WdError::Screenshot(path.display().to_string(), e.to_string()))?;
        Ok(path)
    }
}

impl Drop for Browser<'_> {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = call(&self.driver.agent, &self.driver.addr, "DELETE", &path, None);
    }
}
