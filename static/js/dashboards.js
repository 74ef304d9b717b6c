/* Footprint dashboards: draw the figures the server built, and refresh the page body in
   place when a filter changes (fetch JSON, swap the fragment, redraw: no full reload).
   Without JavaScript the filter form is a plain GET form and every page still works. */
(function () {
  "use strict";

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };
  var root = document.getElementById("dashboard");
  var hasPlotly = typeof Plotly !== "undefined";
  if (!root) { return; }
  var form = document.getElementById("filters");
  var pending = null;

  function draw(figures) {
    if (!hasPlotly) { return; }
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      var figure = figures[el.getAttribute("data-figure")];
      if (figure) {
        Plotly.newPlot(el, figure.data, figure.layout, CONFIG);
      }
    });
  }

  function readInitial() {
    var script = document.getElementById("figures-data");
    return script ? JSON.parse(script.textContent) : {};
  }

  function formQuery() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") { params.append(key, value); }
    });
    return params.toString();
  }

  function setExportLinks(query) {
    document.querySelectorAll("a[data-export]").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("data-export") + (query ? "?" + query : ""));
    });
  }

  function load(query) {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    root.setAttribute("aria-busy", "true");
    var url = window.location.pathname + "?" + (query ? query + "&" : "") + "format=json";
    fetch(url, {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: pending.signal
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("the server answered " + response.status); }
        return response.json();
      })
      .then(function (payload) {
        if (hasPlotly) {
          root.querySelectorAll("[data-figure]").forEach(function (el) { Plotly.purge(el); });
        }
        root.innerHTML = payload.html;
        draw(payload.figures || {});
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
        setExportLinks(query.replace(/(^|&)page=[^&]*/g, ""));
        root.dispatchEvent(new CustomEvent("dashboard:updated", { bubbles: true }));
      })
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        var note = document.createElement("p");
        note.className = "error";
        note.setAttribute("role", "alert");
        note.textContent = "Could not refresh (" + error.message + "). Reload the page to retry.";
        root.prepend(note);
      })
      .finally(function () { root.removeAttribute("aria-busy"); });
  }

  draw(readInitial());
  if (!form) { return; }
  setExportLinks(formQuery());

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(formQuery());
  });
  // Fields may live outside the form element (form="filters"), e.g. in the swapped fragment.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.form === form) { load(formQuery()); }
  });
  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-live-link]");
    if (!link) { return; }
    event.preventDefault();
    load(link.getAttribute("href").replace(/^\?/, ""));
  });
})();
