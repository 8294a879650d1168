/* dora — services on a Leaflet map, loaded by view from /api/v1/services.geojson.
 *
 * The server answers a view (bbox + zoom) with the services themselves when there are few,
 * or with clusters (count + centroid per 64-pixel cell) when there are many. One layer per
 * thématique category (radio buttons of the layer control, which doubles as the legend):
 * choosing one reloads the view for that category. Used by dora.maps.builder.services_map
 * on the territory pages, the widget and any page that wants the whole offer on a map.
 */
(function () {
  "use strict";

  var MAX_LAT = 85.0511;

  function formatDistance(meters) {
    if (meters === null || meters === undefined) return "";
    if (meters < 1000) return Math.round(meters) + " m";
    return (meters / 1000).toFixed(1).replace(".", ",") + " km";
  }

  function formatCount(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function clampBounds(bounds) {
    return [
      Math.max(-180, bounds.getWest()),
      Math.max(-MAX_LAT, bounds.getSouth()),
      Math.min(180, bounds.getEast()),
      Math.min(MAX_LAT, bounds.getNorth()),
    ];
  }

  function contains(outer, inner) {
    return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
  }

  function servicesLayer(map, options, groups) {
    var categories = options.categories || {};
    var active = options.activeCategory || "";
    var statusNode = options.statusId ? document.getElementById(options.statusId) : null;
    var current = null; // {bbox, zoom, category, clustered}
    var pending = null;
    var timer = null;

    function colourOf(category) {
      return (categories[category] && categories[category].colour) || options.defaultColour || "#1f5fa8";
    }

    function labelOf(category) {
      return (categories[category] && categories[category].label) || category;
    }

    function setStatus(text) {
      if (statusNode) statusNode.textContent = text;
    }

    function serviceUrl(id) {
      return options.serviceUrl.replace("__ID__", encodeURIComponent(id));
    }

    function popupContent(properties) {
      var box = element("div", "map-popup");
      var title = element("p", "map-popup__title");
      var link = element("a", null, properties.nom);
      link.href = serviceUrl(properties.id);
      if (options.linkTarget) {
        link.target = options.linkTarget;
        link.rel = "noopener";
      }
      title.appendChild(link);
      box.appendChild(title);
      if (properties.structure) box.appendChild(element("p", "map-popup__structure", properties.structure));
      var where = [];
      if (properties.commune) where.push(properties.commune);
      if (properties.categories && properties.categories.length) {
        where.push(properties.categories.map(labelOf).join(", "));
      }
      if (where.length) box.appendChild(element("p", "map-popup__meta", where.join(" · ")));
      if (properties.distance_m !== null && properties.distance_m !== undefined && options.reference) {
        box.appendChild(
          element("p", "map-popup__distance",
            "À " + formatDistance(properties.distance_m) + " de " + options.reference.label)
        );
      }
      if (properties.position) box.appendChild(element("p", "map-popup__meta", properties.position));
      return box;
    }

    function pointMarker(feature) {
      var p = feature.properties;
      var c = feature.geometry.coordinates;
      var icon = L.divIcon({
        className: "map-point",
        html: '<span style="background:' + colourOf(active || p.categorie) + '"></span>',
        iconSize: [18, 18],
        iconAnchor: [9, 9],
        popupAnchor: [0, -8],
      });
      var marker = L.marker([c[1], c[0]], { icon: icon, title: p.nom, keyboard: true });
      marker.bindPopup(function () { return popupContent(p); }, { maxWidth: 280 });
      marker.on("add", function () {
        var node = marker.getElement();
        if (node) node.setAttribute("aria-label", p.nom + (p.structure ? " — " + p.structure : ""));
      });
      return marker;
    }

    function clusterMarker(feature) {
      var p = feature.properties;
      var c = feature.geometry.coordinates;
      var size = p.count < 10 ? 30 : p.count < 100 ? 36 : p.count < 1000 ? 44 : 52;
      var label = formatCount(p.count) + " service" + (p.count > 1 ? "s" : "") + " : zoomer sur ce secteur";
      var icon = L.divIcon({
        className: "map-cluster",
        html: '<span style="background:' + (active ? colourOf(active) : options.clusterColour || "#1f5fa8") +
          '">' + formatCount(p.count) + "</span>",
        iconSize: [size, size],
        iconAnchor: [size / 2, size / 2],
      });
      var marker = L.marker([c[1], c[0]], { icon: icon, title: label, keyboard: true });
      marker.on("click", function () {
        // Zoom on the sector, by two levels at least so that every click splits clusters.
        var b = p.bbox;
        var before = map.getZoom();
        var fit = map.getBoundsZoom([[b[1], b[0]], [b[3], b[2]]]);
        var target = Math.min(Math.max(fit, before + 2), before + 4, map.getMaxZoom() || 18);
        map.setView([c[1], c[0]], target);
      });
      marker.on("add", function () {
        var node = marker.getElement();
        if (node) node.setAttribute("aria-label", label);
      });
      return marker;
    }

    function activeGroup() {
      return groups[active] || groups[""];
    }

    function render(data) {
      Object.keys(groups).forEach(function (key) { groups[key].clearLayers(); });
      var group = activeGroup();
      var points = null;
      if (!data.clustered && L.markerClusterGroup) {
        // Services at the same address would hide one another: spread them on click.
        points = L.markerClusterGroup({
          maxClusterRadius: 30,
          showCoverageOnHover: false,
          iconCreateFunction: function (cluster) {
            var n = cluster.getChildCount();
            return L.divIcon({
              className: "map-cluster map-cluster--local",
              html: '<span style="background:' + (active ? colourOf(active) : options.clusterColour || "#1f5fa8") +
                '">' + n + "</span>",
              iconSize: [32, 32],
            });
          },
        });
        group.addLayer(points);
      }
      data.features.forEach(function (feature) {
        if (feature.properties.type === "cluster") group.addLayer(clusterMarker(feature));
        else (points || group).addLayer(pointMarker(feature));
      });
      var where = active ? " (" + labelOf(active) + ")" : "";
      // « visibles sur la carte »: the count of the map's view (overseas services lie outside
      // a view of metropolitan France), not of the territory that the page heading counts.
      if (!data.total) setStatus("Aucun service sur place dans la partie visible de la carte" + where + ".");
      else if (data.clustered) {
        setStatus(formatCount(data.total) + " services dans la partie visible de la carte" + where +
          ", regroupés par secteur : zoomez ou choisissez un groupe pour les voir un par un.");
      } else {
        setStatus(formatCount(data.total) + " service" + (data.total > 1 ? "s" : "") +
          " dans la partie visible de la carte" + where + ".");
      }
      current = { bbox: data.bbox, zoom: data.zoom, category: active, clustered: data.clustered };
    }

    function query(bbox, zoom) {
      var params = new URLSearchParams();
      Object.keys(options.params || {}).forEach(function (key) {
        var value = options.params[key];
        if (value !== null && value !== undefined && value !== "") params.set(key, value);
      });
      params.set("bbox", bbox.map(function (v) { return v.toFixed(5); }).join(","));
      params.set("zoom", String(zoom));
      if (active) params.set("categorie", active);
      return options.endpoint + "?" + params.toString();
    }

    function filtered(data) {
      // Static maps (a page of results): a category layer shows that category's services.
      if (!active) return data;
      var features = data.features.filter(function (f) {
        return (f.properties.categories || []).indexOf(active) !== -1;
      });
      return Object.assign({}, data, { features: features, total: features.length });
    }

    function load() {
      if (!options.endpoint) {
        render(filtered(options.initial));
        return;
      }
      var zoom = Math.round(map.getZoom());
      var bbox = clampBounds(map.getBounds().pad(0.15));
      var view = clampBounds(map.getBounds());
      if (current && current.zoom === zoom && current.category === active && contains(current.bbox, view)) {
        return;
      }
      if (pending) pending.abort();
      pending = typeof AbortController === "function" ? new AbortController() : null;
      setStatus("Chargement des services…");
      fetch(query(bbox, zoom), { signal: pending ? pending.signal : undefined, credentials: "omit" })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error((body.error && body.error.message) || response.statusText);
            return body;
          });
        })
        .then(function (body) { pending = null; render(body); })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          pending = null;
          setStatus("Impossible de charger les services de cette zone : " + error.message);
        });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(load, 200);
    }

    // « Type d'offre »: services, trainings, inclusive employers — one at a time or all,
    // switched on the map like the category layers (the view is reloaded for that type).
    if (options.endpoint && options.offerTypes && options.offerTypes.length) {
      offerSwitch(map, options.offerTypes, (options.params || {}).offre || "", function (value) {
        options.params = Object.assign({}, options.params || {});
        if (value) { options.params.offre = value; } else { delete options.params.offre; }
        current = null;
        load();
      });
    }

    if (options.endpoint) map.on("moveend", schedule);
    map.on("baselayerchange", function (event) {
      Object.keys(groups).forEach(function (key) {
        if (groups[key] === event.layer) active = key;
      });
      current = null;
      load();
    });

    if (options.reference) {
      L.circleMarker([options.reference.lat, options.reference.lon], {
        radius: 7, color: "#1b1b1f", weight: 3, fillColor: "#ffffff", fillOpacity: 1,
      }).bindTooltip(element("span", null, "Point de référence : " + options.reference.label)).addTo(map);
    }

    if (!options.endpoint) {
      render(filtered(options.initial));
    } else if (options.initial) {
      render(options.initial);
      // The server guessed the map size: load more if the real view is larger.
      map.whenReady(function () {
        if (!contains(options.initial.bbox, clampBounds(map.getBounds()))) load();
      });
    } else {
      map.whenReady(load);
    }
    return { reload: function () { current = null; load(); } };
  }

  function offerSwitch(map, types, selected, onChange) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = element("fieldset", "map-offer-types");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      box.appendChild(element("legend", null, "Type d’offre"));
      var name = "offre-" + Math.random().toString(36).slice(2);
      types.forEach(function (type) {
        var label = element("label", "map-offer-types__choice");
        var input = document.createElement("input");
        input.type = "radio";
        input.name = name;
        input.value = type.value;
        input.checked = type.value === selected;
        input.addEventListener("change", function () {
          if (input.checked) onChange(type.value);
        });
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + type.label));
        box.appendChild(label);
      });
      return box;
    };
    control.addTo(map);
    return control;
  }

  window.DoraMap = { servicesLayer: servicesLayer, formatDistance: formatDistance };
})();
