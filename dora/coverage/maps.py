"""Maps of coverage: an interactive Leaflet map (pages) and a static SVG (print, comparison).

Colours are the Okabe–Ito palette, told apart by people with any common colour-vision
deficiency, and never alone: uncovered communes also have a thick dark dashed outline, and
every map has a text legend and a table with the same figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup, escape

from dora.core.mapbuilder import MapHtml, map_label, new_map, render_map
from dora.core.template_helpers import format_distance
from dora.coverage.queries import DepartementShare, UnitFigures

COVERED_COLOUR = "#0072B2"  # Okabe–Ito blue
UNCOVERED_COLOUR = "#D55E00"  # Okabe–Ito vermillion
OUTLINE_COLOUR = "#1b1b1f"
# Share covered, from none to all: a sequential blue scale (lightness carries the order),
# with the share written in every label and in the table.
SHARE_CLASSES = (
    (0.2, "#f0f0f0", "moins de 20 %"),
    (0.4, "#c6dbef", "20 à 40 %"),
    (0.6, "#6baed6", "40 à 60 %"),
    (0.8, "#2171b5", "60 à 80 %"),
    (1.01, "#08306b", "80 % et plus"),
)
MIN_RADIUS_PX = 3
MAX_RADIUS_PX = 22


def share_colour(share: float) -> str:
    return next(colour for limit, colour, _ in SHARE_CLASSES if share < limit)


def percent(value: float) -> str:
    return f"{value * 100:.0f} %".replace(".", ",")


def radius_px(population: int, largest: int) -> float:
    """Circle area proportional to population (radius ∝ √population)."""
    if largest <= 0:
        return MIN_RADIUS_PX
    scaled = MAX_RADIUS_PX * math.sqrt(max(population, 0) / largest)
    return round(max(MIN_RADIUS_PX, scaled), 1)


def unit_label(unit: UnitFigures, distance_km: int) -> str:
    people = f"{unit.population:,}".replace(",", " ")
    if unit.covered:
        state = (
            f"couverte : {unit.within} service{'s' if unit.within != 1 else ''} à moins de "
            f"{distance_km} km, le plus proche à {format_distance(unit.nearest_m)}"
        )
    elif unit.nearest_m is not None:
        state = f"non couverte : service le plus proche à {format_distance(unit.nearest_m)}"
    else:
        state = "non couverte : aucun service à moins de 30 km"
    return f"{unit.nom} ({unit.code}), {people} hab. — {state}"


def script_json(text: str) -> Markup:
    """JSON text made safe inside a <script> (as Jinja's `tojson` does)."""
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return Markup(text)


class CoverageLayer(MacroElement):
    """Draws the coverage features with dora/static/js/coverage-map.js (loaded by the page).
    `data_json`: the data as JSON text (département outlines are spliced in as PostGIS wrote
    them, not parsed and dumped again on every page)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            DoraCoverage.draw({{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str) -> None:
        super().__init__()
        self._name = "CoverageLayer"
        self.data_json = script_json(data_json)


def _bounds(points: Sequence[tuple[float, float]]) -> list[list[float]] | None:
    if not points:
        return None
    lats = [p[1] for p in points]
    lons = [p[0] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def units_map(units: Sequence[UnitFigures], distance_km: int, *, aria_label: str) -> MapHtml:
    """Communes as circles sized by population, covered or not."""
    largest = max((u.population for u in units), default=0)
    features = [
        {
            "lat": u.latitude,
            "lon": u.longitude,
            "r": radius_px(u.population, largest),
            "covered": u.covered,
            # HTML- and template-literal-safe: Leaflet renders tooltips as HTML.
            "label": map_label(unit_label(u, distance_km)),
        }
        for u in units
    ]
    page_map = new_map(height="520px", aria_label=aria_label)
    bounds = _bounds([(u.longitude, u.latitude) for u in units])
    data = {
        "kind": "units",
        "features": features,
        "bounds": bounds,
        "colours": {"covered": COVERED_COLOUR, "uncovered": UNCOVERED_COLOUR,
                    "outline": OUTLINE_COLOUR},
    }  # fmt: skip
    CoverageLayer(json.dumps(data, ensure_ascii=False)).add_to(page_map)
    return render_map(page_map)


METROPOLE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]


def departements_map(
    shares: Sequence[DepartementShare],
    outlines: dict[str, str],
    *,
    aria_label: str,
    metropole: bool = False,
) -> MapHtml:
    """Départements coloured by the share of their population covered."""
    features = []
    for item in shares:
        geometry = outlines.get(item.code)
        if geometry is None:
            continue
        properties = {
            "fill": share_colour(item.share),
            "label": map_label(
                f"{item.nom} ({item.code}) : {percent(item.share)} de la population "
                f"couverte, {item.units_uncovered} commune"
                f"{'s' if item.units_uncovered != 1 else ''} sans offre"
            ),
        }
        # `geometry` is GeoJSON text from ST_AsGeoJSON: numbers and GeoJSON keywords only.
        features.append(
            f'{{"type":"Feature","geometry":{geometry},'
            f'"properties":{json.dumps(properties, ensure_ascii=False)}}}'
        )
    page_map = new_map(height="560px", aria_label=aria_label, zoom_start=5)
    data_json = (
        '{"kind":"departements","features":{"type":"FeatureCollection","features":['
        + ",".join(features)
        + ']},"colours":'
        + json.dumps({"outline": OUTLINE_COLOUR})
        # France opens on the metropolitan départements (overseas are in the table).
        + ',"bounds":'
        + json.dumps(METROPOLE_BOUNDS if metropole else None)
        + "}"
    )
    CoverageLayer(data_json).add_to(page_map)
    return render_map(page_map)


# Static SVG (print, comparison) ------------------------------------------------------------

SVG_WIDTH = 640
SVG_HEIGHT = 480
SVG_MARGIN = 24


@dataclass(frozen=True)
class _Projection:
    west: float
    north: float
    scale: float
    cos_lat: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = SVG_MARGIN + (lon - self.west) * self.cos_lat * self.scale
        y = SVG_MARGIN + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


def _projection(points: Sequence[tuple[float, float]]) -> _Projection:
    lons = [p[0] for p in points] or [0.0]
    lats = [p[1] for p in points] or [0.0]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    cos_lat = math.cos(math.radians((north + south) / 2))
    width = max((east - west) * cos_lat, 1e-3)
    height = max(north - south, 1e-3)
    scale = min((SVG_WIDTH - 2 * SVG_MARGIN) / width, (SVG_HEIGHT - 2 * SVG_MARGIN) / height)
    return _Projection(west, north, scale, cos_lat)


def units_svg(units: Sequence[UnitFigures], distance_km: int, *, title: str) -> Markup:
    """Communes as circles, for print: no tiles nor script; labels in <title> (escaped)."""
    project = _projection([(u.longitude, u.latitude) for u in units])
    largest = max((u.population for u in units), default=0)
    parts = []
    # Big circles first, so that small ones stay visible on top.
    for unit in sorted(units, key=lambda u: -u.population):
        x, y = project(unit.longitude, unit.latitude)
        r = radius_px(unit.population, largest)
        if unit.covered:
            style = f'fill="{COVERED_COLOUR}" fill-opacity="0.55" stroke="{COVERED_COLOUR}"'
        else:
            style = (
                f'fill="{UNCOVERED_COLOUR}" fill-opacity="0.75" stroke="{OUTLINE_COLOUR}" '
                'stroke-width="1.5" stroke-dasharray="3 2"'
            )
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{r}" {style}>'
            f"<title>{escape(unit_label(unit, distance_km))}</title></circle>"
        )
    return _svg(title, "".join(parts))


def departements_svg(
    shares: Sequence[DepartementShare], outlines: dict[str, str], *, title: str
) -> Markup:
    geometries = {s.code: json.loads(outlines[s.code]) for s in shares if s.code in outlines}
    # Metropolitan France only on the static map (overseas are listed in the table).
    shown = [s for s in shares if s.code in geometries and not s.code.startswith("97")]
    points = [pt for s in shown for pt in _coordinates(geometries[s.code])]
    project = _projection(points)
    parts = []
    for item in shown:
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (project(*pt) for pt in ring)) + " Z"
            for ring in _rings(geometries[item.code])
        )
        label = f"{item.nom} ({item.code}) : {percent(item.share)} de la population couverte"
        parts.append(
            f'<path d="{path}" fill="{share_colour(item.share)}" stroke="{OUTLINE_COLOUR}" '
            f'stroke-width="0.6"><title>{escape(label)}</title></path>'
        )
    return _svg(title, "".join(parts))


def _svg(title: str, body: str) -> Markup:
    return Markup(
        f'<svg class="coverage-svg" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _coordinates(geometry: dict) -> list[tuple[float, float]]:
    return [(pt[0], pt[1]) for ring in _rings(geometry) for pt in ring]
