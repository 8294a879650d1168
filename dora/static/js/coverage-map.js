/* Coverage maps (dora.coverage.maps): communes as circles sized by population, covered or
 * not, or départements coloured by their share covered. Labels arrive already escaped for
 * HTML by the server (map_label): Leaflet renders tooltips as HTML. */
(function () {
  "use strict";

  function drawUnits(map, data) {
    var colours = data.colours;
    var layer = L.featureGroup();
    // Largest first, so that small communes stay on top and reachable.
    var features = data.features.slice().sort(function (a, b) { return b.r - a.r; });
    features.forEach(function (f) {
      var style = f.covered
        ? { radius: f.r, color: colours.covered, weight: 1, fillColor: colours.covered, fillOpacity: 0.5 }
        : { radius: f.r, color: colours.outline, weight: 2, dashArray: "3 3",
            fillColor: colours.uncovered, fillOpacity: 0.8 };
      L.circleMarker([f.lat, f.lon], style).bindTooltip(f.label).addTo(layer);
    });
    layer.addTo(map);
    if (data.bounds) {
      map.fitBounds(data.bounds, { padding: [24, 24], maxZoom: 12 });
    }
    return features.length;
  }

  function drawDepartements(map, data) {
    var layer = L.geoJSON(data.features, {
      style: function (feature) {
        return { color: data.colours.outline, weight: 1, fillColor: feature.properties.fill,
                 fillOpacity: 0.85 };
      },
      onEachFeature: function (feature, item) {
        item.bindTooltip(feature.properties.label, { sticky: true });
      }
    }).addTo(map);
    if (data.bounds) {
      map.fitBounds(data.bounds);
    } else if (data.features.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    }
    return data.features.features.length;
  }

  function draw(map, data) {
    var count = data.kind === "units" ? drawUnits(map, data) : drawDepartements(map, data);
    // For people and tests: how many places the map shows.
    map.getContainer().setAttribute("data-coverage-features", String(count));
  }

  window.DoraCoverage = { draw: draw };
})();
