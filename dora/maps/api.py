"""`GET /api/v1/services.geojson`: the services of a map view, as points or clusters."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from dora import vocabulary
from dora.api import params
from dora.api.errors import ApiError
from dora.extensions import db
from dora.maps import grid, queries
from dora.maps.filters import parse_filters
from dora.maps.grid import BBox
from dora.maps.territory import require_territory

bp = Blueprint("maps_api", __name__, url_prefix="/api/v1")

CACHE_SECONDS = 60


def parse_bbox(args: MultiDict, name: str = "bbox") -> BBox:
    raw = (args.get(name) or "").strip()
    if not raw:
        raise ApiError(
            f"Indiquez « {name} » : ouest,sud,est,nord en degrés (ex. 2.2,48.8,2.5,49.0).",
            field=name,
        )
    parts = raw.split(",")
    if len(parts) != 4:
        raise ApiError(
            f"« {name} » doit contenir 4 nombres séparés par des virgules : ouest,sud,est,nord.",
            field=name,
        )
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ApiError(
            f"« {name} » : « {raw} » contient autre chose que des nombres.", field=name
        ) from None
    for value, low, high, what in (
        (west, -180, 180, "longitude"),
        (east, -180, 180, "longitude"),
        (south, -90, 90, "latitude"),
        (north, -90, 90, "latitude"),
    ):
        if not low <= value <= high:  # also rejects nan
            raise ApiError(
                f"« {name} » : une {what} doit être comprise entre {low} et {high}.", field=name
            )
    if not (west < east and south < north):
        raise ApiError(
            f"« {name} » : il faut ouest < est et sud < nord (l’antiméridien n’est pas géré).",
            field=name,
        )
    return BBox(west, south, east, north)


def parse_categorie(args: MultiDict) -> str | None:
    value = (args.get("categorie") or "").strip()
    if not value:
        return None
    if value not in vocabulary.CATEGORIES:
        raise ApiError(
            f"« categorie » : « {value} » n’est pas une catégorie de thématiques.",
            field="categorie",
        )
    return value


def parse_reference(args: MultiDict) -> queries.Reference | None:
    code = (args.get("depuis") or "").strip()
    if not code:
        return None
    reference = queries.reference_of_commune(db.session, code)
    if reference is None:
        raise ApiError(f"« depuis » : commune inconnue « {code} ».", field="depuis")
    return reference


def parse_map_request(args: MultiDict) -> queries.MapRequest:
    zoom = params.get_int(args, "zoom", default=None, minimum=grid.MIN_ZOOM, maximum=grid.MAX_ZOOM)
    if zoom is None:
        raise ApiError(
            f"Indiquez « zoom » : le niveau de zoom de la carte ({grid.MIN_ZOOM} à "
            f"{grid.MAX_ZOOM}).",
            field="zoom",
        )
    return queries.MapRequest(
        bbox=parse_bbox(args),
        zoom=zoom,
        filters=parse_filters(args),
        territory=require_territory(db.session, args.get("territoire")),
        categorie=parse_categorie(args),
        reference=parse_reference(args),
    )


@bp.get("/services.geojson")
def services_geojson():
    map_request = parse_map_request(request.args)
    try:
        collection = queries.services_geojson(
            db.session, map_request, max_points=current_app.config["MAP_MAX_POINTS"]
        )
    except queries.TooManyCells:
        raise ApiError(
            "« bbox » est bien plus grande qu’un écran à ce niveau de zoom : réduisez-la ou "
            "diminuez « zoom ».",
            field="bbox",
        ) from None
    # Compact and unsorted: a view of points weighs tens of kilobytes.
    response = Response(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/geo+json",
    )
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response


@bp.after_request
def allow_any_origin(response):
    # Open data for partner sites' own scripts: readable from any origin, errors included.
    if request.endpoint == "maps_api.services_geojson":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
