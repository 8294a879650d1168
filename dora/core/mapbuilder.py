"""The one place that builds folium maps for our pages, with locally served assets.

Generic on purpose (no feature import): the service page, the editor, the search page and the
territory maps all build on it, so it lives in dora.core rather than in any of them.

folium renders whole documents that pull Leaflet and friends from CDNs. We embed maps
inside our own pages instead: `PageMap` drops the full-page styles, and `render_map`
rewrites every asset link to the copies served by the app (see scripts/vendor_assets.py),
refusing to emit any remote asset it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import CssLink, Figure, JavascriptLink
from flask import current_app, url_for
from folium.template import Template
from markupsafe import Markup, escape

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
