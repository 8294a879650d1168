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
