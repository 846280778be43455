/*
 * charts.js - draw the console's charts from the tables beside them
 *
 * Every figure of the console is a table first: screen readers and the
 * CSV download read the table, and the page works without scripts. This
 * script, served from the console itself like Chart.js (the system's
 * copy), adds a chart above each table marked data-chart="bar" or
 * "line": the first column gives the labels, every numeric column a
 * series.
 */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined")
    return;
  document.querySelectorAll("table[data-chart]").forEach(function (table) {
    var heads = Array.from(table.querySelectorAll("thead th"));
    var rows = Array.from(table.querySelectorAll("tbody tr"));
    if (heads.length < 2 || rows.length === 0)
      return;
    var labels = rows.map(function (r) { return r.cells[0].textContent; });
    var colours = ["#0b4f8a", "#a3121d", "#1d6b2b", "#6b4c00", "#5a2d82"];
    var datasets = [];
    for (var c = 1; c < heads.length; c++) {
      datasets.push({
        label: heads[c].textContent,
        data: rows.map(function (r) {
          return Number((r.cells[c] || {}).textContent || 0);
        }),
        backgroundColor: colours[(c - 1) % colours.length],
        borderColor: colours[(c - 1) % colours.length]
      });
    }
    var box = document.createElement("div");
    box.className = "chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (table.caption ?
      table.caption.textContent : "Chart") + " (the table below has the figures)");
    box.appendChild(canvas);
    table.parentNode.insertBefore(box, table);
    new Chart(canvas, {
      type: table.dataset.chart,
      data: { labels: labels, datasets: datasets },
      options: { animation: false, responsive: true,
        plugins: { legend: { display: datasets.length > 1 } } }
    });
  });
});
