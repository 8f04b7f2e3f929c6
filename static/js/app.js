// Behaviour for server-rendered pages. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";

  // Forms marked js-autosubmit submit when a select changes (the team switcher).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form.js-autosubmit");
    if (form && event.target.tagName === "SELECT") {
      form.requestSubmit();
    }
  });

  // Buttons marked js-confirm ask before submitting (data-confirm holds the question).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // A dialog whose step failed (a wrong signing password) comes back open, with what was typed.
  document.querySelectorAll(".modal[data-qms-open]").forEach(function (element) {
    window.bootstrap.Modal.getOrCreateInstance(element).show();
  });
})();
