/* Service editor enhancements. The form works without this script: the server resolves the
   commune and the territories typed. With it: autocomplete (ARIA combobox) for the commune
   and the eligibility zone, the map marker follows the commune, a click places the point. */
(function () {
  "use strict";

  var form = document.getElementById("service-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");
  // After a refused save, start from the list of errors (each links to its field).
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  /* A combobox: `input` with a listbox `list`, filled from `url?q=`, `render(item)` gives the
     option text, `choose(item)` acts on a choice. */
  function combobox(input, list, render, choose) {
    var items = [];
    var active = -1;
    var controller = null;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      }
    }

    function show(found) {
      list.innerHTML = "";
      items = found;
      if (!found.length) {
        var empty = document.createElement("li");
        empty.className = "suggestion suggestion--empty";
        empty.textContent = "Aucun résultat";
        list.appendChild(empty);
      }
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.className = "suggestion";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = render(item);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
          close();
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    var search = debounce(function () {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(input.dataset.autocomplete + "?q=" + encodeURIComponent(q), {signal: controller.signal})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (data) { show(data.items || []); })
        .catch(function () { /* aborted or offline: the server-side path still works */ });
    }, 200);

    input.addEventListener("input", search);
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(items[active]);
          close();
        } else if (input.id === "zone_ajout") {
          // Enter in the zone field adds the territory instead of saving the whole form.
          event.preventDefault();
          form.querySelector("button[value=ajouter-zone]").click();
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  /* Map preview ------------------------------------------------------------------------- */
  var preview = window.doraPreview || {};
  var latitude = document.getElementById("latitude");
  var longitude = document.getElementById("longitude");
  var caption = document.getElementById("map-caption");

  function placeMarker(lat, lon, zoom) {
    if (!preview.map || typeof L === "undefined") { return; }
    if (preview.marker) {
      preview.marker.setLatLng([lat, lon]);
    } else {
      preview.marker = L.marker([lat, lon], {title: "Lieu d’accueil"}).addTo(preview.map);
    }
    preview.map.setView([lat, lon], zoom || preview.map.getZoom());
  }

  if (preview.map) {
    preview.map.on("click", function (event) {
      var lat = Math.round(event.latlng.lat * 1e6) / 1e6;
      var lon = Math.round(event.latlng.lng * 1e6) / 1e6;
      latitude.value = String(lat).replace(".", ",");
      longitude.value = String(lon).replace(".", ",");
      placeMarker(lat, lon);
      if (caption) { caption.textContent = "Point précis placé par vous (" + latitude.value + " ; " + longitude.value + ")."; }
    });
  }

  /* Commune ----------------------------------------------------------------------------- */
  var commune = document.getElementById("commune");
  var codeInsee = document.getElementById("code_insee");
  var codePostal = document.getElementById("code_postal");
  if (commune) {
    combobox(commune, document.getElementById("commune-suggestions"),
      function (c) { return c.nom + " (" + (c.codes_postaux[0] || c.departement) + ")"; },
      function (c) {
        commune.value = c.nom;
        codeInsee.value = c.code;
        if (c.codes_postaux.indexOf(codePostal.value) === -1) {
          codePostal.value = c.codes_postaux[0] || "";
        }
        // A new commune: precise coordinates of the old place no longer apply.
        latitude.value = "";
        longitude.value = "";
        placeMarker(c.latitude, c.longitude, 13);
        if (caption) { caption.textContent = "Centre de " + c.nom + ". Cliquez sur la carte pour placer le point exact."; }
        commune.removeAttribute("aria-invalid");
      });
    commune.addEventListener("input", function () { codeInsee.value = ""; });
  }

  /* Eligibility zone -------------------------------------------------------------------- */
  var zoneInput = document.getElementById("zone_ajout");
  var zoneList = document.getElementById("zone-list");
  function addZone(code, label) {
    var existing = zoneList.querySelector("input[value='" + CSS.escape(code) + "']");
    if (existing) { existing.checked = true; return; }
    var empty = zoneList.querySelector(".zone-empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    var labelEl = document.createElement("label");
    labelEl.className = "checkbox";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "zone_eligibilite";
    box.value = code;
    box.checked = true;
    labelEl.appendChild(box);
    labelEl.appendChild(document.createTextNode(" " + label));
    item.appendChild(labelEl);
    zoneList.appendChild(item);
  }
  /* « Aperçu » of the description: rendered by the server with the pages' own renderer and
     sanitiser, so what is shown here is exactly what the service page will show. */
  var preview = form.querySelector("[data-markdown-preview]");
  if (preview) {
    var source = document.getElementById(preview.getAttribute("data-source"));
    var box = preview.querySelector(".preview-box");
    preview.hidden = false;
    preview.querySelector("[data-preview-button]").addEventListener("click", function () {
      var data = new FormData();
      data.append("texte", source.value);
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      fetch(preview.getAttribute("data-url"), {method: "POST", body: data, credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) { box.innerHTML = html; box.hidden = false; })
        .catch(function () {
          box.textContent = "L’aperçu n’a pas pu être affiché. Réessayez.";
          box.hidden = false;
        });
    });
  }

  if (zoneInput) {
    combobox(zoneInput, document.getElementById("zone_ajout-suggestions"),
      function (t) { return t.libelle; },
      function (t) {
        // A région stands for its départements (the schema has no région codes).
        t.zone.forEach(function (entry) { addZone(entry.code, entry.libelle); });
        zoneInput.value = "";
        zoneInput.removeAttribute("aria-invalid");
      });
  }
})();
