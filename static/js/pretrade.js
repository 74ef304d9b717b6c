/* Pre-trade page: draw the server's figures; the λ slider asks the server for the
   optimal schedule of the same stored estimate and redraws it (no full reload). */
(function () {
  "use strict";

  var CONFIG = { displaylogo: false, responsive: true,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
  var hasPlotly = typeof Plotly !== "undefined";
  var script = document.getElementById("figures-data");
  var figures = script ? JSON.parse(script.textContent) : {};

  function draw(set) {
    if (!hasPlotly) { return; }
    Object.keys(set).forEach(function (id) {
      var el = document.querySelector('[data-figure="' + id + '"]');
      if (el && set[id]) { Plotly.react(el, set[id].data, set[id].layout, CONFIG); }
    });
  }
  draw(figures);

  var result = document.getElementById("pretrade-result");
  var slider = document.getElementById("risk-aversion");
  if (!result || !slider) { return; }
  var output = document.getElementById("risk-aversion-value");
  var link = document.getElementById("slices-link");
  var token = document.querySelector("#optimal-card input[name=csrfmiddlewaretoken]");
  var pending = null;
  var timer = null;

  function fmt(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return "–"; }
    var r = Number(value).toFixed(digits);
    return Number(r) === 0 ? (0).toFixed(digits) : Number(r).toLocaleString("en-US",
      { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function update(data) {
    var row = document.querySelector('#strategy-table tr[data-strategy="optimal"]');
    ["temporary_bps", "permanent_bps", "total_bps", "std_bps", "q05_bps", "q50_bps", "q95_bps"]
      .forEach(function (col) {
        var cell = row && row.querySelector('[data-col="' + col + '"]');
        if (!cell) { return; }
        var text = fmt(data.row[col], 1);
        if (col === "total_bps") { cell.innerHTML = ""; var b = document.createElement("strong");
          b.textContent = text; cell.appendChild(b); } else { cell.textContent = text; }
      });
    var p = row && row.querySelector('[data-col="p_exceed"]');
    if (p) { p.textContent = fmt(data.row.p_exceed * 100, 0) + " %"; }
    document.getElementById("ev-expected").textContent = fmt(data.expected_bps, 2);
    document.getElementById("ev-std").textContent = fmt(Math.sqrt(data.variance_bps2), 2);
    link.setAttribute("href", result.getAttribute("data-slices-url") + "?risk_aversion=" +
                      data.risk_aversion);
    draw(data.figures);
  }

  function request() {
    var lambda = Math.pow(10, Number(slider.value));
    output.textContent = lambda.toExponential(1);
    if (pending) { pending.abort(); }
    pending = new AbortController();
    result.setAttribute("aria-busy", "true");
    fetch(result.getAttribute("data-schedule-url"), {
      method: "POST", credentials: "same-origin", signal: pending.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify({ risk_aversion: lambda })
    })
      .then(function (r) { if (!r.ok) { throw new Error("the server answered " + r.status); }
                           return r.json(); })
      .then(update)
      .catch(function (err) { if (err.name !== "AbortError") { output.textContent += " (" + err.message + ")"; } })
      .finally(function () { result.removeAttribute("aria-busy"); });
  }

  slider.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(request, 120);
  });
})();
