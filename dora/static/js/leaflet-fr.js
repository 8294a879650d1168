/* Leaflet's own words in French (zoom buttons, attribution prefix). Loaded after leaflet.js
   (in the page head) and before the maps are created (their scripts end the page). */
(function () {
  "use strict";
  if (!window.L) { return; }
  L.Control.Zoom.prototype.options.zoomInTitle = "Zoom avant";
  L.Control.Zoom.prototype.options.zoomOutTitle = "Zoom arrière";
  if (L.Control.Fullscreen) {
    L.Control.Fullscreen.prototype.options.title = "Plein écran";
  }
})();
