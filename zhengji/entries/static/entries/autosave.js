/* Autosave of the entry form, beyond htmx's debounce (hx-trigger on the form): save when the
   entrant leaves a field they changed, and when the page goes away (reload, close, another
   page) with something typed since the last save, by a request the browser completes after the
   page is gone (fetch keepalive, else sendBeacon). The form's own CSRF field travels with it. */
(function () {
  'use strict';

  function init(form) {
    if (form.dataset.zjAutosaveReady === '1') return;
    form.dataset.zjAutosaveReady = '1';
    var url = form.getAttribute('hx-post');
    if (!url) return;
    var dirty = false;
    var lastSubmit = null;

    form.addEventListener('input', function () { dirty = true; });
    form.addEventListener('change', function () { dirty = true; });
    form.addEventListener('submit', function (ev) { lastSubmit = ev; });
    document.body.addEventListener('htmx:afterRequest', function (ev) {
      if (ev.detail && ev.detail.elt === form && ev.detail.successful) dirty = false;
    });
    // Leaving a field: save now rather than after the debounce.
    form.addEventListener('focusout', function (ev) {
      if (!dirty || !window.htmx || !ev.target.matches('input, textarea, select, [contenteditable]')) return;
      window.htmx.trigger(form, 'zj-autosave');
    });

    function body() {
      var data = new FormData(form);
      var drop = [];
      data.forEach(function (value, key) { if (typeof value !== 'string') drop.push(key); });
      drop.forEach(function (key) { data.delete(key); });
      return data;
    }
    function flush() {
      // A real Save or Submit is on its way: it carries everything.
      if (!dirty || (lastSubmit && !lastSubmit.defaultPrevented)) return;
      dirty = false;
      var data = body();
      var token = (form.querySelector('input[name=csrfmiddlewaretoken]') || {}).value || '';
      try {
        fetch(url, {method: 'POST', body: data, keepalive: true, credentials: 'same-origin',
                    headers: {'X-CSRFToken': token, 'HX-Request': 'true'}});
      } catch (e) {  // keepalive bodies are limited (64 KB); a beacon may still go
        if (navigator.sendBeacon) navigator.sendBeacon(url, data);
      }
    }
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') flush();
    });
  }

  function initAll() {
    document.querySelectorAll('form[data-zj-autosave]').forEach(init);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initAll);
  else initAll();
})();
