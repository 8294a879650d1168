/* « Copier le lien » and « Imprimer »: buttons that only exist with JavaScript (hidden in the
   HTML, shown here). Without it the link stays selectable and the browser prints the page. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.closest(".share__panel").querySelector(".share__status");
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { status.textContent = "Lien copié."; }
      function fallback() {
        field.select();
        status.textContent = document.execCommand && document.execCommand("copy")
          ? "Lien copié." : "Sélectionnez le lien puis copiez-le (Ctrl+C).";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
