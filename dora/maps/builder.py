"""The one place that builds folium maps for our pages, with locally served assets.

folium renders whole documents that pull Leaflet and friends from CDNs. We embed maps
inside our own pages instead: `PageMap` drops the full-page styles, and `render_map`
rewrites every asset link to the copies served by the app (see scripts/vendor_assets.py),
refusing to emit any remote asset it does not know.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import CssLink, Figure, JavascriptLink, MacroElement
from flask import current_app, url_for
from folium.template import Template
from markupsafe import Markup, escape

from dora import vocabulary
from dora.core.security import csp_nonce, inline_script

# folium asset name -> our static path; None drops an asset no map of ours uses.
LOCAL_ASSETS: dict[str, str | None] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "jquery": "vendor/jquery/jquery.min.js",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_css": None,
    "awesome_markers_font_css": None,
    "awesome_rotate_css": None,
    # ours
    "dora_map_services": "js/map-services.js",
    "dora_map_css": "css/map.css",
}

FRANCE_CENTER = (46.6, 2.4)


class PageMap(folium.Map):
    """A folium Map meant to live inside one of our pages, not to be the page."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>
                #{{ this.get_name() }} {
                    position: {{this.position}};
                    width: {{this.width[0]}}{{this.width[1]}};
                    height: {{this.height[0]}}{{this.height[1]}};
                }
                .leaflet-container { font-size: {{this.font_size}}; }
            </style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            {# |e, not |tojson: JSON escapes no double quote for an HTML attribute. #}
            <div class="folium-map" id="{{ this.get_name()|e }}"
                 role="region" aria-label="{{ this.aria_label|e }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{this.options|tojavascript}}
                }
            );
            {%- if this.control_scale %}
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *args, aria_label: str = "Carte", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.aria_label = aria_label


@dataclass(frozen=True)
class MapHtml:
    """The three parts a page template places: <head> links, the map div, the script.

    `script` is the JavaScript code; templates place `script_tag`, which carries the
    response's CSP nonce (dora.core.security)."""

    head: Markup
    body: Markup
    script: Markup

    @property
    def script_tag(self) -> Markup:
        return inline_script(self.script)


# Map labels ---------------------------------------------------------------------------------
#
# folium writes tooltip and popup contents into JavaScript template literals (`…`) that
# Leaflet then parses as HTML. Text that lands there must be safe in both contexts: HTML
# escaping handles < > & " ', and the characters a template literal interprets — the
# backtick, `${` and backslash escapes such as \u003c — become HTML character references,
# which the browser shows as the same characters. Every tooltip and popup of our maps goes
# through `map_label` (plain text) or `map_html_label` (markup we built from escaped parts).

_TEMPLATE_LITERAL_ENTITIES = {"\\": "&#92;", "`": "&#96;", "$": "&#36;"}


def map_html_label(markup: Markup) -> str:
    """Markup (already HTML-safe) made safe inside a JavaScript template literal."""
    text = str(markup)
    for char, entity in _TEMPLATE_LITERAL_ENTITIES.items():
        text = text.replace(char, entity)
    return text


def map_label(text: str) -> str:
    """Plain text for a folium tooltip or popup: HTML-escaped, then template-literal-safe."""
    return map_html_label(escape(text))


def tooltip(text: str) -> folium.Tooltip:
    return folium.Tooltip(map_label(text))


def popup(markup: Markup, max_width: int = 300) -> folium.Popup:
    return folium.Popup(map_html_label(markup), max_width=max_width)


def new_map(
    *,
    location: tuple[float, float] | None = None,
    zoom_start: int = 12,
    height: str = "400px",
    aria_label: str = "Carte",
) -> PageMap:
    """A map with the configured tiles (URL and attribution are settings)."""
    page_map = PageMap(
        location=list(location or FRANCE_CENTER),
        zoom_start=zoom_start,
        tiles=None,
        height=height,
        width="100%",
        control_scale=True,
        aria_label=aria_label,
    )
    folium.TileLayer(
        tiles=current_app.config["MAP_TILES_URL"],
        attr=current_app.config["MAP_TILES_ATTRIBUTION"],
        name="Fond de carte",
        control=False,
    ).add_to(page_map)
    return page_map


def _localise_header(figure: Figure) -> None:
    for name, element in list(figure.header._children.items()):
        if not isinstance(element, JavascriptLink | CssLink):
            continue
        if name not in LOCAL_ASSETS:
            raise ValueError(f"asset {name!r} ({element.url}) has no local copy")
        local = LOCAL_ASSETS[name]
        if local is None:
            del figure.header._children[name]
        else:
            element.url = url_for("static", filename=local)


def _nonce_inline_scripts(html: str) -> str:
    # folium's header carries a few inline scripts of its own (global switches).
    return html.replace("<script>", f'<script nonce="{csp_nonce()}">')


def render_map(page_map: folium.Map) -> MapHtml:
    figure = page_map.get_root()
    assert isinstance(figure, Figure)
    figure.render()  # lets every element register its assets in the header
    _localise_header(figure)
    return MapHtml(
        head=Markup(_nonce_inline_scripts(figure.header.render())),
        body=Markup(figure.html.render()),
        script=Markup(figure.script.render()),
    )


def point_map(
    latitude: float,
    longitude: float,
    *,
    label: str,
    popup_html: Markup | None = None,
    approximate_radius_m: float | None = None,
    zoom_start: int = 14,
) -> MapHtml:
    """One place on a map; an approximate location is drawn as a circle, not a pin."""
    page_map = new_map(location=(latitude, longitude), zoom_start=zoom_start, aria_label=label)
    if approximate_radius_m:
        folium.Circle(
            location=[latitude, longitude],
            radius=approximate_radius_m,
            color="#1f5fa8",
            fill=True,
            fill_opacity=0.15,
            tooltip=tooltip(label),
        ).add_to(page_map)
    else:
        folium.Marker(
            location=[latitude, longitude],
            tooltip=tooltip(label),
            popup=popup(popup_html) if popup_html is not None else None,
        ).add_to(page_map)
    return render_map(page_map)


# Services on maps ------------------------------------------------------------------------

# One colour per thématique category, in the order of the schema's categories (a new
# category cycles through them). Sixteen colours cannot all be told apart by everyone, so:
# - each carries white text (contrast ≥ 4.5:1 on the cluster badges);
# - they were chosen (farthest-point search among those dark enough) to stay ≥ 10 ΔE*ab apart
#   from one another in normal vision and in simulated deuteranopia, protanopia and
#   tritanopia (Machado 2009), where the former palette had pairs 2 ΔE apart
#   (tests/maps/test_palette.py measures it);
# - the category is always said in words too: the layer control is a text legend, and
#   popups and lists name the category.
CATEGORY_PALETTE = (
    "#1f5fa8",
    "#cc4400",
    "#664444",
    "#8811ff",
    "#aa5588",
    "#993322",
    "#8811cc",
    "#777755",
    "#881177",
    "#cc00bb",
    "#555566",
    "#008800",
    "#557766",
    "#2266ee",
    "#225511",
    "#995599",
)
ALL_CATEGORIES_COLOUR = "#1b1b1f"


@dataclass(frozen=True)
class CategoryStyle:
    value: str
    label: str
    colour: str


def category_styles() -> list[CategoryStyle]:
    return [
        CategoryStyle(c.value, c.label, CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)])
        for i, c in enumerate(vocabulary.thematiques_by_category())
    ]


def category_colour(category: str) -> str:
    return next((s.colour for s in category_styles() if s.value == category), "#1f5fa8")


class ServicesLayer(MacroElement):
    """Services of the view, loaded by dora/static/js/map-services.js (points or clusters),
    one base layer per category. `groups` maps category keys to folium FeatureGroups."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            DoraMap.servicesLayer({{ this._parent.get_name() }}, {{ this.options|tojson }}, {
                {%- for key, group in this.groups.items() %}
                {{ key|tojson }}: {{ group.get_name() }},
                {%- endfor %}
            });
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any], groups: dict[str, folium.FeatureGroup]):
        super().__init__()
        self._name = "ServicesLayer"
        self.options = options
        self.groups = groups

    def render(self, **kwargs):
        figure = self.get_root()
        assert isinstance(figure, Figure)
        for name, url in (
            ("markerclusterjs", "markercluster.js"),
            ("dora_map_services", "map-services.js"),
        ):
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in (
            ("markerclustercss", "MarkerCluster.css"),
            ("markerclusterdefaultcss", "MarkerCluster.Default.css"),
            ("dora_map_css", "map.css"),
        ):
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


@dataclass(frozen=True)
class MapReference:
    lon: float
    lat: float
    label: str


def _layer_name(label: str, colour: str) -> str:
    # The layer control is the legend: a swatch before each category's name.
    return f'<span class="map-swatch" style="background:{colour}"></span>{escape(label)}'


def services_map(
    *,
    aria_label: str,
    initial: dict | None,
    location: tuple[float, float],
    zoom: int,
    params: dict[str, str] | None = None,
    static: bool = False,
    categories: Sequence[str] | None = None,
    active_category: str = "",
    outline: dict | None = None,
    outline_label: str = "Contour",
    reference: MapReference | None = None,
    status_id: str | None = None,
    height: str = "480px",
    link_target: str | None = None,
    fit_bounds: Sequence[Sequence[float]] | None = None,
    cluster_colour: str = ALL_CATEGORIES_COLOUR,
    circle: tuple[MapReference, float] | None = None,
) -> MapHtml:
    """A map of services: the territory pages, the widget, the search results.

    `initial` is a FeatureCollection for the first view (from dora.maps.queries); unless
    `static`, the map then loads the services of each view from the GeoJSON API with
    `params` (territory, search filters, reference). `categories` are offered as layers (all
    of them by default); `outline` is a GeoJSON geometry drawn under the services;
    `cluster_colour` paints the clusters (a category's colour when the filters ask for one).
    """
    page_map = new_map(location=location, zoom_start=zoom, height=height, aria_label=aria_label)
    if fit_bounds:
        page_map.fit_bounds([list(fit_bounds[0]), list(fit_bounds[1])], max_zoom=15)
    if outline is not None:
        folium.GeoJson(
            {"type": "Feature", "geometry": outline, "properties": {}},
            name=_layer_name(outline_label, ALL_CATEGORIES_COLOUR),
            style_function=lambda _feature: {
                "color": "#1b1b1f",
                "weight": 2,
                "dashArray": "6 4",
                "fillColor": "#1f5fa8",
                "fillOpacity": 0.04,
            },
            interactive=False,
            overlay=True,
            control=True,
        ).add_to(page_map)

    if circle is not None:
        centre, radius = circle
        folium.Circle(
            location=[centre.lat, centre.lon],
            radius=radius,
            color="#1f5fa8",
            weight=1,
            fill=False,
            interactive=False,
        ).add_to(page_map)

    styles = category_styles()
    offered = [s for s in styles if categories is None or s.value in categories]
    groups: dict[str, folium.FeatureGroup] = {
        "": folium.FeatureGroup(
            name=_layer_name("Toutes les thématiques", ALL_CATEGORIES_COLOUR),
            overlay=False,
            show=active_category == "",
        )
    }
    for style in offered:
        groups[style.value] = folium.FeatureGroup(
            name=_layer_name(style.label, style.colour),
            overlay=False,
            show=active_category == style.value,
        )
    for group in groups.values():
        group.add_to(page_map)
    if len(groups) > 2 or outline is not None:
        folium.LayerControl(position="topright", collapsed=True).add_to(page_map)

    options = {
        "endpoint": None if static else url_for("maps_api.services_geojson"),
        "params": params or {},
        "initial": initial,
        "categories": {s.value: {"label": s.label, "colour": s.colour} for s in styles},
        "activeCategory": active_category,
        "serviceUrl": url_for("catalogue.service_page", service_id="__ID__"),
        "linkTarget": link_target,
        "statusId": status_id,
        "clusterColour": cluster_colour,
        "reference": (
            {"lon": reference.lon, "lat": reference.lat, "label": reference.label}
            if reference
            else None
        ),
    }
    ServicesLayer(options, groups).add_to(page_map)
    return render_map(page_map)


@dataclass(frozen=True)
class MapPoint:
    """A service to place on a map (search results: one page of them)."""

    id: str
    nom: str
    longitude: float
    latitude: float
    structure: str | None = None
    commune: str | None = None
    thematiques: Sequence[str] = ()
    distance_m: int | None = None


def points_collection(points: Iterable[MapPoint]) -> dict:
    """A FeatureCollection in the shape the map script draws (see dora.maps.queries)."""
    features = []
    for point in points:
        categories = sorted({vocabulary.category_of(t) for t in point.thematiques})
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                "properties": {
                    "type": "service",
                    "id": point.id,
                    "nom": point.nom,
                    "structure": point.structure,
                    "commune": point.commune,
                    "categorie": categories[0] if categories else None,
                    "categories": categories,
                    "distance_m": point.distance_m,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "clustered": False,
        "total": len(features),
        "features": features,
    }


def results_map(
    points: Sequence[MapPoint],
    *,
    aria_label: str = "Carte des résultats",
    reference: MapReference | None = None,
    radius_m: float | None = None,
    status_id: str | None = None,
    height: str = "420px",
) -> MapHtml | None:
    """Some services on a map, drawn like everywhere else (category colours and layers,
    popups, keyboard), without server round trip: the search page's results. `reference` is
    the searched place, `radius_m` the search radius drawn around it."""
    if not points:
        return None
    lats = [p.latitude for p in points] + ([reference.lat] if reference else [])
    lons = [p.longitude for p in points] + ([reference.lon] if reference else [])
    collection = points_collection(points)
    collection["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    shown = {c for f in collection["features"] for c in f["properties"]["categories"]}
    map_html = services_map(
        aria_label=aria_label,
        initial=collection,
        location=((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2),
        zoom=12,
        static=True,
        categories=sorted(shown),
        reference=reference,
        status_id=status_id,
        height=height,
        fit_bounds=[(min(lats), min(lons)), (max(lats), max(lons))],
        circle=(reference, radius_m) if reference and radius_m else None,
    )
    return map_html
