// Search page enhancements (the page works without them): after a search, keyboard and
// screen-reader focus goes to the results summary. "Où ?" is a commune combobox (combobox.js).
(function () {
  "use strict";

  // Results are announced: focus their summary after a search made from this page.
  var form = document.querySelector("[data-search-form]");
  var summary = document.getElementById("results-status");
  if (form && summary) {
    form.addEventListener("submit", function () {
      try { sessionStorage.setItem("dora-search-submitted", "1"); } catch (e) { /* private mode */ }
    });
    var submitted = false;
    try {
      submitted = sessionStorage.getItem("dora-search-submitted") === "1";
      sessionStorage.removeItem("dora-search-submitted");
    } catch (e) { /* private mode */ }
    if (submitted) {
      var target = document.getElementById("search-error") || summary;
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
})();
