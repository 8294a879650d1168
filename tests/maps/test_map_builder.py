"""Map building: local assets (dora.core.mapbuilder), categories and layers (dora.maps.builder)."""

from __future__ import annotations

import json
import re

import pytest

from dora import vocabulary
from dora.core import mapbuilder
from dora.maps import builder


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


def _js(text: str) -> str:
    """How a string appears inside the map's script (JSON, non-ASCII escaped)."""
    return json.dumps(text)[1:-1]


def _assets(map_html: mapbuilder.MapHtml) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', str(map_html.head))


def test_every_category_of_the_schema_has_a_readable_colour():
    from dora.embed.widget import contrast_with_white

    styles = builder.category_styles()
    assert [s.value for s in styles] == [c.value for c in vocabulary.thematiques_by_category()]
    assert len(styles) == 16
    assert len({s.colour for s in styles}) == 16
    # White numbers on cluster badges stay readable (WCAG AA).
    assert all(contrast_with_white(s.colour) >= 4.5 for s in styles)
    assert contrast_with_white(builder.ALL_CATEGORIES_COLOUR) >= 4.5


def test_services_map_layers_legend_and_local_assets(request_context):
    map_html = builder.services_map(
        aria_label="Carte de test",
        initial={"type": "FeatureCollection", "features": [], "bbox": [2, 48, 3, 49]},
        location=(48.9, 2.4),
        zoom=10,
        params={"territoire": "departement:93"},
        categories=["mobilite", "sante"],
        outline={"type": "Point", "coordinates": [2.4, 48.9]},
        outline_label="Contour (approximatif)",
        status_id="statut",
    )
    assets = _assets(map_html)
    assert assets and all(a.startswith("/static/") for a in assets)
    assert "/static/js/map-services.js" in assets
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in assets
    script = str(map_html.script)
    # One radio layer per offered category (and one for all), named with a colour swatch.
    assert "L.control.layers" in script
    layers = script.split("_layers = {", 1)[1].split("};", 1)[0]
    assert _js("Toutes les thématiques") in layers
    assert _js("Mobilité") in layers and _js("Santé") in layers
    assert _js("Numérique") not in layers
    assert "map-swatch" in script
    assert '"endpoint": "/api/v1/services.geojson"' in script
    assert 'aria-label="Carte de test"' in str(map_html.body)


def test_the_service_page_map_still_uses_local_assets(request_context):
    map_html = mapbuilder.point_map(48.93, 2.35, label="Localisation", approximate_radius_m=1500)
    assets = _assets(map_html)
    assert assets and all(a.startswith("/static/") for a in assets)
    assert "L.circle" in str(map_html.script)


def test_an_asset_without_a_local_copy_is_refused(request_context):
    import folium
    from branca.element import JavascriptLink

    page_map = mapbuilder.new_map()
    page_map.get_root().header.add_child(
        JavascriptLink("https://cdn.example/x.js"), name="unknown_plugin"
    )
    folium.Marker([48.9, 2.3]).add_to(page_map)
    with pytest.raises(ValueError, match="no local copy"):
        mapbuilder.render_map(page_map)


def test_tiles_url_and_attribution_are_settings(app):
    saved = dict(app.config)
    app.config["MAP_TILES_URL"] = "https://tuiles.example/{z}/{x}/{y}.png"
    app.config["MAP_TILES_ATTRIBUTION"] = "Fond de test"
    try:
        with app.test_request_context("/"):
            script = str(mapbuilder.point_map(48.9, 2.3, label="x").script)
    finally:
        app.config.update(saved)
    assert "https://tuiles.example/{z}/{x}/{y}.png" in script
    assert "Fond de test" in script
