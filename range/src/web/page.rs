//! The scoreboard's pages, script and style: no CDN, no inline script (the CSP forbids it);
//! the script renders with `textContent` only and polls `/api/scoreboard`.

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn shell(title: &str, head_extra: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/static/board.css\">{head_extra}</head>\
         <body>{body}</body></html>\n",
        escape(title)
    )
}

const BOARD: &str = "<header><h1 id=\"title\">scoreboard</h1><div id=\"meta\"></div>\
    <div id=\"net\" class=\"net\"></div></header>\
    <main><table id=\"board\"><thead></thead><tbody></tbody></table>\
    <section><h2>First bloods</h2><ul id=\"bloods\"></ul></section></main>\
    <script src=\"/static/board.js\"></script>";

/// The public scoreboard.
pub fn scoreboard(exercise: &str) -> String {
    shell(
        &format!("{exercise} scoreboard"),
        "",
        &format!("{BOARD}<footer><a href=\"/login\">trainer login</a></footer>"),
    )
}

/// The trainer view: full standings and the controls.
pub fn trainer(exercise: &str, csrf: &str) -> String {
    shell(
        &format!("{exercise} trainer"),
        &format!("<meta name=\"csrf-token\" content=\"{}\">", escape(csrf)),
        &format!(
            "<nav class=\"controls\"><strong>trainer</strong> \
             <button data-action=\"pause\">pause</button> \
             <button data-action=\"resume\">resume</button> \
             <button data-action=\"freeze\">freeze public board</button> \
             <button data-action=\"unfreeze\">unfreeze</button> \
             <button data-action=\"stop\" class=\"danger\">stop game server</button> \
             <button data-action=\"logout\">log out</button> \
             <span id=\"result\"></span></nav>{BOARD}"
        ),
    )
}

/// The login form, with an optional message.
pub fn login(exercise: &str, message: Option<&str>) -> String {
    let msg = message
        .map(|m| format!("<p class=\"error\">{}</p>", escape(m)))
        .unwrap_or_default();
    shell(
        &format!("{exercise} trainer login"),
        "",
        &format!(
            "<main class=\"login\"><h1>{} &mdash; trainer login</h1>{msg}\
             <form method=\"post\" action=\"/login\">\
             <label>password <input type=\"password\" name=\"password\" autofocus required \
             autocomplete=\"current-password\"></label> <button type=\"submit\">log in</button>\
             </form><p><a href=\"/\">public scoreboard</a></p></main>",
            escape(exercise)
        ),
    )
}

/// `/static/board.css`.
pub const CSS: &str = r##"
body { font-family: system-ui, sans-serif; margin: 0; background: #111827; color: #e5e7eb; }
header, main, footer, nav { padding: 0.5rem 1rem; }
h1 { font-size: 1.4rem; margin: 0.3rem 0; }
h2 { font-size: 1.1rem; }
a { color: #93c5fd; }
#meta { color: #9ca3af; }
.net { color: #fca5a5; min-height: 1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #374151; padding: 0.25rem 0.4rem; text-align: right; }
th { background: #1f2937; }
th[colspan] { text-align: center; }
td.team { text-align: left; font-weight: 600; }
td.total { font-weight: 700; }
.status { text-align: center; font-weight: 600; border-radius: 3px; }
.status-OK { background: #166534; }
.status-RECOVERING { background: #854d0e; }
.status-MUMBLE { background: #9a3412; }
.status-CORRUPT { background: #7e22ce; }
.status-DOWN { background: #991b1b; }
.status-CHECKER_ERROR { background: #374151; }
.blood { color: #f87171; }
.frozen { background: #1e3a8a; padding: 0 0.4rem; border-radius: 3px; }
.controls button { margin-right: 0.3rem; }
.danger { background: #7f1d1d; color: white; }
.error { color: #fca5a5; }
.login { max-width: 30rem; }
"##;

/// `/static/board.js`.
pub const JS: &str = r##"
"use strict";
(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.content : null;
  const fmt = (x) => (typeof x === "number" ? x.toFixed(2) : "-");
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function render(d) {
    document.title = d.exercise + (csrf ? " trainer" : " scoreboard");
    document.getElementById("title").textContent = d.exercise;
    const meta = document.getElementById("meta");
    meta.textContent = "";
    const ph = d.phase.phase.replace("_", " ");
    meta.append(el("span", ph + (d.tick !== null ? " \u00b7 tick " + d.tick + " of " + d.ticks : "") + " \u00b7 view: " + d.view + " "));
    if (d.frozen) meta.append(el("span", "frozen", "frozen"));
    if (d.manual_freeze && d.view === "trainer") meta.append(el("span", "public board frozen by trainer", "frozen"));
    const thead = document.querySelector("#board thead");
    const tbody = document.querySelector("#board tbody");
    thead.textContent = "";
    tbody.textContent = "";
    const h1 = el("tr"), h2 = el("tr");
    for (const t of ["#", "team", "total"]) { const th = el("th", t); th.rowSpan = 2; h1.append(th); }
    const bloods = {};
    for (const b of d.first_bloods) bloods[b.service] = b.team;
    for (const s of d.services) {
      const th = el("th", s); th.colSpan = 4; h1.append(th);
      for (const c of ["attack", "defense", "SLA", "status"]) h2.append(el("th", c));
    }
    thead.append(h1, h2);
    for (const t of d.teams) {
      const tr = el("tr");
      tr.append(el("td", t.rank), el("td", t.team, "team"), el("td", fmt(t.total), "total"));
      for (const s of t.services) {
        const a = el("td", fmt(s.attack));
        if (bloods[s.service] === t.team) { a.append(el("span", " \u2620", "blood")); a.title = "first blood"; }
        a.title = (a.title ? a.title + ", " : "") + s.captures + " captures";
        const def = el("td", fmt(s.defense)); def.title = s.flags_lost + " flags lost";
        const sla = el("td", fmt(s.sla)); sla.title = s.ok_ticks + " OK, " + s.recovering_ticks + " recovering ticks";
        const st = s.status || "-";
        tr.append(a, def, sla, el("td", st, "status status-" + st));
      }
      tbody.append(tr);
    }
    const ul = document.getElementById("bloods");
    ul.textContent = "";
    if (d.first_bloods.length === 0) ul.append(el("li", "none yet"));
    for (const b of d.first_bloods) ul.append(el("li", b.service + ": " + b.team + " (tick " + b.tick + ")"));
  }
  async function refresh() {
    const net = document.getElementById("net");
    try {
      const r = await fetch("/api/scoreboard", { credentials: "same-origin", cache: "no-store" });
      if (!r.ok) throw new Error("HTTP " + r.status);
      render(await r.json());
      net.textContent = "";
    } catch (e) {
      net.textContent = "scoreboard unreachable (" + e.message + "), retrying";
    }
  }
  if (csrf) {
    for (const b of document.querySelectorAll("button[data-action]")) {
      b.addEventListener("click", async () => {
        const action = b.dataset.action;
        if (action === "stop" && !window.confirm("Stop the game server?")) return;
        const url = action === "logout" ? "/logout" : "/api/control/" + action;
        const out = document.getElementById("result");
        try {
          const r = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
          if (action === "logout") { window.location = "/"; return; }
          const body = await r.json();
          out.textContent = r.ok ? action + ": done" : action + ": " + (body.error || r.status);
        } catch (e) {
          out.textContent = action + ": " + e.message;
        }
        refresh();
      });
    }
  }
  refresh();
  setInterval(refresh, 3000);
})();
"##;
