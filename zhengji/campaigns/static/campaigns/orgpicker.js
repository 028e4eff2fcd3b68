// Host-unit picker (campaigns.forms.OrgPickerWidget): htmx fills the results list as one types;
// choosing a result puts its id in the hidden input. Typing again forgets the earlier choice
// (the server then resolves the typed name or code).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var option = e.target.closest("[data-org-option]");
    if (!option) return;
    var picker = option.closest("[data-org-picker]");
    if (!picker) return;
    picker.querySelector("[data-org-id]").value = option.getAttribute("data-org-option");
    var search = picker.querySelector("[data-org-search]");
    search.value = option.getAttribute("data-org-label");
    var chosen = picker.querySelector("[data-org-chosen]");
    if (chosen) chosen.textContent = picker.getAttribute("data-chosen-label") + " " + option.getAttribute("data-org-label") + " (" + option.getAttribute("data-org-code") + ")";
    picker.querySelector(".org-picker-results").innerHTML = "";
    search.focus();
  });
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches("[data-org-search]")) return;
    var picker = e.target.closest("[data-org-picker]");
    picker.querySelector("[data-org-id]").value = "";
    var chosen = picker.querySelector("[data-org-chosen]");
    if (chosen) chosen.textContent = "";
  });
})();
