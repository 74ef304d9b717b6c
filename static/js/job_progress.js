// Follow a job (a report, an upload) until it finishes, then reload to show the outcome.
// A static file, not an inline script, so the Content-Security-Policy can forbid inline code.
(function () {
  "use strict";
  const card = document.querySelector("[data-job-poll]");
  if (!card) return;
  const done = (s) => s === "succeeded" || s === "failed";
  if (done(card.dataset.status)) return;
  const poll = async () => {
    try {
      const response = await fetch(card.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const job = await response.json();
      document.getElementById("job-status").textContent = job.status;
      document.getElementById("job-progress").value = job.progress;
      document.getElementById("job-message").textContent = job.message;
      if (done(job.status)) { window.location.reload(); return; }
    } catch (err) { /* transient: try again */ }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
})();
