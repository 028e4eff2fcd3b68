/* The public entry page: the view beacon, the photo viewer, the reading view's text size and the
   WeChat hint. The page is cached for anonymous visitors, so everything that depends on the
   visitor happens here. */
(function () {
  "use strict";

  /* --- WeChat's built-in browser blocks downloads and some full-screen playback: say how to leave it. */
  if (/MicroMessenger/i.test(navigator.userAgent)) {
    var hint = document.getElementById("wechat-hint");
    if (hint) { hint.classList.remove("d-none"); }
  }

  /* --- The view beacon: once the page was visible for a moment, once per page load. */
  var views = document.getElementById("entry-views");
  function visitorId() {
    try {
      var m = document.cookie.match(/(?:^|;\s*)zj_vid=([A-Za-z0-9_-]{16,64})/);
      if (m) { return m[1]; }
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      var id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      document.cookie = "zj_vid=" + id + "; max-age=31536000; path=/; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
      return id;
    } catch (e) { return ""; }
  }
  if (views && views.dataset.seenUrl && window.fetch && window.URLSearchParams) {
    var sent = false, timer = null;
    var send = function () {
      if (sent) { return; }
      sent = true;
      visitorId();
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      var body = new URLSearchParams({ t: views.dataset.seenToken || "" });
      fetch(views.dataset.seenUrl, {
        method: "POST", credentials: "same-origin", keepalive: true, body: body,
        headers: { "X-CSRFToken": token ? token.value : "" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (data && data.counted) {
          var n = parseInt(views.textContent.replace(/\D/g, ""), 10);
          if (!isNaN(n)) { views.textContent = String(n + 1); }
        }
        views.dataset.seen = data && data.counted ? "counted" : "not-counted";
      }).catch(function () { /* a lost beacon is a lost view, nothing more */ });
    };
    var arm = function () {
      clearTimeout(timer);
      if (document.visibilityState === "visible") {
        timer = setTimeout(send, parseInt(views.dataset.seenDelay || "2500", 10));
      }
    };
    document.addEventListener("visibilitychange", arm);
    arm();
  }

  /* --- Photo viewer: swipe (scroll snap), arrows, keyboard, full screen, a "2/5" counter. */
  document.querySelectorAll("[data-viewer]").forEach(function (viewer) {
    var frame = viewer.querySelector(".zj-viewer-frame");
    var track = viewer.querySelector(".zj-viewer-track");
    var slides = track.querySelectorAll(".zj-slide");
    var count = viewer.querySelector("[data-count]");
    var prev = viewer.querySelector("[data-prev]");
    var next = viewer.querySelector("[data-next]");
    var total = slides.length;
    var current = 0;
    function show(i) {
      current = Math.max(0, Math.min(total - 1, i));
      count.textContent = (current + 1) + "/" + total;
      viewer.dataset.index = String(current);
      prev.disabled = current === 0;
      next.disabled = current === total - 1;
      slides.forEach(function (s, k) { s.setAttribute("aria-hidden", k === current ? "false" : "true"); });
    }
    function go(i) {
      i = Math.max(0, Math.min(total - 1, i));
      track.scrollTo({ left: slides[i].offsetLeft - track.offsetLeft, behavior: "smooth" });
      show(i);
    }
    var settle = null;
    track.addEventListener("scroll", function () {
      clearTimeout(settle);
      settle = setTimeout(function () {
        var w = track.clientWidth || 1;
        var i = Math.round(track.scrollLeft / w);
        if (i !== current) { show(i); }
      }, 80);
    }, { passive: true });
    prev.addEventListener("click", function () { go(current - 1); });
    next.addEventListener("click", function () { go(current + 1); });
    track.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowRight") { ev.preventDefault(); go(current + 1); }
      else if (ev.key === "ArrowLeft") { ev.preventDefault(); go(current - 1); }
      else if (ev.key === "Home") { ev.preventDefault(); go(0); }
      else if (ev.key === "End") { ev.preventDefault(); go(total - 1); }
    });
    var full = viewer.querySelector("[data-full]");
    var canFull = frame.requestFullscreen || frame.webkitRequestFullscreen;
    if (!canFull) { full.classList.add("d-none"); }
    full.addEventListener("click", function () {
      if (document.fullscreenElement || document.webkitFullscreenElement) {
        (document.exitFullscreen || document.webkitExitFullscreen).call(document);
      } else if (canFull) {
        canFull.call(frame);
      }
    });
    document.addEventListener("fullscreenchange", function () { go(current); });
    show(0);
  });

  /* --- Reading view: text size, remembered on this device. */
  document.querySelectorAll("[data-reading]").forEach(function (box) {
    var buttons = box.querySelectorAll("[data-size]");
    function set(size) {
      box.dataset.textSize = size;
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.size === size ? "true" : "false"); });
      try { localStorage.setItem("zj-text-size", size); } catch (e) { /* private mode */ }
    }
    buttons.forEach(function (b) { b.addEventListener("click", function () { set(b.dataset.size); }); });
    var saved = null;
    try { saved = localStorage.getItem("zj-text-size"); } catch (e) { saved = null; }
    set(saved === "s" || saved === "l" ? saved : "m");
  });
})();
