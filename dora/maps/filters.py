"""The search filters as maps use them: the search's own parser and SQL (dora.search.query).

Maps take the same filters as the search (thématiques, publics, frais, modes d'accueil,
types, text) with the same rules (a category means its sub-thèmes, a public also matches
`tous-publics`, accents and plurals do not matter); this module only adapts them: maps have
no location filter (the view, or the territory, says where) and their own paging.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Text, bindparam, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dora import vocabulary
from dora.catalogue.models import Service
from dora.search.query import (
    FILTER_FIELDS,
    SearchQuery,
    doc,
    matching_documents,
    parse_search_args,
)

FILTER_NAMES = (*FILTER_FIELDS, "q", "offre")
# « Type d'offre » (dora.search.offer_types), in words.
OFFRE_LABELS = {
    "services": "Services",
    "formations": "Formations",
    "employeurs": "Employeurs inclusifs",
}


@dataclass(frozen=True)
class MapFilters:
    thematiques: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    frais: tuple[str, ...] = ()
    modes_accueil: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    q: str = ""
    offre: str | None = None

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in FILTER_NAMES)

    def query_args(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs (comma-joined lists), for links and the API."""
        pairs = [
            (name, ",".join(getattr(self, name))) for name in FILTER_FIELDS if getattr(self, name)
        ]
        if self.q:
            pairs.append(("q", self.q))
        if self.offre:
            pairs.append(("offre", self.offre))
        return pairs

    def labels(self) -> list[str]:
        """The filters in words, for a summary (« Mobilité, Jeunes, « garage » »)."""
        words = [vocabulary.label(value) for name in FILTER_FIELDS for value in getattr(self, name)]
        if self.offre:
            words.insert(0, OFFRE_LABELS[self.offre])
        return [*words, f"« {self.q} »"] if self.q else words

    def single_category(self) -> str | None:
        """The category when the only filter is exactly one whole category."""
        if len(self.thematiques) != 1 or any(
            getattr(self, name) for name in FILTER_NAMES if name != "thematiques"
        ):
            return None
        value = self.thematiques[0]
        return value if value in vocabulary.CATEGORIES else None

    def search_query(self) -> SearchQuery:
        """The nationwide search with these filters (maps say where by other means)."""
        return SearchQuery(**{name: getattr(self, name) for name in FILTER_NAMES})


def parse_filters(args: MultiDict) -> MapFilters:
    """The filters of a query string, read by the search's parser (ApiError with `field`)."""
    subset = MultiDict([(name, value) for name in FILTER_NAMES for value in args.getlist(name)])
    query = parse_search_args(subset)
    return MapFilters(**{name: getattr(query, name) for name in FILTER_NAMES})


def text_array(values) -> ColumnElement:
    """A bound `text[]` parameter (the catalogue's generic ARRAY columns lack `&&`/`@>`)."""
    return bindparam(None, list(values), type_=ARRAY(Text))


def documents(session: Session, filters: MapFilters) -> Select:
    """The search's matching public services (`search_document` rows), nationwide."""
    return matching_documents(session, filters.search_query(), None)


def condition(session: Session, filters: MapFilters) -> ColumnElement[bool]:
    """SQL condition on `Service`: the service matches the filters of the search."""
    if filters.is_empty():
        return true()
    matching = documents(session, filters).with_only_columns(doc.service_id)
    return Service.id.in_(select(matching.subquery().c.service_id))
