// Enhance plain <select> pickers marked data-picker with Tom Select (type-ahead search).
function crmEnhance(root) {
  if (!window.TomSelect) return;
  root.querySelectorAll("select[data-picker]:not(.tomselected)").forEach(function (el) {
    new TomSelect(el, { maxOptions: 200, allowEmptyOption: true, plugins: el.multiple ? ["remove_button"] : [] });
  });
}
document.addEventListener("DOMContentLoaded", function () { crmEnhance(document); });
document.addEventListener("htmx:afterSwap", function (e) { crmEnhance(e.target); });
