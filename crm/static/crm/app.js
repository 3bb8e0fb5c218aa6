// Enhance plain <select> pickers marked data-picker with Tom Select (type-ahead search).
function crmEnhance(root) {
  if (!window.TomSelect) return;
  root.querySelectorAll("select[data-picker]:not(.tomselected)").forEach(function (el) {
    new TomSelect(el, { maxOptions: 200, allowEmptyOption: true, plugins: el.multiple ? ["remove_button"] : [] });
  });
}
document.addEventListener("DOMContentLoaded", function () { crmEnhance(document); });
document.addEventListener("htmx:afterSwap", function (e) { crmEnhance(e.target); });

// Draw the report charts: each <div data-chart="id"> takes its ECharts option from the JSON
// script with that id (rendered by the server from the same rows as the table).
var crmChartInstances = [];
function crmCharts(root) {
  if (!window.echarts) return;
  root.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) return;
    var existing = echarts.getInstanceByDom(el);
    if (existing) existing.dispose();
    var chart = echarts.init(el);
    delete el.dataset.chartDrawn;
    // Marks the chart once drawn (animation included), e.g. for screenshots.
    chart.on("finished", function () { el.dataset.chartDrawn = "true"; });
    chart.setOption(JSON.parse(source.textContent));
    crmChartInstances.push(chart);
  });
}
document.addEventListener("DOMContentLoaded", function () { crmCharts(document); });
document.addEventListener("htmx:afterSwap", function (e) { crmCharts(e.target); });
window.addEventListener("resize", function () {
  crmChartInstances = crmChartInstances.filter(function (c) { return !c.isDisposed(); });
  crmChartInstances.forEach(function (c) { c.resize(); });
});

// Page behaviours, declared by data attributes. No inline scripts or on… attributes anywhere:
// the Content-Security-Policy allows only script files served by the CRM itself.

// <select data-autosubmit>: choosing an option submits its form (language, year).
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
});

// <select data-fills="id">: picking an option fills the field with that id while it is empty
// (an opportunity's customer name from the picked customer).
document.addEventListener("change", function (e) {
  var target = e.target.dataset && e.target.dataset.fills && document.getElementById(e.target.dataset.fills);
  if (!target || target.value.trim()) return;
  var option = e.target.selectedOptions[0];
  if (option && option.value) target.value = option.textContent.trim();
});

// <button data-check-all="selector">: ticks every checkbox in the closest element matching selector.
// <button data-fill-from="id" data-fill-targets="selector">: copies the value of the input with
// that id into every input of the same form matching selector (a target's twelve months).
document.addEventListener("click", function (e) {
  var button = e.target.closest("[data-check-all], [data-fill-from]");
  if (!button) return;
  if (button.dataset.checkAll) {
    button.closest(button.dataset.checkAll).querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = true; });
  } else {
    var value = document.getElementById(button.dataset.fillFrom).value;
    button.form.querySelectorAll(button.dataset.fillTargets).forEach(function (input) { input.value = value; });
  }
});

// A list's row checkboxes (name=ids) belong to the transfer form; keep its button in step.
function crmRefreshTransfer() {
  var button = document.getElementById("transfer-selected"), badge = document.getElementById("transfer-count");
  if (!button || !badge) return;
  var n = document.querySelectorAll("input[name=ids]:checked").length;
  button.disabled = n === 0;
  badge.textContent = n;
  badge.classList.toggle("d-none", n === 0);
}
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-select-all]")) {
    document.querySelectorAll("input[name=ids]:not(:disabled)").forEach(function (c) { c.checked = e.target.checked; });
  }
  crmRefreshTransfer();
});
document.addEventListener("htmx:afterSwap", crmRefreshTransfer);

// Open the tab named in the address (#tab-contacts, …), e.g. when coming from a list row.
window.addEventListener("load", function () {
  var button = location.hash && document.getElementById(location.hash.slice(1));
  if (button && button.matches("[data-bs-toggle=tab]")) button.click();
});
