// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // After htmx swaps in a form with errors, move focus to the first invalid field so keyboard
  // and screen-reader users land where the problem is.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target.querySelector && event.detail.target.querySelector(".is-invalid");
    if (invalid && event.detail.target.id !== "scoreboard") {
      invalid.focus();
    }
  });
})();
