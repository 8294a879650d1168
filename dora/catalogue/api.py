"""Open JSON API of the catalogue, in the data·inclusion v1 shape."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from dora import vocabulary
from dora.api import params
from dora.api.errors import ApiError
from dora.catalogue import queries
from dora.catalogue.schemas import service_record, structure_record
from dora.extensions import db
from dora.territories.models import ArrondissementMunicipal, Commune, Departement

bp = Blueprint("catalogue_api", __name__, url_prefix="/api/v1")

MAX_SIZE = 1000
DEFAULT_SIZE = 100


def _commune_codes(code: str) -> tuple[str, ...]:
    """A commune and its arrondissements municipaux (Paris, Lyon, Marseille)."""
    if db.session.get(Commune, code) is not None:
        arrondissements = db.session.scalars(
            select(ArrondissementMunicipal.code).where(ArrondissementMunicipal.commune_code == code)
        )
        return (code, *arrondissements)
    if db.session.get(ArrondissementMunicipal, code) is not None:
        return (code,)
    raise ApiError(f"Commune inconnue : « {code} ».", field="code_commune")


def _filters() -> queries.CatalogueFilters:
    args = request.args
    departement = args.get("departement") or None
    if departement and db.session.get(Departement, departement) is None:
        raise ApiError(f"Département inconnu : « {departement} ».", field="departement")
    code_commune = args.get("code_commune") or None
    return queries.CatalogueFilters(
        departement=departement,
        code_communes=_commune_codes(code_commune) if code_commune else (),
        thematiques=tuple(
            params.get_vocabulary_list(args, "thematiques", extra=vocabulary.CATEGORIES)
        ),
        date_maj_min=params.get_date(args, "date_maj_min"),
    )


@bp.get("/services")
def list_services():
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    services, total = queries.list_services(
        db.session, _filters(), offset=page.offset, limit=page.size
    )
    return jsonify(params.envelope([service_record(s) for s in services], total=total, page=page))


@bp.get("/structures")
def list_structures():
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    structures, total = queries.list_structures(
        db.session, _filters(), offset=page.offset, limit=page.size
    )
    return jsonify(
        params.envelope([structure_record(s) for s in structures], total=total, page=page)
    )
