"""Public pages of the catalogue: home, service, structure."""

from __future__ import annotations

import time

from flask import Blueprint, abort, render_template, request
from geoalchemy2.shape import to_shape
from markupsafe import Markup

from dora.catalogue import queries
from dora.catalogue.models import LocationPrecision, Moderation
from dora.catalogue.share import share_texts
from dora.core.mapbuilder import point_map
from dora.core.urls import same_site_path
from dora.extensions import db
from dora.territories.queries import zone_labels

bp = Blueprint("catalogue", __name__)

# Circle radius drawn for a point that only locates the commune (or coarser).
APPROXIMATE_RADIUS_M = {
    LocationPrecision.COMMUNE: 1500,
    LocationPrecision.CODE_POSTAL: 4000,
    LocationPrecision.EPCI: 10000,
    LocationPrecision.DEPARTEMENT: 30000,
}
STATS_TTL_SECONDS = 300
_stats_cache: dict[str, tuple[float, queries.CatalogueStats]] = {}


def _cached_stats() -> queries.CatalogueStats:
    # Counting a million rows on every home page view is wasteful; five minutes is fresh enough.
    now = time.monotonic()
    cached = _stats_cache.get("stats")
    if cached and now - cached[0] < STATS_TTL_SECONDS:
        return cached[1]
    stats = queries.catalogue_stats(db.session)
    _stats_cache["stats"] = (now, stats)
    return stats


@bp.get("/")
def home():
    return render_template("catalogue/home.html", stats=_cached_stats())


def _location_map(record, label: str):
    if record.location is None:
        return None
    point = to_shape(record.location)
    radius = APPROXIMATE_RADIUS_M.get(record.location_precision)
    popup = Markup("<strong>{}</strong>").format(record.nom)
    return point_map(point.y, point.x, label=label, popup_html=popup, approximate_radius_m=radius)


@bp.get("/services/<service_id>")
def service_page(service_id: str):
    service = queries.get_service(db.session, service_id)
    if service is None or not service.is_public():
        abort(404)
    map_html = _location_map(service, f"Localisation du service {service.nom}")
    zone = zone_labels(db.session, service.zone_eligibilite or [])
    return render_template(
        "catalogue/service.html",
        service=service,
        map_html=map_html,
        zone=zone,
        results_url=_results_url(request.args.get("retour")),
        share=share_texts(service),
        place_unknown=queries.place_unknown(db.session, service),
    )


def _results_url(value: str | None) -> str | None:
    """« Retour aux résultats »: only a path of our own search page (no open redirect)."""
    path = same_site_path(value)
    return path if path and (path == "/recherche" or path.startswith("/recherche?")) else None


@bp.get("/structures/<structure_id>")
def structure_page(structure_id: str):
    structure = queries.get_structure(db.session, structure_id)
    if structure is None or structure.moderation != Moderation.VALIDEE:
        abort(404)
    services = queries.published_services_of(db.session, structure.id)
    map_html = _location_map(structure, f"Localisation de la structure {structure.nom}")
    return render_template(
        "catalogue/structure.html", structure=structure, services=services, map_html=map_html
    )
