// Moves focus to the error summary of a form that came back with mistakes, so
// that screen reader and keyboard users start there, and keeps a field's label
// in view when a link in the summary leads to it. Everything else works
// without script.
(function () {
  "use strict";

  // The question a field answers: its group's legend, or else its own label.
  function questionOf(field) {
    var group = field.closest("fieldset");
    var legend = group && group.querySelector("legend");
    return legend || document.querySelector("label[for='" + CSS.escape(field.id) + "']");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  });

  // Left to itself, the browser scrolls the field to the top of the window and
  // hides the label above it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    (questionOf(field) || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
