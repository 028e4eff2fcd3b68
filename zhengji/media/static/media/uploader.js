/* Zhengji uploader: Uppy Dashboard + Tus (resumable) or AwsS3 (multipart, when the server uploads
   straight to S3). Configured only by data attributes on [data-zj-uploader] (CSP: no inline JS).
   After each upload the file is ingested into the track's file slot and its MediaFile id goes
   into the hidden input named after the slot (comma-separated ids). */
(function () {
  'use strict';
  var ZERO = '00000000-0000-0000-0000-000000000000';
  var UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : '';
  }

  function csrf(el) {
    return cookie('csrftoken') || el.dataset.csrf || '';
  }

  // Uppy's S3 plugin (companion mode) cannot add headers: add the CSRF token to our own
  // same-origin signing requests only.
  function patchFetchForCsrf(prefix, el) {
    if (window.__zjFetchPatched) return;
    window.__zjFetchPatched = true;
    var orig = window.fetch.bind(window);
    window.fetch = function (input, init) {
      var url = typeof input === 'string' ? input : (input && input.url) || '';
      if (url.indexOf(prefix) === 0 || url.indexOf(location.origin + prefix) === 0) {
        init = Object.assign({credentials: 'same-origin'}, init || {});
        var h = new Headers(init.headers || {});
        h.set('X-CSRFToken', csrf(el));
        init.headers = h;
      }
      return orig(input, init);
    };
  }

  function init(el) {
    if (el.dataset.ready === '1' || !window.Uppy || !window.Uppy.Uppy) return;
    el.dataset.ready = '1';
    var U = window.Uppy;
    var d = el.dataset;
    var hidden = el.querySelector('input[type=hidden][data-zj-ids]');
    var errors = el.querySelector('.zj-uploader-errors');
    var list = el.querySelector('.zj-uploader-files');
    var maxCount = parseInt(d.maxCount || '0', 10) || null;
    var chunk = parseInt(d.chunkSize || '8388608', 10);

    function ids() { return hidden.value ? hidden.value.split(',').filter(Boolean) : []; }
    function setIds(a) {
      hidden.value = a.join(',');
      hidden.dispatchEvent(new Event('change', {bubbles: true}));
    }
    function showError(name, message) {
      var li = document.createElement('li');
      li.className = 'text-danger';
      li.textContent = (name ? name + ': ' : '') + message;
      errors.appendChild(li);
    }
    function addItem(mediaId, name, thumb) {
      var li = document.createElement('li');
      li.className = 'd-flex align-items-center gap-2 py-1';
      li.dataset.mediaId = mediaId;
      if (thumb) {
        var img = document.createElement('img');
        img.src = thumb;
        img.alt = '';
        img.width = 48;
        img.height = 48;
        img.className = 'rounded object-fit-cover';
        li.appendChild(img);
      }
      var span = document.createElement('span');
      span.className = 'text-break';
      span.textContent = name;
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'btn btn-sm btn-outline-danger';
      btn.dataset.zjRemove = mediaId;
      btn.textContent = d.msgRemove || 'Remove';
      btn.setAttribute('aria-label', (d.msgRemove || 'Remove') + ' ' + name);
      li.appendChild(span);
      li.appendChild(btn);
      list.appendChild(li);
    }

    function slotCount() {
      // A file that failed (upload or ingest) holds no place: the entrant may add another instead.
      var files = uppy.getFiles().filter(function (f) { return !f.error; });
      var mine = files.map(function (f) { return f.zjMediaId; }).filter(Boolean);
      return ids().filter(function (x) { return mine.indexOf(x) < 0; }).length + files.length;
    }

    // Uppy's own inputs (file pickers, meta editors) are inside the entry form: their events must
    // not reach the form, whose autosave listens for change/input. Only the hidden ids input speaks.
    ['change', 'input'].forEach(function (type) {
      el.addEventListener(type, function (ev) {
        if (ev.target !== hidden) ev.stopPropagation();
      });
    });

    var restrictions = {};
    if (d.extensions) restrictions.allowedFileTypes = d.extensions.split(',').map(function (e) { return '.' + e; });
    if (d.maxSize) restrictions.maxFileSize = parseInt(d.maxSize, 10);
    if (maxCount) restrictions.maxNumberOfFiles = maxCount;

    var uppy = new U.Uppy({
      id: 'zj-' + d.slot,
      autoProceed: true,
      restrictions: restrictions,
      locale: (U.locales && U.locales[d.locale]) || undefined,
      meta: {slot: d.slot},
      onBeforeFileAdded: function (file) {
        // Files already attached to the entry count towards the slot's maximum; a file added in
        // this session is counted once, not also by the id its ingest put in the hidden input.
        if (maxCount && slotCount() >= maxCount) {
          uppy.info(d.msgTooMany || 'Too many files', 'error', 5000);
          return false;
        }
        return true;
      }
    });
    uppy.use(U.Dashboard, {
      inline: true,
      target: el.querySelector('.zj-uploader-dashboard'),
      width: '100%',
      height: 300,
      proudlyDisplayPoweredByUppy: false,
      note: d.note || undefined,
      showRemoveButtonAfterComplete: true
    });
    uppy.on('file-added', function (file) {
      uppy.setFileMeta(file.id, {filename: file.name, filetype: file.type || '', size: String(file.size || '')});
    });

    if (d.s3 === '1') {
      patchFetchForCsrf(d.s3Endpoint, el);
      uppy.use(U.AwsS3, {
        companionEndpoint: d.s3Endpoint,
        shouldUseMultipart: true,
        getChunkSize: function () { return Math.max(chunk, 5 * 1024 * 1024); }
      });
    } else {
      uppy.use(U.Tus, {
        endpoint: d.tusEndpoint,
        chunkSize: chunk,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        removeFingerprintOnSuccess: true,
        allowedMetaFields: ['filename', 'filetype', 'name', 'type'],
        headers: function () { return {'X-CSRFToken': csrf(el)}; }
      });
    }

    uppy.on('upload-success', function (file, response) {
      var src = (response && (response.uploadURL || (response.body && (response.body.key || response.body.location)))) || '';
      var m = String(src).match(UUID_RE);
      if (!m) { showError(file.name, d.msgFailed || 'Upload failed'); return; }
      var uploadId = m[0];
      el.dataset.lastUpload = uploadId;
      uppy.setFileState(file.id, {zjUploadId: uploadId});
      if (!d.track && !d.ingestFields) {  // test page: nothing to ingest into
        addItem('upload:' + uploadId, file.name);
        return;
      }
      fetch(d.ingestUrl.replace(ZERO, uploadId), {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'X-CSRFToken': csrf(el), 'Content-Type': 'application/json', 'Accept': 'application/json'},
        // A track's file slot by default; another ingest target names its own fields.
        body: d.ingestFields || JSON.stringify({track: d.track, slot: d.slot})
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          return {ok: r.ok, status: r.status, j: j};
        });
      }).then(function (res) {
        if (res.ok && res.j.id) {
          setIds(ids().concat([String(res.j.id)]));
          uppy.setFileState(file.id, {zjMediaId: String(res.j.id)});
          addItem(String(res.j.id), res.j.filename || file.name, res.j.thumbnail_url);
        } else {
          var msg = (res.j && res.j.message) || d.msgFailed || 'Upload failed';
          showError(file.name, msg);
          if (res.status >= 400 && res.status < 500 && res.status !== 409) {
            // Refused for what the file is (type, size, length…): sending it again cannot help.
            // Take it out of Uppy so its place is free for another file; the reason stays listed.
            uppy.removeFile(file.id);
          } else {
            uppy.setFileState(file.id, {error: msg});
          }
        }
      }).catch(function () {
        var msg = d.msgFailed || 'Upload failed';
        uppy.setFileState(file.id, {error: msg});
        showError(file.name, msg);
      });
    });
    uppy.on('upload-error', function (file, error, response) {
      var msg = (response && response.body && response.body.message) || (error && error.message) || d.msgFailed;
      showError(file && file.name, msg);
    });
    uppy.on('file-removed', function (file) {
      var mid = file && file.zjMediaId;
      if (mid) {
        setIds(ids().filter(function (x) { return x !== mid; }));
        var li = list.querySelector('[data-media-id="' + mid + '"]');
        if (li) li.remove();
      }
    });
    list.addEventListener('click', function (ev) {
      var btn = ev.target.closest('[data-zj-remove]');
      if (!btn) return;
      var mid = btn.dataset.zjRemove;
      setIds(ids().filter(function (x) { return x !== mid; }));
      btn.closest('li').remove();
      // Free the slot in Uppy too, so another file may be added in its place.
      uppy.getFiles().forEach(function (file) {
        if (file.zjMediaId === mid) uppy.removeFile(file.id);
      });
    });
    // Leaving the page (Save, Submit) while a file is still uploading or being checked would cut
    // the upload off and send the form without it: hold the form back and say why.
    var form = el.closest('form');
    if (form) {
      form.addEventListener('submit', function (ev) {
        var busy = uppy.getFiles().some(function (f) { return !f.zjMediaId && !f.error; });
        if (!busy) return;
        ev.preventDefault();
        var msg = d.msgBusy || 'Please wait until the files have finished uploading.';
        uppy.info(msg, 'warning', 5000);
        if (!errors.querySelector('[data-zj-busy]')) {
          showError('', msg);
          errors.lastChild.dataset.zjBusy = '1';
        }
      });
    }
    uppy.on('complete', function () {
      var note = errors.querySelector('[data-zj-busy]');
      if (note) note.remove();
    });
    el.zjUppy = uppy;
  }

  function initAll() {
    document.querySelectorAll('[data-zj-uploader]').forEach(init);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', initAll);
  else initAll();
  document.addEventListener('htmx:afterSettle', initAll);
})();
