"""Reads of favourites, saved searches and what an alert should list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy import func, select
from sqlalchemy.orm import Session, raiseload
from werkzeug.datastructures import MultiDict

from dora.alerts.models import AlertDelivery, Favorite, SavedSearch
from dora.catalogue.models import Service, Structure
from dora.catalogue.queries import publicly_visible
from dora.search.query import SearchQuery, matching_documents, parse_search_args, resolve_place

# Above this many new services an alert lists the first ones and links to the search.
ALERT_LIST_LIMIT = 30


def favorite_ids(session: Session, user_id: int, service_ids: list[str] | None = None) -> set[str]:
    statement = select(Favorite.service_id).where(Favorite.user_id == user_id)
    if service_ids is not None:
        statement = statement.where(Favorite.service_id.in_(service_ids))
    return set(session.scalars(statement))


def favorite_services(session: Session, user_id: int) -> list[Service]:
    """The user's favourites that are still public, most recently starred first."""
    statement = (
        select(Service)
        .join(Favorite, Favorite.service_id == Service.id)
        .where(Favorite.user_id == user_id, publicly_visible())
        .order_by(Favorite.created_at.desc(), Service.id)
    )
    return list(session.scalars(statement).unique())


def hidden_favorites_count(session: Session, user_id: int) -> int:
    """Favourites no longer public (unpublished, suspended, archived): said, not listed."""
    total = session.scalar(
        select(func.count()).select_from(Favorite).where(Favorite.user_id == user_id)
    )
    return (total or 0) - len(favorite_services(session, user_id))


def saved_searches(session: Session, user_id: int) -> list[SavedSearch]:
    return list(
        session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user_id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        )
    )


def saved_search_of(session: Session, user_id: int, search_id: int) -> SavedSearch | None:
    """The user's own saved search (None for another user's: ids cannot be probed)."""
    return session.scalar(
        select(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
    )


def search_query(saved: SavedSearch) -> SearchQuery:
    """The saved search as a query (ApiError when the saved parameters are no longer valid)."""
    return parse_search_args(MultiDict(parse_qsl(saved.parametres, keep_blank_values=False)))


@dataclass(frozen=True)
class NewService:
    id: str
    nom: str
    structure_nom: str
    commune: str | None
    updated_at: datetime
    is_new: bool  # created since the previous alert (else updated)


def new_matches(
    session: Session, saved: SavedSearch, until: datetime
) -> tuple[int, list[NewService]]:
    """Public services matching the saved search, changed in (saved.depuis, until]: their count
    and the first ALERT_LIST_LIMIT, most recent first. The match is the search layer's own
    (`matching_documents`: eligibility, radius, filters, text, suspensions)."""
    query = search_query(saved)
    place = resolve_place(session, query)
    matching = matching_documents(session, query, place).subquery()
    changed = (
        select(
            Service.id,
            Service.nom,
            Structure.nom.label("structure_nom"),
            Service.commune,
            Service.updated_at,
            (Service.created_at > saved.depuis).label("is_new"),
        )
        .join(matching, matching.c.service_id == Service.id)
        .join(Structure, Structure.id == Service.structure_id)
        .where(Service.updated_at > saved.depuis, Service.updated_at <= until)
    )
    total = session.scalar(select(func.count()).select_from(changed.subquery())) or 0
    rows = session.execute(
        changed.order_by(Service.updated_at.desc(), Service.id).limit(ALERT_LIST_LIMIT)
    ).all()
    return total, [NewService(*row) for row in rows]


def due_searches(session: Session, periods: dict[str, str]) -> list[SavedSearch]:
    """Active saved searches with no alert run yet for their current period
    (`periods`: frequency -> period key)."""
    result: list[SavedSearch] = []
    for frequence, periode in periods.items():
        already = (
            select(AlertDelivery.id)
            .where(
                AlertDelivery.saved_search_id == SavedSearch.id,
                AlertDelivery.periode == periode,
            )
            .exists()
        )
        result += session.scalars(
            select(SavedSearch)
            .where(SavedSearch.actif, SavedSearch.frequence == frequence, ~already)
            .order_by(SavedSearch.id)
            .options(raiseload("*"))
        )
    return result
