// The survey builder: "Add an answer option" adds an empty block on the page, so any
// number of options can be written and saved at once. Without this file the page offers
// "Save and show more empty answer options", which does the same with a reload.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var button = document.querySelector("[data-add-option]");
  var template = document.querySelector("template[data-option-template]");
  var blocks = document.querySelector("[data-option-blocks]");
  var total = document.querySelector("input[name='options-TOTAL_FORMS']");
  if (!button || !template || !blocks || !total) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var block = holder.firstElementChild;
    block.querySelector("legend").textContent = template
      .getAttribute("data-legend")
      .replace("__number__", String(index + 1));
    blocks.appendChild(block);
    total.value = String(index + 1);
    // Straight to the new block's first field, so keyboard users can write at once.
    var first = block.querySelector("input, textarea, select");
    if (first) {
      first.focus();
    }
  });
});
