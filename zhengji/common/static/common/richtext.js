// Rich-text editor (common/widgets.py RichTextWidget): turns each [data-richtext] box's textarea
// into a Quill editor with a Chinese toolbar, image and attachment upload and a preview. The
// textarea remains the form field; without this script (or Quill) it is simply shown.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function csrfToken(box) {
    var form = box.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function post(box, url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-CSRFToken": csrfToken(box), "X-Requested-With": "fetch"}});
  }

  function buildToolbar(L, canUpload) {
    var bar = el("div", {role: "toolbar", "aria-label": L.toolbar});
    function group() { var g = el("span", {"class": "ql-formats"}); bar.appendChild(g); return g; }
    function button(g, cls, label, value) {
      var b = el("button", {type: "button", "class": cls, title: label, "aria-label": label});
      if (value) b.value = value;
      g.appendChild(b);
      return b;
    }
    var g = group();
    var select = el("select", {"class": "ql-header", "aria-label": L.header});
    select.appendChild(el("option", {value: "2"}, L.h2));
    select.appendChild(el("option", {value: "3"}, L.h3));
    var normal = el("option", {selected: "selected"}, L.normal);
    select.appendChild(normal);
    g.appendChild(select);
    g = group();
    button(g, "ql-bold", L.bold);
    button(g, "ql-italic", L.italic);
    g = group();
    button(g, "ql-list", L.ordered, "ordered");
    button(g, "ql-list", L.bullet, "bullet");
    button(g, "ql-blockquote", L.blockquote);
    g = group();
    button(g, "ql-link", L.link);
    if (canUpload) {
      button(g, "ql-image", L.image);
      var attach = button(g, "richtext-attach", L.attachment);
      attach.appendChild(el("i", {"class": "bi bi-paperclip", "aria-hidden": "true"}));
    }
    g = group();
    button(g, "ql-clean", L.clean);
    return bar;
  }

  function init(box) {
    if (box.dataset.ready || typeof window.Quill === "undefined") return;
    box.dataset.ready = "1";
    var ta = box.querySelector("textarea");
    var L = JSON.parse(box.dataset.labels || "{}");
    var uploadUrl = box.dataset.uploadUrl || "";
    var previewUrl = box.dataset.previewUrl || "";
    var bar = buildToolbar(L, !!uploadUrl);
    var holder = el("div", {"class": "richtext-editor"});
    box.insertBefore(bar, ta);
    box.insertBefore(holder, ta);

    function chooseAndUpload(accept, kind, insert) {
      var input = el("input", {type: "file", accept: accept});
      input.addEventListener("change", function () {
        if (!input.files || !input.files[0]) return;
        var file = input.files[0];
        var fd = new FormData();
        fd.append("file", file);
        fd.append("kind", kind);
        status.textContent = L.uploading;
        post(box, uploadUrl, fd).then(function (r) {
          return r.json().then(function (data) { return {ok: r.ok, data: data}; });
        }).then(function (res) {
          if (!res.ok) throw new Error(res.data.message || L.upload_failed);
          status.textContent = "";
          insert(res.data.url, res.data.name || file.name);
        }).catch(function (err) {
          status.textContent = (err && err.message) || L.upload_failed;
        });
      });
      input.click();
    }

    var quill = new window.Quill(holder, {
      theme: "snow",
      modules: {toolbar: {container: bar, handlers: {
        image: function () {
          chooseAndUpload("image/jpeg,image/png,image/webp,image/gif", "image", function (url) {
            var range = quill.getSelection(true);
            quill.insertEmbed(range.index, "image", url, "user");
            quill.setSelection(range.index + 1, 0, "silent");
          });
        }
      }}}
    });
    var status = el("div", {"class": "form-text", role: "status", "aria-live": "polite"});
    box.appendChild(status);

    var attachButton = bar.querySelector(".richtext-attach");
    if (attachButton) {
      attachButton.addEventListener("click", function () {
        chooseAndUpload(".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.zip,.txt", "file", function (url, name) {
          var range = quill.getSelection(true);
          quill.insertText(range.index, name, {link: url}, "user");
          quill.setSelection(range.index + name.length, 0, "silent");
        });
      });
    }

    // Chinese words where Quill writes its own (picker label, tooltip).
    var pickerLabel = bar.querySelector(".ql-header .ql-picker-label");
    if (pickerLabel) { pickerLabel.setAttribute("aria-label", L.header); pickerLabel.title = L.header; }
    var tip = box.querySelector(".ql-tooltip");
    if (tip) {
      tip.setAttribute("data-visit", L.visit);
      tip.setAttribute("data-enter", L.enter_link);
      var action = tip.querySelector("a.ql-action");
      if (action) { action.setAttribute("data-edit", L.edit); action.setAttribute("data-save", L.save); }
      var remove = tip.querySelector("a.ql-remove");
      if (remove) remove.setAttribute("data-remove", L.remove);
      var linkInput = tip.querySelector("input[type=text]");
      if (linkInput) { linkInput.setAttribute("data-link", "https://"); linkInput.setAttribute("aria-label", L.enter_link); }
    }
    var label = ta.id ? document.querySelector('label[for="' + ta.id + '"]') : null;
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", label ? label.textContent.replace("*", "").trim() : L.editor);
    if (label) label.addEventListener("click", function (e) { e.preventDefault(); quill.focus(); });

    var initial = ta.value || "";
    if (/<[a-zA-Z][^>]*>/.test(initial)) {
      quill.clipboard.dangerouslyPasteHTML(initial, "silent");
    } else if (initial) {
      quill.setText(initial, "silent");
    }
    ta.hidden = true;

    function html() {
      var empty = quill.getText().trim() === "" && !quill.root.querySelector("img");
      return empty ? "" : quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    }
    quill.on("text-change", function () { ta.value = html(); });

    if (previewUrl) {
      var previewButton = el("button", {type: "button", "class": "btn btn-sm btn-outline-secondary mt-2",
                                        "aria-expanded": "false"}, L.preview);
      var preview = el("section", {"class": "richtext-preview mt-2", "aria-label": L.preview_title});
      preview.hidden = true;
      box.appendChild(previewButton);
      box.appendChild(preview);
      previewButton.addEventListener("click", function () {
        if (!preview.hidden) {
          preview.hidden = true;
          previewButton.textContent = L.preview;
          previewButton.setAttribute("aria-expanded", "false");
          return;
        }
        var fd = new FormData();
        fd.append("html", ta.value);
        post(box, previewUrl, fd).then(function (r) {
          if (!r.ok) throw new Error(L.preview_failed);
          return r.text();
        }).then(function (text) {
          preview.innerHTML = text;  // cleaned and rendered by the server, as the public page does
          preview.hidden = false;
          previewButton.textContent = L.hide_preview;
          previewButton.setAttribute("aria-expanded", "true");
        }).catch(function (err) { status.textContent = err.message; });
      });
    }
  }

  function initAll(root) { (root || document).querySelectorAll("[data-richtext]").forEach(init); }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (e) { initAll(e.target); });
})();
