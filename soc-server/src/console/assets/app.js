// City SOC console: keyboard triage on lists (j/k move, x select, Enter open,
// a acknowledge, c close, e escalate, / search), bulk selection, "load more" and the
// live inbox (server-sent events). Plain JavaScript, no dependencies.
(function () {
  "use strict";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var tbody = document.querySelector("table.inbox tbody");
  var currentId = null; // the keyboard selection, by row id (rows come and go)

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.group"));
  }
  function rowKey(row) { return row.dataset.id || row.dataset.href; }
  function currentRow() {
    if (currentId === null) return null;
    var list = rows();
    for (var i = 0; i < list.length; i++) if (rowKey(list[i]) === currentId) return list[i];
    return null;
  }

  function select(i) {
    var list = rows();
    if (!list.length) return;
    var old = currentRow();
    if (old) old.classList.remove("selected");
    i = Math.max(0, Math.min(list.length - 1, i));
    currentId = rowKey(list[i]);
    list[i].classList.add("selected");
    list[i].scrollIntoView({ block: "nearest" });
  }
  function move(delta) {
    var list = rows();
    var cur = currentRow();
    select(cur ? list.indexOf(cur) + delta : (delta > 0 ? 0 : list.length - 1));
  }

  // --- quick actions on an inbox row, without reloading (keeps the selection) ---
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { throw new Error(e.error || r.status); });
      return r.json();
    });
  }
  function flash(msg) {
    var el = document.getElementById("flash");
    if (!el) {
      el = document.createElement("div");
      el.id = "flash";
      document.body.appendChild(el);
    }
    el.textContent = msg;
    el.className = "show";
    setTimeout(function () { el.className = ""; }, 4000);
  }
  function setStatus(row, group) {
    var badge = row.querySelector(".status");
    var reason = group.close_reason ? " (" + group.close_reason + ")" : "";
    badge.textContent = group.status + reason;
    badge.className = "status st-" + group.status;
    var ack = row.querySelector("form.act-ack");
    if (ack && group.status !== "new") ack.remove();
  }
  function ackRow(row) {
    post("/api/v1/groups/" + row.dataset.id + "/status", { status: "acknowledged" })
      .then(function (g) { setStatus(row, g); })
      .catch(function (e) { flash("Acknowledge failed: " + e.message); });
  }
  function closeRow(row, reason) {
    post("/api/v1/groups/" + row.dataset.id + "/status", { status: "closed", reason: reason })
      .then(function (g) {
        setStatus(row, g);
        row.classList.add("gone");
        setTimeout(function () {
          var wasCurrent = rowKey(row) === currentId;
          var idx = rows().indexOf(row);
          row.remove();
          if (wasCurrent) select(idx);
        }, 600);
      })
      .catch(function (e) { flash("Close failed: " + e.message); });
  }
  function inInbox(row) { return row && row.dataset.id && tbody && tbody.contains(row); }

  // Row forms inside the inbox go through the API; elsewhere they post normally.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var row = form.closest("tr.group");
    if (!inInbox(row)) return;
    if (form.classList.contains("act-ack")) { ev.preventDefault(); ackRow(row); }
    else if (form.classList.contains("act-close")) {
      ev.preventDefault();
      closeRow(row, form.querySelector("select").value);
    }
  });

  function submitIn(selector) {
    // On a list, a row action needs a selected row (never the first row by accident).
    var scope = currentRow() || (document.querySelector("tr.group " + selector) ? null : document);
    if (!scope) return false;
    var form = scope.querySelector(selector);
    if (!form) return false;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  document.addEventListener("click", function (ev) {
    var row = ev.target.closest("tr.group");
    if (!row || ev.target.closest("a, button, select, input, form, label")) return;
    var list = rows();
    select(list.indexOf(row));
  });
  document.addEventListener("dblclick", function (ev) {
    var row = ev.target.closest("tr.group");
    if (row && row.dataset.href && !ev.target.closest("a, button, select, input, form"))
      window.location = row.dataset.href;
  });

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    switch (ev.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": {
        var r = currentRow();
        var box = r && r.querySelector("td.sel input");
        if (!box) return;
        box.checked = !box.checked;
        updateCount();
        break;
      }
      case "Enter": {
        var cur = currentRow();
        if (cur && cur.dataset.href) window.location = cur.dataset.href;
        else return;
        break;
      }
      case "a": if (!submitIn("form.act-ack")) return; break;
      case "e": if (!submitIn("form.act-esc") && !submitIn("form.act-esc-case")) return; break;
      case "c": {
        var scope = currentRow() || document;
        var sel = scope.querySelector("form.act-close select");
        if (sel) { sel.focus(); } else { return; }
        break;
      }
      case "/": {
        var q = document.querySelector("form.search input[name=q]");
        if (q) q.focus();
        break;
      }
      default: return;
    }
    ev.preventDefault();
  });

  // Enter inside a close-reason select submits the close form.
  document.addEventListener("keydown", function (ev) {
    var sel = ev.target;
    if (ev.key !== "Enter" || sel.tagName !== "SELECT" || !sel.closest("form.act-close")) return;
    ev.preventDefault();
    var form = sel.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // --- bulk selection ---
  var all = document.getElementById("select-all");
  var count = document.getElementById("sel-count");
  var bulkAll = document.getElementById("bulk-all");
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("td.sel input[type=checkbox]"));
  }
  function updateCount() {
    if (!count) return;
    var n = boxes().filter(function (b) { return b.checked; }).length;
    count.textContent = bulkAll && bulkAll.checked ? "all matching" : n + " selected";
    document.body.classList.toggle("has-selection", n > 0 || (bulkAll && bulkAll.checked));
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      updateCount();
    });
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && (ev.target.matches("td.sel input") || ev.target === bulkAll)) updateCount();
  });

  // --- load more: append the next page's rows ---
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-more]");
    if (!a || !tbody) return;
    ev.preventDefault();
    fetch(a.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      doc.querySelectorAll("table.inbox tbody tr.group").forEach(function (tr) {
        if (!tbody.querySelector('tr[data-id="' + tr.dataset.id + '"]')) tbody.appendChild(document.importNode(tr, true));
      });
      var next = doc.querySelector("a[data-more]");
      var shown = doc.getElementById("shown-to");
      var mine = document.getElementById("shown-to");
      if (shown && mine) mine.textContent = shown.textContent;
      if (next) a.href = next.href; else a.remove();
    }).catch(function (e) { flash("Loading more failed: " + e.message); });
  });

  // --- live inbox ---
  var table = document.querySelector("table.inbox[data-live]");
  if (table && window.EventSource) {
    var badge = document.getElementById("live");
    var source = new EventSource(table.dataset.live);
    source.onopen = function () { if (badge) { badge.hidden = false; badge.className = "live on"; } };
    source.onerror = function () { if (badge) badge.className = "live off"; };
    source.addEventListener("group", function (msg) {
      var g;
      try { g = JSON.parse(msg.data); } catch (e) { return; }
      var old = tbody.querySelector('tr[data-id="' + g.id + '"]');
      if (old && old.dataset.v === g.v) return;
      var holder = document.createElement("tbody");
      holder.innerHTML = g.html;
      var row = holder.firstElementChild;
      if (!row) return;
      if (old) {
        var box = old.querySelector("td.sel input");
        var nbox = row.querySelector("td.sel input");
        if (box && nbox) nbox.checked = box.checked;
        if (old.classList.contains("selected")) row.classList.add("selected");
        // Do not yank a form the analyst is using.
        if (old.contains(document.activeElement)) return;
        old.replaceWith(row);
      } else {
        var empty = tbody.querySelector("tr.empty-row");
        if (empty) empty.remove();
        tbody.insertBefore(row, tbody.firstElementChild);
      }
      row.classList.add("fresh");
      setTimeout(function () { row.classList.remove("fresh"); }, 2500);
    });
    source.addEventListener("gone", function (msg) {
      var g;
      try { g = JSON.parse(msg.data); } catch (e) { return; }
      var row = tbody.querySelector('tr[data-id="' + g.id + '"]');
      if (!row || row.contains(document.activeElement)) return;
      row.classList.add("gone");
      setTimeout(function () {
        var wasCurrent = rowKey(row) === currentId;
        var idx = rows().indexOf(row);
        row.remove();
        if (wasCurrent) select(idx);
      }, 600);
    });
  }
})();
