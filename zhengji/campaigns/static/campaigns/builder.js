// Entry form builder: show only the limits that apply to each field's type. Without this
// script every limit is shown and the server keeps only the relevant ones.
(function () {
  function sync(card) {
    var select = card.querySelector('select[name$="-type"]');
    if (!select) return;
    var type = select.value;
    card.querySelectorAll("[data-types]").forEach(function (el) {
      el.hidden = el.getAttribute("data-types").split(" ").indexOf(type) === -1;
    });
    var details = card.querySelector("details");
    var anyLimit = card.querySelector("[data-types]:not([hidden])");
    if (details && !anyLimit) details.removeAttribute("open");
    if (details && anyLimit && select.dataset.changed) details.setAttribute("open", "");
  }
  function init(root) {
    root.querySelectorAll("#builder fieldset.card").forEach(function (card) {
      sync(card);
      var select = card.querySelector('select[name$="-type"]');
      if (select) select.addEventListener("change", function () { select.dataset.changed = "1"; sync(card); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
