/* Service editor enhancements. The form works without this script: the server resolves the
   commune and the territories typed. With it: suggestions for the commune and the
   eligibility zone (combobox.js), the map marker follows the commune, a click places the
   point. */
(function () {
  "use strict";

  var form = document.getElementById("service-form");
  if (!form) { return; }
  document.documentElement.classList.add("js");
  // After a refused save, start from the list of errors (each links to its field).
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

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
  // The field is a commune combobox (combobox.js fills the name, INSEE and postal codes).
  var commune = document.getElementById("commune");
  if (commune) {
    commune.addEventListener("dora:commune", function (event) {
      var c = event.detail;
      // A new commune: precise coordinates of the old place no longer apply.
      latitude.value = "";
      longitude.value = "";
      placeMarker(c.latitude, c.longitude, 13);
      if (caption) { caption.textContent = "Centre de " + c.nom + ". Cliquez sur la carte pour placer le point exact."; }
    });
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
  var markdownPreview = form.querySelector("[data-markdown-preview]");
  if (markdownPreview) {
    var source = document.getElementById(markdownPreview.getAttribute("data-source"));
    var box = markdownPreview.querySelector(".preview-box");
    markdownPreview.hidden = false;
    markdownPreview.querySelector("[data-preview-button]").addEventListener("click", function () {
      var data = new FormData();
      data.append("texte", source.value);
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      fetch(markdownPreview.getAttribute("data-url"), {method: "POST", body: data, credentials: "same-origin"})
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

  if (zoneInput && window.DoraCombobox) {
    window.DoraCombobox.attach(zoneInput, {
      url: zoneInput.dataset.autocomplete,
      noun: ["territoire", "territoires"],
      listLabel: "Suggestions",
      label: function (t) { return t.libelle; },
      choose: function (t) {
        // A région stands for its départements (the schema has no région codes).
        t.zone.forEach(function (entry) { addZone(entry.code, entry.libelle); });
        zoneInput.value = "";
        zoneInput.removeAttribute("aria-invalid");
      },
      onEnter: function (event) {
        // Enter in the zone field adds the territory instead of saving the whole form.
        event.preventDefault();
        form.querySelector("button[value=ajouter-zone]").click();
      }
    });
  }
})();

/* Week grid of opening hours: fills the « Horaires d’accueil » field. The conversions (grid →
   OSM string, OSM or French text → grid) are done by the server (one tested implementation);
   this script only shows the grid and sends what is ticked. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-hours-grid]");
  if (!grid) { return; }
  var form = grid.closest("form");
  var source = document.getElementById(grid.getAttribute("data-source"));
  var statusBox = grid.querySelector(".hours-grid__status");
  var rows = grid.querySelectorAll("tr[data-day]");
  var holidays = grid.querySelector("[data-holidays]");
  grid.hidden = false;

  function times(row) {
    var ranges = [];
    [0, 1].forEach(function (i) {
      var start = row.querySelector("[data-range='" + i + "'][data-end='0']").value;
      var end = row.querySelector("[data-range='" + i + "'][data-end='1']").value;
      if (start || end) { ranges.push([start, end === "00:00" ? "24:00" : end]); }
    });
    return ranges;
  }

  function setTimes(row, ranges) {
    [0, 1].forEach(function (i) {
      var range = ranges[i] || ["", ""];
      row.querySelector("[data-range='" + i + "'][data-end='0']").value = range[0];
      row.querySelector("[data-range='" + i + "'][data-end='1']").value = range[1] === "24:00" ? "00:00" : range[1];
    });
  }

  function collect() {
    var data = {jours: {}, feries: holidays.value, feries_plages: [], mois_fermes: []};
    rows.forEach(function (row) {
      var day = row.getAttribute("data-day");
      if (day === "PH") {
        data.feries_plages = times(row);
        return;
      }
      var open = row.querySelector("[data-open]");
      data.jours[day] = open.checked ? times(row) : [];
    });
    grid.querySelectorAll("[data-month]").forEach(function (box) {
      if (box.checked) { data.mois_fermes.push(box.getAttribute("data-month")); }
    });
    return data;
  }

  function show(data) {
    var fits = Object.keys(data.jours).every(function (d) { return data.jours[d].length <= 2; })
      && data.feries_plages.length <= 2;
    if (!fits) { return false; }
    rows.forEach(function (row) {
      var day = row.getAttribute("data-day");
      if (day === "PH") {
        holidays.value = data.feries;
        setTimes(row, data.feries_plages);
        return;
      }
      row.querySelector("[data-open]").checked = data.jours[day].length > 0;
      setTimes(row, data.jours[day]);
    });
    grid.querySelectorAll("[data-month]").forEach(function (box) {
      box.checked = data.mois_fermes.indexOf(box.getAttribute("data-month")) >= 0;
    });
    return true;
  }

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.className = "hours-grid__status" + (isError ? " notice notice--error" : "");
  }

  function ask(fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    return fetch(grid.getAttribute("data-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  function lines(answer) {
    return answer.lignes.length ? "Lu : " + answer.lignes.join(" ; ") + "." : "";
  }

  function fromGrid() {
    ask({grille: JSON.stringify(collect())}).then(function (answer) {
      if (answer.erreur) { say(answer.erreur, true); return; }
      source.value = answer.osm;
      say(answer.osm ? lines(answer) : "Aucun horaire indiqué.", false);
    }).catch(function () { say("La grille n’a pas pu être lue. Réessayez.", true); });
  }

  function fromText() {
    if (!source.value.trim()) { return; }
    ask({texte: source.value}).then(function (answer) {
      if (answer.erreur) { say(answer.erreur, true); return; }
      if (answer.osm !== source.value) { source.value = answer.osm; }
      if (!answer.grille || !show(answer.grille)) {
        say("Ces horaires sont trop riches pour la grille : ils sont gardés tels qu’écrits dans le champ.", false);
        return;
      }
      say(lines(answer), false);
    }).catch(function () { say("Les horaires n’ont pas pu être lus. Réessayez.", true); });
  }

  grid.addEventListener("change", function (event) {
    var row = event.target.closest("tr[data-day]");
    // Typing a time ticks « Ouvert »; unticking it empties the day.
    if (row && event.target.type === "time" && event.target.value) {
      var open = row.querySelector("[data-open]");
      if (open) { open.checked = true; }
    }
    if (row && event.target.hasAttribute("data-open") && !event.target.checked) {
      setTimes(row, []);
    }
    fromGrid();
  });
  grid.querySelector("[data-copy-monday]").addEventListener("click", function () {
    var monday = grid.querySelector("tr[data-day=Mo]");
    var ranges = times(monday);
    ["Tu", "We", "Th", "Fr"].forEach(function (day) {
      var row = grid.querySelector("tr[data-day=" + day + "]");
      row.querySelector("[data-open]").checked = monday.querySelector("[data-open]").checked;
      setTimes(row, ranges);
    });
    fromGrid();
  });
  source.addEventListener("change", fromText);
  fromText();
})();
