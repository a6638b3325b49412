// Moves focus to the error summary of a form that came back with mistakes, so
// that screen reader and keyboard users start there. Everything else works
// without script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});
