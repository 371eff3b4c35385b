// Progressive enhancement: a live count under every text box with a limit. The limit is
// already in the field's help text and the server refuses longer text, so without this
// file nothing is lost. The field has no maxlength attribute on purpose (the browser would
// cut pasted text silently); the count says how many characters are too many instead.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  document.querySelectorAll("[data-maxlength]").forEach(function (field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (!limit || !field.id) {
      return;
    }
    var count = document.createElement("div");
    count.id = field.id + "_count";
    count.className = "form-text character-count";
    // Polite and only after a pause in typing, so a screen reader is not interrupted on
    // every key.
    count.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", count);
    var timer = null;

    function show() {
      var left = limit - field.value.length;
      var over = left < 0;
      var template = field.getAttribute(over ? "data-count-over" : "data-count-left");
      count.textContent = template.replace("%(count)s", String(Math.abs(left)));
      count.classList.toggle("character-count--over", over);
    }

    show();
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(show, 400);
    });
  });
});
