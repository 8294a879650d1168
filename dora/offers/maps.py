"""Maps of the offers: one switchable layer per offer type (Leaflet layer control).

Labels and popups go through dora.core.mapbuilder's escaping helpers (`tooltip`, `popup`):
names come from imported files and may hold anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
from markupsafe import Markup

from dora.core.mapbuilder import MapHtml, new_map, popup, render_map, tooltip
from dora.offers.kinds import OFFER_TYPES

# Marker colours per offer type (contrast ≥ 3:1 on the map tiles, distinct hues).
COLOURS = {
    "services": "#1f5fa8",
    "formations": "#8a4b00",
    "employeurs": "#0b6e4f",
    "entreprises": "#6b2c91",
}


@dataclass(frozen=True)
class OfferPoint:
    offre: str  # dora.offers.kinds value
    nom: str
    url: str
    longitude: float
    latitude: float
    detail: str = ""


def point_popup(point: OfferPoint) -> Markup:
    detail = Markup("<br>{}").format(point.detail) if point.detail else Markup("")
    return Markup('<strong><a href="{}">{}</a></strong>{}').format(point.url, point.nom, detail)


def offers_map(
    points: Sequence[OfferPoint],
    *,
    aria_label: str,
    centre: tuple[float, float] | None = None,
    zoom: int = 11,
    hidden: Sequence[str] = (),
    height: str = "420px",
) -> MapHtml | None:
    if not points and centre is None:
        return None
    bounds = None
    if centre is None:
        lats = [p.latitude for p in points]
        lons = [p.longitude for p in points]
        centre = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    page_map = new_map(location=centre, zoom_start=zoom, height=height, aria_label=aria_label)
    if bounds is not None:
        page_map.fit_bounds(bounds, max_zoom=14)
    for offer in OFFER_TYPES:
        mine = [p for p in points if p.offre == offer.value]
        if not mine:
            continue
        colour = COLOURS[offer.value]
        name = Markup('<span class="map-swatch" style="background:{}"></span> {} ({})').format(
            colour, offer.label, len(mine)
        )
        group = folium.FeatureGroup(
            name=str(name), overlay=True, control=True, show=offer.value not in hidden
        )
        for point in mine:
            folium.CircleMarker(
                location=[point.latitude, point.longitude],
                radius=7,
                color=colour,
                weight=2,
                fill=True,
                fill_color=colour,
                fill_opacity=0.8,
                tooltip=tooltip(f"{offer.singular} : {point.nom}"),
                popup=popup(point_popup(point)),
            ).add_to(group)
        group.add_to(page_map)
    folium.LayerControl(position="topright", collapsed=False).add_to(page_map)
    return render_map(page_map)
