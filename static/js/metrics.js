// The quality dashboard's charts, drawn from the numbers the page embeds (json_script): no inline
// script, so the strict CSP holds. Each chart has a table twin in the page for screen readers.
(function () {
  "use strict";
  const source = document.getElementById("metrics-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const percent = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  Chart.defaults.animation = false;

  const p = data.p_chart.points;
  new Chart(document.getElementById("chart-p"), {
    type: "line",
    data: {
      labels: p.map((x) => x.period),
      datasets: [
        {
          label: "Pass rate %",
          data: p.map((x) => percent(x.p)),
          borderColor: "#0d6efd",
          pointBackgroundColor: p.map((x) => (x.out_of_control ? "#dc3545" : "#0d6efd")),
          pointRadius: p.map((x) => (x.out_of_control ? 6 : 3)),
        },
        { label: "Centre line", data: p.map(() => percent(data.p_chart.center)), borderColor: "#6c757d", pointRadius: 0 },
        { label: "UCL", data: p.map((x) => percent(x.ucl)), borderColor: "#dc3545", borderDash: [4, 4], pointRadius: 0, stepped: "middle" },
        { label: "LCL", data: p.map((x) => percent(x.lcl)), borderColor: "#dc3545", borderDash: [4, 4], pointRadius: 0, stepped: "middle" },
      ],
    },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } } },
  });

  const bars = data.pareto.bars;
  new Chart(document.getElementById("chart-pareto"), {
    data: {
      labels: bars.map((b) => b.label),
      datasets: [
        { type: "bar", label: "Defects", data: bars.map((b) => b.count), backgroundColor: "#fd7e14", yAxisID: "y" },
        { type: "line", label: "Cumulative %", data: bars.map((b) => b.cumulative_percent), borderColor: "#212529", yAxisID: "y1" },
      ],
    },
    options: {
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "Defects" } },
        y1: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } },
      },
    },
  });

  const e = data.engagement;
  const palette = ["#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#6c757d"];
  new Chart(document.getElementById("chart-engagement"), {
    type: "line",
    data: {
      labels: e.periods,
      datasets: e.accounts.map((a, i) => ({
        label: a.label,
        data: a.rates,
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        spanGaps: true,
      })),
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "Engagement rate %" } } } },
  });

  const s = data.series;
  new Chart(document.getElementById("chart-series"), {
    type: "bar",
    data: {
      labels: s.map((x) => x.period),
      datasets: [{ label: data.metric.label + (data.metric.unit ? " (" + data.metric.unit + ")" : ""), data: s.map((x) => x.value), backgroundColor: "#198754" }],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });
})();
