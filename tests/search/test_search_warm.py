"""Postings warmed before gunicorn forks (dora.search.accel.warm_postings, gunicorn.conf.py):
the frequent words are held, and a warmed posting answers exactly as one read on first use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from dora.search import accel
from dora.search import text as text_module

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


def _frequencies(db_session) -> dict[str, int]:
    rows = db_session.execute(
        text("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_document')")
    )
    return dict(rows.all())


def test_the_most_frequent_words_are_held(worded, db_session):
    index = accel.FacetIndex()
    loaded = accel.warm_postings(db_session.connection(), index=index)
    frequencies = _frequencies(db_session)
    held = set(index.postings.entries)
    assert index.ready
    assert loaded == len(held) > 0
    # Most frequent first: nothing left out is more frequent than what was taken.
    assert min(frequencies[w] for w in held) >= max(
        (n for w, n in frequencies.items() if w not in held), default=0
    )
    # A budget large enough for all of them (a small catalogue) holds every lexeme.
    everything = accel.FacetIndex()
    accel.warm_postings(db_session.connection(), index=everything, budget_rows=10**6)
    assert set(everything.postings.entries) == {w for w in frequencies if w.isalnum()}
    # Held postings are those SQL gives.
    for lexeme in held:
        ords, _classes = index.postings.entries[lexeme]
        expected = db_session.scalars(
            text("SELECT ord FROM search_document WHERE tsv @@ CAST(:q AS tsquery) ORDER BY ord"),
            {"q": lexeme},
        ).all()
        assert ords.tolist() == expected


def test_a_warmed_posting_matches_like_one_read_on_first_use(worded, db_session):
    warm = accel.FacetIndex()
    accel.warm_postings(db_session.connection(), index=warm)
    cold = accel.FacetIndex()
    cold.load(db_session.connection())
    for q in ("garage", "velo", "reparation vehicules", "accueil"):
        text_query = text_module.prepare(db_session, q)
        # (A match is postings until it is sized to the arrays, under the index's lock.)
        size = cold.arrays.size
        warmed = warm.text_match(db_session.connection(), text_query).at_size(size)
        first_use = cold.text_match(db_session.connection(), text_query).at_size(size)
        assert (warmed.mask == first_use.mask).all(), q
        assert (warmed.score == first_use.score).all(), q
        assert warmed.mask.any(), q


def test_the_budget_bounds_what_is_loaded(worded, db_session):
    index = accel.FacetIndex()
    assert accel.warm_postings(db_session.connection(), index=index, budget_rows=0) == 0
    assert index.postings.entries == {}
    # 30 documents: a budget of 40 rows takes the most frequent word only if it fits.
    index = accel.FacetIndex()
    accel.warm_postings(db_session.connection(), index=index, budget_rows=40)
    sizes = [len(ords) for ords, _ in index.postings.entries.values()]
    assert sum(sizes) <= 40


def test_an_empty_index_loads_nothing(db_session):
    db_session.execute(text("DELETE FROM search_document"))
    index = accel.FacetIndex()
    assert accel.warm_postings(db_session.connection(), index=index) == 0


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
