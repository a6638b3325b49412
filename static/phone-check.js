// Shows a number's status under its field as staff type: valid or not, and
// who already holds it as their Portal Access/SMS Number. Forms work without
// this script; it only tells sooner.
(function () {
  "use strict";

  var DELAY_MS = 300;

  function roleOf(input) {
    var toggle = input.getAttribute("data-sms-toggle");
    if (toggle) {
      var box = document.getElementById(toggle);
      return box && box.checked ? "sms" : "general";
    }
    return input.getAttribute("data-phone-check");
  }

  function watch(input) {
    var status = document.getElementById(input.id + "-status");
    var timer = null;
    var latest = 0;
    var shown = "";
    if (!status) {
      return;
    }

    // Answers can arrive out of order, or after more typing; only the answer
    // to the newest question is shown. The fragment is server-rendered and
    // escaped. An answer the same as the one shown leaves the status alone, so
    // that screen readers do not hear it twice and a focused link in it stays.
    function show(asked, html) {
      if (asked === latest && html !== shown) {
        status.innerHTML = html;
        shown = html;
      }
    }

    function check() {
      var number = input.value.trim();
      var asked = ++latest;
      if (number === "") {
        status.textContent = "";
        shown = "";
        return;
      }
      var query = new URLSearchParams({ number: number, role: roleOf(input) });
      var exclude = input.getAttribute("data-exclude");
      if (exclude) {
        query.set("exclude", exclude);
      }
      fetch("/phone-numbers/check?" + query.toString(), {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
        // Once the session has ended the answer is a redirect to the sign-in
        // page, which must not be shown as a status.
        redirect: "manual"
      })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          show(asked, html);
        })
        .catch(function () {
          // A status kept from an earlier number would now be wrong.
          show(asked, "");
        });
    }

    input.addEventListener("input", function () {
      // An answer still on its way is about text that is no longer there.
      latest += 1;
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    });
    var toggle = input.getAttribute("data-sms-toggle");
    var box = toggle && document.getElementById(toggle);
    if (box) {
      box.addEventListener("change", check);
    }
    if (input.value.trim() !== "") {
      check();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-phone-check]").forEach(watch);
  });
})();
