"""Pages of the offers: a training action (its sessions), an employer (its open positions),
a company hosting immersions, and the search of those companies by métier near a commune."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from dora.api import params
from dora.api.errors import ApiError
from dora.core.mapbuilder import point_map
from dora.extensions import db
from dora.offers import queries
from dora.offers.kinds import ENTREPRISES
from dora.offers.lheo.mapping import ETAT_RECRUTEMENT
from dora.offers.maps import OfferPoint, offers_map
from dora.offers.siae.importer import ELIGIBILITY, KINDS
from dora.search.query import parse_search_args, resolve_place
from geodata import resolve

bp = Blueprint("offers", __name__)

RAYONS_KM = (5, 10, 20, 30, 50, 100)
DEFAULT_RAYON_KM = 30
PAGE_SIZE = 20
MAX_ID_LENGTH = 200
CONTACT_MODES = {
    "EMAIL": "par courriel (formulaire d’Immersion Facile)",
    "PHONE": "par téléphone",
    "IN_PERSON": "en se présentant sur place",
}


def _check_id(value: str) -> None:
    if len(value) > MAX_ID_LENGTH:
        abort(404)


@bp.get("/formations/<path:service_id>")
def training_page(service_id: str):
    _check_id(service_id)
    found = queries.training(db.session, service_id)
    if found is None:
        abort(404)
    service = found.service
    map_html = None
    if service.lat is not None:
        map_html = point_map(service.lat, service.lon, label=f"Lieu de formation : {service.nom}")
    return render_template(
        "offers/training.html",
        training=found,
        service=service,
        map_html=map_html,
        etat_labels=ETAT_RECRUTEMENT,
        training_today=date.today(),
    )


@bp.get("/formations/sessions/<int:session_id>")
def session_page(session_id: int):
    if session_id > 2**31 - 1:
        abort(404)
    found = queries.training_session(db.session, session_id)
    if found is None:
        abort(404)
    map_html = None
    if found.lat is not None:
        map_html = point_map(
            found.lat, found.lon, label=f"Lieu de la session : {found.service_nom}"
        )
    return render_template(
        "offers/session.html",
        s=found,
        map_html=map_html,
        etat_labels=ETAT_RECRUTEMENT,
        today=date.today(),
    )


@bp.get("/employeurs/<path:structure_id>")
def employer_page(structure_id: str):
    _check_id(structure_id)
    found = queries.employer(db.session, structure_id)
    if found is None:
        abort(404)
    structure = found.structure
    map_html = None
    if structure.lat is not None:
        map_html = point_map(structure.lat, structure.lon, label=f"Employeur : {structure.nom}")
    return render_template(
        "offers/employer.html",
        employer=found,
        structure=structure,
        kind_label=KINDS.get(structure.employer_kind, structure.employer_kind),
        eligibility=ELIGIBILITY.get(structure.employer_kind),
        map_html=map_html,
    )


@bp.get("/entreprises-accueillantes/<siret>")
def company_page(siret: str):
    if not siret.isdigit() or len(siret) != 14:
        abort(404)
    found = queries.company(db.session, siret)
    if found is None:
        abort(404)
    company = found.company
    map_html = point_map(
        company.lat,
        company.lon,
        label=f"Entreprise accueillante : {company.enseigne or company.nom}",
    )
    return render_template(
        "offers/company.html",
        found=found,
        company=company,
        contact_label=CONTACT_MODES.get(company.mode_contact),
        map_html=map_html,
    )


def _typed_commune(typed: str) -> tuple[str | None, list]:
    """The commune a typed name or postal code designates, or the communes to choose from
    (geodata.resolve.resolve_typed_commune, as everywhere)."""
    resolved = resolve.resolve_typed_commune(db.session, typed)
    if resolved.commune is not None:
        return resolved.commune.code, []
    return None, list(resolved.choices)


@bp.get("/entreprises-accueillantes")
def companies_page():
    """Companies hosting immersions near a commune, by métier (never mixed with services)."""
    typed = (request.args.get("commune_nom") or "").strip()
    commune = (request.args.get("commune") or "").strip()
    metier = " ".join((request.args.get("q") or "").split())
    error = None
    place = None
    total, rows = 0, []
    rayon = DEFAULT_RAYON_KM
    page = 1
    choices: list = []
    try:
        if len(metier) > 100:
            raise ApiError("« métier » est limité à 100 caractères.", field="q")
        rayon = params.get_float(request.args, "rayon_km", minimum=1, maximum=200) or rayon
        page = params.get_int(request.args, "page", default=1, minimum=1, maximum=500) or 1
        if typed and not commune:
            commune, choices = _typed_commune(typed)
            if not commune and not choices:
                raise ApiError(f"Aucune commune ne correspond à « {typed[:60]} ».", field="commune")
        if commune:
            query = parse_search_args(MultiDict({"commune": commune}))
            place = resolve_place(db.session, query)
        if place is not None or (metier and not choices):
            total, rows = queries.search_companies(
                db.session,
                queries.CompanySearch(
                    longitude=place.longitude if place else None,
                    latitude=place.latitude if place else None,
                    rayon_km=rayon,
                    metier=metier,
                    page=page,
                    size=PAGE_SIZE,
                ),
            )
    except ApiError as raised:
        error = raised
    points = [
        OfferPoint(
            ENTREPRISES.value,
            row.enseigne or row.nom,
            url_for("offers.company_page", siret=row.siret),
            row.lon,
            row.lat,
            ", ".join(m["appellation_libelle"] for m in row.metiers[:3]),
        )
        for row in rows
    ]
    map_html = offers_map(
        points,
        aria_label="Carte des entreprises accueillantes",
        centre=(place.latitude, place.longitude) if place else None,
    )
    label = f"{place.nom} ({place.departement})" if place else typed

    def page_url(number: int) -> str:
        pairs = [("commune", place.commune)] if place else []
        pairs += [("commune_nom", label), ("q", metier), ("rayon_km", f"{rayon:g}")]
        pairs.append(("page", str(number)))
        return url_for("offers.companies_page") + "?" + urlencode(pairs)

    return (
        render_template(
            "offers/companies.html",
            rows=rows,
            total=total,
            place=place,
            commune_label=label,
            metier=metier,
            rayon=rayon,
            rayons=RAYONS_KM,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
            page_url=page_url,
            error=error,
            choices=choices,
            choice_url=lambda c: url_for(
                "offers.companies_page",
                commune=c.code,
                commune_nom=f"{c.nom} ({c.departement})",
                q=metier,
                rayon_km=f"{rayon:g}",
            ),
            map_html=map_html,
            services_url=url_for("search.search_page")
            + "?"
            + urlencode([("commune", place.commune)] if place else []),
        ),
        400 if error else 200,
    )
