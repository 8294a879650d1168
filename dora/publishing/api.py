"""Territory search for the eligibility zone picker: /api/v1/territoires?q=…"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dora.api import params
from dora.api.errors import ApiError
from dora.extensions import db
from dora.publishing import queries

bp = Blueprint("publishing_api", __name__, url_prefix="/api/v1")

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100


def territory_json(territory: queries.Territory, names: dict[str, queries.Territory]) -> dict:
    return {
        "code": territory.code,
        "nom": territory.nom,
        "type": territory.type,
        "libelle": territory.libelle,
        # What goes into zone_eligibilite when this territory is picked.
        "zone": [
            {"code": code, "libelle": names[code].libelle if code in names else territory.libelle}
            for code in territory.zone_codes
        ],
    }


@bp.get("/territoires")
def territories():
    query = (request.args.get("q") or "").strip()
    if not query:
        raise ApiError(
            "Indiquez « q » : un nom ou un code de commune, d’intercommunalité, de département "
            "ou de région, ou « france ».",
            field="q",
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise ApiError(f"« q » est limité à {MAX_QUERY_LENGTH} caractères.", field="q")
    limit = params.get_int(
        request.args, "limit", default=MAX_RESULTS, minimum=1, maximum=MAX_RESULTS
    )
    found = queries.search_territories(db.session, query, limit=limit or MAX_RESULTS)
    region_codes = {code for t in found if t.codes for code in t.codes}
    names = queries.territories_by_code(db.session, region_codes) if region_codes else {}
    return jsonify({"total": len(found), "items": [territory_json(t, names) for t in found]})
