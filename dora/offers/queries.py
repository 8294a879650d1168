"""Reads of the offers: a training and its sessions, an employer and its positions, companies
hosting immersions (by métier, near a place), the annotations of search results, and the
open-data lists of /api/v1/formations, /employeurs and /entreprises-accueillantes.

What the public sees follows the catalogue's rule (published service, validated structure;
dora.catalogue.queries); a training whose sessions have all started is suspended by its
import (see dora.offers.lheo.importer) and shown as « non disponible » on its own page.
Sessions are read from today on: a session imported when still to come that has since ended
is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from dora.offers.kinds import KIND_TO_TYPE, SERVICES, OfferType
from dora.offers.models import OfferKind

PUBLIC_SERVICE = """s.statut = 'publie' AND st.moderation = 'validee'"""
NOT_SUSPENDED = (
    "(s.suspendu_du IS NULL OR s.suspendu_du > current_date OR s.suspendu_au < current_date)"
)
MAX_POSITIONS_SHOWN = 5


@dataclass(frozen=True)
class ResultDetails:
    """What a search result is, and what its kind adds to the list."""

    offer: OfferType
    next_session: date | None = None
    sessions: int = 0
    positions: tuple[str, ...] = ()
    employer_kind: str | None = None


def result_details(session: Session, service_ids: list[str]) -> dict[str, ResultDetails]:
    """Offer type of each result, next session of trainings, open positions of employers."""
    if not service_ids:
        return {}
    rows = session.execute(
        text(
            """SELECT o.service_id, o.kind, s.structure_id, os.employer_kind,
                (SELECT min(t.debut) FROM training_session AS t
                 WHERE t.service_id = o.service_id AND t.fin >= current_date
                   AND (t.debut >= current_date
                        OR (o.details->>'entrees_sorties_permanentes')::boolean)) AS next_session,
                (SELECT count(*) FROM training_session AS t
                 WHERE t.service_id = o.service_id AND t.fin >= current_date) AS sessions
            FROM offer_service AS o
            JOIN service AS s ON s.id = o.service_id
            LEFT JOIN offer_structure AS os ON os.structure_id = s.structure_id
            WHERE o.service_id = ANY(:ids)"""
        ),
        {"ids": service_ids},
    ).all()
    employers = sorted({row.structure_id for row in rows if row.kind == OfferKind.EMPLOI})
    positions = _open_positions(session, employers)
    details: dict[str, ResultDetails] = {}
    for row in rows:
        details[row.service_id] = ResultDetails(
            offer=KIND_TO_TYPE[row.kind],
            next_session=row.next_session,
            sessions=row.sessions,
            positions=tuple(positions.get(row.structure_id, ())),
            employer_kind=row.employer_kind,
        )
    for service_id in service_ids:
        details.setdefault(service_id, ResultDetails(offer=SERVICES))
    return details


def _open_positions(session: Session, structure_ids: list[str]) -> dict[str, list[str]]:
    if not structure_ids:
        return {}
    rows = session.execute(
        text(
            f"""SELECT s.structure_id, s.nom FROM service AS s
            JOIN structure AS st ON st.id = s.structure_id
            JOIN offer_service AS o ON o.service_id = s.id AND o.kind = 'emploi-inclusif'
            WHERE s.structure_id = ANY(:ids) AND {PUBLIC_SERVICE} AND {NOT_SUSPENDED}
            ORDER BY s.structure_id, s.nom"""
        ),
        {"ids": structure_ids},
    ).all()
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.structure_id, []).append(row.nom)
    return found


# -- a training ----------------------------------------------------------------------------


@dataclass
class Training:
    service: Any
    structure: Any
    details: dict
    source: str
    source_id: str
    imported_at: Any
    sessions: list = field(default_factory=list)
    available: bool = False


def training(session: Session, service_id: str) -> Training | None:
    row = session.execute(
        text(
            f"""SELECT s.*, ST_X(s.location::geometry) AS lon, ST_Y(s.location::geometry) AS lat,
                st.nom AS structure_nom, st.siret AS structure_siret,
                st.site_web AS structure_site_web, o.details, o.source AS offer_source,
                o.source_id, o.imported_at, {NOT_SUSPENDED} AS available
            FROM service AS s JOIN structure AS st ON st.id = s.structure_id
            JOIN offer_service AS o ON o.service_id = s.id AND o.kind = 'formation'
            WHERE s.id = :id AND {PUBLIC_SERVICE}"""
        ),
        {"id": service_id},
    ).first()
    if row is None:
        return None
    sessions = session.execute(
        text(
            """SELECT * FROM training_session WHERE service_id = :id AND fin >= current_date
            ORDER BY debut, source_id"""
        ),
        {"id": service_id},
    ).all()
    return Training(
        service=row,
        structure=row,
        details=row.details,
        source=row.offer_source,
        source_id=row.source_id,
        imported_at=row.imported_at,
        sessions=list(sessions),
        available=bool(row.available) and bool(sessions),
    )


def training_session(session: Session, session_id: int):
    """One session still to come (or under way) of a public training, with its training."""
    return session.execute(
        text(
            f"""SELECT t.*, s.nom AS service_nom, s.id AS service_id, st.nom AS structure_nom,
                s.telephone, s.courriel, s.lien_mobilisation, s.mobilisation_precisions,
                ST_X(t.location::geometry) AS lon, ST_Y(t.location::geometry) AS lat
            FROM training_session AS t JOIN service AS s ON s.id = t.service_id
            JOIN structure AS st ON st.id = s.structure_id
            WHERE t.id = :id AND t.fin >= current_date AND {PUBLIC_SERVICE}"""
        ),
        {"id": session_id},
    ).first()


# -- an employer ---------------------------------------------------------------------------


@dataclass
class Employer:
    structure: Any
    positions: list


def employer(session: Session, structure_id: str) -> Employer | None:
    structure = session.execute(
        text(
            """SELECT st.*, ST_X(st.location::geometry) AS lon, ST_Y(st.location::geometry) AS lat,
                o.employer_kind, o.details, o.source AS offer_source, o.source_id, o.imported_at
            FROM structure AS st
            JOIN offer_structure AS o ON o.structure_id = st.id AND o.kind = 'employeur-inclusif'
            WHERE st.id = :id AND st.moderation = 'validee'"""
        ),
        {"id": structure_id},
    ).first()
    if structure is None:
        return None
    positions = session.execute(
        text(
            f"""SELECT s.*, o.details AS offer_details, o.source_id AS offer_source_id
            FROM service AS s JOIN structure AS st ON st.id = s.structure_id
            JOIN offer_service AS o ON o.service_id = s.id AND o.kind = 'emploi-inclusif'
            WHERE s.structure_id = :id AND {PUBLIC_SERVICE} AND {NOT_SUSPENDED}
            ORDER BY s.nom, s.id"""
        ),
        {"id": structure_id},
    ).all()
    return Employer(structure=structure, positions=list(positions))


def employer_of_service(session: Session, service_id: str) -> str | None:
    return session.execute(
        text(
            """SELECT s.structure_id FROM service AS s
            JOIN offer_service AS o ON o.service_id = s.id AND o.kind = 'emploi-inclusif'
            WHERE s.id = :id"""
        ),
        {"id": service_id},
    ).scalar()


def offer_kind(session: Session, service_id: str) -> str | None:
    return session.execute(
        text("SELECT kind FROM offer_service WHERE service_id = :id"), {"id": service_id}
    ).scalar()


# -- companies hosting immersions ----------------------------------------------------------


@dataclass
class Company:
    company: Any
    metiers: list


def company(session: Session, siret: str) -> Company | None:
    row = session.execute(
        text(
            """SELECT c.*, ST_X(c.location::geometry) AS lon, ST_Y(c.location::geometry) AS lat
            FROM immersion_company AS c WHERE c.siret = :siret"""
        ),
        {"siret": siret},
    ).first()
    if row is None:
        return None
    metiers = session.execute(
        text(
            """SELECT * FROM immersion_metier WHERE siret = :siret
            ORDER BY rome_code, appellation_libelle"""
        ),
        {"siret": siret},
    ).all()
    return Company(company=row, metiers=list(metiers))


@dataclass(frozen=True)
class CompanySearch:
    """Companies near a point (or in a département), by métier: ROME code or words."""

    longitude: float | None = None
    latitude: float | None = None
    rayon_km: float = 30
    departement: str | None = None
    rome: str | None = None
    metier: str = ""
    page: int = 1
    size: int = 20


def _company_where(search: CompanySearch) -> tuple[str, dict[str, Any]]:
    conditions = ["true"]
    params: dict[str, Any] = {}
    if search.longitude is not None and search.latitude is not None:
        params["point"] = f"SRID=4326;POINT({search.longitude} {search.latitude})"
        params["radius"] = search.rayon_km * 1000
        conditions.append("ST_DWithin(c.location, ST_GeogFromText(:point), :radius, false)")
    if search.departement:
        params["departement"] = search.departement
        conditions.append("c.departement = :departement")
    if search.rome:
        params["rome"] = search.rome
        conditions.append(
            "EXISTS (SELECT 1 FROM immersion_metier m WHERE m.siret = c.siret "
            "AND m.rome_code = :rome)"
        )
    words = [w for w in search.metier.split() if w][:8]
    for index, word in enumerate(words):
        params[f"w{index}"] = f"%{word}%"
        conditions.append(
            "EXISTS (SELECT 1 FROM immersion_metier m WHERE m.siret = c.siret AND "
            f"(unaccent(m.appellation_libelle) ILIKE unaccent(:w{index}) "
            f"OR unaccent(m.rome_libelle) ILIKE unaccent(:w{index}) "
            f"OR m.rome_code ILIKE :w{index}))"
        )
    return " AND ".join(conditions), params


def search_companies(session: Session, search: CompanySearch) -> tuple[int, list]:
    """(total, the page of companies with their métiers and distance)."""
    where, params = _company_where(search)
    total = session.execute(
        text(f"SELECT count(*) FROM immersion_company AS c WHERE {where}"), params
    ).scalar_one()
    distance = (
        "ST_Distance(c.location, ST_GeogFromText(:point), false)" if "point" in params else "NULL"
    )
    order = "distance, c.siret" if "point" in params else "c.nom, c.siret"
    rows = session.execute(
        text(
            f"""SELECT c.*, ST_X(c.location::geometry) AS lon, ST_Y(c.location::geometry) AS lat,
                {distance} AS distance,
                (SELECT coalesce(json_agg(json_build_object(
                    'appellation_code', m.appellation_code,
                    'appellation_libelle', m.appellation_libelle,
                    'rome_code', m.rome_code, 'rome_libelle', m.rome_libelle)
                    ORDER BY m.rome_code, m.appellation_libelle), '[]'::json)
                 FROM immersion_metier AS m WHERE m.siret = c.siret) AS metiers
            FROM immersion_company AS c WHERE {where}
            ORDER BY {order} LIMIT :limit OFFSET :offset"""
        ),
        {**params, "limit": search.size, "offset": (search.page - 1) * search.size},
    ).all()
    return total, list(rows)


# -- open data lists -----------------------------------------------------------------------


def _territory_condition(
    departement: str | None, code_communes: tuple[str, ...]
) -> tuple[str, dict]:
    conditions, params = [], {}
    if departement:
        conditions.append(
            "EXISTS (SELECT 1 FROM commune AS c WHERE c.code = s.code_insee "
            "AND c.departement_code = :departement "
            "UNION ALL SELECT 1 FROM arrondissement_municipal AS a JOIN commune AS c "
            "ON c.code = a.commune_code WHERE a.code = s.code_insee "
            "AND c.departement_code = :departement)"
        )
        params["departement"] = departement
    if code_communes:
        conditions.append("s.code_insee = ANY(:code_communes)")
        params["code_communes"] = list(code_communes)
    return (" AND ".join(conditions) or "true"), params


def list_trainings(
    session: Session,
    *,
    departement: str | None,
    code_communes: tuple[str, ...],
    disponibles: bool,
    page: int,
    size: int,
) -> tuple[int, list]:
    where, params = _territory_condition(departement, code_communes)
    available = f" AND {NOT_SUSPENDED}" if disponibles else ""
    base = f"""FROM service AS s JOIN structure AS st ON st.id = s.structure_id
        JOIN offer_service AS o ON o.service_id = s.id AND o.kind = 'formation'
        WHERE {PUBLIC_SERVICE} AND {where}{available}"""
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
    rows = session.execute(
        text(
            f"""SELECT s.id, s.nom, s.structure_id, st.nom AS structure_nom, st.siret,
                s.code_insee, s.commune, s.date_maj, s.thematiques, s.publics,
                ST_X(s.location::geometry) AS lon, ST_Y(s.location::geometry) AS lat,
                o.source, o.source_id, o.imported_at, o.details, {NOT_SUSPENDED} AS available,
                (SELECT coalesce(json_agg(json_build_object(
                    'id', t.source_id, 'debut', t.debut, 'fin', t.fin,
                    'inscription_debut', t.inscription_debut,
                    'inscription_fin', t.inscription_fin,
                    'etat_recrutement', t.etat_recrutement) ORDER BY t.debut, t.source_id),
                    '[]'::json)
                 FROM training_session AS t
                 WHERE t.service_id = s.id AND t.fin >= current_date) AS sessions
            {base} ORDER BY s.id LIMIT :limit OFFSET :offset"""
        ),
        {**params, "limit": size, "offset": (page - 1) * size},
    ).all()
    return total, list(rows)


def list_employers(
    session: Session,
    *,
    departement: str | None,
    code_communes: tuple[str, ...],
    type_structure: str | None,
    page: int,
    size: int,
) -> tuple[int, list]:
    where, params = _territory_condition(departement, code_communes)
    kind = ""
    if type_structure:
        kind = " AND o.employer_kind = :kind"
        params["kind"] = type_structure
    base = f"""FROM structure AS s
        JOIN offer_structure AS o ON o.structure_id = s.id AND o.kind = 'employeur-inclusif'
        WHERE s.moderation = 'validee' AND {where}{kind}"""
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
    rows = session.execute(
        text(
            f"""SELECT s.id, s.nom, s.siret, s.code_insee, s.commune, s.code_postal, s.adresse,
                s.date_maj, o.employer_kind, o.source, o.source_id, o.imported_at,
                ST_X(s.location::geometry) AS lon, ST_Y(s.location::geometry) AS lat,
                (SELECT coalesce(json_agg(json_build_object(
                    'id', p.id, 'nom', p.nom, 'rome', po.details->>'rome',
                    'identifiant_source', po.source_id, 'date_maj', p.date_maj,
                    'conditions_acces', p.conditions_acces) ORDER BY p.nom, p.id), '[]'::json)
                 FROM service AS p
                 JOIN offer_service AS po ON po.service_id = p.id AND po.kind = 'emploi-inclusif'
                 WHERE p.structure_id = s.id AND p.statut = 'publie'
                   AND (p.suspendu_du IS NULL OR p.suspendu_du > current_date
                        OR p.suspendu_au < current_date)) AS postes
            {base} ORDER BY s.id LIMIT :limit OFFSET :offset"""
        ),
        {**params, "limit": size, "offset": (page - 1) * size},
    ).all()
    return total, list(rows)


def immersion_count(session: Session, longitude: float, latitude: float, rayon_km: float) -> int:
    return session.execute(
        text(
            "SELECT count(*) FROM immersion_company AS c "
            "WHERE ST_DWithin(c.location, ST_GeogFromText(:point), :radius, false)"
        ),
        {"point": f"SRID=4326;POINT({longitude} {latitude})", "radius": rayon_km * 1000},
    ).scalar_one()
