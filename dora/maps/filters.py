"""The search filters as maps use them: parsed from a query string, turned into SQL.

Maps take the same filters as the search (thématiques, publics, frais, types, text); this
module is the one place where maps meet them, so that a change of the search query layer
means a change here only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, and_, bindparam, func, or_, true
from sqlalchemy.dialects.postgresql import ARRAY
from werkzeug.datastructures import MultiDict

from dora import vocabulary
from dora.api import params
from dora.api.errors import ApiError
from dora.catalogue.models import Service

MAX_TEXT_LENGTH = 200
FILTER_NAMES = ("thematiques", "publics", "frais", "types", "q")


@dataclass(frozen=True)
class MapFilters:
    thematiques: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    frais: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    q: str = ""

    def is_empty(self) -> bool:
        return not (self.thematiques or self.publics or self.frais or self.types or self.q)

    def query_args(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs (comma-joined lists), for links."""
        pairs = [
            (name, ",".join(getattr(self, name)))
            for name in ("thematiques", "publics", "frais", "types")
            if getattr(self, name)
        ]
        if self.q:
            pairs.append(("q", self.q))
        return pairs

    def single_category(self) -> str | None:
        """The category when the thématiques ask for exactly one whole category."""
        if len(self.thematiques) != 1:
            return None
        value = self.thematiques[0]
        return value if value in vocabulary.CATEGORIES else None


def parse_filters(args: MultiDict) -> MapFilters:
    """Read the search filters from a query string; ApiError naming the faulty field."""
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_TEXT_LENGTH:
        raise ApiError(f"« q » est limité à {MAX_TEXT_LENGTH} caractères.", field="q")
    return MapFilters(
        thematiques=tuple(
            dict.fromkeys(
                params.get_vocabulary_list(args, "thematiques", extra=vocabulary.CATEGORIES)
            )
        ),
        publics=tuple(dict.fromkeys(params.get_vocabulary_list(args, "publics"))),
        frais=tuple(dict.fromkeys(params.get_vocabulary_list(args, "frais"))),
        types=tuple(dict.fromkeys(params.get_vocabulary_list(args, "types", field="type"))),
        q=q,
    )


def text_array(values) -> ColumnElement:
    """A bound `text[]` parameter (the catalogue's generic ARRAY columns lack `&&`/`@>`)."""
    return bindparam(None, list(values), type_=ARRAY(Text))


def condition(filters: MapFilters) -> ColumnElement[bool]:
    """SQL condition on `Service` matching the filters (the domain rules of the search)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.thematiques:
        clauses.append(
            Service.thematiques.op("&&")(
                text_array(vocabulary.expand_thematiques(filters.thematiques))
            )
        )
    if filters.publics:
        # Asking for a public also matches services open to everyone.
        clauses.append(
            Service.publics.op("&&")(text_array([*filters.publics, vocabulary.TOUS_PUBLICS])),
        )
    if filters.frais:
        clauses.append(Service.frais.in_(filters.frais))
    if filters.types:
        clauses.append(Service.type.in_(filters.types))
    if filters.q:
        words = filters.q.split()
        clauses.append(
            and_(
                *(
                    or_(
                        func.unaccent(Service.nom).ilike(func.unaccent(f"%{word}%")),
                        func.unaccent(Service.description).ilike(func.unaccent(f"%{word}%")),
                    )
                    for word in words
                )
            )
        )
    return and_(true(), *clauses)
