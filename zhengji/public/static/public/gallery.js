// Gallery pages: "select all" on the staff display page; filters apply on change on the gallery.
(function () {
  "use strict";
  document.querySelectorAll("[data-zj-select-all]").forEach(function (box) {
    var name = box.getAttribute("data-zj-select-all");
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
  // On a phone the track strip scrolls sideways: bring the chosen track into view (centred).
  var active = document.querySelector(".zj-gallery-tracks .nav-link.active");
  if (active) {
    var strip = active.closest("ul");
    var shift = active.getBoundingClientRect().left - strip.getBoundingClientRect().left;
    strip.scrollLeft += shift - (strip.clientWidth - active.offsetWidth) / 2;
  }
  var filters = document.getElementById("gallery-filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { filters.requestSubmit(); });
    });
  }
})();
