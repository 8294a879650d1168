// Commune suggestions for address forms (progressive enhancement: without JS, the server
// resolves the typed postal code and commune name). Fills the hidden INSEE code on a match.
(function () {
  "use strict";
  document.querySelectorAll("[data-commune-autocomplete]").forEach(function (box) {
    var api = box.getAttribute("data-api");
    var commune = box.querySelector("input[name=commune]");
    var postal = box.querySelector("input[name=code_postal]");
    var insee = box.querySelector("input[name=code_insee]");
    var list = box.querySelector("datalist");
    if (!api || !commune || !postal || !insee || !list) return;
    commune.setAttribute("list", list.id);
    var found = [];
    var timer = null;

    function label(item) { return item.nom + " (" + item.codes_postaux.join(", ") + ")"; }

    function fill(items) {
      found = items;
      list.innerHTML = "";
      items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.nom;
        option.label = label(item);
        list.appendChild(option);
      });
    }

    function fetchFor(q) {
      if (q.length < 2) return;
      fetch(api + "?limit=10&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { fill(data.items || []); })
        .catch(function () { fill([]); });
    }

    function sync() {
      // The INSEE code is kept only while the commune field names the suggestion picked.
      var match = found.filter(function (item) { return item.nom === commune.value; });
      var postalMatch = match.filter(function (item) { return item.codes_postaux.indexOf(postal.value.trim()) >= 0; });
      var chosen = postalMatch[0] || (match.length === 1 ? match[0] : null);
      insee.value = chosen ? chosen.code : "";
      if (chosen && !/^\d{5}$/.test(postal.value.trim()) && chosen.codes_postaux.length) {
        postal.value = chosen.codes_postaux[0];
      }
    }

    commune.addEventListener("input", function () {
      clearTimeout(timer);
      var q = commune.value.trim();
      timer = setTimeout(function () { fetchFor(q); sync(); }, 200);
      sync();
    });
    postal.addEventListener("input", function () {
      var q = postal.value.trim();
      if (/^\d{5}$/.test(q) && !commune.value.trim()) fetchFor(q);
      sync();
    });
    commune.addEventListener("change", sync);
  });
})();
