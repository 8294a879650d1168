"""Reads of the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, raiseload

from dora import vocabulary
from dora.catalogue.models import Moderation, Service, Statut, Structure
from dora.territories.models import Commune


def publicly_visible():
    """SQL condition matching `Service.is_public()`: use it in every public listing."""
    today = func.current_date()
    not_suspended = or_(
        Service.suspendu_du.is_(None),
        Service.suspendu_du > today,
        and_(Service.suspendu_au.is_not(None), Service.suspendu_au < today),
    )
    validated = Service.structure_id.in_(
        select(Structure.id).where(Structure.moderation == Moderation.VALIDEE)
    )
    return and_(Service.statut == Statut.PUBLIE, not_suspended, validated)


def get_service(session: Session, service_id: str) -> Service | None:
    return session.get(Service, service_id)


def get_structure(session: Session, structure_id: str) -> Structure | None:
    return session.get(Structure, structure_id)


def published_services_of(session: Session, structure_id: str) -> list[Service]:
    statement = (
        select(Service)
        .where(Service.structure_id == structure_id, publicly_visible())
        .order_by(Service.nom, Service.id)
        .options(raiseload(Service.structure))
    )
    return list(session.scalars(statement))


@dataclass(frozen=True)
class CatalogueFilters:
    departement: str | None = None
    code_communes: tuple[str, ...] = ()
    thematiques: tuple[str, ...] = ()
    date_maj_min: date | None = None


def _services_statement(filters: CatalogueFilters) -> Select:
    statement = select(Service).where(publicly_visible())
    if filters.code_communes:
        statement = statement.where(Service.code_insee.in_(filters.code_communes))
    if filters.departement:
        communes = select(Commune.code).where(Commune.departement_code == filters.departement)
        statement = statement.where(Service.code_insee.in_(communes))
    if filters.thematiques:
        expanded = vocabulary.expand_thematiques(filters.thematiques)
        statement = statement.where(Service.thematiques.overlap(expanded))
    if filters.date_maj_min:
        statement = statement.where(Service.date_maj >= filters.date_maj_min)
    return statement


def _structures_statement(filters: CatalogueFilters) -> Select:
    statement = select(Structure)
    if filters.code_communes:
        statement = statement.where(Structure.code_insee.in_(filters.code_communes))
    if filters.departement:
        communes = select(Commune.code).where(Commune.departement_code == filters.departement)
        statement = statement.where(Structure.code_insee.in_(communes))
    if filters.thematiques:
        expanded = vocabulary.expand_thematiques(filters.thematiques)
        offering = select(Service.structure_id).where(
            publicly_visible(), Service.thematiques.overlap(expanded)
        )
        statement = statement.where(Structure.id.in_(offering))
    if filters.date_maj_min:
        statement = statement.where(Structure.date_maj >= filters.date_maj_min)
    return statement


def _page(session: Session, statement: Select, order_by, offset: int, limit: int):
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.order_by(*order_by).offset(offset).limit(limit))
    return list(rows), total or 0


def list_services(
    session: Session, filters: CatalogueFilters, *, offset: int, limit: int
) -> tuple[list[Service], int]:
    statement = _services_statement(filters).options(raiseload(Service.structure))
    return _page(session, statement, [Service.id], offset, limit)


def list_structures(
    session: Session, filters: CatalogueFilters, *, offset: int, limit: int
) -> tuple[list[Structure], int]:
    statement = _structures_statement(filters).options(raiseload(Structure.services))
    return _page(session, statement, [Structure.id], offset, limit)


@dataclass(frozen=True)
class CatalogueStats:
    services: int
    structures: int
    communes: int


def catalogue_stats(session: Session) -> CatalogueStats:
    row = session.execute(
        select(
            func.count(),
            func.count(func.distinct(Service.structure_id)),
            func.count(func.distinct(Service.code_insee)),
        ).where(publicly_visible())
    ).one()
    return CatalogueStats(services=row[0], structures=row[1], communes=row[2])
