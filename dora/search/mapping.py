"""The map of the search page: located results as clustered markers (folium, local assets).

Built with the shared primitives of dora.maps.builder (`new_map`, `render_map`); the marker
set comes from `matching_documents`, the same filtered set as the list.
"""

from __future__ import annotations

import folium
from flask import url_for
from folium.plugins import MarkerCluster
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dora import vocabulary
from dora.catalogue.models import Service, Structure
from dora.maps.builder import MapHtml, new_map, render_map
from dora.search.query import Place, SearchQuery, matching_documents
from dora.search.text import TextQuery

MAX_MARKERS = 300
MAP_HEIGHT = "420px"


def _zoom(rayon_km: float) -> int:
    # Roughly: the radius fills the map at these zoom levels.
    for limit, zoom in ((5, 13), (10, 12), (20, 11), (50, 10), (100, 9)):
        if rayon_km <= limit:
            return zoom
    return 8


def markers(
    session: Session, query: SearchQuery, place: Place | None, text_query: TextQuery | None
) -> list:
    """Up to MAX_MARKERS located results (nearest first, or freshest without a place)."""
    matching = matching_documents(
        session, query, place, tsquery=text_query.sql() if text_query else None
    ).subquery()
    service = Service.__table__
    structure = Structure.__table__
    order = (
        [matching.c.location.op("<->")(func.ST_GeogFromText(place.point_wkt))]
        if place is not None
        else [matching.c.date_maj.desc()]
    )
    statement = (
        select(
            matching.c.service_id,
            service.c.nom,
            structure.c.nom.label("structure_nom"),
            service.c.thematiques,
            func.ST_Y(func.geometry(matching.c.location)).label("lat"),
            func.ST_X(func.geometry(matching.c.location)).label("lon"),
        )
        .join(service, service.c.id == matching.c.service_id)
        .join(structure, structure.c.id == matching.c.structure_id)
        .where(matching.c.on_site)
        .order_by(*order, matching.c.service_id)
        .limit(MAX_MARKERS)
    )
    return list(session.execute(statement))


def _popup(row) -> str:
    link = url_for("catalogue.service_page", service_id=row.service_id)
    themes = ", ".join(vocabulary.label(t) for t in (row.thematiques or [])[:3])
    return (
        f'<strong><a href="{escape(link)}">{escape(row.nom)}</a></strong><br>'
        f"{escape(row.structure_nom)}"
        + (f'<br><span class="meta">{escape(themes)}</span>' if themes else "")
    )


def results_map(
    session: Session,
    query: SearchQuery,
    place: Place | None,
    text_query: TextQuery | None = None,
) -> MapHtml | None:
    rows = markers(session, query, place, text_query)
    if not rows and place is None:
        return None
    location = (place.latitude, place.longitude) if place is not None else None
    page_map = new_map(
        location=location,
        zoom_start=_zoom(query.rayon_km) if place is not None else 6,
        height=MAP_HEIGHT,
        aria_label="Carte des services trouvés",
    )
    if place is not None:
        folium.Circle(
            location=[place.latitude, place.longitude],
            radius=query.rayon_km * 1000,
            color="#1f5fa8",
            weight=1,
            fill=False,
            tooltip=f"Rayon de recherche : {query.rayon_km:g} km",
        ).add_to(page_map)
    cluster = MarkerCluster(name="Services").add_to(page_map)
    for row in rows:
        folium.Marker(
            location=[row.lat, row.lon],
            tooltip=row.nom,
            popup=folium.Popup(_popup(row), max_width=280),
        ).add_to(cluster)
    return render_map(page_map)
