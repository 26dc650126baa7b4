// Enhancements only: every page works without this file.
// - forms with data-confirm ask before they post (revoking a device, cancelling an inspection);
// - inputs with data-live submit their form a moment after typing stops (live search).
"use strict";
document.addEventListener("submit", function (e) {
  var form = e.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    e.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var timer = null;
  document.querySelectorAll("input[data-live]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (input.value.length === 0 || input.value.length >= 3) {
          input.form.requestSubmit();
        }
      }, 450);
    });
  });
});
