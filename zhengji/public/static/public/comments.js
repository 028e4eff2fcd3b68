// Comment moderation queue: "select all on this page".
document.addEventListener("change", function (event) {
  if (event.target && event.target.id === "select-all") {
    document.querySelectorAll('#queue input[name="ids"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  }
});
