"""Open JSON API of the catalogue, in the data·inclusion v1 shape.

GET /api/v1/services and /api/v1/structures: what the public sees (published, not
suspended, validated structure), ordered by id so that pages are stable, `size` ≤ 1000.
Filters: `departement`, `code_commune` (a commune matches its arrondissements),
`thematiques` (repeatable or comma-separated; a category means all its sub-thèmes),
`date_maj_min` (AAAA-MM-JJ). Records validate with `data_inclusion.schema.v1`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dora import vocabulary
from dora.api import params
from dora.api.errors import ApiError
from dora.extensions import db
from dora.interop import queries
from dora.interop.schemas import service_record, structure_record
from dora.territories.models import Departement

bp = Blueprint("interop_api", __name__, url_prefix="/api/v1")

MAX_SIZE = 1000
DEFAULT_SIZE = 100
_KNOWN_PARAMETERS = frozenset(
    {"page", "size", "departement", "code_commune", "thematiques", "date_maj_min"}
)


def _filters() -> queries.ExportFilters:
    args = request.args
    unknown = sorted(set(args) - _KNOWN_PARAMETERS)
    if unknown:
        # A misspelt filter would otherwise silently return everything.
        raise ApiError(
            f"Paramètre inconnu : « {unknown[0]} » (acceptés : "
            f"{', '.join(sorted(_KNOWN_PARAMETERS))}).",
            field=unknown[0],
        )
    departement = (args.get("departement") or "").strip().upper() or None
    if departement and db.session.get(Departement, departement) is None:
        raise ApiError(f"Département inconnu : « {departement} ».", field="departement")
    code_commune = (args.get("code_commune") or "").strip().upper() or None
    codes: tuple[str, ...] = ()
    if code_commune:
        found = queries.commune_codes(db.session, code_commune)
        if found is None:
            raise ApiError(f"Commune inconnue : « {code_commune} ».", field="code_commune")
        codes = found
    return queries.ExportFilters(
        departement=departement,
        code_communes=codes,
        thematiques=tuple(
            params.get_vocabulary_list(args, "thematiques", extra=vocabulary.CATEGORIES)
        ),
        date_maj_min=params.get_date(args, "date_maj_min"),
    )


@bp.get("/services")
def list_services():
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    rows, total = queries.services_page(db.session, _filters(), offset=page.offset, limit=page.size)
    return jsonify(params.envelope([service_record(row) for row in rows], total=total, page=page))


@bp.get("/structures")
def list_structures():
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    rows, total = queries.structures_page(
        db.session, _filters(), offset=page.offset, limit=page.size
    )
    return jsonify(params.envelope([structure_record(row) for row in rows], total=total, page=page))
