// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function errorBox(input) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i++) {
      if (ids[i].indexOf("errors-") === 0) {
        return document.getElementById(ids[i]);
      }
    }
    return null;
  }

  // Error messages arrive out of band after a live re-score; mark the inputs they describe
  // as invalid (or valid again) so the field styling and screen readers agree with them.
  // A conflict shown in the same box is not an invalid answer.
  function syncInvalidMarks() {
    document.querySelectorAll(".field-errors[id^='errors-']").forEach(function (box) {
      var invalid = box.querySelector(".invalid-feedback") !== null;
      var selector = "[aria-describedby~='" + box.id + "']";
      document.querySelectorAll(selector + " input, input" + selector).forEach(function (input) {
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

  // A number box holding text the browser cannot read submits as empty, which would quietly
  // erase the saved value. Say so next to the field and do not send the form.
  document.body.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest ? event.target.closest("form#questionnaire") : null;
    if (!form) {
      return;
    }
    var unreadable = Array.prototype.filter.call(
      form.querySelectorAll("input[type=number]"),
      function (input) { return input.validity && input.validity.badInput; }
    );
    unreadable.forEach(function (input) {
      var box = errorBox(input);
      if (box) {
        box.innerHTML = "";
        var message = document.createElement("div");
        message.className = "invalid-feedback d-block";
        message.textContent = "Enter a number (digits, with an optional decimal point).";
        box.appendChild(message);
      }
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    });
    if (unreadable.length) {
      event.preventDefault();
      var status = document.getElementById("draft-status");
      if (status) {
        status.textContent = "✗ Not saved: a number box holds something that is not a number.";
        status.className = "draft-status text-danger";
      }
    }
  });

  // After an inline form or confirmation opens, or a form comes back with errors, move focus
  // there so keyboard and screen-reader users land where the work is.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id === "scoreboard") {
      return;
    }
    if (target.id && !document.body.contains(target)) {
      target = document.getElementById(target.id);  // replaced by an outerHTML swap
    }
    if (!target || !target.querySelector) {
      return;
    }
    var focusable = target.querySelector(".is-invalid") ||
      (target.tagName === "LI" && target.querySelector("input:not([type=hidden]), select, textarea, button"));
    if (focusable) {
      focusable.focus();
    }
  });

  // A request htmx sent was refused (400, 413, 429, 503...) or never reached the server: no
  // part of the page changes, so say why in the alert area at the top, with the refusal
  // page's own message (its `.lead`). The next request that succeeds clears it.
  var SEND_FAILED = "Crossroads could not be reached. Check your connection and try again.";

  function refusalMessage(xhr) {
    var text = "";
    try {
      var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var lead = page.querySelector(".lead");
      text = lead ? lead.textContent.trim() : "";
    } catch (error) {
      text = "";
    }
    return text || "Crossroads could not do this (error " + xhr.status + "). " +
      "Reload the page and try again.";
  }

  function showProblem(message) {
    var area = document.getElementById("request-problem");
    if (!area) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible";
    alert.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", function () { area.replaceChildren(); });
    alert.appendChild(close);
    area.replaceChildren(alert);
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    showProblem(refusalMessage(event.detail.xhr));
  });
  document.body.addEventListener("htmx:sendError", function () {
    showProblem(SEND_FAILED);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var area = document.getElementById("request-problem");
    if (area && event.detail.successful) {
      area.replaceChildren();
    }
  });
})();
