/* The vote box (zhengji/public/templates/public/votes/_box_inner.html): when the server demands a
   proof of work, load the self-hosted ALTCHA widget, register its PBKDF2 worker, solve, and put the
   payload into the form; the vote button stays disabled until then. No inline script (CSP). */
(function () {
  "use strict";
  if (window.zjVotes) { return; }
  window.zjVotes = true;
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      // Modules: the widget and its translation both declare top-level helpers of the same names.
      s.type = "module"; s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function loadAltcha(box) {
    if (loading) { return loading; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = box.dataset.altchaCss;
    document.head.appendChild(css);
    loading = load(box.dataset.altchaJs).then(function () {
      return load(box.dataset.altchaI18n);
    }).then(function () {
      var worker = box.dataset.altchaWorker;
      window.$altcha.algorithms.set("PBKDF2/SHA-256", function () { return new Worker(worker); });
    });
    return loading;
  }

  function wire(box) {
    var slot = box.querySelector(".zj-altcha");
    if (!slot || slot.dataset.wired) { return; }
    slot.dataset.wired = "1";
    var form = slot.closest("form");
    var proof = form.querySelector("input[name=proof]");
    var button = form.querySelector("button[type=submit]");
    loadAltcha(box).then(function () {
      var w = document.createElement("altcha-widget");
      w.setAttribute("challenge", slot.dataset.challenge);
      w.setAttribute("language", slot.dataset.language || "zh-cn");
      w.setAttribute("name", "altcha_widget");
      w.setAttribute("auto", "onload");
      w.addEventListener("verified", function (ev) {
        proof.value = ev.detail.payload;
        button.disabled = false;
      });
      slot.appendChild(w);
    });
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".zj-vote").forEach(wire);
    if (root.classList && root.classList.contains("zj-vote")) { wire(root); }
  }

  document.addEventListener("htmx:afterSwap", function (ev) { scan(ev.detail.target || document); });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
})();
