// The pending-members queue: "select all" ticks every request on the page; the action buttons
// say how many are chosen. No inline script (CSP).
(function () {
  "use strict";
  const all = document.getElementById("pending-all");
  const form = document.getElementById("pending-form");
  if (!all || !form) return;
  const boxes = () => Array.from(form.querySelectorAll("input[name='m']"));
  const count = document.getElementById("pending-chosen");
  function update() {
    const n = boxes().filter((b) => b.checked).length;
    if (count) count.textContent = String(n);
    all.checked = n > 0 && n === boxes().length;
    all.indeterminate = n > 0 && n < boxes().length;
  }
  all.addEventListener("change", function () {
    boxes().forEach((b) => { b.checked = all.checked; });
    update();
  });
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "m") update();
  });
  update();
})();
