// The share panel (public/_share_qr.html): the QR code works without this script; with it, a
// "copy the link" button (or the phone's own share sheet) is offered as well.
(function () {
  "use strict";
  function setup(button) {
    var url = button.getAttribute("data-share-url") || window.location.href;
    var status = button.parentNode.querySelector("[data-share-status]");
    if (!navigator.share && !(navigator.clipboard && window.isSecureContext)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({title: document.title, url: url}).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied") || "";
      });
    });
  }
  function init() {
    var buttons = document.querySelectorAll("[data-share-url]");
    for (var i = 0; i < buttons.length; i++) setup(buttons[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
}());
