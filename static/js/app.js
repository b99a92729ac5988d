// Portal-wide behaviour. No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";
  // htmx would inject a <style> for its indicators, which the CSP blocks: the stylesheet
  // styles them instead (also set by the htmx-config meta; this runs before htmx's init).
  if (window.htmx) {
    window.htmx.config.includeIndicatorStyles = false;
  }
  // Every htmx request carries the CSRF token from the <meta> tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });
  // Confirm dialogs declared with data-confirm on forms or buttons.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  // After an htmx swap, move focus to a new alert so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var alert = event.detail.target.querySelector("[data-autofocus], .alert-error");
    if (alert) {
      if (!alert.hasAttribute("tabindex")) { alert.setAttribute("tabindex", "-1"); }
      alert.focus();
    }
  });
})();
