// The report's "Print" button: the browser's print dialog (an inline onclick would be refused by the
// Content-Security-Policy, script-src 'self').
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
