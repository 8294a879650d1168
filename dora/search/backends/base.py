"""The one interface every search backend implements, and what a search returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from dora.search.facets import Facets
from dora.search.query import Place, SearchQuery
from dora.search.text import TextQuery


class BackendUnavailable(RuntimeError):
    """The backend cannot answer now (server down, timeout, bad answer): fall back."""


@dataclass(frozen=True)
class Hit:
    service_id: str | None  # None when only `ord` is known (the accelerator's pages)
    distance_m: int | None  # None for remote services (and searches without location)
    ord: int | None = None  # the search_document row, when known


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: Facets
    backend: str
    suggestion: str | None = None
    # Timings or notes a benchmark may print; never shown to users.
    notes: dict = field(default_factory=dict)


class SearchBackend(Protocol):
    """What the application needs from a search engine.

    `index` and `delete` take service ids; the documents come from `search_document` (the
    postgres backend's own index, always in step with the catalogue), so every backend shows
    the same fields computed by the same SQL.
    """

    name: str

    def search(
        self,
        session: Session,
        query: SearchQuery,
        place: Place | None,
        text_query: TextQuery | None = None,
    ) -> SearchResult:
        """Ranked page, total and facets of `query` at `place` (raises BackendUnavailable).

        `text_query`: the words of `query.q` looked up in the lexicon (typo corrections,
        suggestion), for backends that use them."""
        ...

    def index(self, session: Session, service_ids: Sequence[str]) -> int:
        """(Re)index these services (those no longer public are removed); returns a count."""
        ...

    def delete(self, session: Session, service_ids: Sequence[str]) -> int:
        """Remove these services from the index; returns a count."""
        ...
