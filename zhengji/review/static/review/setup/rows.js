// Row editors of the review set-up (rubric criteria, award tiers, holidays): add a row from the
// form's <template>, remove a row, move a row up or down. The rows are posted in page order.
// Buttons with data-confirm ask first. Without the script the forms still work (blank rows,
// an emptied name removes its row).
(function () {
  "use strict";
  function rowOf(el) { return el.closest("[data-row]"); }
  document.addEventListener("click", function (e) {
    var t = e.target.closest("button");
    if (!t) return;
    if (t.hasAttribute("data-confirm") && !window.confirm(t.getAttribute("data-confirm"))) {
      e.preventDefault();
      return;
    }
    var form = t.closest("[data-rows-form]");
    if (!form) return;
    var list = form.querySelector("[data-rows]");
    if (t.hasAttribute("data-row-add")) {
      var tpl = form.querySelector("template[data-row-template]");
      var node = tpl.content.firstElementChild.cloneNode(true);
      list.appendChild(node);
      var first = node.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
    } else if (t.hasAttribute("data-row-remove")) {
      var row = rowOf(t);
      if (row) row.remove();
    } else if (t.hasAttribute("data-row-up")) {
      var up = rowOf(t);
      if (up && up.previousElementSibling) { list.insertBefore(up, up.previousElementSibling); t.focus(); }
    } else if (t.hasAttribute("data-row-down")) {
      var down = rowOf(t);
      if (down && down.nextElementSibling) { list.insertBefore(down.nextElementSibling, down); t.focus(); }
    }
  });
  // Vetting: "choose all on this page".
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("[data-check-all]")) return;
    var form = e.target.closest("form");
    form.querySelectorAll("input[name=entry]").forEach(function (box) { box.checked = e.target.checked; });
  });
})();
