"""The facet accelerator gives exactly the totals and facets SQL gives, and follows changes."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dora.search import accel, facets
from dora.search.backends.postgres import PostgresBackend, Statements
from dora.search.query import SearchQuery, resolve_place
from tests.search.conftest import follow_own_writes

COMMUNES = ("93066", "93001", "75056", "75110", "77288", "60057", "69123")
THEMATIQUES = (
    "mobilite--acceder-a-un-vehicule",
    "mobilite--financer-ma-mobilite",
    "numerique--acquerir-un-equipement",
    "sante--acces-aux-soins",
    "famille--garde-denfants",
)
ZONES = (None, ["france"], ["93"], ["75"], ["11"], ["200054781"], ["93066"], ["75110"], ["69"])


@pytest.fixture
def catalogue(place_service, points):
    """About a hundred services spread over the reference places, with varied fields."""
    rng = random.Random(7)
    today = date.today()
    for _ in range(120):
        commune = rng.choice(COMMUNES)
        lon, lat = points[commune]
        suspended = rng.random() < 0.1
        place_service(
            commune,
            point=(lon + rng.uniform(-0.05, 0.05), lat + rng.uniform(-0.05, 0.05)),
            zone_eligibilite=rng.choice(ZONES),
            modes_accueil=rng.choice(
                [["en-presentiel"], ["a-distance"], ["a-distance", "en-presentiel"]]
            ),
            thematiques=rng.sample(THEMATIQUES, rng.randint(1, 2)),
            publics=rng.choice([["tous-publics"], ["jeunes"], ["seniors", "femmes"]]),
            frais=rng.choice(["gratuit", "payant", None]),
            type=rng.choice(["atelier", "formation", None]),
            suspendu_du=today - timedelta(days=1) if suspended else None,
        )


@pytest.fixture(params=["groups one by one", "every group counted apart"])
def new_index(request, monkeypatch):
    """A copy of the index; in the second case every remote eligibility group takes the path
    of the ~28,000 services open everywhere at a million (FacetIndex._large_remote), read by
    the smallest chunks."""

    def make() -> accel.FacetIndex:
        index = accel.FacetIndex()
        if request.param == "every group counted apart":
            index.large_group = 1
            monkeypatch.setattr(accel, "FIRST_CHUNK_EXTRA", 0)
        return index

    return make


def sql_counts(db_session, query: SearchQuery):
    place = resolve_place(db_session, query)
    statements = Statements(query, place, facets.keys(db_session))
    return PostgresBackend(accelerate=False).counts(db_session, statements)


def accel_counts(db_session, index: accel.FacetIndex, query: SearchQuery):
    place = resolve_place(db_session, query)
    today = (date.today() - date(1970, 1, 1)).days
    counted = index.counts(query, place, facets.keys(db_session), today)
    return counted.total, counted.facets


def random_queries(n: int) -> list[SearchQuery]:
    rng = random.Random(11)
    queries = [SearchQuery(), SearchQuery(commune="93066")]
    for _ in range(n):
        queries.append(
            SearchQuery(
                commune=rng.choice((None, *COMMUNES)),
                thematiques=tuple(rng.sample(("mobilite", "numerique", *THEMATIQUES), 1))
                if rng.random() < 0.4
                else (),
                publics=("jeunes",) if rng.random() < 0.3 else (),
                frais=("gratuit",) if rng.random() < 0.3 else (),
                modes_accueil=("a-distance",) if rng.random() < 0.15 else (),
                types=("atelier", "formation") if rng.random() < 0.2 else (),
                rayon_km=rng.choice((5, 20, 50, 200)),
                a_distance=rng.random() < 0.8,
            )
        )
    return queries


def test_same_totals_and_facets_as_sql(catalogue, db_session, new_index):
    index = new_index()
    index.load(db_session.connection())
    assert index.ready
    for query in random_queries(60):
        assert accel_counts(db_session, index, query) == sql_counts(db_session, query), query


def test_follows_inserts_updates_and_removals(catalogue, db_session, new_index, place_service):
    index = new_index()
    follow_own_writes(db_session, index)
    query = SearchQuery(commune="93066", frais=("gratuit",))
    before = accel_counts(db_session, index, query)[0]

    added = place_service(frais="gratuit", zone_eligibilite=["93066"])
    db_session.execute(text("UPDATE service SET frais = 'payant' WHERE id = :id"), {"id": added.id})
    other = place_service(frais="gratuit", zone_eligibilite=None)
    gone = place_service(frais="gratuit", zone_eligibilite=None)
    db_session.execute(
        text("UPDATE service SET statut = 'archive' WHERE id = :id"), {"id": gone.id}
    )
    assert index.apply_delta(db_session.connection()) >= 3
    assert accel_counts(db_session, index, query) == sql_counts(db_session, query)
    # `added` became paid, `gone` is archived: only `other` adds a free service.
    assert accel_counts(db_session, index, query)[0] == before + 1
    assert other.id in {
        row[0] for row in db_session.execute(text("SELECT service_id FROM search_document"))
    }
    for extra in random_queries(20):
        assert accel_counts(db_session, index, extra) == sql_counts(db_session, extra), extra


def test_requests_that_wrote_do_not_use_the_copy(catalogue, db_session):
    index = accel.FacetIndex()
    index.load(db_session.connection())
    # The test transaction has written (the catalogue fixture): the copy must not answer.
    assert index.usable(db_session, db_session.get_bind().engine) is None


TEXTS = ("garage", "mobilité", "garage solidaire", "vehicule", "soins acces", "mobilitee")


@pytest.fixture
def named_catalogue(catalogue, place_service, points):
    """Names and descriptions to search, over the random catalogue."""
    rng = random.Random(3)
    names = ("Garage solidaire", "Accès aux soins", "Atelier mobilité", "Permanence")
    for _ in range(60):
        commune = rng.choice(COMMUNES)
        place_service(
            commune,
            nom=rng.choice(names),
            description=rng.choice(("Un garage.", "Aide aux véhicules.", "Accueil.")),
            zone_eligibilite=rng.choice(ZONES),
            modes_accueil=rng.choice([["en-presentiel"], ["a-distance"]]),
            thematiques=rng.sample(THEMATIQUES, 1),
        )


def test_pages_with_a_place_are_the_same(catalogue, db_session, new_index):
    """Searches with a place (no text): the accelerator's page is the postgres one."""
    from dora.search.backends.postgres import merge_streams

    index = new_index()
    index.load(db_session.connection())
    today = (date.today() - date(1970, 1, 1)).days
    key_map = facets.keys(db_session)
    ords = dict(db_session.execute(text("SELECT service_id, ord FROM search_document")).all())
    for query in random_queries(40):
        if query.commune is None:
            continue
        for page in (1, 3):
            query = query.with_changes(page=page, size=6)
            place = resolve_place(db_session, query)
            statements = Statements(query, place, key_map)
            page_sql = statements.page_sql()
            rows = db_session.execute(
                statements.bind(page_sql), statements.bound_params(page_sql)
            ).all()
            expected = merge_streams(rows, query.offset, query.size)
            _, page_rows = index.page(query, place, key_map, today, None)
            ours = merge_streams(page_rows, query.offset, query.size)
            assert [ords[h.service_id] for h in expected] == [h.service_id for h in ours], query
            assert [h.distance_m for h in expected] == [h.distance_m for h in ours], query


def test_text_searches_give_the_same_counts_and_pages(named_catalogue, db_session):
    from dora.search import text as text_module
    from dora.search.backends.postgres import merge_streams

    index = accel.FacetIndex()
    index.load(db_session.connection())
    today = (date.today() - date(1970, 1, 1)).days
    key_map = facets.keys(db_session)
    rng = random.Random(5)
    for q in TEXTS:
        for commune in (None, "93066", "69123"):
            query = SearchQuery(
                commune=commune, q=q, size=7, page=rng.choice((1, 2)),
                frais=("gratuit",) if rng.random() < 0.3 else (),
            )  # fmt: skip
            place = resolve_place(db_session, query)
            text_query = text_module.prepare(db_session, q)
            statements = Statements(query, place, key_map, text_query)
            sql_total, sql_facets = PostgresBackend(accelerate=False).counts(db_session, statements)
            page_sql = statements.page_sql()
            rows = db_session.execute(
                statements.bind(page_sql), statements.bound_params(page_sql)
            ).all()
            sql_hits = merge_streams(rows, query.offset, query.size)
            match = index.text_match(text_query)
            counted, page_rows = index.page(query, place, key_map, today, match)
            assert (counted.total, counted.facets) == (sql_total, sql_facets), query
            ours = merge_streams(page_rows, query.offset, query.size)
            ords = dict(
                db_session.execute(text("SELECT service_id, ord FROM search_document")).all()
            )
            assert [ords[h.service_id] for h in sql_hits] == [h.service_id for h in ours], query
            assert [h.distance_m for h in sql_hits] == [h.distance_m for h in ours], query


def test_the_freshness_check_reads_indexes_even_with_a_generic_plan(catalogue, db_session):
    """psycopg prepares a statement run five times and PostgreSQL may then keep a generic
    plan, blind to the parameters: the per-request check must still read the indexes (a
    generic `changed_xid = ANY(xip)` scanned the whole table after a bulk load)."""
    sql = accel._STATE.text.replace(":xmax", "$1").replace("CAST(:xip AS bigint[])", "$2")
    # The catalogue was written by one transaction: one xid for all, as after a bulk load.
    db_session.execute(text("ANALYZE search_document"))
    db_session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    db_session.execute(text(f"PREPARE dora_state_check(bigint, bigint[]) AS {sql}"))
    try:
        plan = "\n".join(
            row[0]
            for row in db_session.execute(
                text("EXPLAIN EXECUTE dora_state_check(1, ARRAY[1, 2]::bigint[])")
            )
        )
    finally:
        db_session.execute(text("DEALLOCATE dora_state_check"))
    assert "Seq Scan on search_document" not in plan, plan
    assert "ix_search_document_changed_xid" in plan, plan
