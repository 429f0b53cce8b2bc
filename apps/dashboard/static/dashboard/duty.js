/* The duty view's live queue: fetch the server-rendered list every 30 s and swap it in,
   marking the reports that were not there before. No framework, no build step. */
(function () {
  "use strict";
  var section = document.getElementById("lw-queue");
  var body = document.getElementById("lw-queue-body");
  var status = document.getElementById("lw-queue-status");
  if (!section || !body) { return; }
  var interval = parseInt(section.dataset.interval, 10) || 30000;
  function ids() {
    return Array.prototype.map.call(body.querySelectorAll("tr[data-id]"), function (row) { return row.dataset.id; });
  }
  var known = ids();
  window.lwDuty = { refreshes: 0 };
  function refresh() {
    fetch(section.dataset.fragmentUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) { throw new Error("queue " + r.status); } return r.text(); })
      .then(function (html) {
        body.innerHTML = html;
        var fresh = 0;
        body.querySelectorAll("tr[data-id]").forEach(function (row) {
          if (known.indexOf(row.dataset.id) === -1) { row.classList.add("lw-new"); fresh += 1; }
        });
        known = ids();
        window.lwDuty.refreshes += 1;
        if (fresh && status) { status.textContent = section.dataset.labelNew + " " + fresh; }
      })
      .catch(function () { if (status) { status.textContent = section.dataset.labelError; } });
  }
  window.lwDuty.refresh = refresh;
  window.setInterval(refresh, interval);
}());
