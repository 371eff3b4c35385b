// The report page: while a version is queued or being made, ask the server every two
// seconds, show its status in the page's status region and reload once it is done, so the
// download link or the "Try again" button appears. Without JavaScript the page has a
// reload link instead.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var region = document.querySelector("[data-report-status]");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-report-status");
  var label = region.querySelector("[data-report-label]");

  var poll = function () {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) {
        if (!reply.ok) { throw new Error(String(reply.status)); }
        return reply.json();
      })
      .then(function (data) {
        // Only a change is written, so screen readers announce each new status once.
        if (label && label.textContent !== data.label) { label.textContent = data.label; }
        if (data.status === "ready" || data.status === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  };
  window.setTimeout(poll, 2000);
});
