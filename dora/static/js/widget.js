/* dora — widget loader. A partner site pastes:
 *   <div data-dora-widget data-territoire="departement:93" data-thematiques="mobilite"></div>
 *   <script src="https://<dora>/embed/widget.js" async></script>
 * Every [data-dora-widget] element gets a titled, full-width iframe of <dora>/embed/carte
 * whose height follows its content (postMessage, origins checked on both sides). Several
 * widgets, and the script included several times, work.
 */
(function () {
  "use strict";
  var PARAMS = ["territoire", "thematiques", "publics", "frais", "types", "q", "offre", "titre",
    "carte", "liste", "recherche", "hauteur", "nombre", "couleur"];
  var MIN_HEIGHT = 150;
  var MAX_HEIGHT = 6000;

  var script = document.currentScript;
  if (!script) {
    var candidates = document.querySelectorAll('script[src*="/embed/widget.js"]');
    script = candidates[candidates.length - 1];
  }
  if (!script) return;
  var doraOrigin = new URL(script.src, window.location.href).origin;
  var registry = (window.__doraWidgets = window.__doraWidgets || { listening: {}, count: 0 });

  function hostOrigin() {
    var origin = window.location.origin;
    return origin && origin !== "null" ? origin : "";
  }

  function build(element) {
    if (element.getAttribute("data-dora-widget-ready")) return;
    element.setAttribute("data-dora-widget-ready", "1");
    registry.count += 1;
    var id = "dora-widget-" + registry.count + "-" + Math.random().toString(36).slice(2, 8);
    var query = new URLSearchParams();
    PARAMS.forEach(function (name) {
      var value = element.getAttribute("data-" + name);
      if (value !== null && value !== "") query.set(name, value);
    });
    if (hostOrigin()) {
      query.set("origine", hostOrigin());
      query.set("id", id);
    }
    var frame = document.createElement("iframe");
    frame.id = id;
    frame.src = doraOrigin + "/embed/carte?" + query.toString();
    frame.title = element.getAttribute("data-titre") || "Carte de l’offre d’insertion (dora)";
    frame.loading = "lazy";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    var mapHeight = parseInt(element.getAttribute("data-hauteur"), 10) || 400;
    frame.style.cssText = "display:block;width:100%;border:0;min-height:" + MIN_HEIGHT + "px;" +
      "height:" + (mapHeight + 320) + "px;";
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ type: "dora-widget:hello", id: id }, doraOrigin);
    });
    element.appendChild(frame);
  }

  if (!registry.listening[doraOrigin]) {
    registry.listening[doraOrigin] = true;
    window.addEventListener("message", function (event) {
      if (event.origin !== doraOrigin) return;
      var data = event.data;
      if (!data || data.type !== "dora-widget:height" || typeof data.height !== "number") return;
      var frame = document.getElementById(data.id);
      if (!frame || frame.tagName !== "IFRAME" || frame.contentWindow !== event.source) return;
      frame.style.height = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.ceil(data.height))) + "px";
    });
  }

  function scan() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-dora-widget]"), build);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
