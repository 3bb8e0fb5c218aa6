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
