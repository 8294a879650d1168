"""Meilisearch, as pure functions: index settings, documents, and the translation of a search.

Nothing here talks to a server (see dora.search.backends.meilisearch), so everything is unit
tested. The same rules as the postgres backend:

- documents carry filter-ready arrays: `thematiques` holds sub-thèmes *and* their categories,
  `publics` holds every public for a `tous-publics` service, `elig` holds the eligibility
  codes (or "*" for everywhere);
- a search with a place is three queries in one multi-search: on-site services within the
  radius (`_geoRadius`, sorted by `_geoPoint`), remote services (not on site within the
  radius, freshest first), and the whole set with `limit: 0` for the total and the facets;
  the first two are merged like the postgres streams (one remote result in five);
- today's suspensions are filtered with day numbers (`suspendu_du` / `suspendu_au`);
- « Ouvert le … »: `ouverture` lists the bits set in `opening_week` (dora.core.opening_week:
  filters have no bitwise operators), filtered with `ouverture IN [...]`.

Documents are built from `search_document` columns, where the rules of dora.rules were applied
once (on site, remote or « lieu non précisé », eligibility codes, category expansion in the
facet keys); the place's codes come from `dora_place_codes` (no région code). Ranking: the
`attribute` rule (names and labels before descriptions) comes before the distance or
freshness sort, as the postgres backend ranks name/label matches first.
tests/search/test_search_differential.py evaluates these filters over these documents and
holds them to the SQL answers (tests/search/meili_filter.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from dora.core import opening_week
from dora.search.facets import FACET_NAMES, Facets
from dora.search.query import Place, SearchQuery

EPOCH = date(1970, 1, 1)
MAX_TOTAL_HITS = 1_000_000

# French stop words (the most frequent words of Snowball's French list): they carry no need.
FRENCH_STOP_WORDS = (  # noqa: SIM905 - a readable block of words
    "au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me même "
    "mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi "
    "ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant suis es est "
    "sommes êtes sont serai seras sera serons serez seront ai as avons avez ont eu"
).split()

SEARCHABLE = ["nom", "structure_nom", "labels", "textes"]
FILTERABLE = [
    *FACET_NAMES, "elig", "on_site", "remote", "suspendu_du", "suspendu_au", "ouverture", "_geo",
]  # fmt: skip
SORTABLE = ["_geo", "date_maj", "service_id"]


def settings() -> dict[str, Any]:
    """Index settings, applied by `dora search reindex` (and checked at every sync)."""
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": FILTERABLE,
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["service_id"],
        # Relevance first (words, typos, proximity, attribute weight), then the query's sort
        # (distance or freshness), then exactness.
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
        "stopWords": FRENCH_STOP_WORDS,
        "typoTolerance": {
            "enabled": True,
            # One typo per word, from four letters (as the postgres backend).
            "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 100},
        },
        "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["fra"]}],
        "faceting": {"maxValuesPerFacet": 200},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    }


def document_id(service_id: str) -> str:
    """Meilisearch ids allow [A-Za-z0-9_-] only: data·inclusion ids are encoded."""
    return base64.urlsafe_b64encode(service_id.encode()).decode().rstrip("=")


def day_number(value: date | None) -> int | None:
    return None if value is None else (value - EPOCH).days


def document(
    row: Mapping[str, Any], key_values: Mapping[int, tuple[str, str]], labels: Mapping[str, str]
) -> dict[str, Any]:
    """A Meilisearch document from a `search_document` row joined to its service.

    `row` has the search_document columns plus `nom`, `structure_nom`, `description`,
    `precisions`, `longitude`, `latitude`; `key_values` maps facet codes to (facet, value).
    """
    values: dict[str, list[str]] = {name: [] for name in FACET_NAMES}
    for code in row["keys"]:
        name, value = key_values[code]
        values[name].append(value)
    located = row["on_site"] and row["longitude"] is not None
    return {
        "id": document_id(row["service_id"]),
        "service_id": row["service_id"],
        "nom": row["nom"],
        "structure_nom": row["structure_nom"],
        "labels": " ".join(
            labels.get(value, value) for name in ("thematiques", "types") for value in values[name]
        ),
        "textes": row["description"] + (" " + row["precisions"] if row["precisions"] else ""),
        **values,
        "elig": list(row["elig"]),
        "on_site": bool(row["on_site"]),
        "remote": bool(row["remote"]),
        "_geo": {"lat": row["latitude"], "lng": row["longitude"]} if located else None,
        "date_maj": day_number(row["date_maj"]),
        "suspendu_du": day_number(row["suspendu_du"]),
        "suspendu_au": day_number(row["suspendu_au"]),
        "ouverture": opening_week.slots(row.get("opening_week")),
    }


def quote(value: str) -> str:
    """A filter string literal (JSON escaping is what Meilisearch expects)."""
    return json.dumps(value, ensure_ascii=False)


def in_list(attribute: str, values: Iterable[str]) -> str:
    return f"{attribute} IN [{', '.join(quote(v) for v in values)}]"


def not_suspended(today: date) -> str:
    day = day_number(today)
    return f"(suspendu_du IS NULL OR suspendu_du > {day} OR suspendu_au < {day})"


def geo_radius(query: SearchQuery, place: Place) -> str:
    radius = round(query.rayon_km * 1000)
    return f"_geoRadius({place.latitude:.6f}, {place.longitude:.6f}, {radius})"


def base_filters(query: SearchQuery, place: Place | None, today: date) -> list[str]:
    """Conditions every part of the search shares (AND-ed)."""
    filters = [not_suspended(today)]
    for name, values in query.filters.items():
        filters.append(in_list(name, values))
    if place is not None:
        filters.append(in_list("elig", place.codes))
    if query.opening_bits is not None:
        any_of, all_of = query.opening_bits
        filters.append(f"ouverture IN [{', '.join(map(str, opening_week.slots(any_of)))}]")
        if all_of:  # a public holiday: open on holidays too
            filters.append(f"ouverture IN [{opening_week.HOLIDAY}]")
    return filters


def within(query: SearchQuery, place: Place) -> str:
    return f"(on_site = true AND {geo_radius(query, place)})"


def join(filters: Sequence[str]) -> str:
    return " AND ".join(f"({f})" for f in filters)


def set_filter(query: SearchQuery, place: Place | None, today: date) -> str:
    """The whole result set (total and facets)."""
    filters = base_filters(query, place, today)
    if place is not None:
        filters.append(
            f"({within(query, place)} OR remote = true)"
            if query.a_distance
            else within(query, place)
        )
    return join(filters)


def search_requests(
    query: SearchQuery, place: Place | None, today: date, index: str
) -> list[dict[str, Any]]:
    """The multi-search payload: [page stream(s)…, counts]."""
    n = query.offset + query.size
    common = {"indexUid": index, "q": query.q, "attributesToRetrieve": ["service_id"]}
    base = base_filters(query, place, today)
    counts = {
        **common,
        "filter": set_filter(query, place, today),
        "facets": list(FACET_NAMES),
        "page": 1,
        "hitsPerPage": 0,
    }
    if place is None:
        sort = [] if query.q else ["date_maj:desc", "service_id:asc"]
        page = {**common, "filter": join(base), "offset": 0, "limit": n}
        if sort:
            page["sort"] = sort
        return [page, counts]
    geo_sort = f"_geoPoint({place.latitude:.6f}, {place.longitude:.6f}):asc"
    requests = [
        {
            **common,
            "filter": join([*base, within(query, place)]),
            "sort": [geo_sort, "service_id:asc"],
            "offset": 0,
            "limit": n,
            "showRankingScore": False,
        }
    ]
    if query.a_distance:
        requests.append(
            {
                **common,
                "filter": join([*base, "remote = true", f"NOT {within(query, place)}"]),
                "sort": ["date_maj:desc", "service_id:asc"],
                "offset": 0,
                "limit": n,
            }
        )
    return [*requests, counts]


def parse_facets(distribution: Mapping[str, Mapping[str, int]]) -> Facets:
    return {name: dict(distribution.get(name, {})) for name in FACET_NAMES}


def geo_distance(hit: Mapping[str, Any]) -> int | None:
    distance = hit.get("_geoDistance")
    return None if distance is None else round(distance)


def streams(results: Sequence[Mapping[str, Any]], located: bool) -> list[tuple[str, list]]:
    """(stream, hits) for the page results of a multi-search answer (counts excluded)."""
    pages = list(results[:-1])
    if not located:
        return [("n", pages[0]["hits"])]
    named = [("o", pages[0]["hits"])]
    if len(pages) > 1:
        named.append(("r", pages[1]["hits"]))
    return named
