"""The map of the search page: located results as clustered markers (folium, local assets).

Built with the shared primitives of dora.core.mapbuilder (`new_map`, `render_map`); the marker
set comes from `matching_documents`, the same filtered set as the list.
"""

from __future__ import annotations

import folium
from flask import url_for
from folium.plugins import FastMarkerCluster
from folium.template import Template
from markupsafe import escape
from sqlalchemy import any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from dora import vocabulary
from dora.catalogue.models import Service, Structure
from dora.core.mapbuilder import MapHtml, new_map, render_map, tooltip
from dora.search import facets, offer_types
from dora.search.engine import current_engine
from dora.search.models import SearchDocument
from dora.search.query import Place, SearchQuery, matching_documents
from dora.search.text import TextQuery

MAX_MARKERS = 300
MAP_HEIGHT = "420px"
# Each data row: [lat, lon, popup HTML (escaped on the server), name]. Markers can be reached
# with the keyboard (Leaflet) and are named for screen readers (`alt`).
# (folium writes `var callback = <this>;`: a function expression.)
MARKER_CALLBACK = """function (row) {
    var marker = L.marker(new L.LatLng(row[0], row[1]), {title: row[3], alt: row[3]});
    marker.bindPopup(row[2], {maxWidth: 280});
    return marker;
}"""


def _zoom(rayon_km: float) -> int:
    # Roughly: the radius fills the map at these zoom levels.
    for limit, zoom in ((5, 13), (10, 12), (20, 11), (50, 10), (100, 9)):
        if rayon_km <= limit:
            return zoom
    return 8


def markers(
    session: Session, query: SearchQuery, place: Place | None, text_query: TextQuery | None
) -> list:
    """Up to MAX_MARKERS located results: the nearest (or, with text, the best ranked near the
    place; without place, the best ranked or the freshest)."""
    rows = _accelerated_markers(session, query, place, text_query)
    if rows is not None:
        return rows
    matching = matching_documents(
        session, query, place, tsquery=text_query.sql() if text_query else None
    ).subquery()
    order = (
        [matching.c.location.op("<->")(func.ST_GeogFromText(place.point_wkt))]
        if place is not None
        else [matching.c.date_maj.desc()]
    )
    statement = (
        _marker_columns(matching.c.service_id, matching.c.location, matching.c.structure_id)
        .where(matching.c.on_site)
        .order_by(*order, matching.c.service_id)
        .limit(MAX_MARKERS)
    )
    return list(session.execute(statement))


def _marker_columns(service_id, location, structure_id):
    service = Service.__table__
    structure = Structure.__table__
    offer = offer_types.OFFER_SERVICE
    return (
        select(
            service_id.label("service_id"),
            service.c.nom,
            structure.c.nom.label("structure_nom"),
            service.c.thematiques,
            func.ST_Y(func.geometry(location)).label("lat"),
            func.ST_X(func.geometry(location)).label("lon"),
            offer.c.kind.label("offer_kind"),
        )
        .join(service, service.c.id == service_id)
        .join(structure, structure.c.id == structure_id)
        .outerjoin(offer, offer.c.service_id == service_id)
    )


def _accelerated_markers(session, query, place, text_query) -> list | None:
    """The same set from the process' copy of the index (dora.search.accel), when it can."""
    backend = current_engine().postgres
    accelerator = backend.accelerator(session)
    has_text = text_query is not None and not text_query.empty
    if accelerator is None or (place is None and not has_text) or query.offre:
        return None
    index, today = accelerator
    match = index.text_match(text_query) if has_text else None
    wide = query.with_changes(page=1, size=MAX_MARKERS, a_distance=False)
    _, rows = index.page(wide, place, facets.keys(session), today, match)
    ords = [row.service_id for row in rows]
    if not ords:
        return []
    document = SearchDocument.__table__
    statement = (
        _marker_columns(document.c.service_id, document.c.location, document.c.structure_id)
        .add_columns(document.c.ord)
        .where(
            document.c.ord == any_(bindparam("ords", type_=ARRAY(BigInteger))),
            document.c.on_site,
        )
    )
    found = {row.ord: row for row in session.execute(statement, {"ords": ords})}
    return [found[o] for o in ords if o in found]


def _popup(row) -> str:
    offre = offer_types.offre_of_kind(row.offer_kind)
    if offre == "formations":
        link = url_for("offers.training_page", service_id=row.service_id)
    else:
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
            tooltip=tooltip(f"Rayon de recherche : {query.rayon_km:g} km"),
        ).add_to(page_map)
    # Markers built in the browser from one data array: folium renders hundreds of Marker
    # objects slowly and heavily. One layer per offer type (dora.search.offer_types), which
    # the layer control switches; companies hosting immersions are a layer of their own,
    # off until asked for (they are not services).
    for offre, label in OFFER_LAYERS.items():
        mine = [row for row in rows if offer_types.offre_of_kind(row.offer_kind) == offre]
        if not mine:
            continue
        FastMarkerCluster(
            [[row.lat, row.lon, _popup(row), row.nom] for row in mine],
            callback=MARKER_CALLBACK,
            name=f"{label} ({len(mine)})",
            overlay=True,
            control=True,
        ).add_to(page_map)
    if place is not None:
        companies = _companies(session, query, place)
        if companies:
            _HiddenCluster(
                companies,
                callback=MARKER_CALLBACK,
                name=f"Entreprises accueillantes — immersion ({len(companies)})",
                overlay=True,
                control=True,
                show=False,
            ).add_to(page_map)
    folium.LayerControl(position="topright", collapsed=False).add_to(page_map)
    return render_map(page_map)


class _HiddenCluster(FastMarkerCluster):
    """A FastMarkerCluster that honours `show=False` (folium's adds itself to the map
    whatever `show` says): the layer control lists it unchecked."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function(){
                {{ this.callback }}
                var data = {{ this.data|tojson }};
                var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
                for (var i = 0; i < data.length; i++) {
                    callback(data[i]).addTo(cluster);
                }
                {% if this.show %}cluster.addTo({{ this._parent.get_name() }});{% endif %}
                return cluster;
            })();
        {% endmacro %}"""
    )


OFFER_LAYERS = {
    "services": "Services",
    "formations": "Formations",
    "employeurs": "Employeurs inclusifs",
}


def _companies(session: Session, query: SearchQuery, place: Place) -> list:
    """Companies hosting immersions within the radius (dora.offers' table), as marker rows."""
    rows = session.execute(
        text(
            """SELECT siret, coalesce(enseigne, nom) AS nom, commune,
                ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon
            FROM immersion_company
            WHERE ST_DWithin(location, ST_GeogFromText(:point), :radius, false)
            ORDER BY location <-> ST_GeogFromText(:point) LIMIT :limit"""
        ),
        {"point": place.point_wkt, "radius": query.rayon_km * 1000, "limit": MAX_MARKERS},
    ).all()
    return [
        [
            row.lat,
            row.lon,
            f'<strong><a href="{escape(url_for("offers.company_page", siret=row.siret))}">'
            f"{escape(row.nom)}</a></strong><br>"
            f'<span class="meta">Entreprise accueillante{", " if row.commune else ""}'
            f"{escape(row.commune or '')}</span>",
            row.nom,
        ]
        for row in rows
    ]
