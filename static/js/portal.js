// Progressive enhancement only: every page works without this file. No inline
// scripts anywhere, so a strict Content-Security-Policy can hold.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  // Move focus to the error summary so screen-reader and keyboard users hear
  // what went wrong and can follow its links to the fields.
  summary.focus();

  // A link in the summary focuses its field and scrolls so that the field's
  // label or legend is in view too (a plain fragment jump would hide it under
  // the top edge of the window).
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var legend = fieldset ? fieldset.querySelector("legend") : null;
    var label = legend || document.querySelector("label[for='" + field.id + "']") || field;
    label.scrollIntoView();
    field.focus({ preventScroll: true });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", link.hash);
    }
  });
});
