"""Running a search: place, text, backend (with fallback), and the items users see.

    response = engine.search(db.session, query)        # query: dora.search.query.SearchQuery
    response.to_json()                                  # the /api/v1/search document

The configured backend (`SEARCH_BACKEND`: `postgres` or `meilisearch`) answers; when
Meilisearch is configured but unreachable or failing, the postgres backend answers instead, a
warning is logged at most once a minute, and `backend` in the response says who answered.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger, Text

from dora.catalogue.models import Service, Structure
from dora.core import driver
from dora.interop.schemas import SERVICE_FIELDS, service_record
from dora.search import offer_types
from dora.search import text as text_module
from dora.search.backends.base import BackendUnavailable, Hit, SearchBackend, SearchResult
from dora.search.backends.postgres import PostgresBackend
from dora.search.models import SearchDocument
from dora.search.query import Place, SearchQuery, resolve_place

log = logging.getLogger(__name__)

FALLBACK_WARNING_INTERVAL_S = 60.0
EXTENSION_KEY = "dora_search"


@dataclass(frozen=True)
class SearchResponse:
    query: SearchQuery
    place: Place | None
    result: SearchResult
    items: list[dict[str, Any]]
    text_query: text_module.TextQuery | None = None

    def to_json(self) -> dict[str, Any]:
        suggested = self.suggested_thematique
        return {
            "total": self.result.total,
            "page": self.query.page,
            "size": self.query.size,
            "backend": self.result.backend,
            "items": [item_json(item) for item in self.items],
            "facets": self.result.facets,
            "suggestion": self.result.suggestion,
            "suggested_thematique": (
                {"value": suggested[0], "label": suggested[1]} if suggested else None
            ),
        }

    @property
    def suggested_thematique(self) -> tuple[str, str] | None:
        """The thématique the words name (« Rechercher la thématique Mobilité ? »), unless
        the search already filters on it."""
        named = text_module.named_thematique(self.text_query)
        if named is None or named[0] in self.query.thematiques:
            return None
        return named

    @property
    def page_count(self) -> int:
        return max(1, -(-self.result.total // self.query.size))


def item_json(item: dict[str, Any]) -> dict[str, Any]:
    """A service in data·inclusion v1 shape, plus `distance_m`, `structure {id, nom}` and
    `type_offre` (services, formations or employeurs: dora.search.offer_types)."""
    return {
        **service_record(item),
        "distance_m": item["distance_m"],
        # Shown like a remote service for want of a place (dora.rules: dora_place_unknown).
        "lieu_non_precise": bool(item.get("place_unknown")),
        "structure": {"id": item["structure_id"], "nom": item["structure_nom"]},
        "type_offre": offer_types.offre_of_kind(item.get("offer_kind")),
    }


class _Fallback:
    """Remembers when the last fallback warning was logged (one a minute at most)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_warning = float("-inf")

    def warn(self, backend: str, error: Exception) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last_warning < FALLBACK_WARNING_INTERVAL_S:
                return False
            self.last_warning = now
        log.warning("search: %s unavailable (%s), answering from postgres", backend, error)
        return True


@dataclass
class Engine:
    primary: SearchBackend
    postgres: PostgresBackend
    fallback: _Fallback


def init_engine(app: Flask) -> Engine:
    postgres = PostgresBackend(accelerate=app.config.get("SEARCH_ACCELERATOR", True))
    primary: SearchBackend = postgres
    if app.config.get("SEARCH_BACKEND") == "meilisearch":
        from dora.search.backends.meilisearch import MeilisearchBackend

        primary = MeilisearchBackend.from_config(app.config)
    engine = Engine(primary=primary, postgres=postgres, fallback=_Fallback())
    app.extensions[EXTENSION_KEY] = engine
    return engine


def current_engine() -> Engine:
    engine = current_app.extensions.get(EXTENSION_KEY)
    return engine if engine is not None else init_engine(current_app)


def index_version(session: Session) -> tuple | None:
    """What an answer depends on besides the query, when the postgres backend's copy of the
    index can answer this request (see dora.search.cache); None otherwise."""
    engine = current_engine()
    if engine.primary is not engine.postgres:
        return None
    accelerator = engine.postgres.accelerator(session)
    if accelerator is None:
        return None
    index, today = accelerator
    return (id(index), index.generation, index.version, today)


def search(session: Session, query: SearchQuery) -> SearchResponse:
    """Answer `query` (raises ApiError for an unknown commune)."""
    place = resolve_place(session, query)
    engine = current_engine()
    distance_over_text = bool(query.q) and query.by_distance and place is not None
    in_postgres = engine.primary is engine.postgres or bool(query.offre) or distance_over_text
    text_query = (
        text_module.prepare(
            session, query.q, _lexeme_oracle(session, engine) if in_postgres else None
        )
        if query.q
        else None
    )
    result: SearchResult
    if in_postgres:
        # Offer types (dora.search.offer_types) are answered in SQL only; so is a text search
        # sorted by distance: Meilisearch's ranking rules (index settings, not per query)
        # put relevance before its sort.
        result = engine.postgres.search(session, query, place, text_query)
    else:
        try:
            result = engine.primary.search(session, query, place, text_query)
        except BackendUnavailable as error:
            engine.fallback.warn(engine.primary.name, error)
            result = engine.postgres.search(session, query, place, text_query)
    return SearchResponse(
        query=query,
        place=place,
        result=result,
        items=hydrate(session, result.hits),
        text_query=text_query,
    )


def _lexeme_oracle(session: Session, engine: Engine) -> text_module.Oracle | None:
    """Whether a lexeme is in the index, from the accelerator's copy when it can answer for
    this request (it is up to date then): the words of a search are looked up in memory."""
    accelerator = engine.postgres.accelerator(session)
    return accelerator[0].lexeme_known if accelerator is not None else None


_SERVICE_COLUMNS = [Service.__table__.c[name] for name in SERVICE_FIELDS] + [
    Service.__table__.c.location_precision,
    Structure.__table__.c.nom.label("structure_nom"),
    offer_types.OFFER_SERVICE.c.kind.label("offer_kind"),
]


@functools.cache
def _hydrate_statement(by_ord: bool):
    service, structure = Service.__table__, Structure.__table__
    document = SearchDocument.__table__
    offer = offer_types.OFFER_SERVICE
    statement = (
        select(*_SERVICE_COLUMNS, document.c.ord, document.c.place_unknown)
        .join(structure, structure.c.id == service.c.structure_id)
        .outerjoin(offer, offer.c.service_id == service.c.id)
    )
    if by_ord:
        return statement.join(document, document.c.service_id == service.c.id).where(
            document.c.ord == any_(bindparam("keys", type_=ARRAY(BigInteger)))
        )
    return statement.outerjoin(document, document.c.service_id == service.c.id).where(
        service.c.id == any_(bindparam("keys", type_=ARRAY(Text)))
    )


def _hydrate_sql(dialect: Dialect, by_ord: bool) -> str:
    return driver.compiled(_hydrate_statement(by_ord), dialect)


def hydrate(session: Session, hits: list[Hit]) -> list[dict[str, Any]]:
    """The services of `hits`, in order, as mappings (one query, by `ord` when the hits come
    from the accelerator, else by service id).

    Run on the session's own DB-API connection (dora.core.driver): these columns need no
    conversion psycopg does not do itself, and SQLAlchemy's per-row result processing was
    half the cost of every search page.
    """
    if not hits:
        return []
    by_ord = all(hit.ord is not None for hit in hits)
    keys = [hit.ord for hit in hits] if by_ord else [hit.service_id for hit in hits]
    found = driver.fetch(session, _hydrate_statement(by_ord), {"keys": keys})
    key_name = "ord" if by_ord else "id"
    rows = {getattr(row, key_name): row._asdict() for row in found}
    items = []
    for hit, key in zip(hits, keys, strict=True):
        row = rows.get(key)
        if row is not None:  # removed between the two statements: skipped, never an error
            items.append({**row, "distance_m": hit.distance_m})
    return items
