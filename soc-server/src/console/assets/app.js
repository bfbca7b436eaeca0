// City SOC console: keyboard triage on lists (j/k move, Enter open, a acknowledge,
// c close, / search). Plain JavaScript, no dependencies.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.group"));
  var current = -1;

  function select(i) {
    if (!rows.length) return;
    if (current >= 0 && rows[current]) rows[current].classList.remove("selected");
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows[current].classList.add("selected");
    rows[current].scrollIntoView({ block: "nearest" });
  }

  function submitIn(selector) {
    var scope = current >= 0 ? rows[current] : document;
    var form = scope.querySelector(selector);
    if (form) form.submit();
  }

  rows.forEach(function (row, i) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest("a, button, select, input, form")) return;
      select(i);
    });
    row.addEventListener("dblclick", function () {
      if (row.dataset.href) window.location = row.dataset.href;
    });
  });

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    switch (ev.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter":
        if (current >= 0 && rows[current].dataset.href) window.location = rows[current].dataset.href;
        break;
      case "a": submitIn("form.act-ack"); break;
      case "c": {
        var scope = current >= 0 ? rows[current] : document;
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
  document.querySelectorAll("form.act-close select").forEach(function (sel) {
    sel.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); sel.form.submit(); }
    });
  });
})();
