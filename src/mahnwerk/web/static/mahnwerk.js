/* mahnwerk: the little JavaScript of the pages (no inline script anywhere: the
   Content-Security-Policy allows only files of the server).
   - [data-copy]: a button that copies its value (IBAN, amount, reference) to the clipboard
     and says so in its own label for a moment (screen readers hear it: aria-live). */
(function () {
  "use strict";
  function copy(button) {
    var value = button.getAttribute("data-copy") || "";
    var label = button.textContent;
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || "✓";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { fallback(value); done(); });
    } else {
      fallback(value);
      done();
    }
  }
  function fallback(value) {
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
    document.body.removeChild(area);
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest) {
      var button = target.closest("[data-copy]");
      if (button) { event.preventDefault(); copy(button); }
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].setAttribute("aria-live", "polite"); }
  });
})();
