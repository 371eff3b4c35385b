// Enhancements for answering pages. Without this file everything still works; only
// read-aloud is absent. No inline scripts, so a strict Content-Security-Policy holds.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  // After "Next", move focus to the new question so screen readers start there
  // (not at the bottom of the page) — unless an error summary has taken it.
  var heading = document.querySelector("[data-focus-on-load]");
  if (heading && !document.querySelector("[data-error-summary]")) {
    heading.focus({ preventScroll: false });
  }

  // A form marked data-submit-once cannot be sent twice by a double click; the
  // server ignores a second submission anyway, this only spares a second request.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
  });

  // All questions on one page: a question that depends on an earlier answer is shown
  // only when that answer is chosen, and its answer is cleared when it is hidden (the
  // server refuses answers to questions that are not part of the survey).
  var conditional = document.querySelectorAll("[data-show-if]");
  if (conditional.length) {
    var update = function () {
      conditional.forEach(function (block) {
        var value = block.getAttribute("data-show-if");
        var trigger = document.querySelector(
          "input[type=radio][value='" + value + "'], input[type=checkbox][value='" + value + "']"
        );
        var show = !trigger || trigger.checked;
        block.hidden = !show;
        if (!show) {
          block.querySelectorAll("input, textarea").forEach(function (input) {
            if (input.type === "radio" || input.type === "checkbox") {
              input.checked = false;
            } else {
              input.value = "";
            }
          });
        }
      });
    };
    document.addEventListener("change", update);
    update();
  }

  // Read-aloud with the browser's own speech synthesis, in the page's language.
  var page = document.querySelector("[data-speak-label]");
  if (page && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    var language = document.documentElement.lang || "sv";
    var readLabel = page.getAttribute("data-speak-label");
    var stopLabel = page.getAttribute("data-stop-label");
    var speaking = null;
    var icon =
      '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
      'd="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.5 4.5 0 0 0 16.5 12z"/></svg>';

    var reset = function () {
      if (speaking) {
        speaking.setAttribute("aria-pressed", "false");
        speaking.querySelector("span").textContent = readLabel;
        speaking = null;
      }
    };

    page.querySelectorAll("[data-speak]").forEach(function (element, index) {
      var text = element.textContent.replace(/\s+/g, " ").trim();
      if (!text) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "speak-button";
      button.setAttribute("aria-pressed", "false");
      button.innerHTML = icon + "<span></span>";
      button.querySelector("span").textContent = readLabel;
      // The button's name says what it reads, so a list of buttons makes sense.
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ": " + text.slice(0, 80);
      button.appendChild(hidden);
      button.addEventListener("click", function () {
        var wasThis = speaking === button;
        window.speechSynthesis.cancel();
        reset();
        if (wasThis) {
          return;
        }
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = language === "nb" ? "nb-NO" : language === "en" ? "en-GB" : "sv-SE";
        utterance.rate = 0.9;
        utterance.onend = reset;
        speaking = button;
        button.setAttribute("aria-pressed", "true");
        button.querySelector("span").textContent = stopLabel;
        window.speechSynthesis.speak(utterance);
      });
      // Never inside a <label>: a click there would also tick the option. In a list
      // item or paragraph the button goes inside, so lists stay lists.
      var label = element.closest("label");
      if (!label && (element.tagName === "LI" || element.tagName === "P")) {
        element.appendChild(button);
      } else {
        var anchor = label || element;
        anchor.parentNode.insertBefore(button, anchor.nextSibling);
      }
      button.dataset.speakIndex = String(index);
    });
  }

  // Export progress: ask the server every two seconds and announce the result.
  var status = document.querySelector("[data-export-status]");
  if (status && window.fetch) {
    var poll = function () {
      fetch(status.getAttribute("data-export-status"), { credentials: "same-origin" })
        .then(function (reply) { return reply.json(); })
        .then(function (data) {
          status.querySelector("[data-export-label]").textContent = data.status_label;
          status.querySelector("[data-export-progress]").value = data.percent;
          var count = status.querySelector("[data-export-count]");
          count.textContent = count.textContent.replace(/\d+/, String(data.rows_done));
          if (data.status === "ready") {
            var link = status.querySelector("[data-export-download]");
            if (link) { link.classList.remove("d-none"); }
            var refresh = status.querySelector("[data-export-refresh]");
            if (refresh) { refresh.classList.add("d-none"); }
          } else if (data.status === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1500);
  }
});
