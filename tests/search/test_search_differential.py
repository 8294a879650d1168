"""Differential test of the search engines: random catalogues and queries (hypothesis), the
SQL path, the in-process accelerator and the Meilisearch translation must give the same
answers. The guard for every change of a rule (dora.rules).

- SQL (dora.search.backends.postgres `Statements`) is the reference: totals, facets and the
  page (merged streams, distances).
- The accelerator (dora.search.accel), loaded from the same transaction: the same totals,
  facets, page order and distances.
- `matching_documents` (dora.search.query, used by maps and widgets): the same set.
- Meilisearch, without a server: the filters `meili.search_requests` writes, evaluated over
  the documents `MeilisearchBackend.documents` sends (tests/search/meili_filter.py), select
  the same services for the total, the on-site and the remote streams, with the same facets
  (queries without text: full-text matching is the server's).
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from dora.catalogue.models import Service
from dora.core import opening_week
from dora.search import accel, facets, meili
from dora.search import text as text_module
from dora.search.backends.meilisearch import MeilisearchBackend
from dora.search.backends.postgres import PostgresBackend, Statements, merge_streams
from dora.search.query import SearchQuery, matching_documents, resolve_place
from tests.search.meili_filter import matches

# Saint-Denis, Aubervilliers, Paris and its 10th, Melun, Beauvais, Lyon, Marseille and its
# 1st, Carcassonne (Aude, 11), Ajaccio (2A).
COMMUNES = (
    "93066", "93001", "75056", "75110", "77288", "60057", "69123", "13055", "13201", "11069",
    "2A004",
)  # fmt: skip
ZONE_CODES = (
    "93", "75", "13", "11", "69", "77", "2A", "971",  # départements (never régions)
    "200054781", "200054807",  # EPCI: Métropole du Grand Paris, Aix-Marseille-Provence
    "93066", "75056", "75110", "13055", "13201", "69123",  # communes, arrondissements
    "france", "99100",
)  # fmt: skip
THEMATIQUES = (
    "mobilite--acceder-a-un-vehicule",
    "mobilite--financer-ma-mobilite",
    "numerique--acquerir-un-equipement",
    "sante--acces-aux-soins",
    "famille--garde-denfants",
)
NAMES = ("Garage solidaire", "Atelier CV", "Accès aux soins", "Permanence mobilité", "Accueil")
DESCRIPTIONS = (
    "Aide aux personnes à mobilité réduite.",
    "Réparer sa voiture à petit prix.",
    "Un accueil sans rendez-vous.",
    "Ateliers numériques pour les jeunes.",
)
HOURS = (
    None,
    "Mo-Fr 09:00-12:00",
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Sa 14:00-18:00",
    "Tu,Th 13:30-17:00",
    "24/7",
    "pas d'horaires",  # unreadable: never « ouvert »
)
# Days ahead of today for « Ouvert le … »; the next public holidays are added in the test.
OPEN_DAYS = (0, 1, 2, 3, 4, 5, 6)
TEXTS = ("garage", "mobilité", "mobilite", "soins accès", "atelier", "mobilitee", "voitures")

service_strategy = st.fixed_dictionaries(
    {
        "commune": st.sampled_from(COMMUNES),
        # None: no point at all; else an offset from the commune's point (degrees)
        "offset": st.one_of(
            st.none(),
            st.tuples(st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)),
        ),
        "modes": st.sampled_from(
            [None, [], ["en-presentiel"], ["a-distance"], ["a-distance", "en-presentiel"]]
        ),
        "zone": st.one_of(
            st.none(), st.just([]), st.lists(st.sampled_from(ZONE_CODES), min_size=1, max_size=3)
        ),
        "statut": st.sampled_from(["publie", "publie", "publie", "brouillon", "archive"]),
        "validated": st.sampled_from([True, True, True, False]),
        "suspension": st.one_of(
            st.none(), st.tuples(st.integers(-3, 3), st.one_of(st.none(), st.integers(0, 4)))
        ),
        "thematiques": st.lists(st.sampled_from(THEMATIQUES), min_size=1, max_size=2, unique=True),
        "publics": st.sampled_from([["tous-publics"], ["jeunes"], ["seniors", "femmes"]]),
        "frais": st.sampled_from(["gratuit", "payant", None]),
        "nom": st.sampled_from(NAMES),
        "description": st.sampled_from(DESCRIPTIONS),
        "age_days": st.integers(0, 60),
        "horaires": st.sampled_from(HOURS),
    }
)

query_strategy = st.fixed_dictionaries(
    {
        "commune": st.one_of(st.none(), st.sampled_from(COMMUNES)),
        "rayon_km": st.sampled_from([1, 5, 20, 50, 200]),
        "thematiques": st.sampled_from(
            [(), ("mobilite",), ("numerique",), (THEMATIQUES[0],), ("mobilite", "sante")]
        ),
        "publics": st.sampled_from([(), ("jeunes",), ("seniors",)]),
        "q": st.one_of(st.just(""), st.just(""), st.sampled_from(TEXTS)),
        "a_distance": st.booleans(),
        "tri": st.sampled_from([None, "pertinence", "distance"]),
        # None, a day ahead (index in OPEN_DAYS), or "ph": the next public holiday.
        "ouvert_le": st.one_of(st.none(), st.sampled_from(OPEN_DAYS), st.just("ph")),
        "moment": st.sampled_from(["journee", "matin", "apres-midi"]),
        "page": st.integers(1, 3),
        "size": st.sampled_from([3, 5, 10]),
    }
)


@pytest.fixture
def reference_points(db_session) -> dict[str, tuple[float, float]]:
    rows = db_session.execute(
        text(
            """SELECT code, ST_X(location::geometry) AS lon, ST_Y(location::geometry) AS lat
            FROM commune WHERE code = ANY(:codes)
            UNION ALL
            SELECT code, ST_X(location::geometry), ST_Y(location::geometry)
            FROM arrondissement_municipal WHERE code = ANY(:codes)"""
        ),
        {"codes": list(COMMUNES)},
    )
    points = {row.code: (row.lon, row.lat) for row in rows}
    assert set(points) == set(COMMUNES)
    return points


def _write(make_service, make_structure, points, services: list[dict]) -> None:
    today = date.today()
    open_structure = make_structure(moderation="validee")
    hidden_structure = make_structure(moderation="en-attente")
    for spec in services:
        lon, lat = points[spec["commune"]]
        point = None
        if spec["offset"] is not None:
            point = (lon + spec["offset"][0], lat + spec["offset"][1])
        du = au = None
        if spec["suspension"] is not None:
            du = today + timedelta(days=spec["suspension"][0])
            if spec["suspension"][1] is not None:
                au = du + timedelta(days=spec["suspension"][1])
        make_service(
            structure=open_structure if spec["validated"] else hidden_structure,
            point=point,
            code_insee=spec["commune"],
            modes_accueil=spec["modes"],
            zone_eligibilite=spec["zone"],
            statut=spec["statut"],
            suspendu_du=du,
            suspendu_au=au,
            thematiques=spec["thematiques"],
            publics=spec["publics"],
            frais=spec["frais"],
            nom=spec["nom"],
            description=spec["description"],
            date_maj=today - timedelta(days=spec["age_days"]),
            horaires_accueil=spec["horaires"],
        )


def _sql(session, query, place, key_map, text_query):
    statements = Statements(query, place, key_map, text_query)
    total, facet_counts = PostgresBackend(accelerate=False).counts(session, statements)
    page_sql = statements.page_sql()
    rows = session.execute(statements.bind(page_sql), statements.bound_params(page_sql)).all()
    return total, facet_counts, rows


def _meili_check(session, query, place, total, facet_counts, sql_rows) -> None:
    """The Meilisearch translation selects the same services (queries without text)."""
    backend = MeilisearchBackend("http://127.0.0.1:1", None, "services")
    ids = list(session.execute(text("SELECT service_id FROM search_document")).scalars())
    documents = backend.documents(session, ids)
    requests = meili.search_requests(query, place, date.today(), "services")
    counted = [d for d in documents if matches(requests[-1]["filter"])(d)]
    assert len(counted) == total
    meili_facets = {name: Counter() for name in meili.FACET_NAMES}
    for document in counted:
        for name in meili.FACET_NAMES:
            meili_facets[name].update(document[name])
    assert {n: dict(c) for n, c in meili_facets.items()} == facet_counts
    if place is None:
        return
    # On-site stream (and remote stream): the same services as SQL's, in the page window.
    n = query.offset + query.size
    on_site = [d for d in documents if matches(requests[0]["filter"])(d)]
    sql_on_site = [r.service_id for r in sql_rows if r.stream == "o"]
    assert len(sql_on_site) == min(n, len(on_site))
    assert set(sql_on_site) <= {d["service_id"] for d in on_site}
    if query.a_distance:
        remote = [d for d in documents if matches(requests[1]["filter"])(d)]
        sql_remote = [r.service_id for r in sql_rows if r.stream == "r"]
        assert len(sql_remote) == min(n, len(remote))
        assert set(sql_remote) <= {d["service_id"] for d in remote}


def _check_opening(session, query, place, text_query, total) -> None:
    """« Ouvert le … » keeps exactly the services whose hours, read in Python by the badge's
    parser, open that day at that moment (and on public holidays for a holiday)."""
    unfiltered = matching_documents(
        session,
        query.with_changes(ouvert_le=None, moment="journee"),
        place,
        tsquery=text_query.sql() if text_query else None,
    ).subquery()
    hours = session.execute(
        select(Service.horaires_accueil).join(unfiltered, unfiltered.c.service_id == Service.id)
    ).scalars()
    any_of, all_of = opening_week.wanted_bits(query.ouvert_le, query.moment)
    expected = sum(opening_week.matches(opening_week.week_mask(h), any_of, all_of) for h in hours)
    assert expected == total, (query, expected, total)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    services=st.lists(service_strategy, min_size=1, max_size=14),
    queries=st.lists(query_strategy, min_size=1, max_size=4),
)
def test_sql_accelerator_and_meilisearch_agree(
    db_session, make_service, make_structure, reference_points, services, queries
):
    savepoint = db_session.begin_nested()
    try:
        _write(make_service, make_structure, reference_points, services)
        index = accel.FacetIndex()
        index.load(db_session.connection())
        # The same copy with every remote group counted apart (FacetIndex._large_remote),
        # as the ~28,000 services open everywhere are at a million.
        grouped = copy.copy(index)
        grouped.large_group = 1
        grouped._derive()
        key_map = facets.keys(db_session)
        today = (date.today() - date(1970, 1, 1)).days
        ords = dict(db_session.execute(text("SELECT service_id, ord FROM search_document")).all())
        for spec in queries:
            spec = {**spec}
            if spec["ouvert_le"] is None:
                spec["moment"] = "journee"
            elif spec["ouvert_le"] == "ph":
                spec["ouvert_le"] = next(
                    day
                    for day in (date.today() + timedelta(days=n) for n in range(366))
                    if opening_week.is_public_holiday(day)
                )
            else:
                spec["ouvert_le"] = date.today() + timedelta(days=spec["ouvert_le"])
            query = SearchQuery(**spec)
            place = resolve_place(db_session, query)
            text_query = text_module.prepare(db_session, query.q) if query.q else None
            has_text = text_query is not None and not text_query.empty
            total, facet_counts, rows = _sql(db_session, query, place, key_map, text_query)

            # The filtered set other features use (maps, widgets) is the same set.
            matching = matching_documents(
                db_session, query, place, tsquery=text_query.sql() if text_query else None
            ).subquery()
            assert db_session.scalar(select(func.count()).select_from(matching)) == total, spec
            if query.ouvert_le is not None:
                _check_opening(db_session, query, place, text_query, total)

            for copy_ in (index, grouped):
                if has_text or place is not None:
                    match = copy_.text_match(text_query) if has_text else None
                    counted, page_rows = copy_.page(query, place, key_map, today, match)
                    assert (counted.total, counted.facets) == (total, facet_counts), spec
                    sql_hits = merge_streams(rows, query.offset, query.size)
                    ours = merge_streams(page_rows, query.offset, query.size)
                    assert [ords[h.service_id] for h in sql_hits] == [h.service_id for h in ours], (
                        spec
                    )
                    assert [h.distance_m for h in sql_hits] == [h.distance_m for h in ours], spec
                else:
                    counted = copy_.counts(query, place, key_map, today)
                    assert (counted.total, counted.facets) == (total, facet_counts), spec

            if not query.q:
                _meili_check(db_session, query, place, total, facet_counts, rows)
    finally:
        savepoint.rollback()
