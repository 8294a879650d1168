"""Open JSON API of the offers that are not plain services, each with its own shape:

- GET /api/v1/formations: training actions with their sessions still to come;
- GET /api/v1/employeurs: inclusive employers with their open positions;
- GET /api/v1/entreprises-accueillantes: companies hosting immersions, by métier.

Trainings and positions are also catalogue services: /api/v1/services exports them in the
data·inclusion v1 shape, like any service. Every record carries its source, the source's
identifier and the import date. Errors have the API's shape (dora.api.errors); an unknown
parameter is refused.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from dora.api import params
from dora.api.errors import ApiError
from dora.extensions import db
from dora.interop import queries as interop_queries
from dora.offers import queries
from dora.offers.siae.importer import ELIGIBILITY, KINDS
from dora.territories.models import Departement

bp = Blueprint("offers_api", __name__, url_prefix="/api/v1")

MAX_SIZE = 200
DEFAULT_SIZE = 50
_ROME = re.compile(r"[A-N]\d{4}")
_TRUE = {"1", "oui", "true", "on", "yes"}
_FALSE = {"0", "non", "false", "off", "no"}


def _check_known(known: set[str]) -> None:
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise ApiError(
            f"Paramètre inconnu : « {unknown[0][:40]} » (acceptés : {', '.join(sorted(known))}).",
            field=unknown[0][:40],
        )


def _departement() -> str | None:
    departement = (request.args.get("departement") or "").strip().upper() or None
    if departement and (len(departement) > 3 or db.session.get(Departement, departement) is None):
        raise ApiError(f"Département inconnu : « {departement[:10]} ».", field="departement")
    return departement


def _code_commune() -> tuple[str, ...]:
    """The codes a commune matches (its arrondissements, former codes), or () for none."""
    code = (request.args.get("code_commune") or "").strip().upper() or None
    if not code:
        return ()
    codes = interop_queries.commune_codes(db.session, code) if len(code) == 5 else None
    if not codes:
        raise ApiError(f"Commune inconnue : « {code[:10]} ».", field="code_commune")
    return codes


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/formations")
def list_trainings():
    _check_known({"page", "size", "departement", "code_commune", "disponibles"})
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    raw = (request.args.get("disponibles") or "").strip().lower()
    if raw and raw not in _TRUE | _FALSE:
        raise ApiError("« disponibles » vaut « oui » ou « non ».", field="disponibles")
    total, rows = queries.list_trainings(
        db.session,
        departement=_departement(),
        code_communes=_code_commune(),
        disponibles=raw in _TRUE,
        page=page.page,
        size=page.size,
    )
    items = [
        {
            "id": row.id,
            "nom": row.nom,
            "disponible": bool(row.available) and bool(row.sessions),
            "prochaine_session": row.sessions[0]["debut"] if row.sessions else None,
            "sessions": [
                {
                    "identifiant_source": s["id"],
                    "debut": s["debut"],
                    "fin": s["fin"],
                    "inscription_debut": s["inscription_debut"],
                    "inscription_fin": s["inscription_fin"],
                    "etat_recrutement": s["etat_recrutement"],
                }
                for s in row.sessions
            ],
            "organisme": {"id": row.structure_id, "nom": row.structure_nom, "siret": row.siret},
            "lieu": {
                "commune": row.commune,
                "code_insee": row.code_insee,
                "longitude": row.lon,
                "latitude": row.lat,
            },
            "thematiques": row.thematiques or [],
            "publics": row.publics or [],
            "certification": row.details.get("certification") or {},
            "certifiante": bool(row.details.get("certifiante")),
            "financeurs": row.details.get("financeurs") or [],
            "prix_total_ttc": row.details.get("prix_total_ttc"),
            "source": row.source,
            "identifiant_source": row.source_id,
            "date_maj": _iso(row.date_maj),
            "date_import": _iso(row.imported_at),
        }
        for row in rows
    ]
    return jsonify(params.envelope(items, total=total, page=page))


@bp.get("/employeurs")
def list_employers():
    _check_known({"page", "size", "departement", "code_commune", "type"})
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    kind = (request.args.get("type") or "").strip().upper() or None
    if kind and kind not in KINDS:
        raise ApiError(f"« type » vaut {', '.join(KINDS)} (reçu : « {kind[:10]} »).", field="type")
    total, rows = queries.list_employers(
        db.session,
        departement=_departement(),
        code_communes=_code_commune(),
        type_structure=kind,
        page=page.page,
        size=page.size,
    )
    items = [
        {
            "id": row.id,
            "nom": row.nom,
            "siret": row.siret,
            "type": row.employer_kind,
            "type_libelle": KINDS[row.employer_kind],
            "eligibilite": ELIGIBILITY[row.employer_kind],
            "adresse": row.adresse,
            "code_postal": row.code_postal,
            "commune": row.commune,
            "code_insee": row.code_insee,
            "longitude": row.lon,
            "latitude": row.lat,
            "postes": row.postes,
            "source": row.source,
            "identifiant_source": row.source_id,
            "date_maj": _iso(row.date_maj),
            "date_import": _iso(row.imported_at),
        }
        for row in rows
    ]
    return jsonify(params.envelope(items, total=total, page=page))


@bp.get("/entreprises-accueillantes")
def list_companies():
    _check_known({"page", "size", "departement", "lat", "lon", "rayon_km", "rome", "metier"})
    page = params.get_page(request.args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    lat = params.get_float(request.args, "lat", minimum=-90, maximum=90)
    lon = params.get_float(request.args, "lon", minimum=-180, maximum=180)
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise ApiError(f"« lat » et « lon » vont ensemble : indiquez « {missing} ».", field=missing)
    rayon = params.get_float(request.args, "rayon_km", minimum=1, maximum=200)
    rome = (request.args.get("rome") or "").strip().upper() or None
    if rome and not _ROME.fullmatch(rome):
        raise ApiError(
            f"« rome » est un code ROME (une lettre et 4 chiffres), reçu « {rome[:10]} ».",
            field="rome",
        )
    metier = " ".join((request.args.get("metier") or "").split())
    if len(metier) > 100:
        raise ApiError("« metier » est limité à 100 caractères.", field="metier")
    total, rows = queries.search_companies(
        db.session,
        queries.CompanySearch(
            longitude=lon,
            latitude=lat,
            rayon_km=rayon or 30,
            departement=_departement(),
            rome=rome,
            metier=metier,
            page=page.page,
            size=page.size,
        ),
    )
    items = [
        {
            "siret": row.siret,
            "nom": row.nom,
            "enseigne": row.enseigne,
            "naf": row.naf,
            "naf_libelle": row.naf_libelle,
            "adresse": row.adresse,
            "code_postal": row.code_postal,
            "commune": row.commune,
            "code_insee": row.code_insee,
            "departement": row.departement,
            "longitude": row.lon,
            "latitude": row.lat,
            "distance_m": None if row.distance is None else round(row.distance),
            "volontaire": row.volontaire,
            "accueil_handicap": row.accueil_handicap,
            "mode_contact": row.mode_contact,
            "site_web": row.site_web,
            "metiers": row.metiers,
            "source": row.source,
            "date_maj": _iso(row.date_maj),
            "date_import": _iso(row.imported_at),
        }
        for row in rows
    ]
    return jsonify(params.envelope(items, total=total, page=page))
