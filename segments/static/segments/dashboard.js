/* The dashboards' charts: each figure's data comes from a json_script
   element (chart-data-<key>); a bar links to the list behind it, as the
   table beside the chart does. No inline script: the CSP stays strict. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#1f3a5f", "#b08d57", "#6b8f71", "#9c4f4f", "#5a6f8c", "#c7a977"];
  var locale = document.documentElement.lang || "en";

  function format(unit, value) {
    if (unit === "eur") {
      return new Intl.NumberFormat(locale, {
        style: "currency", currency: "EUR", maximumFractionDigits: 0
      }).format(value);
    }
    if (unit === "percent") {
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value) + " %";
    }
    return new Intl.NumberFormat(locale).format(value);
  }

  function draw(canvas, data) {
    var stacked = data.series.length > 1;
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: palette[i % palette.length]
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: data.labels.length > 6 ? "y" : "x",
        plugins: {
          legend: { display: stacked },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + format(data.unit, ctx.raw);
              }
            }
          }
        },
        scales: {
          x: { stacked: stacked, ticks: { autoSkip: false } },
          y: { stacked: stacked, ticks: { autoSkip: false } }
        },
        onHover: function (event, elements) {
          var linked = elements.length && data.urls[elements[0].index];
          event.native.target.style.cursor = linked ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) {
            return;
          }
          var url = data.urls[elements[0].index];
          if (url) {
            window.location.assign(url);
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "yes");
    return chart;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (source) {
      draw(canvas, JSON.parse(source.textContent));
    }
  });
})();
