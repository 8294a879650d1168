"""Reads for the data·inclusion export (API pages and files).

Rows are read as plain column tuples, not ORM objects: a page of 1,000 services is one query
for the page and one for the total, and turning rows into records costs little.
Only what the public sees is exported: services under `publicly_visible()`, validated
structures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from dora import rules
from dora.catalogue.models import Moderation, Service, Structure
from dora.catalogue.queries import publicly_visible
from dora.interop.schemas import SERVICE_FIELDS, STRUCTURE_FIELDS
from dora.territories.models import ArrondissementMunicipal, Commune
from geodata import reference


@dataclass(frozen=True)
class ExportFilters:
    departement: str | None = None
    # A commune with its arrondissements and the former codes merged into it.
    code_communes: tuple[str, ...] = ()
    thematiques: tuple[str, ...] = ()
    date_maj_min: date | None = None


@cache
def _former_codes_of() -> dict[str, tuple[str, ...]]:
    merged: dict[str, list[str]] = {}
    for former, current in reference.former_codes().items():
        merged.setdefault(current, []).append(former)
    return {current: tuple(sorted(codes)) for current, codes in merged.items()}


def commune_codes(session: Session, code: str) -> tuple[str, ...] | None:
    """The codes a commune filter matches, or None for an unknown code.

    A commune matches its arrondissements (Paris, Lyon, Marseille) and the former codes of
    the communes merged into it; an arrondissement matches itself.
    """
    if session.get(Commune, code) is not None:
        arrondissements = session.scalars(
            select(ArrondissementMunicipal.code).where(ArrondissementMunicipal.commune_code == code)
        )
        return (code, *arrondissements, *_former_codes_of().get(code, ()))
    if session.get(ArrondissementMunicipal, code) is not None:
        return (code,)
    return None


def _next_code(code: str) -> str:
    """The smallest département code after `code` in text order ('93'→'94', '2A'→'2B')."""
    if code.isdigit():
        return str(int(code) + 1).zfill(len(code))
    return code[:-1] + chr(ord(code[-1]) + 1)


def _in_departement(column, departement: str):
    # INSEE codes of communes, arrondissements and former communes start with their
    # département's code: a range on the indexed column, valid in any collation
    # (digits and capital letters only).
    return (column >= departement) & (column < _next_code(departement))


def _overlaps(column, values: list[str]):
    # The models use the generic ARRAY type, which has no .overlap(); && uses the GIN index.
    return column.op("&&")(cast(values, ARRAY(Text)))


def _thematiques_match(asked: Sequence[str]):
    """A category means its sub-thèmes (dora.rules: `dora_thematiques_asked`, evaluated once)."""
    return Service.thematiques.op("&&")(rules.thematiques_asked(cast(list(asked), ARRAY(Text))))


def _columns(model, fields: Sequence[str]) -> list:
    return [model.__table__.c[name] for name in fields]


def services_statement(filters: ExportFilters) -> Select:
    statement = select(*_columns(Service, SERVICE_FIELDS)).where(publicly_visible())
    if filters.code_communes:
        statement = statement.where(Service.code_insee.in_(filters.code_communes))
    if filters.departement:
        statement = statement.where(_in_departement(Service.code_insee, filters.departement))
    if filters.thematiques:
        statement = statement.where(_thematiques_match(filters.thematiques))
    if filters.date_maj_min:
        statement = statement.where(Service.date_maj >= filters.date_maj_min)
    return statement


def structures_statement(filters: ExportFilters) -> Select:
    statement = select(*_columns(Structure, STRUCTURE_FIELDS)).where(
        Structure.moderation == Moderation.VALIDEE
    )
    if filters.code_communes:
        statement = statement.where(Structure.code_insee.in_(filters.code_communes))
    if filters.departement:
        statement = statement.where(_in_departement(Structure.code_insee, filters.departement))
    if filters.thematiques:
        offering = select(Service.structure_id).where(
            publicly_visible(), _thematiques_match(filters.thematiques)
        )
        statement = statement.where(Structure.id.in_(offering))
    if filters.date_maj_min:
        statement = statement.where(Structure.date_maj >= filters.date_maj_min)
    return statement


def _page(
    session: Session, statement: Select, order_by, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    rows = session.execute(statement.order_by(order_by).offset(offset).limit(limit)).mappings()
    items = [dict(row) for row in rows]
    if len(items) < limit and (offset == 0 or items):
        return items, offset + len(items)  # the last page tells the total: no count needed
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return items, total or 0


def services_page(
    session: Session, filters: ExportFilters, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of publicly visible services (ordered by id) and the total."""
    return _page(session, services_statement(filters), Service.id, offset, limit)


def structures_page(
    session: Session, filters: ExportFilters, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of validated structures (ordered by id) and the total."""
    return _page(session, structures_statement(filters), Structure.id, offset, limit)


def iter_rows(
    connection: Connection, statement: Select, order_by, batch: int = 2000
) -> Iterator[dict[str, Any]]:
    """Every row, streamed with a server-side cursor (for file exports)."""
    # Per statement: Connection.execution_options() would change the connection for good.
    result = connection.execute(
        statement.order_by(order_by),
        execution_options={"stream_results": True, "yield_per": batch},
    )
    for row in result.mappings():
        yield dict(row)


def iter_services(connection: Connection) -> Iterator[dict[str, Any]]:
    return iter_rows(connection, services_statement(ExportFilters()), Service.id)


def iter_structures(connection: Connection) -> Iterator[dict[str, Any]]:
    return iter_rows(connection, structures_statement(ExportFilters()), Structure.id)
