// The dashboard's quality-record charts (CAPA ageing, NCs by source, findings by clause, SOP
// acknowledgements), from the numbers the page embeds (json_script): no inline script. Each
// chart has a table twin in the page for screen readers.
(function () {
  "use strict";
  const source = document.getElementById("metrics-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0d6efd", "#fd7e14", "#198754", "#dc3545", "#6f42c1", "#20c997", "#6c757d"];
  const colour = (i) => palette[i % palette.length];
  const stacked = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };

  const ageing = data.capa_ageing;
  if (ageing && document.getElementById("chart-ageing")) {
    const ageColours = ["#198754", "#ffc107", "#fd7e14", "#dc3545"];
    new Chart(document.getElementById("chart-ageing"), {
      data: {
        labels: ageing.points.map((p) => p.as_of),
        datasets: [
          ...ageing.buckets.map((b, i) => ({
            type: "bar",
            label: "Open " + b + " days",
            data: ageing.points.map((p) => p.open[b]),
            backgroundColor: ageColours[i % ageColours.length],
            stack: "open",
            yAxisID: "y",
          })),
          { type: "line", label: "Overdue action items", data: ageing.points.map((p) => p.overdue_items), borderColor: "#212529", yAxisID: "y" },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "CAPAs / items" } } } },
    });
  }

  const ncs = data.nc_by_source;
  if (ncs && document.getElementById("chart-ncsource")) {
    new Chart(document.getElementById("chart-ncsource"), {
      type: "bar",
      data: {
        labels: ncs.periods,
        datasets: ncs.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colour(i) })),
      },
      options: { scales: stacked },
    });
  }

  const findings = data.findings;
  if (findings && document.getElementById("chart-findings")) {
    const classColours = { major_nc: "#dc3545", minor_nc: "#fd7e14", observation: "#0d6efd", ofi: "#198754" };
    new Chart(document.getElementById("chart-findings"), {
      type: "bar",
      data: {
        labels: findings.rows.map((r) => r.clause),
        datasets: findings.classifications.map((c, i) => ({
          label: c.label,
          data: findings.rows.map((r) => r.counts[c.key]),
          backgroundColor: classColours[c.key] || colour(i),
        })),
      },
      options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
    });
  }

  const acks = data.acks;
  if (acks && document.getElementById("chart-acks")) {
    const rows = acks.rows;
    new Chart(document.getElementById("chart-acks"), {
      type: "bar",
      data: {
        labels: rows.map((r) => r.label),
        datasets: [
          { label: "On time", data: rows.map((r) => r.on_time), backgroundColor: "#198754" },
          { label: "Late", data: rows.map((r) => r.late), backgroundColor: "#fd7e14" },
          { label: "Outstanding", data: rows.map((r) => r.outstanding), backgroundColor: "#dc3545" },
        ],
      },
      options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
    });
  }
})();
