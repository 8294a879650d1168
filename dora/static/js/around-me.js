/* « Autour de moi »: the browser's position (asked only on click) replaces the commune of the
   search; the search page then answers for those coordinates (lat/lon), the eligibility
   being that of the nearest commune. Every refusal or failure is said, and the commune field
   stays usable: typing a commune is always the other way. */
(function () {
  "use strict";
  document.querySelectorAll("[data-position-form]").forEach(function (form) {
    var button = form.querySelector("[data-around-me]");
    var status = form.querySelector("[data-position-status]");
    var commune = form.querySelector("[data-commune-code]");
    var typed = form.querySelector("input[name=commune_nom]");
    if (!button || !status) { return; }
    if (!("geolocation" in navigator)) { return; }  // no button rather than a dead one
    button.hidden = false;

    function say(text, isError) {
      status.textContent = text;
      status.className = "position-status" + (isError ? " notice notice--error" : "");
    }

    function clearPosition() {
      form.querySelectorAll("[data-position]").forEach(function (field) { field.remove(); });
    }

    // Typing a commune means that commune, not the position used before.
    if (typed) { typed.addEventListener("input", clearPosition); }

    function hidden(name, value) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      field.setAttribute("data-position", "");
      form.appendChild(field);
    }

    button.addEventListener("click", function () {
      if (!window.isSecureContext) {
        say("La position n’est disponible que sur une connexion sécurisée (https). Indiquez une commune.", true);
        return;
      }
      say("Recherche de votre position…", false);
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        clearPosition();
        if (commune) { commune.value = ""; }
        if (typed) { typed.value = ""; }
        hidden("lat", position.coords.latitude.toFixed(5));
        hidden("lon", position.coords.longitude.toFixed(5));
        say("Position trouvée : recherche autour de vous…", false);
        form.submit();
      }, function (error) {
        button.disabled = false;
        if (error.code === error.PERMISSION_DENIED) {
          say("Vous n’avez pas autorisé l’accès à votre position : indiquez une commune ou un code postal.", true);
        } else if (error.code === error.TIMEOUT) {
          say("Votre position n’a pas pu être trouvée à temps : réessayez ou indiquez une commune.", true);
        } else {
          say("Votre position n’est pas disponible : indiquez une commune ou un code postal.", true);
        }
        if (typed) { typed.focus(); }
      }, {enableHighAccuracy: false, timeout: 10000, maximumAge: 300000});
    });
  });
})();
