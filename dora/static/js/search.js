// Search page enhancements (the page works without them):
// - "Où ?" suggests communes as one types (ARIA 1.2 combobox, keyboard and screen readers),
//   using the communes API; choosing one fills the hidden INSEE code;
// - after a search, keyboard and screen-reader focus goes to the results summary.
(function () {
  "use strict";

  function combobox(box) {
    var api = box.getAttribute("data-api");
    var input = box.querySelector("input[type=text]");
    var code = box.querySelector("[data-commune-code]");
    if (!api || !input || !code) return;

    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Communes suggérées");
    list.hidden = true;
    box.appendChild(list);

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function label(item) {
      return item.nom + " (" + item.departement + ")";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
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
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      input.value = label(item);
      code.value = item.code;
      close();
    }

    function render(found) {
      items = found;
      list.innerHTML = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = label(item);
        if (item.codes_postaux && item.codes_postaux.length) {
          var postal = document.createElement("span");
          postal.className = "meta";
          postal.textContent = " " + item.codes_postaux.slice(0, 3).join(", ");
          option.appendChild(postal);
        }
        // mousedown, not click: it fires before the input loses focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      var open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      status.textContent = open
        ? found.length + " commune" + (found.length > 1 ? "s suggérées" : " suggérée") +
          ", flèches haut et bas pour choisir."
        : "Aucune commune ne correspond.";
    }

    function lookup(q) {
      var mine = ++sequence;
      fetch(api + "?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { if (mine === sequence) render(data.items || []); })
        .catch(function () { if (mine === sequence) render([]); });
    }

    input.addEventListener("input", function () {
      // The typed text no longer names the chosen commune: the server will resolve it.
      code.value = "";
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) {
        close();
        return;
      }
      timer = setTimeout(function () { lookup(q); }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && items.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        highlight((active + 1) % items.length);
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        highlight(active <= 0 ? items.length - 1 : active - 1);
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (active >= 0) {
          choose(active);
          event.preventDefault();
        } else {
          close();
        }
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("[data-commune-combobox]").forEach(combobox);

  // Results are announced: focus their summary after a search made from this page.
  var form = document.querySelector("[data-search-form]");
  var summary = document.getElementById("results-status");
  if (form && summary) {
    form.addEventListener("submit", function () {
      try { sessionStorage.setItem("dora-search-submitted", "1"); } catch (e) { /* private mode */ }
    });
    var submitted = false;
    try {
      submitted = sessionStorage.getItem("dora-search-submitted") === "1";
      sessionStorage.removeItem("dora-search-submitted");
    } catch (e) { /* private mode */ }
    if (submitted) {
      var target = document.getElementById("search-error") || summary;
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
})();
