/* dora — inside the widget's iframe: tell the host page our height (postMessage).
 *
 * Messages go only to the origin the loader gave us (data-origin), and we answer only the
 * host page itself (event.source === parent) from that origin: both sides check origins.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var parentOrigin = script && script.getAttribute("data-origin");
  var frameId = script && script.getAttribute("data-id");
  var box = document.getElementById("widget");
  if (!parentOrigin || !frameId || !box || window.parent === window) return;

  var last = -1;
  function height() {
    var style = window.getComputedStyle(document.body);
    return Math.ceil(box.getBoundingClientRect().height +
      parseFloat(style.marginTop || 0) + parseFloat(style.marginBottom || 0));
  }
  function report(force) {
    var h = height();
    if (!force && h === last) return;
    last = h;
    window.parent.postMessage({ type: "dora-widget:height", id: frameId, height: h }, parentOrigin);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data;
    if (data && data.type === "dora-widget:hello" && data.id === frameId) report(true);
  });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () { report(false); }).observe(box);
  } else {
    window.addEventListener("resize", function () { report(false); });
  }
  window.addEventListener("load", function () { report(true); });
  report(true);
})();
