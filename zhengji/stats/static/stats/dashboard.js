/* The dashboard's charts (ECharts, served from our static files). The figures come from the
   page's JSON block (#stats-data); every chart has the same figures as a table beside it. */
(function () {
  "use strict";
  var node = document.getElementById("stats-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];
  function pct(v) { return v === null ? null : Math.round(v * 1000) / 10; }
  var builders = {
    tracks: function () {
      return {
        tooltip: { trigger: "axis" }, legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.tracks.map(function (t) { return t.name; }) },
        series: data.states.map(function (label, i) {
          return { name: label, type: "bar", stack: "all", data: data.tracks.map(function (t) { return t.counts[i]; }) };
        })
      };
    },
    children: function () {
      return {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: data.children.map(function (c) { return c.name; }) },
        series: [
          { name: data.labels.participation, type: "bar", data: data.children.map(function (c) { return pct(c.participation); }) },
          { name: data.labels.coverage, type: "bar", data: data.children.map(function (c) { return pct(c.coverage); }) }
        ]
      };
    },
    daily: function () {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, bottom: 8, top: 16, containLabel: true },
        xAxis: { type: "category", data: data.daily.map(function (d) { return d[0]; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: data.labels.submissions, type: "line", data: data.daily.map(function (d) { return d[1]; }) }]
      };
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")];
    if (!build) { return; }
    // One bar row per child organisation or track: the chart grows with them (CSSOM, not an attribute).
    var rows = { children: data.children.length * 2, tracks: data.tracks.length }[el.getAttribute("data-chart")];
    if (rows) { el.style.height = Math.max(260, rows * 16 + 80) + "px"; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build());
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
