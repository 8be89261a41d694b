// The assistant's chat panel in the debtor portal, with HTMX. A file, not an inline script:
// the Content-Security-Policy allows scripts only from the server's own files.
(function () {
  "use strict";
  function errorBox() { return document.getElementById("chat-error"); }
  // after a message went through: empty the form and any earlier error
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.id === "chat-form" && e.detail.successful) {
      elt.reset();
      if (errorBox()) { errorBox().textContent = ""; }
    }
  });
  // a refused message (4xx) shows its reason in the error area instead of being dropped
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (status >= 400 && status < 500 && errorBox()) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
      e.detail.target = errorBox();
    }
  });
  // the newest answer scrolls into view (the log is an aria-live region for screen readers)
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "chat-log") {
      var last = e.detail.target.lastElementChild;
      if (last) { last.scrollIntoView({ block: "nearest" }); }
    }
  });
})();
