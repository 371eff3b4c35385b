// Django admin, every page: name the widgets its scripts build, which axe-core (WCAG 2.1 AA,
// 4.1.2) found without an accessible name. The pages work without this: the plain <select>
// under an autocomplete has its <label>; this only names what JavaScript put over it.
(function () {
  "use strict";

  var counter = 0;

  function labelOf(field) {
    if (!field || !field.id) {
      return null;
    }
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label && !label.id) {
      counter += 1;
      label.id = "admin-label-" + counter;
    }
    return label;
  }

  // select2 (autocomplete_fields) draws a combobox named only by the chosen value, so an
  // empty one has no name: name it by the field's label, then its value.
  function nameAutocompletes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = labelOf(select);
      if (!label) {
        return;
      }
      var rendered = box.querySelector(".select2-selection__rendered");
      var ids = [label.id];
      if (rendered && rendered.id) {
        ids.push(rendered.id);
      }
      box.setAttribute("aria-labelledby", ids.join(" "));
      // The chosen value's own box (role=textbox) is named by the field's label too.
      if (rendered) {
        rendered.setAttribute("aria-labelledby", label.id);
      }
    });
  }

  // filter_horizontal puts an aria-label on a plain <span> (a search icon), where ARIA does
  // not allow one: make it an image, named by that text.
  function fixFilterIcons(root) {
    root.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function fix(root) {
    nameAutocompletes(root);
    fixFilterIcons(root);
  }

  // The widgets are built after this script runs (jQuery's ready, window load, a new inline
  // row): fix whatever is added, whenever it is added.
  document.addEventListener("DOMContentLoaded", function () {
    fix(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === Node.ELEMENT_NODE) {
            fix(node.parentNode || node);
          }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
