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

  // Read-aloud with the browser's own speech synthesis, in the page's language. One
  // button per [data-speak-group] (a question, or a page's introduction): it reads the
  // group's [data-speak] texts in order, i.e. the question and then its options. The
  // button goes in the group's [data-speak-slot] (room kept for it, so nothing moves) or
  // after its [data-speak-after] element — never inside a legend or label, whose text
  // would then become part of the question's or option's name.
  var page = document.querySelector("[data-speak-label]");
  var canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
  if (!canSpeak) {
    document.querySelectorAll("[data-speak-slot]").forEach(function (slot) { slot.remove(); });
  }
  if (page && canSpeak) {
    var language = document.documentElement.lang || "sv";
    var stopLabel = page.getAttribute("data-stop-label");
    var speaking = null;
    var icon =
      '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" ' +
      'd="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.5 4.5 0 0 0 16.5 12z"/></svg>';

    var reset = function () {
      if (speaking) {
        speaking.setAttribute("aria-pressed", "false");
        speaking.querySelector("span").textContent = speaking.dataset.readLabel;
        speaking = null;
      }
    };

    var textOf = function (element) {
      return element.textContent.replace(/\s+/g, " ").trim();
    };

    document.querySelectorAll("[data-speak-group]").forEach(function (group) {
      var parts = [];
      group.querySelectorAll("[data-speak]").forEach(function (element) {
        // A text belongs to its nearest group only (a page may hold several questions).
        if (element.closest("[data-speak-group]") !== group) {
          return;
        }
        var text = textOf(element);
        if (text) {
          parts.push(/[.?!:]$/.test(text) ? text : text + ".");
        }
      });
      if (!parts.length) {
        return;
      }
      var readLabel = group.getAttribute("data-speak-label") || page.getAttribute("data-speak-label");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "speak-button";
      button.setAttribute("aria-pressed", "false");
      button.dataset.readLabel = readLabel;
      button.innerHTML = icon + "<span></span>";
      button.querySelector("span").textContent = readLabel;
      button.addEventListener("click", function () {
        var wasThis = speaking === button;
        window.speechSynthesis.cancel();
        reset();
        if (wasThis) {
          return;
        }
        var utterance = new SpeechSynthesisUtterance(parts.join(" "));
        utterance.lang = language === "nb" ? "nb-NO" : language === "en" ? "en-GB" : "sv-SE";
        utterance.rate = 0.9;
        utterance.onend = reset;
        speaking = button;
        button.setAttribute("aria-pressed", "true");
        button.querySelector("span").textContent = stopLabel;
        window.speechSynthesis.speak(utterance);
      });
      var slot = group.querySelector("[data-speak-slot]");
      var after = group.querySelector("[data-speak-after]");
      if (slot) {
        slot.appendChild(button);
      } else if (after) {
        after.parentNode.insertBefore(button, after.nextSibling);
      } else {
        group.insertBefore(button, group.firstChild);
      }
    });
  }

  // A free-text answer: the limit is on the page; as the person writes it becomes a
  // count of what is left (the browser's maxlength stops at the limit).
  document.querySelectorAll("textarea[data-count-to]").forEach(function (area) {
    var count = document.getElementById(area.getAttribute("data-count-to"));
    var limit = parseInt(area.getAttribute("maxlength"), 10);
    if (!count || !limit) {
      return;
    }
    var update = function () {
      count.textContent = count.getAttribute("data-left-template").replace("#", String(limit - area.value.length));
    };
    area.addEventListener("input", update);
    update();
  });

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
