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
    var announce = el.querySelector('[data-zj-announce]');
    var unfinished = el.querySelector('[data-zj-unfinished]');

    function rows() { return Array.prototype.slice.call(list.querySelectorAll(':scope > li[data-media-id]')); }
    function button(cls, label, html) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-sm ' + cls;
      b.setAttribute('aria-label', label);
      b.innerHTML = html;
      return b;
    }
    // One row of the file list. `seq` is the file's place in the entrant's pick: uploads finish
    // in any order, the row goes where it was picked (after the files already listed).
    function addItem(mediaId, name, thumb, seq) {
      var li = document.createElement('li');
      li.className = 'zj-file d-flex flex-wrap align-items-center gap-2 py-1';
      li.dataset.mediaId = mediaId;
      li.draggable = true;
      if (seq) li.dataset.seq = String(seq);
      var grip = document.createElement('span');
      grip.className = 'zj-file-grip text-body-secondary';
      grip.setAttribute('aria-hidden', 'true');
      grip.innerHTML = '<i class="bi bi-grip-vertical"></i>';
      li.appendChild(grip);
      var pos = document.createElement('span');
      pos.className = 'zj-file-pos badge text-bg-light';
      pos.dataset.zjPos = '';
      li.appendChild(pos);
      if (thumb) {
        var img = document.createElement('img');
        img.src = thumb;
        img.alt = '';
        img.width = 48;
        img.height = 48;
        img.draggable = false;
        img.className = 'rounded object-fit-cover';
        li.appendChild(img);
      }
      var span = document.createElement('span');
      span.className = 'text-break flex-grow-1';
      span.dataset.zjName = '';
      span.textContent = name;
      li.appendChild(span);
      var tools = document.createElement('span');
      tools.className = 'd-inline-flex gap-1';
      var up = button('btn-outline-secondary zj-move', (d.msgUp || 'Move up') + ': ' + name,
                      '<i class="bi bi-arrow-up" aria-hidden="true"></i>');
      up.dataset.zjMove = '-1';
      var down = button('btn-outline-secondary zj-move', (d.msgDown || 'Move down') + ': ' + name,
                        '<i class="bi bi-arrow-down" aria-hidden="true"></i>');
      down.dataset.zjMove = '1';
      var rm = button('btn-outline-danger', (d.msgRemove || 'Remove') + ' ' + name, '');
      rm.textContent = d.msgRemove || 'Remove';
      rm.dataset.zjRemove = mediaId;
      tools.appendChild(up);
      tools.appendChild(down);
      tools.appendChild(rm);
      li.appendChild(tools);
      var before = null;
      if (seq) {
        before = rows().filter(function (r) { return r.dataset.seq && parseInt(r.dataset.seq, 10) > seq; })[0] || null;
      }
      list.insertBefore(li, before);
      renumber();
      return li;
    }
    function renumber() {
      var all = rows();
      all.forEach(function (li, i) {
        var pos = li.querySelector('[data-zj-pos]');
        if (pos) pos.textContent = String(i + 1);
        var up = li.querySelector('[data-zj-move="-1"]');
        var down = li.querySelector('[data-zj-move="1"]');
        if (up) up.disabled = i === 0;
        if (down) down.disabled = i === all.length - 1;
      });
    }
    // The hidden input follows the list: what the entrant sees is the order that is saved.
    function syncIds() {
      var order = rows().map(function (li) { return li.dataset.mediaId; })
        .filter(function (x) { return x.indexOf('upload:') !== 0; });
      if (order.join(',') !== hidden.value) setIds(order);
    }
    function say(li) {
      if (!announce) return;
      var all = rows();
      var name = (li.querySelector('[data-zj-name]') || li).textContent.trim();
      announce.textContent = (d.msgMoved || '%(name)s: %(n)s / %(total)s')
        .replace('%(name)s', name).replace('%(n)s', String(all.indexOf(li) + 1))
        .replace('%(total)s', String(all.length));
    }
    function move(li, delta) {
      var sib = delta < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sib) return;
      if (delta < 0) list.insertBefore(li, sib);
      else list.insertBefore(sib, li);
      renumber();
      syncIds();
      say(li);
    }
    renumber();

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
      meta: {slot: d.slot, entry: d.entry || ''},
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
    var picked = 0;
    uppy.on('file-added', function (file) {
      uppy.setFileMeta(file.id, {filename: file.name, filetype: file.type || '', size: String(file.size || '')});
      picked += 1;
      uppy.setFileState(file.id, {zjSeq: picked});
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
        // Retries (tus-js-client retries 423 Locked, 409 and 5xx) span 4 minutes, longer than
        // the server's write lease (uploads.services.LEASE_SECONDS): a resume after any crash or
        // stalled request gets through before the widget gives up.
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 30000, 30000, 30000, 30000, 30000, 30000],
        removeFingerprintOnSuccess: true,
        // slot and entry let the edit page list this entry's unfinished uploads after a reload.
        allowedMetaFields: ['filename', 'filetype', 'name', 'type', 'slot', 'entry'],
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
        addItem('upload:' + uploadId, file.name, null, file.zjSeq);
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
          var mid = String(res.j.id);
          var current = uppy.getFile(file.id) || file;
          uppy.setFileState(file.id, {zjMediaId: mid});
          var li = addItem(mid, res.j.filename || file.name, res.j.thumbnail_url || current.preview, current.zjSeq);
          syncIds();
          forgetUnfinished(file.name);
          // Listed once: the row above holds it now; Uppy keeps only files still on their way.
          handOver(file.id, li);
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
    var handedOver = {};
    var waitingThumb = {};
    function thumbnailsBusy() {
      // The Dashboard's ThumbnailGenerator plugin: files still to draw in `queue`, and a flag
      // while it draws one.
      var gen = null;
      uppy.iteratePlugins(function (plugin) { if (/ThumbnailGenerator$/.test(plugin.id)) gen = plugin; });
      return !!(gen && ((gen.queue && gen.queue.length) || gen.queueProcessing));
    }
    // Take an ingested file out of Uppy once its preview (if Uppy makes one) is in the row: a
    // file removed while its thumbnail is queued upsets Uppy's ThumbnailGenerator.
    function handOver(fileId, li) {
      var file = uppy.getFile(fileId);
      if (!file) return;
      var tries = 0;
      var drop = function () {
        if (thumbnailsBusy() && (tries = (tries || 0) + 1) < 200) {
          // The thumbnail generator is still at work (a slow machine, big photos). It keeps its
          // own copies of the files it has queued and complains when one of them is gone, so
          // nothing leaves Uppy until it is idle.
          setTimeout(drop, 300);
          return;
        }
        delete waitingThumb[fileId];
        handedOver[fileId] = true;
        if (uppy.getFile(fileId)) uppy.removeFile(fileId);
      };
      if (file.preview || !/^image\//.test(file.type || '')) {
        var img = li.querySelector('img');
        if (img && !img.complete) { img.addEventListener('load', drop); img.addEventListener('error', drop); }
        else drop();
        return;
      }
      waitingThumb[fileId] = function (preview) {
        if (preview && !li.querySelector('img')) {
          var img = document.createElement('img');
          img.alt = '';
          img.width = 48;
          img.height = 48;
          img.draggable = false;
          img.className = 'rounded object-fit-cover';
          img.src = preview;
          li.insertBefore(img, li.querySelector('[data-zj-name]'));
        }
        drop();
      };
      setTimeout(function () { if (waitingThumb[fileId]) waitingThumb[fileId](null); }, 15000);
    }
    uppy.on('thumbnail:generated', function (file, preview) {
      if (file && waitingThumb[file.id]) setTimeout(function () { waitingThumb[file.id] && waitingThumb[file.id](preview); }, 0);
    });
    uppy.on('thumbnail:error', function (file) {
      if (file && waitingThumb[file.id]) setTimeout(function () { waitingThumb[file.id] && waitingThumb[file.id](null); }, 0);
    });
    function forgetUnfinished(name) {
      if (!unfinished) return;
      unfinished.querySelectorAll('[data-zj-unfinished-name]').forEach(function (li) {
        if (li.dataset.zjUnfinishedName === name) li.remove();
      });
      if (!unfinished.querySelector('[data-zj-unfinished-name]')) unfinished.remove();
    }
    uppy.on('file-removed', function (file) {
      var mid = file && file.zjMediaId;
      if (file && handedOver[file.id]) { delete handedOver[file.id]; return; }
      if (mid) {
        setIds(ids().filter(function (x) { return x !== mid; }));
        var li = list.querySelector('[data-media-id="' + mid + '"]');
        if (li) li.remove();
        renumber();
      }
    });
    list.addEventListener('click', function (ev) {
      var mv = ev.target.closest('[data-zj-move]');
      if (mv) {
        var row = mv.closest('li');
        move(row, parseInt(mv.dataset.zjMove, 10));
        // Keep the keyboard where it was; at an end, on the arrow that still works.
        var again = row.querySelector('[data-zj-move="' + mv.dataset.zjMove + '"]');
        (again && !again.disabled ? again : row.querySelector('[data-zj-move]:not([disabled])') || again).focus();
        return;
      }
      var btn = ev.target.closest('[data-zj-remove]');
      if (!btn) return;
      var mid = btn.dataset.zjRemove;
      btn.closest('li').remove();
      renumber();
      syncIds();
      // Free the slot in Uppy too, so another file may be added in its place.
      uppy.getFiles().forEach(function (file) {
        if (file.zjMediaId === mid) uppy.removeFile(file.id);
      });
    });
    // Drag a row into place (mouse; on touch screens the arrows do the same).
    var dragged = null;
    var orderBefore = '';
    list.addEventListener('dragstart', function (ev) {
      var li = ev.target.closest && ev.target.closest('li[data-media-id]');
      if (!li) return;
      dragged = li;
      orderBefore = rows().map(function (r) { return r.dataset.mediaId; }).join(',');
      li.classList.add('zj-dragging');
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', li.dataset.mediaId);
    });
    list.addEventListener('dragover', function (ev) {
      if (!dragged) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'move';
      var over = ev.target.closest && ev.target.closest('li[data-media-id]');
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = ev.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextElementSibling : over);
      renumber();
    });
    list.addEventListener('drop', function (ev) {
      if (dragged) ev.preventDefault();
    });
    list.addEventListener('dragend', function () {
      if (!dragged) return;
      var li = dragged;
      dragged = null;
      li.classList.remove('zj-dragging');
      renumber();
      if (rows().map(function (r) { return r.dataset.mediaId; }).join(',') !== orderBefore) {
        syncIds();
        say(li);
      }
    });

    function busy() {
      return uppy.getFiles().some(function (f) { return !f.zjMediaId && !f.error; });
    }
    // Leaving the page while a file is on its way: the browser asks first.
    window.addEventListener('beforeunload', function (ev) {
      if (!busy()) return undefined;
      ev.preventDefault();
      ev.returnValue = d.msgLeave || '';
      return d.msgLeave || '';
    });

    // Leaving the page (Save, Submit) while a file is still uploading or being checked would cut
    // the upload off and send the form without it: hold the form back and say why.
    var form = el.closest('form');
    if (form) {
      form.addEventListener('submit', function (ev) {
        if (!busy()) return;
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
