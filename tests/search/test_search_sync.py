"""Index maintenance with real, committed transactions (a scratch database of this module):
triggers, the bulk path, the rebuild, the accelerator's deltas and the `dora search` commands.

The rest of the suite runs inside one rolled-back transaction; what is tested here is what
happens between transactions, so it needs commits.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dora.config import normalise_database_url


@pytest.fixture(scope="module")
def scratch_app(database_url):
    import flask_migrate

    from dora import create_app
    from dora.extensions import db
    from geodata.load import load_all

    url = make_url(normalise_database_url(database_url))
    name = f"{url.database}_sync"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    app = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url.set(database=name).render_as_string(hide_password=False),
            "SECRET_KEY": "test",
            "SERVER_NAME": "dora.test",
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        with db.engine.begin() as connection:
            load_all(connection)
    yield app
    with app.app_context():
        db.engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(scratch_app):
    from dora.extensions import db

    with scratch_app.app_context():
        yield db.engine
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM service"))
            connection.execute(sa.text("DELETE FROM structure"))
            connection.execute(sa.text("DELETE FROM search_outbox"))


_number = {"n": 0}


def insert_services(connection, count: int, **overrides) -> list[str]:
    """`count` published on-site services in Saint-Denis, written by one statement."""
    _number["n"] += 1
    structure = f"sync--structure-{_number['n']}"
    connection.execute(
        sa.text("INSERT INTO structure (id, source, nom, date_maj) VALUES (:id, 'test', :nom, :d)"),
        {"id": structure, "nom": overrides.pop("structure_nom", "Structure"), "d": date.today()},
    )
    ids = [f"sync--service-{_number['n']}-{i}" for i in range(count)]
    connection.execute(
        sa.text(
            """INSERT INTO service (id, source, structure_id, nom, description, date_maj, statut,
                thematiques, modes_accueil, frais, code_insee, location)
            SELECT i, 'test', :structure, :nom, 'Un service.', current_date, :statut,
                ARRAY['mobilite--acceder-a-un-vehicule'], ARRAY['en-presentiel'], :frais,
                '93066', ST_GeogFromText('SRID=4326;POINT(2.3539 48.9356)')
            FROM unnest(CAST(:ids AS text[])) AS i"""
        ),
        {
            "structure": structure,
            "ids": ids,
            "nom": overrides.get("nom", "Garage solidaire"),
            "statut": overrides.get("statut", "publie"),
            "frais": overrides.get("frais", "gratuit"),
        },
    )
    return ids


def indexed(connection, ids) -> set[str]:
    rows = connection.execute(
        sa.text("SELECT service_id FROM search_document WHERE service_id = ANY(:ids)"),
        {"ids": list(ids)},
    )
    return {row.service_id for row in rows}


def pending(connection) -> int:
    return connection.execute(sa.text("SELECT count(*) FROM search_outbox WHERE pending")).scalar()


def test_a_committed_write_is_searchable_at_once(engine):
    with engine.begin() as connection:
        ids = insert_services(connection, 3)
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
        queued = connection.execute(
            sa.text("SELECT count(*) FROM search_outbox WHERE service_id = ANY(:ids)"),
            {"ids": ids},
        ).scalar()
        assert queued == 3  # for Meilisearch
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE service SET statut = 'archive' WHERE id = :id"),
                           {"id": ids[0]})  # fmt: skip
        connection.execute(sa.text("DELETE FROM service WHERE id = :id"), {"id": ids[1]})
    with engine.connect() as connection:
        assert indexed(connection, ids) == {ids[2]}


def test_a_rolled_back_write_leaves_no_trace(engine):
    with engine.connect() as connection:
        transaction = connection.begin()
        ids = insert_services(connection, 2)
        assert indexed(connection, ids) == set(ids)
        transaction.rollback()
    with engine.connect() as connection:
        assert indexed(connection, ids) == set()


def test_bulk_writes_are_queued_then_built(engine):
    from dora.search import sync

    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 2"))
        ids = insert_services(connection, 5)
        visible_before = insert_services(connection, 1)  # small statement: built at once
    with engine.connect() as connection:
        assert indexed(connection, ids) == set()
        assert indexed(connection, visible_before) == set(visible_before)
        assert pending(connection) == 5
    report = sync.build_pending(engine)
    assert report.built == 5 and not report.rebuilt
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
        assert pending(connection) == 0


def test_bulk_written_then_deleted_services_need_no_building(engine):
    from dora.search import sync

    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 2"))
        gone = insert_services(connection, 5)
        kept = insert_services(connection, 3)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM service WHERE id = ANY(:ids)"), {"ids": gone})
    with engine.connect() as connection:
        assert pending(connection) == 8
    report = sync.build_pending(engine)
    assert report.built == 3 and not report.rebuilt
    with engine.connect() as connection:
        assert indexed(connection, gone + kept) == set(kept)
        assert pending(connection) == 0
        for_meilisearch = connection.execute(
            sa.text("SELECT count(DISTINCT service_id) FROM search_outbox WHERE NOT pending")
        ).scalar()
        assert for_meilisearch == 8  # the deletions still reach Meilisearch


def test_bulk_unpublishing_hides_at_once(engine):
    with engine.begin() as connection:
        ids = insert_services(connection, 4)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 2"))
        connection.execute(
            sa.text("UPDATE service SET statut = 'brouillon' WHERE id = ANY(:ids)"), {"ids": ids}
        )
    with engine.connect() as connection:
        assert indexed(connection, ids) == set()  # before any sync


def test_structure_moderation_and_name_reach_the_index(engine):
    with engine.begin() as connection:
        ids = insert_services(connection, 2, structure_nom="Ancien nom")
        structure = connection.execute(
            sa.text("SELECT structure_id FROM service WHERE id = :id"), {"id": ids[0]}
        ).scalar()
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE structure SET nom = 'Atelier Zébulon' WHERE id = :id"),
            {"id": structure},
        )
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT count(*) FROM search_document"
                " WHERE tsv @@ to_tsquery('dora_french', 'zebulon')"
            )
        ).scalar()
        assert found == 2
        assert (
            connection.execute(
                sa.text("SELECT forme FROM search_lexicon WHERE word = 'zebulon'")
            ).scalar()
            == "zébulon"
        )
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE structure SET moderation = 'refusee' WHERE id = :id"),
            {"id": structure},
        )
    with engine.connect() as connection:
        assert indexed(connection, ids) == set()


def test_rebuild_recomputes_everything_and_swaps(engine):
    from dora.search import sync

    with engine.begin() as connection:
        ids = insert_services(connection, 6)
        insert_services(connection, 2, statut="brouillon")
        generation = connection.execute(
            sa.text("SELECT value FROM search_meta WHERE key = 'generation'")
        ).scalar()
        # An index damaged by hand: the rebuild must not trust it.
        connection.execute(sa.text("DELETE FROM search_document WHERE service_id = :id"),
                           {"id": ids[0]})  # fmt: skip
    report = sync.rebuild(engine)
    assert report.rebuilt and report.built == 6
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
        assert connection.execute(sa.text("SELECT count(*) FROM search_document")).scalar() == 6
        assert (
            connection.execute(
                sa.text("SELECT value FROM search_meta WHERE key = 'generation'")
            ).scalar()
            == generation + 1
        )
        names = set(
            connection.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'search_document'")
            ).scalars()
        )
        assert names == set(sync.INDEXES)
        assert sa.inspect(connection).has_table("search_document_new") is False
    # Still maintained by the triggers afterwards.
    with engine.begin() as connection:
        more = insert_services(connection, 1)
    with engine.connect() as connection:
        assert indexed(connection, more) == set(more)


def test_accelerator_follows_committed_changes(engine):
    from sqlalchemy.orm import Session

    from dora.search import accel, facets
    from dora.search.query import SearchQuery, resolve_place

    with engine.begin() as connection:
        insert_services(connection, 3, frais="gratuit")
    index = accel.FacetIndex()
    with engine.connect() as connection:
        index.load(connection)
    query = SearchQuery(commune="93066")

    def counted():
        with Session(engine) as session:
            today = index.usable(session, engine)
            assert today is not None
            place = resolve_place(session, query)
            return index.counts(query, place, facets.keys(session), today)

    before = counted()
    before_generation = index.generation
    with engine.begin() as connection:
        added = insert_services(connection, 2, frais="payant")
    after = counted()
    assert after.total == before.total + 2
    assert after.facets["frais"]["payant"] == before.facets["frais"].get("payant", 0) + 2
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM service WHERE id = ANY(:ids)"), {"ids": added})
    assert counted().total == before.total
    # A rebuild makes the copy stale: it reloads in the background, SQL answers meanwhile.
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE search_meta SET value = value + 1"))
    with Session(engine) as session:
        assert index.usable(session, engine) is None
    for _ in range(100):  # the reload runs in a thread: let it finish
        if not index.loading:
            break
        time.sleep(0.1)
    assert index.generation == before_generation + 1


def test_search_commands(scratch_app, engine):
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 3)
    from dora.cli import cli

    runner = scratch_app.test_cli_runner()
    status = runner.invoke(cli, ["search", "status"])
    assert status.exit_code == 0
    assert "Documents en attente de construction : 3" in status.output
    result = runner.invoke(cli, ["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "3 document(s) construit(s)" in result.output
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
    result = runner.invoke(cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Réindexation" in result.output and "index reconstruit" in result.output


def test_reindex_never_stalls_on_a_transaction_left_open(scratch_app, engine, monkeypatch):
    from dora.cli import cli
    from dora.search import sync

    monkeypatch.setattr(sync, "SWAP_LOCK_TIMEOUT", "50ms")
    monkeypatch.setattr(sync, "SWAP_PAUSE_S", 0.0)
    monkeypatch.setattr(sync, "SWAP_ATTEMPTS", 3)
    with engine.begin() as connection:
        ids = insert_services(connection, 2)
    idle = engine.connect()
    idle.begin()
    assert indexed(idle, ids) == set(ids)  # holds a lock on the index, then sits idle
    try:
        started = time.perf_counter()
        result = scratch_app.test_cli_runner().invoke(cli, ["search", "reindex"])
        assert time.perf_counter() - started < 30
        assert result.exit_code == 1
        assert "resté verrouillé" in result.output and "idle in transaction" in result.output
        with engine.connect() as connection:  # the old index still answers
            assert indexed(connection, ids) == set(ids)
    finally:
        idle.rollback()
        idle.close()
    report = sync.rebuild(engine)
    assert report.rebuilt and report.built == 2
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
        assert sa.inspect(connection).has_table("search_document_new") is False


def test_build_after_a_bulk_write_does_not_wait_on_its_own_session(
    scratch_app, engine, monkeypatch
):
    from flask import g

    from dora.extensions import db
    from dora.search import sync

    monkeypatch.setattr(sync, "REBUILD_FROM_ROWS", 1)  # the swap path, even for 3 services
    monkeypatch.setattr(sync, "SWAP_LOCK_TIMEOUT", "50ms")
    monkeypatch.setattr(sync, "SWAP_PAUSE_S", 0.0)
    monkeypatch.setattr(sync, "SWAP_ATTEMPTS", 2)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 3)
    with scratch_app.app_context():
        # A command that read the index after its bulk write: its session holds a lock.
        db.session.execute(sa.text("SELECT count(*) FROM search_document")).scalar()
        g.search_bulk_written = True
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
        assert pending(connection) == 0


def test_answers_are_cached_until_the_index_changes(scratch_app, engine):
    from dora.search import accel, api

    with engine.begin() as connection:
        insert_services(connection, 2, frais="gratuit")
    index = accel.index_for(engine)
    with engine.connect() as connection:
        index.load(connection)
    client = scratch_app.test_client()
    scratch_app.extensions.pop(api.CACHE_KEY, None)
    first = client.get("/api/v1/search?commune=93066").get_json()
    assert client.get("/api/v1/search?commune=93066").get_json() == first
    cache = scratch_app.extensions[api.CACHE_KEY]
    assert (cache.hits, cache.misses) == (1, 1)
    with engine.begin() as connection:
        insert_services(connection, 1, frais="payant")
    after = client.get("/api/v1/search?commune=93066").get_json()
    assert after["total"] == first["total"] + 1  # never a stale answer
    assert (
        after["facets"]["frais"].get("payant", 0) == first["facets"]["frais"].get("payant", 0) + 1
    )
    accel.discard(engine)


# The outbox heals itself: `dora search worker`, /healthz, failures that say so ----------


def _health(app) -> dict:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    return response.get_json()


def test_worker_heals_what_a_killed_writer_left(scratch_app, engine, monkeypatch):
    from dora.cli import cli

    # A bulk writer committed, then died before indexing: its services wait in the queue.
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 5)
    health = _health(scratch_app)
    assert health["search_queue"]["pending"] == 5
    assert health["status"] == "ok"  # young entries: nobody is late yet
    monkeypatch.setitem(scratch_app.config, "SEARCH_QUEUE_MAX_AGE", 0)
    time.sleep(0.05)
    health = _health(scratch_app)
    assert health["status"] == "degraded" and health["search_queue"]["status"] == "en retard"

    result = scratch_app.test_cli_runner().invoke(cli, ["search", "worker", "--une-fois"])
    assert result.exit_code == 0, result.output
    assert "5 document(s) construit(s)" in result.output
    assert "Meilisearch" not in result.output  # not configured: not spoken of
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)
    health = _health(scratch_app)
    assert health["status"] == "ok"
    assert health["search_queue"] == {
        "pending": 0,
        "queued": 0,
        "oldest_age_s": None,
        "max_age_s": 0,
        "status": "ok",
    }


def test_worker_builds_what_arrives_while_it_runs(scratch_app, engine):
    import threading

    from dora.search import worker

    loop = worker.Loop(scratch_app, interval_s=0.2)
    failures: list[int] = []

    def run() -> None:
        with scratch_app.app_context():
            failures.append(loop.run(echo=lambda _line: None))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
            ids = insert_services(connection, 4)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if indexed(connection, ids) == set(ids):
                    break
            time.sleep(0.1)
        with engine.connect() as connection:
            assert indexed(connection, ids) == set(ids)
            assert pending(connection) == 0
    finally:
        loop.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert failures == [0]


def test_worker_retries_a_failed_round_and_loses_nothing(scratch_app, engine, monkeypatch):
    from dora.search import sync, worker

    real_refresh = sync.refresh
    calls = {"n": 0}

    def failing_once(connection, service_ids):
        calls["n"] += 1
        if calls["n"] <= 2:  # the batch and its retry: a real SQL error from PostgreSQL
            connection.execute(sa.text("SELECT 1 / 0"))
        real_refresh(connection, service_ids)

    monkeypatch.setattr(sync, "refresh", failing_once)
    monkeypatch.setattr(sync, "WORKERS", 1)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 3)
    lines: list[str] = []
    with scratch_app.app_context():
        loop = worker.Loop(scratch_app, interval_s=0.01)
        failures = loop.run(rounds=2, echo=lines.append)
    assert failures == 1
    assert "division by zero" in lines[0] and "nouvel essai" in lines[0]
    assert "3 document(s) construit(s)" in lines[1]
    with engine.connect() as connection:
        assert indexed(connection, ids) == set(ids)


def test_a_failed_sync_says_why_and_exits_non_zero(scratch_app, engine, monkeypatch):
    from dora.cli import cli
    from dora.search import sync

    def broken(connection, service_ids):
        connection.execute(sa.text("SELECT 1 / 0"))

    monkeypatch.setattr(sync, "refresh", broken)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 2)
    runner = scratch_app.test_cli_runner()
    result = runner.invoke(cli, ["search", "sync"])
    assert result.exit_code == 1
    assert "Erreur : construction des documents en attente impossible" in result.output
    assert "division by zero" in result.output
    with engine.connect() as connection:
        assert pending(connection) == 2  # still queued: the worker or a later sync builds it
        assert indexed(connection, ids) == set()


def test_a_bulk_command_whose_indexing_fails_exits_non_zero(scratch_app, engine, monkeypatch):
    """What `dora demo seed` / `dora import` do after their commit (`services_bulk_written`)."""
    from flask import g

    from dora.core.cli_errors import FrenchError
    from dora.search import sync

    def broken(connection, service_ids):
        connection.execute(sa.text("SELECT 1 / 0"))

    monkeypatch.setattr(sync, "refresh", broken)
    with engine.begin() as connection:
        connection.execute(sa.text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = insert_services(connection, 2)
    # A command: no request.
    with pytest.raises(FrenchError) as failure, scratch_app.app_context():
        g.search_bulk_written = True
    assert "indexation pour la recherche a échoué" in failure.value.message
    assert "division by zero" in failure.value.message
    with engine.connect() as connection:
        assert pending(connection) == 2 and indexed(connection, ids) == set()
    # A request that wrote answers normally: the failure is logged, the worker heals it.
    with scratch_app.test_request_context("/"):
        g.search_bulk_written = True


def test_two_rebuilds_never_share_the_shadow_table(scratch_app, engine):
    from dora.search import sync

    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": sync.REBUILD_LOCK_KEY})
        try:
            with pytest.raises(sync.RebuildRunning):
                sync.rebuild(engine)
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": sync.REBUILD_LOCK_KEY})
    assert sync.rebuild(engine).rebuilt


def _map_counts(connection) -> dict:
    return {
        "cells": sorted(
            connection.execute(
                sa.text("SELECT level, categorie, cx, cy, n FROM map_grid_cell WHERE n <> 0")
            ).all()
        ),
        "communes": sorted(
            connection.execute(
                sa.text("SELECT code_insee, cle, n FROM map_commune_stat WHERE n <> 0")
            ).all()
        ),
        "remote": sorted(
            connection.execute(sa.text("SELECT zone, n FROM map_remote_zone WHERE n <> 0")).all()
        ),
    }


def test_map_counts_follow_the_index_through_a_rebuild(engine):
    """Map counts are maintained from search_document (dora.search.map_counts): they follow
    writes, a rebuild keeps them (its triggers come back on the new table), and the
    incremental counts are what a full recount gives."""
    from dora.search import sync

    with engine.begin() as connection:
        before = _map_counts(connection)["communes"]
        insert_services(connection, 3)
        on_site = {(code, key): n for code, key, n in _map_counts(connection)["communes"]}
        assert on_site[("93066", "")] - {(c, k): n for c, k, n in before}.get(("93066", ""), 0) == 3
        assert on_site[("93066", "c:mobilite")] >= 3
    with engine.connect() as connection:
        counted = _map_counts(connection)
    sync.rebuild(engine)
    with engine.begin() as connection:
        assert _map_counts(connection) == counted
        ids = insert_services(connection, 2)
        connection.execute(
            sa.text("UPDATE service SET statut = 'archive' WHERE id = :id"), {"id": ids[0]}
        )
    with engine.begin() as connection:
        after = {(c, k): n for c, k, n in _map_counts(connection)["communes"]}
        assert after[("93066", "")] == on_site[("93066", "")] + 1
        incremental = _map_counts(connection)
        connection.execute(sa.text("SELECT map_grid_rebuild()"))
        assert _map_counts(connection) == incremental
