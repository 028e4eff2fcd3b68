/* The judge's entry page: draft autosave when a field is left, the running total, and keyboard
   shortcuts on desktop (j/k next/previous, s save, Enter in the last score field submits, ? help).
   No inline script (CSP): this file is loaded by review/judge/entry.html. */
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var statusEl = document.getElementById("save-status");
  var totalEl = document.getElementById("score-total");
  var badge = document.getElementById("score-status");
  var values = Array.prototype.slice.call(form.querySelectorAll(".judge-value"));
  var comment = document.getElementById("comment");
  var lastSent = null;
  var busy = false;

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function total() {
    var sum = 0, any = false;
    values.forEach(function (el) {
      var v = parseFloat((el.value || "").replace(",", "."));
      if (!isNaN(v)) { sum += v * parseFloat(el.dataset.weight || "1"); any = true; }
    });
    if (totalEl) { totalEl.textContent = any ? String(Math.round(sum * 100) / 100) : "—"; }
  }

  function snapshot() {
    return values.map(function (el) { return el.value; }).join("|") + "|" + (comment ? comment.value : "");
  }

  function showErrors(errors) {
    values.forEach(function (el) {
      var msgs = (errors && errors["values." + el.name.slice(2)]) || [];
      var fb = form.querySelector('.invalid-feedback[data-for="' + el.id + '"]');
      el.classList.toggle("is-invalid", msgs.length > 0);
      if (fb) { fb.textContent = msgs.join(" "); }
    });
  }

  function autosave() {
    var now = snapshot();
    if (busy || now === lastSent) { return; }
    busy = true;
    lastSent = now;
    var data = new FormData(form);
    data.set("action", "save");
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        showErrors(body.ok ? {} : body.errors);
        say(body.message || "");
        if (body.ok && badge && body.status === "draft") {
          badge.className = "badge text-bg-warning";
          badge.textContent = badge.dataset.draft || badge.textContent;
        }
      })
      .catch(function () { lastSent = null; })
      .then(function () { busy = false; });
  }

  lastSent = snapshot();
  values.forEach(function (el) {
    el.addEventListener("input", total);
    el.addEventListener("change", autosave);
  });
  if (comment) { comment.addEventListener("change", autosave); }

  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
                       t.isContentEditable);
    if (ev.key === "Enter" && t && t.classList && t.classList.contains("judge-value")) {
      ev.preventDefault();
      if (t.dataset.last) {
        click("submit-score");
      } else {
        var i = values.indexOf(t);
        if (i >= 0 && values[i + 1]) { values[i + 1].focus(); }
      }
      return;
    }
    if (typing) { return; }
    if (ev.key === "j") { ev.preventDefault(); click("judge-next"); }
    else if (ev.key === "k") { ev.preventDefault(); click("judge-prev"); }
    else if (ev.key === "s") { ev.preventDefault(); click("save-draft"); }
    else if (ev.key === "?") {
      ev.preventDefault();
      var modal = document.getElementById("shortcuts");
      if (modal && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(modal).show(); }
    }
  });

  var conflict = document.getElementById("conflict-form");
  if (conflict) {
    conflict.addEventListener("submit", function (ev) {
      var msg = conflict.dataset.confirm;
      if (msg && !window.confirm(msg)) { ev.preventDefault(); }
    });
  }
}());
