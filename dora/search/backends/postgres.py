"""The embedded backend: PostgreSQL full text + PostGIS over `search_document`.

A search runs two statements (plus the text look-ups of dora.search.text when there is text):

- the *page*: with a place, two ranked streams cut at `offset + size` rows —
  on-site services within the radius (by distance, or by text relevance blended with
  proximity) and remote services (most specific eligibility first, then freshest, or by
  relevance) — merged in Python so that one result in `REMOTE_EVERY` is remote (positions 3, 8,
  13…) while both streams last. Without a place, one list by relevance or freshness. Every
  ordering ends with the service id, so pages never repeat or skip a result.
- the *counts*: total and facet counts of the same set, in one scan (`unnest(keys)`).

`Statements` builds both as plain SQL with bound parameters, so that the benchmark can run the
very same SQL without the application around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import SmallInteger, Text

from dora.search import facets as facet_module
from dora.search.backends.base import Hit, SearchResult
from dora.search.query import EVERYWHERE, Place, SearchQuery
from dora.search.text import TextQuery

# One result in REMOTE_EVERY is a remote service, at REMOTE_SLOT within each group of results.
REMOTE_EVERY = 5
REMOTE_SLOT = 2
# Text relevance is halved 10 km away (and divided by 6 at 50 km).
PROXIMITY_HALF_M = 10_000

NOT_SUSPENDED = (
    "(d.suspendu_du IS NULL OR d.suspendu_du > current_date OR d.suspendu_au < current_date)"
)
WITHIN = "(d.on_site AND ST_DWithin(d.location, ST_GeogFromText(:point), :radius_m, false))"
DISTANCE = "(d.location <-> ST_GeogFromText(:point))"
RANK = "ts_rank(d.tsv, to_tsquery('dora_french', :tsq))"
SPECIFICITY = """(CASE WHEN d.elig && CAST(:commune_codes AS text[]) THEN 4
    WHEN d.elig && CAST(:epci_codes AS text[]) THEN 3
    WHEN d.elig && CAST(:departement_codes AS text[]) THEN 2
    WHEN d.elig && CAST(:region_codes AS text[]) THEN 1 ELSE 0 END)"""

_ARRAY_PARAMS = {
    "codes": ARRAY(Text),
    "specific_codes": ARRAY(Text),
    "commune_codes": ARRAY(Text),
    "epci_codes": ARRAY(Text),
    "departement_codes": ARRAY(Text),
    "region_codes": ARRAY(Text),
}


@dataclass
class Statements:
    """The SQL of one search, with its parameters (see the module docstring)."""

    query: SearchQuery
    place: Place | None
    key_map: facet_module.FacetKeys
    text_query: TextQuery | None = None
    params: dict[str, Any] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.conditions = [NOT_SUSPENDED]
        for index, (name, values) in enumerate(self.query.filters.items()):
            self.params[f"f{index}"] = self.key_map.codes(name, values)
            self.conditions.append(f"d.keys && CAST(:f{index} AS smallint[])")
        if self.has_text:
            self.params["tsq"] = self.text_query.tsquery_text()  # type: ignore[union-attr]
            self.conditions.append("d.tsv @@ to_tsquery('dora_french', :tsq)")
        if self.place is not None:
            place = self.place
            self.params.update(
                codes=list(place.codes),
                point=place.point_wkt,
                radius_m=self.query.rayon_km * 1000,
            )
            self.conditions.append("d.elig && CAST(:codes AS text[])")

    @property
    def has_text(self) -> bool:
        return self.text_query is not None and not self.text_query.empty

    def where(self, *extra: str) -> str:
        return " AND ".join([*self.conditions, *extra])

    def located_set(self) -> str:
        """Condition of the whole result set of a search with a place."""
        return f"({WITHIN} OR d.remote)" if self.query.a_distance else WITHIN

    # Counts --------------------------------------------------------------------------------

    def counts_sql(self) -> str:
        where = self.where(self.located_set()) if self.place else self.where()
        return f"""WITH m AS MATERIALIZED (SELECT d.keys FROM search_document AS d WHERE {where})
SELECT 0 AS k, count(*) AS n FROM m
UNION ALL
SELECT k, count(*) FROM m, unnest(m.keys) AS k GROUP BY k"""

    # Page ----------------------------------------------------------------------------------

    def page_sql(self) -> str:
        """Ranked candidates of the page: (stream, part, service_id, distance, rank)."""
        self.params["n"] = self.query.offset + self.query.size
        if self.place is None:
            order = (
                "s.rank DESC, s.service_id"
                if self.has_text
                else "s.date_maj DESC, s.service_id DESC"
            )
            return _ranked("n", 0, self._candidates(self.where(), order), order)
        if self.has_text:
            score = f"{RANK} * {PROXIMITY_HALF_M} / ({PROXIMITY_HALF_M} + {DISTANCE})"
            on_site = self._candidates(self.where(WITHIN), "s.score DESC, s.service_id", score)
            on_site_order = "s.score DESC, s.service_id"
        else:
            on_site = self._candidates(self.where(WITHIN), "s.distance, s.service_id")
            on_site_order = "s.distance, s.service_id"
        parts = [_ranked("o", 0, on_site, on_site_order)]
        if self.query.a_distance:
            parts += self._remote_parts()
        return "\nUNION ALL\n".join(parts)

    def _candidates(
        self, where: str, order: str, score: str | None = None, *, distance: bool = True
    ) -> str:
        """The first :n rows of `search_document AS d` under `where`, ordered by `order`
        (written over the output columns `s.…`: distance, rank, score, specificity…).
        Remote services have no distance (`distance=False`)."""
        columns = {
            "service_id": "d.service_id",
            "date_maj": "d.date_maj",
            "distance": DISTANCE if self.place and distance else "NULL::float",
        }
        if self.has_text:
            columns["rank"] = RANK
        if score:
            columns["score"] = score
        if self.place is not None and self.query.a_distance:
            columns["specificity"] = SPECIFICITY
        # Ordering by the expressions themselves keeps index-driven orders (KNN distance,
        # date) available to the planner.
        inner_order = order
        for name, expression in columns.items():
            inner_order = inner_order.replace(f"s.{name}", expression)
        select = ", ".join(f"{expression} AS {name}" for name, expression in columns.items())
        return (
            f"SELECT {select} FROM search_document AS d WHERE {where} "
            f"ORDER BY {inner_order} LIMIT :n"
        )

    def _remote_parts(self) -> list[str]:
        place = self.place
        assert place is not None
        self.params.update(
            specific_codes=[code for code in place.codes if code != EVERYWHERE],
            commune_codes=[c for c in (place.arrondissement, place.commune) if c],
            epci_codes=[place.epci] if place.epci else [],
            departement_codes=[place.departement],
            region_codes=[place.region],
        )
        remote = f"d.remote AND NOT {WITHIN}"
        if self.has_text:
            order = "s.rank DESC, s.specificity DESC, s.service_id"
            candidates = self._candidates(self.where(remote), order, distance=False)
            return [_ranked("r", 1, candidates, order)]
        # Services for this very territory first, then those open to everybody (the largest
        # group, read in index order).
        specific = "s.specificity DESC, s.date_maj DESC, s.service_id DESC"
        everybody = "s.date_maj DESC, s.service_id DESC"
        return [
            _ranked(
                "r",
                1,
                self._candidates(
                    self.where(remote, "d.elig && CAST(:specific_codes AS text[])"),
                    specific,
                    distance=False,
                ),
                specific,
            ),
            _ranked(
                "r",
                2,
                self._candidates(
                    self.where(remote, "d.elig = ARRAY['*']"), everybody, distance=False
                ),
                everybody,
            ),
        ]

    def bind(self, sql: str):
        statement = text(sql)
        for name, type_ in _ARRAY_PARAMS.items():
            if name in self.params and f":{name}" in sql:
                statement = statement.bindparams(bindparam(name, type_=type_))
        for name in self.params:
            if name.startswith("f") and name[1:].isdigit() and f":{name}" in sql:
                statement = statement.bindparams(bindparam(name, type_=ARRAY(SmallInteger)))
        return statement

    def bound_params(self, sql: str) -> dict[str, Any]:
        return {name: value for name, value in self.params.items() if f":{name}" in sql}


def _ranked(stream: str, part: int, candidates: str, order: str) -> str:
    return f"""(SELECT '{stream}' AS stream, {part} AS part, s.service_id, s.distance,
    row_number() OVER (ORDER BY {order}) AS rank
FROM ({candidates}) AS s)"""


def merge_streams(rows: Sequence[Any], offset: int, size: int) -> list[Hit]:
    """Interleave the on-site and remote streams (see the module docstring), cut the page."""
    on_site = sorted((row for row in rows if row.stream in ("o", "n")), key=lambda r: r.rank)
    remote = sorted((row for row in rows if row.stream == "r"), key=lambda r: (r.part, r.rank))
    keyed = []
    per_group = REMOTE_EVERY - 1
    for i, row in enumerate(on_site):
        slot = i % per_group
        keyed.append((REMOTE_EVERY * (i // per_group) + slot + (slot >= REMOTE_SLOT), row))
    for j, row in enumerate(remote):
        keyed.append((REMOTE_EVERY * j + REMOTE_SLOT, row))
    keyed.sort(key=lambda pair: pair[0])
    return [
        Hit(
            service_id=row.service_id,
            distance_m=None if row.distance is None else round(row.distance),
        )
        for _, row in keyed[offset : offset + size]
    ]


class PostgresBackend:
    name = "postgres"

    def statements(
        self,
        session: Session,
        query: SearchQuery,
        place: Place | None,
        text_query: TextQuery | None,
    ) -> Statements:
        return Statements(query, place, facet_module.keys(session), text_query)

    def search(
        self,
        session: Session,
        query: SearchQuery,
        place: Place | None,
        text_query: TextQuery | None = None,
    ) -> SearchResult:
        statements = self.statements(session, query, place, text_query)
        page_sql = statements.page_sql()
        rows = session.execute(statements.bind(page_sql), statements.bound_params(page_sql)).all()
        hits = merge_streams(rows, query.offset, query.size)
        total, facets = self.counts(session, statements)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            backend=self.name,
            suggestion=text_query.suggestion if text_query else None,
        )

    def counts(self, session: Session, statements: Statements) -> tuple[int, facet_module.Facets]:
        sql = statements.counts_sql()
        counts = dict(session.execute(statements.bind(sql), statements.bound_params(sql)).all())
        return counts.pop(0, 0), statements.key_map.facets(counts)

    def index(self, session: Session, service_ids: Sequence[str]) -> int:
        session.execute(
            text("SELECT search_refresh(:ids)").bindparams(bindparam("ids", type_=ARRAY(Text))),
            {"ids": list(service_ids)},
        )
        return len(service_ids)

    def delete(self, session: Session, service_ids: Sequence[str]) -> int:
        # The index follows the catalogue: a service is removed from it by becoming
        # non-public (or deleted); refreshing it does exactly that.
        return self.index(session, service_ids)
