// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Error messages arrive out of band after a live re-score; mark the inputs they describe
  // as invalid (or valid again) so the field styling and screen readers agree with them.
  function syncInvalidMarks() {
    document.querySelectorAll(".field-errors[id^='errors-']").forEach(function (box) {
      var invalid = box.textContent.trim() !== "";
      document.querySelectorAll("[aria-describedby~='" + box.id + "'] input, input[aria-describedby~='" + box.id + "']").forEach(function (input) {
        if (input.type === "number") {
          input.classList.toggle("is-invalid", invalid);
        }
        if (invalid) {
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
      });
    });
  }

  document.body.addEventListener("htmx:afterSettle", syncInvalidMarks);

  // After htmx swaps in an inline form with errors, move focus to the first invalid field so
  // keyboard and screen-reader users land where the problem is.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id === "scoreboard" || !target.querySelector) {
      return;
    }
    var invalid = target.querySelector(".is-invalid");
    if (invalid) {
      invalid.focus();
    }
  });
})();
