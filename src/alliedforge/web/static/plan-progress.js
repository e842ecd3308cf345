/* Live progress of a solving plan run. The section with data-plan-events follows the
   run's server-sent events (the session cookie signs the request in, as for the pages),
   shows each report, and reloads the page once the run has ended so that its results
   appear. No inline script: the addresses come from data attributes. */
(function () {
  "use strict";
  var live = document.querySelector("[data-plan-events]");
  if (!live || typeof EventSource === "undefined") { return; }
  var limit = parseFloat(live.dataset.timeLimit);
  var bar = live.querySelector("progress");

  function field(name) { return live.querySelector('[data-field="' + name + '"]'); }
  function number(value, digits, suffix) {
    if (value === null || value === undefined) { return "–"; }
    return value.toLocaleString("en", {minimumFractionDigits: digits, maximumFractionDigits: digits}) + (suffix || "");
  }
  function show(report) {
    field("phase").textContent = report.phase;
    if (report.elapsed !== undefined) {
      field("elapsed").textContent = number(report.elapsed, 1, " s");
      if (bar && limit > 0) { bar.value = Math.min(report.elapsed, limit); }
    }
    field("objective").textContent = number(report.objective, 0);
    field("bound").textContent = number(report.bound, 0);
    field("gap").textContent = report.gap === null || report.gap === undefined
      ? "–" : (100 * report.gap).toFixed(2) + " %";
  }

  var source = new EventSource(live.dataset.planEvents);
  source.onmessage = function (message) {
    var report = JSON.parse(message.data);
    show(report);
    if (report.status !== "running") {
      source.close();  // the run has ended: its stored results are on the reloaded page
      field("note").textContent = "The run has ended; loading its results…";
      window.location.reload();
    }
  };
  source.onerror = function () {
    // The stream ended without an end status (the run solves in another server process,
    // or the connection dropped): stop rather than reconnect forever.
    source.close();
    field("note").textContent = "Live progress is not available here; reload the page to see the run's state.";
  };
})();
