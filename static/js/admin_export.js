// django-import-export's export page: "Select all" ticks or clears every field. Its own
// template does this with an inline onchange="", which the Content-Security-Policy blocks.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var toggle = document.querySelector("input.select-toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("change", function () {
    var boxes = document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]');
    boxes.forEach(function (box) {
      box.checked = toggle.checked;
    });
  });
});
