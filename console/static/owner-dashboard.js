// The owner's dashboard charts: data from /owner/dashboard.json, drawn with Chart.js (served by
// the app from static/vendor/, installed from the npm registry by console/web/build.sh).
(function () {
  "use strict";
  const palette = ["#e4572e", "#2e86ab", "#76b041", "#f3a712", "#8e44ad", "#17becf", "#7f7f7f"];

  function draw(id, type, labels, datasets, options) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets.map(function (d, i) {
        return Object.assign({ borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
                               tension: 0.2, spanGaps: true }, d);
      }) },
      options: Object.assign({ responsive: true, animation: false, plugins: { legend: { position: "bottom" } } }, options || {})
    });
  }

  fetch("/owner/dashboard.json", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (d) {
      draw("chart-volume", "bar", d.labels, [
        { label: "对话", data: d.conversations },
        { label: "顾客消息", data: d.shopper_messages }
      ]);
      draw("chart-rates", "line", d.labels, [
        { label: "没听懂率 %", data: d.fallback_rate },
        { label: "转人工率 %", data: d.handoff_rate }
      ], { scales: { y: { beginAtZero: true, suggestedMax: 20 } } });
      draw("chart-intents", "bar", d.labels, Object.keys(d.intents).map(function (name) {
        return { label: name, data: d.intents[name] };
      }), { scales: { x: { stacked: true }, y: { stacked: true } } });
      draw("chart-tickets", "bar", d.labels, [
        { label: "工单", data: d.tickets },
        { label: "超时回复", data: d.tickets_late },
        { label: "首次回复中位时间（分钟）", data: d.median_reply_minutes, type: "line", yAxisID: "minutes" }
      ], { scales: { y: { beginAtZero: true }, minutes: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } });
    })
    .catch(function () {
      document.querySelectorAll(".dash-charts canvas").forEach(function (c) {
        c.replaceWith(Object.assign(document.createElement("p"), { className: "help", textContent: "图表暂时无法加载。" }));
      });
    });
})();
