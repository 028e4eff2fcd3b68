// The comparison view: the overlay's opacity slider and the players that jump to a matching segment.
(function () {
  document.querySelectorAll("[data-overlay-range]").forEach(function (range) {
    var box = range.closest("section").querySelector("[data-overlay-top]");
    function apply() { if (box) { box.style.opacity = String(range.value / 100); } }
    range.addEventListener("input", apply);
    apply();
  });
  document.querySelectorAll("[data-seek-left]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var section = btn.closest("section");
      var left = section.querySelector("[data-player=left]");
      var right = section.querySelector("[data-player=right]");
      if (left) { left.currentTime = parseFloat(btn.dataset.seekLeft) || 0; }
      if (right) { right.currentTime = parseFloat(btn.dataset.seekRight) || 0; }
    });
  });
})();
