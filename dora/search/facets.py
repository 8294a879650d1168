"""Facet keys: the small integer code of every filterable vocabulary value.

The codes live in `search_facet_key` (written by the migration from the data·inclusion
vocabularies) and are read once per process. A document's `keys` holds the codes of its
thématiques and their categories, its publics (all of them when `tous-publics`), frais, modes
d'accueil and type; so a filter is `keys && {codes}` and a facet is a count per code, and both
follow the same rules (a category counts its sub-thèmes' services, a public counts
`tous-publics` services).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

FACET_NAMES: tuple[str, ...] = ("thematiques", "publics", "frais", "modes_accueil", "types")

Facets = dict[str, dict[str, int]]


@dataclass(frozen=True)
class FacetKeys:
    values: Mapping[int, tuple[str, str]]  # code -> (facet name, value)
    codes_by_value: Mapping[tuple[str, str], int]

    def codes(self, name: str, values: Iterable[str]) -> list[int]:
        return sorted(
            self.codes_by_value[(name, v)] for v in values if (name, v) in self.codes_by_value
        )

    def facets(self, counts: Mapping[int, int]) -> Facets:
        """{facet name: {value: count}} from {code: count}; values in vocabulary order."""
        result: Facets = {name: {} for name in FACET_NAMES}
        for code, (name, value) in self.values.items():
            count = counts.get(code)
            if count:
                result[name][value] = count
        return result


_lock = threading.Lock()
_cache: dict[str, FacetKeys] = {}


def keys(session: Session) -> FacetKeys:
    """The codes of this database (read once per process and database)."""
    url = str(session.get_bind().engine.url)
    found = _cache.get(url)
    if found is not None:
        return found
    rows = session.execute(text("SELECT k, dim, value FROM search_facet_key ORDER BY k")).all()
    loaded = FacetKeys(
        values={row.k: (row.dim, row.value) for row in rows},
        codes_by_value={(row.dim, row.value): row.k for row in rows},
    )
    with _lock:
        _cache[url] = loaded
    return loaded


def empty() -> Facets:
    return {name: {} for name in FACET_NAMES}
