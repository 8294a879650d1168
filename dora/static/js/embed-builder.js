/* dora — the widget builder: live preview and snippet as the form changes, copy button.
 * Without JavaScript the form is submitted and the server renders the same things. The
 * snippet and the errors come from the server (/embed/apercu): one source of truth. */
(function () {
  "use strict";
  var script = document.currentScript;
  var previewUrl = script.getAttribute("data-preview-url");
  var loaderUrl = script.getAttribute("data-loader-url");
  var form = document.getElementById("builder-form");
  var snippet = document.getElementById("builder-snippet");
  var status = document.getElementById("builder-status");
  var preview = document.getElementById("builder-preview");
  var copy = document.getElementById("builder-copy");
  var frameLink = document.getElementById("builder-frame-link");
  if (!form || !snippet || !preview) return;
  var timer = null;
  var pending = null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "") params.append(name, value);
    });
    return params.toString();
  }

  function showPreview(html) {
    preview.textContent = "";
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var placeholder = parsed.querySelector("[data-dora-widget]");
    if (!placeholder) return;
    preview.appendChild(document.importNode(placeholder, true));
    // The real loader, as on a partner's page (it skips widgets already built).
    var loader = document.createElement("script");
    loader.src = loaderUrl;
    loader.async = true;
    preview.appendChild(loader);
  }

  function update() {
    var qs = query();
    if (pending) pending.abort();
    pending = typeof AbortController === "function" ? new AbortController() : null;
    status.textContent = "Mise à jour de l’aperçu…";
    fetch(previewUrl + "?" + qs, { signal: pending ? pending.signal : undefined })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        pending = null;
        var messages = Object.keys(data.errors || {}).map(function (k) { return data.errors[k]; });
        if (messages.length) {
          status.textContent = "À corriger : " + messages.join(" ");
          snippet.value = "";
          if (frameLink) frameLink.hidden = true;
          return;
        }
        snippet.value = data.snippet;
        if (frameLink) {
          frameLink.href = data.frame_url;
          frameLink.hidden = false;
        }
        status.textContent = "Code à jour" + (data.territoire_nom ? " : " + data.territoire_nom + "." : " : France entière.");
        showPreview(data.snippet);
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", form.action + (qs ? "?" + qs : ""));
        }
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        pending = null;
        status.textContent = "L’aperçu n’a pas pu être mis à jour.";
      });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, 400);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var done = function () { status.textContent = "Code copié dans le presse-papiers."; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(snippet.value).then(done, function () {
          snippet.select();
          status.textContent = "Copie impossible : le code est sélectionné, copiez-le avec Ctrl+C.";
        });
      } else {
        snippet.select();
        document.execCommand("copy");
        done();
      }
    });
  }
  if (snippet.value) showPreview(snippet.value);
})();
