/* On a narrow screen the filters panel starts closed: the results come first, « Filtres »
   opens it. Without JavaScript it stays open (and the page works the same). */
(function () {
  "use strict";
  var panel = document.querySelector("[data-filters-panel]");
  if (!panel) { return; }
  if (window.matchMedia("(max-width: 850px)").matches) {
    panel.open = false;
  }
})();
