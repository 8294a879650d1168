"""The Meilisearch backend: translation as pure functions, fallback on a closed port, and (with
MEILISEARCH_URL set) the same answers as postgres from a real server."""

from __future__ import annotations

import logging
import os
import re
import socket
import uuid
from datetime import date

import pytest

from dora.search import meili
from dora.search.backends.meilisearch import MeilisearchBackend
from dora.search.query import Place, SearchQuery

TODAY = date(2026, 11, 23)
DAY = (TODAY - date(1970, 1, 1)).days
SAINT_DENIS = Place(
    commune="93066",
    nom="Saint-Denis",
    longitude=2.3539,
    latitude=48.9356,
    departement="93",
    region="11",
    epci="200054781",
    codes=("93066", "200054781", "93", "11", "*"),
)


# Settings and documents ---------------------------------------------------------------------


def test_settings_are_code():
    settings = meili.settings()
    assert settings["searchableAttributes"] == ["nom", "structure_nom", "labels", "textes"]
    assert {"thematiques", "publics", "frais", "modes_accueil", "types", "elig", "_geo"} <= set(
        settings["filterableAttributes"]
    )
    assert "_geo" in settings["sortableAttributes"]
    assert settings["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == 4
    assert {"de", "la", "les", "pour"} <= set(settings["stopWords"])
    assert settings["rankingRules"][:2] == ["words", "typo"]
    assert settings["localizedAttributes"] == [{"attributePatterns": ["*"], "locales": ["fra"]}]


def test_document_ids_are_what_meilisearch_accepts():
    for service_id in ("dora--AidantsConnect:2024-47BXY", "cd35--mjc 13 été", "a/b?c"):
        assert re.fullmatch(r"[A-Za-z0-9_-]+", meili.document_id(service_id))
    assert meili.document_id("x") != meili.document_id("y")


def test_document_has_filter_ready_values():
    key_values = {
        1: ("thematiques", "mobilite--acceder-a-un-vehicule"),
        2: ("thematiques", "mobilite"),
        3: ("publics", "jeunes"),
        4: ("publics", "seniors"),
        5: ("frais", "gratuit"),
        6: ("modes_accueil", "en-presentiel"),
        7: ("types", "atelier"),
    }
    row = {
        "service_id": "dora--1",
        "nom": "Garage solidaire",
        "structure_nom": "Asso",
        "description": "Réparations.",
        "precisions": "Sur rendez-vous.",
        "keys": [1, 2, 3, 4, 5, 6, 7],
        "elig": ["93"],
        "on_site": True,
        "remote": False,
        "longitude": 2.35,
        "latitude": 48.93,
        "date_maj": date(2026, 1, 2),
        "suspendu_du": None,
        "suspendu_au": date(2026, 2, 1),
    }
    labels = {"mobilite": "Mobilité", "atelier": "Atelier"}
    document = meili.document(row, key_values, labels)
    assert document["thematiques"] == ["mobilite--acceder-a-un-vehicule", "mobilite"]
    assert document["publics"] == ["jeunes", "seniors"]
    assert document["_geo"] == {"lat": 48.93, "lng": 2.35}
    assert document["date_maj"] == (date(2026, 1, 2) - date(1970, 1, 1)).days
    assert document["suspendu_du"] is None
    assert document["textes"] == "Réparations. Sur rendez-vous."
    assert "Mobilité" in document["labels"] and "Atelier" in document["labels"]
    remote = meili.document({**row, "on_site": False, "remote": True}, key_values, labels)
    assert remote["_geo"] is None  # remote services are never placed on the map of distances


# Query translation ----------------------------------------------------------------------------


def test_filters_quote_values():
    assert meili.in_list("elig", ["93", 'a"b']) == 'elig IN ["93", "a\\"b"]'
    assert meili.not_suspended(TODAY) == (
        f"(suspendu_du IS NULL OR suspendu_du > {DAY} OR suspendu_au < {DAY})"
    )


def test_search_with_a_place_is_three_queries():
    query = SearchQuery(
        commune="93066", q="garage", thematiques=("mobilite",), frais=("gratuit",), size=10
    )
    on_site, remote, counts = meili.search_requests(query, SAINT_DENIS, TODAY, "services")
    radius = "_geoRadius(48.935600, 2.353900, 50000)"
    for request in (on_site, remote, counts):
        assert request["indexUid"] == "services"
        assert request["q"] == "garage"
        assert 'thematiques IN ["mobilite"]' in request["filter"]
        assert 'frais IN ["gratuit"]' in request["filter"]
        assert 'elig IN ["93066", "200054781", "93", "11", "*"]' in request["filter"]
        assert "suspendu_du IS NULL" in request["filter"]
    assert f"(on_site = true AND {radius})" in on_site["filter"]
    assert on_site["sort"][0] == "_geoPoint(48.935600, 2.353900):asc"
    assert on_site["limit"] == 10
    assert f"NOT (on_site = true AND {radius})" in remote["filter"]
    assert "remote = true" in remote["filter"]
    assert remote["sort"][0] == "date_maj:desc"
    assert counts["hitsPerPage"] == 0
    assert counts["facets"] == ["thematiques", "publics", "frais", "modes_accueil", "types"]
    assert f"(on_site = true AND {radius}) OR remote = true" in counts["filter"]


def test_search_without_remote_or_place():
    query = SearchQuery(commune="93066", a_distance=False, rayon_km=5, page=3, size=20)
    requests = meili.search_requests(query, SAINT_DENIS, TODAY, "services")
    assert len(requests) == 2
    assert requests[0]["limit"] == 60  # the first three pages, merged like postgres
    assert "_geoRadius(48.935600, 2.353900, 5000)" in requests[1]["filter"]
    assert "remote" not in requests[1]["filter"]
    page, _ = meili.search_requests(SearchQuery(q="cv"), None, TODAY, "services")
    assert "sort" not in page  # by relevance
    page, _ = meili.search_requests(SearchQuery(), None, TODAY, "services")
    assert page["sort"] == ["date_maj:desc", "service_id:asc"]
    assert "elig" not in page["filter"]


def test_answers_are_parsed():
    facets = meili.parse_facets({"frais": {"gratuit": 3}, "inconnu": {"x": 1}})
    assert facets["frais"] == {"gratuit": 3}
    assert set(facets) == {"thematiques", "publics", "frais", "modes_accueil", "types"}
    assert meili.geo_distance({"_geoDistance": 1234.6}) == 1235
    assert meili.geo_distance({}) is None
    results = [{"hits": [1]}, {"hits": [2]}, {"hits": []}]
    assert meili.streams(results, located=True) == [("o", [1]), ("r", [2])]
    assert meili.streams(results[1:], located=False) == [("n", [2])]


# Fallback -------------------------------------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


@pytest.fixture
def meilisearch_unreachable(app, closed_port):
    from dora.search import engine

    saved = app.extensions.get(engine.EXTENSION_KEY)
    backend = MeilisearchBackend(f"http://127.0.0.1:{closed_port}", None, "services")
    app.extensions[engine.EXTENSION_KEY] = engine.Engine(
        primary=backend, postgres=engine.PostgresBackend(), fallback=engine._Fallback()
    )
    yield
    app.extensions[engine.EXTENSION_KEY] = saved


def test_unreachable_meilisearch_falls_back_to_postgres(
    meilisearch_unreachable, place_service, search, ids, caplog
):
    service = place_service(nom="Garage solidaire")
    with caplog.at_level(logging.WARNING, logger="dora.search.engine"):
        first = search(commune="93066", q="garage")
        second = search(commune="93066")
    assert first["backend"] == second["backend"] == "postgres"
    assert ids(first) == ids(second) == [service.id]
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once a minute at most
    assert "meilisearch" in warnings[0].getMessage()


def test_sync_keeps_the_outbox_when_meilisearch_is_unreachable(
    app, closed_port, place_service, db_session
):
    from sqlalchemy import text

    from dora.search.backends.base import BackendUnavailable

    service = place_service()
    backend = MeilisearchBackend(f"http://127.0.0.1:{closed_port}", None, "services")
    with pytest.raises(BackendUnavailable):
        backend.index(db_session, [service.id])
    queued = db_session.execute(
        text("SELECT count(*) FROM search_outbox WHERE service_id = :id"), {"id": service.id}
    ).scalar_one()
    assert queued >= 1


# A real server ---------------------------------------------------------------------------------

MEILISEARCH_URL = os.environ.get("MEILISEARCH_URL")
needs_meilisearch = pytest.mark.skipif(
    not MEILISEARCH_URL, reason="MEILISEARCH_URL is not set: no Meilisearch server to test against"
)


@pytest.fixture
def live_backend(db_session):
    backend = MeilisearchBackend(
        MEILISEARCH_URL or "", os.environ.get("MEILISEARCH_API_KEY"), f"test-{uuid.uuid4().hex}"
    )
    backend.apply_settings()
    yield backend
    backend.client.index(backend.index_uid).delete()


@needs_meilisearch
@pytest.mark.meilisearch
def test_meilisearch_answers_like_postgres(live_backend, place_service, db_session):
    from dora.search import facets as facet_module
    from dora.search.backends.postgres import PostgresBackend
    from dora.search.query import resolve_place

    created = [
        place_service(nom="Garage solidaire", frais="gratuit"),
        place_service("93001", nom="Atelier vélo", frais="payant"),
        place_service("69123", nom="Conseil en ligne", modes_accueil=["a-distance"]),
        place_service("69123", nom="Loin d'ici"),
    ]
    live_backend.index(db_session, [s.id for s in created])
    live_backend.client.wait_for_task(
        live_backend.client.get_tasks({"indexUids": [live_backend.index_uid]}).results[0].uid
    )
    for query in (SearchQuery(commune="93066"), SearchQuery(commune="93066", frais=("gratuit",))):
        place = resolve_place(db_session, query)
        theirs = live_backend.search(db_session, query, place)
        ours = PostgresBackend(accelerate=False).search(db_session, query, place)
        assert theirs.total == ours.total
        assert {h.service_id for h in theirs.hits} == {h.service_id for h in ours.hits}
        assert theirs.facets["frais"] == ours.facets["frais"]
    assert facet_module.FACET_NAMES
