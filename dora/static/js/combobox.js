/* The one combobox of dora: suggestions as one types (ARIA 1.2 combobox with a listbox,
   keyboard and screen readers), for every commune field and for the territories of the
   service editor. Pages work without it: the server resolves what was typed
   (geodata.resolve.resolve_typed_commune).

   Commune fields are set up by markup alone:
     <div data-commune-combobox data-api="/api/v1/communes">
       <input type="text" …>                      the field (or the one marked data-commune-input)
       <input type="hidden" data-commune-code>    optional: the INSEE code of the choice
       <input data-commune-postal>                optional (may sit anywhere in the container):
                                                  gets the commune's postal code on a choice
     (address forms need no marks: fields named commune, code_insee and code_postal are found).
     </div>
   `data-commune-fill="nom"` puts the bare name in the field (address forms), otherwise the
   label that tells homonyms apart, « Saint-Denis (93) », which the server reads back.
   A choice dispatches a `dora:commune` event on the field (detail: the commune).

   Other lists: DoraCombobox.attach(input, {url, label, choose, …}) (see below). */
(function () {
  "use strict";

  var counter = 0;

  function communeLabel(item) {
    return item.label || (item.nom + " (" + item.departement + ")");
  }

  /* options: url (GET url?q=…&limit=…, answering {items: […]}), label(item) → option text,
     detail(item) → secondary text or "", choose(item), limit (8), minLength (2),
     noun ["commune", "communes"] for announcements, onEnter(event) when Enter is pressed
     with no option active, onType() on every keystroke that changes the text. */
  function attach(input, options) {
    var limit = options.limit || 8;
    var minLength = options.minLength || 2;
    var noun = options.noun || ["résultat", "résultats"];
    var box = input.parentNode;
    if (window.getComputedStyle(box).position === "static") { box.style.position = "relative"; }

    var listId = input.getAttribute("aria-controls");
    var list = listId ? document.getElementById(listId) : null;
    if (!list) {
      list = document.createElement("ul");
      list.id = listId = (input.id || "combobox-" + (++counter)) + "-suggestions";
      input.insertAdjacentElement("afterend", list);
    }
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    if (!list.hasAttribute("aria-label")) { list.setAttribute("aria-label", options.listLabel || "Suggestions"); }
    list.hidden = true;

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var optionEls = list.querySelectorAll("[role=option]");
      optionEls.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && optionEls[index]) {
        input.setAttribute("aria-activedescendant", optionEls[index].id);
        optionEls[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      close();
      options.choose(item);
    }

    function render(found) {
      items = found;
      list.innerHTML = "";
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = options.label(item);
        var detail = options.detail ? options.detail(item) : "";
        if (detail) {
          var meta = document.createElement("span");
          meta.className = "meta";
          meta.textContent = " " + detail;
          option.appendChild(meta);
        }
        // mousedown, not click: it fires before the field loses focus.
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
      input.removeAttribute("aria-activedescendant");
      status.textContent = open
        ? found.length + " " + (found.length > 1 ? noun[1] + " suggérées" : noun[0] + " suggérée") +
          ", flèches haut et bas pour choisir."
        : "Aucune suggestion ne correspond.";
    }

    function lookup(q) {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var separator = options.url.indexOf("?") >= 0 ? "&" : "?";
      fetch(options.url + separator + "limit=" + limit + "&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        signal: controller.signal
      })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { render(data.items || []); })
        .catch(function (error) { if (error.name !== "AbortError") { render([]); } });
    }

    input.addEventListener("input", function () {
      if (options.onType) { options.onType(); }
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < minLength) {
        if (controller) { controller.abort(); }
        close();
        return;
      }
      timer = setTimeout(function () { lookup(q); }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (list.hidden || active < 0)) {
        close();
        if (options.onEnter) { options.onEnter(event); }
        return;
      }
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
        choose(active);
        event.preventDefault();
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
    return { close: close };
  }

  function commune(container) {
    var api = container.getAttribute("data-api");
    // Marked fields, else the names address forms use (commune, code_postal, code_insee).
    var input = container.querySelector("[data-commune-input]") ||
      container.querySelector("input[name=commune]:not([type=hidden])") ||
      container.querySelector("input[type=text], input:not([type])");
    if (!api || !input || input.hasAttribute("data-combobox-ready")) { return; }
    input.setAttribute("data-combobox-ready", "");
    var code = container.querySelector("[data-commune-code]") ||
      container.querySelector("input[name=code_insee]");
    var postal = container.querySelector("[data-commune-postal]") ||
      container.querySelector("input[name=code_postal]");
    var bareName = container.getAttribute("data-commune-fill") === "nom";

    attach(input, {
      url: api,
      noun: ["commune", "communes"],
      // Not « Communes … »: a label containing the field's would name two things alike.
      listLabel: "Suggestions",
      label: communeLabel,
      detail: function (item) { return (item.codes_postaux || []).slice(0, 3).join(", "); },
      onType: function () {
        // The text no longer names the chosen commune: the server will resolve it.
        if (code) { code.value = ""; }
      },
      choose: function (item) {
        input.value = bareName ? item.nom : communeLabel(item);
        if (code) { code.value = item.code; }
        var codes = item.codes_postaux || [];
        if (postal && codes.length && codes.indexOf(postal.value.trim()) === -1) {
          postal.value = codes[0];
        }
        input.removeAttribute("aria-invalid");
        input.dispatchEvent(new CustomEvent("dora:commune", { detail: item, bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  window.DoraCombobox = { attach: attach, commune: commune, communeLabel: communeLabel };
  document.querySelectorAll("[data-commune-combobox]").forEach(commune);
})();
