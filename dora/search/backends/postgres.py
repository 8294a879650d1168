"""The embedded backend: PostgreSQL full text + PostGIS over `search_document`.

A search runs two statements (plus the text look-ups of dora.search.text when there is text):

- the *page*: with a place, two ranked streams cut at `offset + size` rows —
  on-site services within the radius (by distance — always with `tri=distance` —, or, with
  text and `tri=pertinence` (the default with text), first by how many words
  match in a name or a label rather than only in descriptions — `TextQuery.strength_sql` —
  then by relevance blended with proximity) and remote services (freshest first, or by
  that strength, then relevance) — merged in Python so
  that one result in `REMOTE_EVERY` is remote (positions 3, 8, 13…) while both streams last.
  Without a place, one list by relevance or freshness. Every ordering ends with a unique key
  (the document's `ord`; the service id for the freshest-first national list), so pages never
  repeat or skip a result. When the in-process accelerator can answer (dora.search.accel),
  it gives totals and facets and, for searches with a place or with text, the page too (the
  same orders): SQL then only maps its documents to services.
- the *counts*: total and facet counts of the same set, in one scan (`unnest(keys)`).

`Statements` builds both as plain SQL with bound parameters, so that the benchmark can run the
very same SQL without the application around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context, request
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import SmallInteger, Text

from dora import rules
from dora.search import accel, offer_types
from dora.search import facets as facet_module
from dora.search.backends.base import Hit, SearchResult
from dora.search.query import Place, SearchQuery
from dora.search.text import TextQuery

# One result in REMOTE_EVERY is a remote service, at REMOTE_SLOT within each group of results.
REMOTE_EVERY = 5
REMOTE_SLOT = 2
# Above this many on-site matches within the radius, the page walks the location index in
# distance order (a few rows); below, it reads the matches through the other indexes.
KNN_FROM = 1000
_UNCHECKED = object()
_MEMO = "dora.search.accelerator"
CUSTOM_PLANS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"
# Text relevance is halved 10 km away (and divided by 6 at 50 km).
PROXIMITY_HALF_M = 10_000

NOT_SUSPENDED = rules.NOT_SUSPENDED_SQL.format(alias="d")
WITHIN = "(d.on_site AND ST_DWithin(d.location, ST_GeogFromText(:point), :radius_m, false))"
DISTANCE = "(d.location <-> ST_GeogFromText(:point))"

_ARRAY_PARAMS = {"codes": ARRAY(Text)}


@dataclass
class Statements:
    """The SQL of one search, with its parameters (see the module docstring)."""

    query: SearchQuery
    place: Place | None
    key_map: facet_module.FacetKeys
    text_query: TextQuery | None = None
    # On-site page by nearest-neighbour index scan (see on_site_by_distance): chosen when
    # many on-site services match, as counted beforehand.
    knn: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)
    # The same conditions with the eligibility and filters written so that no index matches
    # them: the planner then walks the location index in distance order.
    knn_conditions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.conditions = [NOT_SUSPENDED]
        self.knn_conditions = [NOT_SUSPENDED]
        for index, (name, values) in enumerate(self.query.filters.items()):
            self.params[f"f{index}"] = self.key_map.codes(name, values)
            self.conditions.append(f"d.keys && CAST(:f{index} AS smallint[])")
            self.knn_conditions.append(
                f"(d.keys || '{{}}'::smallint[]) && CAST(:f{index} AS smallint[])"
            )
        if self.query.offre:
            offer = offer_types.condition(self.query.offre, "d.service_id")
            self.conditions.append(offer)
            self.knn_conditions.append(offer)
        if self.query.opening_bits is not None:
            # « Ouvert le … »: one of the day's halves, and the holiday bit on a public
            # holiday (dora.core.opening_week); NULL (no readable hours) never matches.
            self.params["open_any"], self.params["open_all"] = self.query.opening_bits
            opening = (
                "(d.opening_week & :open_any) <> 0 AND (d.opening_week & :open_all) = :open_all"
            )
            self.conditions.append(opening)
            self.knn_conditions.append(opening)
        self.score = "0"
        self.strength = "0"
        if self.has_text:
            assert self.text_query is not None
            self.params["tsq"] = self.text_query.tsquery_text()
            self.conditions.append("d.tsv @@ to_tsquery('dora_french', :tsq)")
            self.knn_conditions.append("d.tsv @@ to_tsquery('dora_french', :tsq)")
            self.score, score_params = self.text_query.score_sql()
            self.strength = self.text_query.strength_sql()
            self.params.update(score_params)
        if self.place is not None:
            place = self.place
            self.params.update(
                codes=list(place.codes),
                point=place.point_wkt,
                radius_m=self.query.rayon_km * 1000,
            )
            self.conditions.append("d.elig && CAST(:codes AS text[])")
            self.knn_conditions.append("(d.elig || '{}'::text[]) && CAST(:codes AS text[])")

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
        """Total (k = 0), on-site matches within the radius (k = -1) and count per key."""
        where = self.where(self.located_set()) if self.place else self.where()
        on_site = WITHIN if self.place else "false"
        return f"""WITH m AS MATERIALIZED (
    SELECT d.keys, {on_site} AS on_site FROM search_document AS d WHERE {where})
SELECT 0 AS k, count(*) AS n FROM m
UNION ALL
SELECT -1, count(*) FILTER (WHERE m.on_site) FROM m
UNION ALL
SELECT k, count(*) FROM m, unnest(m.keys) AS k GROUP BY k"""

    # Page ----------------------------------------------------------------------------------

    def page_sql(self) -> str:
        """Ranked candidates of the page: (stream, part, service_id, distance, rank)."""
        self.params["n"] = self.query.offset + self.query.size
        if self.place is None:
            order = (
                "s.strength DESC, s.score DESC, s.date_maj DESC, s.ord DESC"
                if self.has_text
                else "s.date_maj DESC, s.service_id DESC"
            )
            return _ranked("n", 0, self._candidates(self.where(), order), order)
        if self.has_text and not self.query.by_distance:
            blended = (
                f"{self.score} * {PROXIMITY_HALF_M}::float8 / ({PROXIMITY_HALF_M} + {DISTANCE})"
            )
            on_site_order = "s.strength DESC, s.blended DESC, s.ord"
            on_site = self._candidates(self.where(WITHIN), on_site_order, blended)
        elif self.knn:
            on_site = self.on_site_by_distance()
            on_site_order = "s.distance, s.ord"
        else:
            on_site = self._candidates(self.where(WITHIN), "s.distance, s.ord")
            on_site_order = "s.distance, s.ord"
        parts = [_ranked("o", 0, on_site, on_site_order)]
        if self.query.a_distance:
            parts += self._remote_parts()
        return "\nUNION ALL\n".join(parts)

    def on_site_by_distance(self) -> str:
        """The :n nearest on-site services, ties broken by id, through the KNN index.

        The index gives the distance of the n-th nearest (`edge`); every match within `edge`
        is then sorted by (distance, id), so equal distances never make pages unstable.
        """
        knn_where = " AND ".join([*self.knn_conditions, WITHIN])
        return f"""SELECT d.service_id, d.ord, {DISTANCE} AS distance
FROM search_document AS d,
    (SELECT max(k.distance) AS edge FROM (
        SELECT {DISTANCE} AS distance FROM search_document AS d WHERE {knn_where}
        ORDER BY {DISTANCE} LIMIT :n) AS k) AS e
WHERE {knn_where}
    AND ST_DWithin(d.location, ST_GeogFromText(:point), e.edge + 1, false)
    AND {DISTANCE} <= e.edge
ORDER BY {DISTANCE}, d.ord LIMIT :n"""

    def _candidates(
        self, where: str, order: str, score: str | None = None, *, distance: bool = True
    ) -> str:
        """The first :n rows of `search_document AS d` under `where`, ordered by `order`
        (written over the output columns `s.…`: distance, score, blended…).
        Remote services have no distance (`distance=False`)."""
        columns = {
            "service_id": "d.service_id",
            "date_maj": "d.date_maj",
            "ord": "d.ord",
            "distance": DISTANCE if self.place and distance else "NULL::float",
        }
        if self.has_text:
            columns["score"] = self.score
            columns["strength"] = self.strength
        if score:
            columns["blended"] = score
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
        """Remote services not already on site within the radius: by relevance with text,
        else freshest first (read in the order of a partial index on remote services)."""
        remote = f"d.remote AND NOT {WITHIN}"
        order = (
            "s.strength DESC, s.score DESC, s.date_maj DESC, s.ord DESC"
            if self.has_text
            else "s.date_maj DESC, s.ord DESC"
        )
        candidates = self._candidates(self.where(remote), order, distance=False)
        return [_ranked("r", 1, candidates, order)]

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
    """`accelerate`: totals and facets of searches without text come from the in-process
    copy of the index (dora.search.accel) when it is loaded and the request has not written."""

    name = "postgres"

    def __init__(self, *, accelerate: bool = True) -> None:
        self.accelerate = accelerate

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
        # The accelerator's copy of the index does not know offer types (offer_types).
        accelerator = None if query.offre else self.accelerator(session)
        statements = self.statements(session, query, place, text_query)
        suggestion = text_query.suggestion if text_query else None
        if accelerator is not None:
            index, today = accelerator
            if statements.has_text or place is not None:
                counted, hits = self._accelerated_page(statements, index, today)
                return SearchResult(
                    total=counted.total,
                    hits=hits,
                    facets=counted.facets,
                    backend=self.name,
                    suggestion=suggestion,
                    notes={"counts": "accelerator", "page": "accelerator"},
                )
            counted = index.counts(query, place, statements.key_map, today)
        else:
            counted = None
        if counted is not None:
            total, on_site, facets = counted.total, counted.on_site, counted.facets
        else:
            session.execute(text(CUSTOM_PLANS))
            total, on_site, facets = self.counts_with_on_site(session, statements)
        statements.knn = on_site >= KNN_FROM
        # psycopg prepares a statement run five times, and PostgreSQL then tends to a generic
        # plan, blind to the parameters (a radius around Paris is not one around a village):
        # the page is planned for its own values (for this transaction only).
        session.execute(text(CUSTOM_PLANS))
        page_sql = statements.page_sql()
        rows = session.execute(statements.bind(page_sql), statements.bound_params(page_sql)).all()
        hits = merge_streams(rows, query.offset, query.size)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            backend=self.name,
            suggestion=suggestion,
            notes={"counts": "accelerator" if counted is not None else "sql", "page": "sql"},
        )

    def accelerator(self, session: Session) -> tuple[accel.FacetIndex, int] | None:
        """The process' copy of the index and today's day, when it can answer (checked once
        per request: dora.search.api may have done it already)."""
        if not self.accelerate:
            return None
        # Per request (the WSGI environ: `g` may outlive a request when an app context was
        # pushed beforehand, as in CLI commands).
        memo = request.environ if has_request_context() else {}
        checked = memo.get(_MEMO, _UNCHECKED)
        if checked is not _UNCHECKED:
            return checked
        engine = session.get_bind().engine
        index = accel.index_for(engine)
        today = index.usable(session, engine)
        answer = None if today is None else (index, today)
        memo[_MEMO] = answer
        return answer

    def _accelerated_page(self, statements: Statements, index, today: int):
        match = None
        if statements.has_text:
            assert statements.text_query is not None
            match = index.text_match(statements.text_query)
        query = statements.query
        counted, rows = index.page(query, statements.place, statements.key_map, today, match)
        hits = [
            Hit(service_id=None, distance_m=hit.distance_m, ord=hit.service_id)
            for hit in merge_streams(rows, query.offset, query.size)
        ]
        return counted, hits

    def counts_with_on_site(
        self, session: Session, statements: Statements
    ) -> tuple[int, int, facet_module.Facets]:
        sql = statements.counts_sql()
        counts = dict(session.execute(statements.bind(sql), statements.bound_params(sql)).all())
        return counts.pop(0, 0), counts.pop(-1, 0), statements.key_map.facets(counts)

    def counts(self, session: Session, statements: Statements) -> tuple[int, facet_module.Facets]:
        total, _, facets = self.counts_with_on_site(session, statements)
        return total, facets

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
