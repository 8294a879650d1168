"""Postings of every word, read with the accelerator's copy (dora.search.accel._Postings,
loaded before gunicorn forks): each is what SQL's `tsv @@ lexeme` finds, with the same weight
class, after loading and after deltas; and the text of a search is then looked up in memory
(dora.search.text.prepare with the copy's oracle) with the same outcome as in SQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from dora.search import accel
from dora.search import text as text_module
from tests.search.conftest import follow_own_writes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worded(place_service):
    """Services whose words have clearly different frequencies."""
    for n in range(30):
        place_service(
            "93066",
            nom="Garage solidaire" if n % 2 else "Atelier vélo",
            description="Réparation de véhicules." if n % 3 == 0 else "Accueil sans rendez-vous.",
            thematiques=["mobilite--entretenir-reparer-son-vehicule"],
        )


def _sql_postings(connection) -> dict[str, tuple[list[int], list[int]]]:
    """Every lexeme's documents and weight class, as SQL finds them."""
    words = connection.execute(text("SELECT word FROM ts_stat('SELECT tsv FROM search_document')"))
    found = {}
    for (word,) in words.all():
        rows = connection.execute(
            text(
                "SELECT ord, CASE WHEN tsv @@ CAST(:a AS tsquery) THEN 3"
                " WHEN tsv @@ CAST(:b AS tsquery) THEN 2 ELSE 1 END"
                " FROM search_document WHERE tsv @@ CAST(:q AS tsquery) ORDER BY ord"
            ),
            {"q": _quoted(word), "a": _quoted(word) + ":A", "b": _quoted(word) + ":B"},
        ).all()
        found[word] = ([r[0] for r in rows], [r[1] for r in rows])
    return found


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


def _assert_same_as_sql(index: accel.FacetIndex, connection) -> int:
    expected = _sql_postings(connection)
    with index.lock:
        for lexeme, (ords, classes) in expected.items():
            got_ords, got_classes = index.postings.get(lexeme)
            assert got_ords.tolist() == ords, lexeme
            assert got_classes.tolist() == classes, lexeme
            assert index.postings.known(lexeme)
        assert not index.postings.known("zzzaucunmot")
        # Nothing held beyond what SQL finds.
        held = set(index.postings.lexeme_at) | set(index.postings.extra)
        assert {w for w in held if len(index.postings.get(w)[0])} <= set(expected)
    return len(expected)


def test_every_posting_is_read_with_the_copy(worded, db_session):
    index = accel.FacetIndex()
    index.load(db_session.connection())
    assert index.ready
    lexemes = _assert_same_as_sql(index, db_session.connection())
    assert lexemes > 10
    entries = db_session.execute(text("SELECT sum(length(tsv)) FROM search_document")).scalar_one()
    assert index.postings.entries == entries


def test_postings_follow_inserts_updates_and_removals(worded, db_session, place_service):
    index = accel.FacetIndex()
    follow_own_writes(db_session, index)
    place_service("93066", nom="Trottinettes électriques", description="Prêt gratuit.")
    renamed = db_session.execute(
        text("SELECT id FROM service WHERE nom = 'Garage solidaire' ORDER BY id LIMIT 1")
    ).scalar_one()
    db_session.execute(
        text("UPDATE service SET nom = 'Atelier réparation' WHERE id = :id"), {"id": renamed}
    )
    archived = db_session.execute(
        text("SELECT id FROM service WHERE nom = 'Atelier vélo' ORDER BY id LIMIT 1")
    ).scalar_one()
    db_session.execute(
        text("UPDATE service SET statut = 'archive' WHERE id = :id"), {"id": archived}
    )
    assert index.apply_delta(db_session.connection()) >= 3
    assert index.postings.stale_count >= 3
    _assert_same_as_sql(index, db_session.connection())
    assert index.lexeme_known("trottinet")
    # Changed again: the held entries of a document are replaced, not added to.
    follow_own_writes(db_session, index)  # (the delta's snapshot does not list it)
    db_session.execute(
        text("UPDATE service SET nom = 'Garage solidaire' WHERE id = :id"), {"id": renamed}
    )
    assert index.apply_delta(db_session.connection()) >= 1
    _assert_same_as_sql(index, db_session.connection())


def test_the_words_of_a_search_are_looked_up_in_memory_as_in_sql(worded, db_session):
    """prepare() with the copy's oracle: the same words found, the same corrections and
    suggestions as when the index is read in SQL, and no query reads search_document."""
    index = accel.FacetIndex()
    index.load(db_session.connection())
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event

    engine = db_session.get_bind().engine
    for q in ("garage", "garages solidaires", "garaje", "velo reparation", "zzzq", "le la"):
        in_sql = text_module.prepare(db_session, q)
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            in_memory = text_module.prepare(db_session, q, index.lexeme_known)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert in_memory == in_sql, q
        assert not any("search_document" in s for s in statements), (q, statements)
    assert text_module.prepare(db_session, "garaje", index.lexeme_known).words[0].alternatives
    # Words seen once are not analysed again: found words then cost no query at all.
    text_module.prepare(db_session, "Garage vélo", index.lexeme_known)
    statements.clear()
    event.listen(engine, "before_cursor_execute", record)
    try:
        again = text_module.prepare(db_session, "garage velo", index.lexeme_known)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []
    assert [w.found for w in again.words] == [True, True]


def test_postings_read_in_ranges_over_several_connections(committed_catalogue, monkeypatch):
    """At a million documents the postings are read by ranges of ord over several
    connections: the same postings as one reader."""
    from dora.extensions import db

    committed_catalogue.add(
        [{"nom": f"Garage {n}", "description": "Réparation solidaire."} for n in range(12)]
        + [{"nom": "Atelier vélo", "description": f"Mot{n} rare."} for n in range(7)]
    )
    with db.engine.connect() as connection:
        one = accel.FacetIndex()
        one.load(connection)
        monkeypatch.setattr(accel, "POSTINGS_PER_READER", 1)
        monkeypatch.setattr(accel, "POSTING_READERS", 3)
        several = accel.FacetIndex()
        several.load(connection)
        assert several.postings.entries == one.postings.entries > 0
        for lexeme in one.postings.lexeme_at:
            a, b = one.postings.get(lexeme), several.postings.get(lexeme)
            assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist(), lexeme
        _assert_same_as_sql(several, connection)


def test_an_empty_index_loads_nothing(db_session):
    db_session.execute(text("DELETE FROM search_document"))
    index = accel.preload(db_session.connection(), index=accel.FacetIndex())
    assert index.ready
    assert index.postings.entries == 0
    assert not index.lexeme_known("garag")


def test_gunicorn_loads_the_index_before_forking_and_serves(app, database_url, tmp_path):
    """`gunicorn -c gunicorn.conf.py wsgi:app`, as the README documents it for production."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DORA_ENV="development",
        SECRET_KEY="test-secret-key",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_LOGLEVEL="info",
    )
    log = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with log.open("w") as output:
        server = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            status = None
            for _ in range(150):
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/v1/search?q=garage", timeout=5
                    ) as response:
                        status = response.status
                        break
                except OSError:
                    time.sleep(0.2)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    logged = log.read_text()
    assert server.returncode == 0, logged
    assert status == 200, logged
    assert "loaded before fork" in logged
    assert "not loaded before fork" not in logged, logged
    assert "first requests before fork failed" not in logged, logged


def test_many_changes_make_the_copy_read_again_while_it_keeps_answering(
    app, committed_catalogue, monkeypatch
):
    """Past RELOAD_STALE changed documents the postings are read afresh in the background;
    the copy answers meanwhile (exactly: stale entries are skipped) and afterwards."""
    import time

    from sqlalchemy.orm import Session

    from dora.extensions import db

    committed_catalogue.add([{"nom": f"Garage {n}"} for n in range(3)])
    monkeypatch.setattr(accel, "RELOAD_STALE", 2)
    monkeypatch.setattr(accel, "RELOAD_SHARE", 0.0)
    with app.app_context():
        index = accel.FacetIndex()
        with db.engine.connect() as connection:
            index.load(connection)
            connection.rollback()
        committed_catalogue.add([{"nom": f"Trottinette {n}"} for n in range(3)])
        started = []
        background = index.load_in_background
        monkeypatch.setattr(
            index, "load_in_background", lambda engine: started.append(1) or background(engine)
        )
        with Session(db.engine) as session:
            assert index.usable(session, db.engine) is not None  # applied the delta
            assert started == [1]  # a fresh read started, and the copy still answered
        for _ in range(200):
            if not index.loading:
                break
            time.sleep(0.05)
        assert not index.loading
        assert index.postings.stale_count == 0
        with db.engine.connect() as connection:
            _assert_same_as_sql(index, connection)
            assert index.lexeme_known("trottinet")


def test_a_failed_reader_fails_the_load(committed_catalogue, monkeypatch):
    """A range of postings that could not be read must not leave words silently missing:
    the load fails (searches use SQL, and the next request tries again)."""
    import threading

    from sqlalchemy.engine import Engine

    from dora.extensions import db

    committed_catalogue.add([{"nom": f"Garage {n}"} for n in range(4)])
    monkeypatch.setattr(accel, "POSTINGS_PER_READER", 1)
    monkeypatch.setattr(accel, "POSTING_READERS", 2)
    connect = Engine.connect

    def reader_down(self, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("reader down")
        return connect(self, *args, **kwargs)

    with db.engine.connect() as connection:
        monkeypatch.setattr(Engine, "connect", reader_down)
        index = accel.FacetIndex()
        with pytest.raises(RuntimeError, match="reader down"):
            index.load(connection)
        assert not index.ready
