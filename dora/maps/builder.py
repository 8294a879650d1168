"""Services on maps: category colours, the services layer and `services_map`, used by the
territory pages, the widget and the search results.

The generic folium pieces (local assets, labels, `new_map`, `render_map`) are in
dora.core.mapbuilder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import CssLink, Figure, JavascriptLink, MacroElement
from flask import url_for
from folium.template import Template
from markupsafe import escape

from dora import vocabulary
from dora.core.mapbuilder import MapHtml, new_map, render_map
from dora.maps.filters import OFFRE_LABELS

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
    offer_switch: bool = False,
) -> MapHtml:
    """A map of services: the territory pages, the widget, the search results.

    `initial` is a FeatureCollection for the first view (from dora.maps.queries); unless
    `static`, the map then loads the services of each view from the GeoJSON API with
    `params` (territory, search filters, reference). `categories` are offered as layers (all
    of them by default); `outline` is a GeoJSON geometry drawn under the services;
    `cluster_colour` paints the clusters (a category's colour when the filters ask for one);
    `offer_switch` adds a « Type d'offre » switch (services, trainings, inclusive employers)
    to a map that loads its views.
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
        "offerTypes": (
            [{"value": "", "label": "Toutes les offres"}]
            + [{"value": value, "label": label} for value, label in OFFRE_LABELS.items()]
            if offer_switch and not static
            else []
        ),
        "reference": (
            {"lon": reference.lon, "lat": reference.lat, "label": reference.label}
            if reference
            else None
        ),
    }
    ServicesLayer(options, groups).add_to(page_map)
    return render_map(page_map)
