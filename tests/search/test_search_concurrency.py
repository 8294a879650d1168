"""The accelerator under threads: searches never fail while another thread applies committed
changes that grow its arrays (issue 10, bug 3: `text_match` sized its mask outside the lock
and mutated the shared postings cache unlocked → IndexError under a threaded server)."""

from __future__ import annotations

import threading
import time
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dora.search import accel, facets
from dora.search import text as text_module
from dora.search.backends.postgres import PostgresBackend, Statements, merge_streams
from dora.search.query import SearchQuery, resolve_place

READERS = 6
BATCHES = 20
SAINT_DENIS = (2.3574, 48.9362)


def _garages(n: int, start: int) -> list[dict]:
    return [
        {
            "nom": f"Garage solidaire {start + i}",
            "point": (SAINT_DENIS[0] + 0.001 * (i % 7), SAINT_DENIS[1] + 0.001 * (i % 5)),
            "modes_accueil": ["en-presentiel"] if i % 3 else ["a-distance"],
        }
        for i in range(n)
    ]


def test_searches_while_another_thread_commits_changes(app, committed_catalogue):
    engine = committed_catalogue.engine
    committed_catalogue.add(_garages(30, 0))
    index = accel.FacetIndex()
    with engine.connect() as connection:
        index.load(connection)
        session = Session(bind=connection)
        text_query = text_module.prepare(session, "garage solidaire")
        key_map = facets.keys(session)
        places = [None, resolve_place(session, SearchQuery(commune="93066"))]
        session.close()
    today = (date.today() - date(1970, 1, 1)).days
    stop = threading.Event()
    errors: list[BaseException] = []
    searches = [0]

    def reader(number: int) -> None:
        try:
            with engine.connect() as connection:
                while not stop.is_set():
                    place = places[number % 2]
                    query = SearchQuery(
                        commune="93066" if place else None, q="garage solidaire", size=10
                    )
                    match = index.text_match(text_query)
                    time.sleep(0)  # let the writer in between the match and the page
                    counted, rows = index.page(query, place, key_map, today, match)
                    index.counts(query, place, key_map, today, match)
                    assert counted.total >= 30
                    merge_streams(rows, 0, 10)
                    connection.rollback()
                    searches[0] += 1
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for thread in threads:
        thread.start()
    try:
        for batch in range(BATCHES):
            if stop.is_set():
                break
            if batch % 2 == 0:
                # Jump the row numbers just past the copy's arrays: the delta must grow them
                # (ords have gaps in real life too: rebuilds, rolled-back inserts).
                with engine.begin() as connection:
                    connection.execute(
                        sa.text(
                            "SELECT setval(pg_get_serial_sequence('search_document', 'ord'),"
                            " :after)"
                        ),
                        {"after": index.arrays.size + 10},
                    )
            committed_catalogue.add(_garages(5, 1000 + batch * 5))
            with engine.connect() as connection:
                index.apply_delta(connection)
                connection.rollback()
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, repr(errors[0])
    assert searches[0] > BATCHES

    # And the copy is still exact: the same answer as SQL on the committed data.
    with engine.connect() as connection:
        session = Session(bind=connection)
        for place in places:
            query = SearchQuery(commune="93066" if place else None, q="garage solidaire")
            statements = Statements(query, place, key_map, text_query)
            total, facet_counts = PostgresBackend(accelerate=False).counts(session, statements)
            match = index.text_match(text_query)
            counted = index.counts(query, place, key_map, today, match)
            assert (counted.total, counted.facets) == (total, facet_counts)
            assert total == 30 + 5 * BATCHES
        session.close()
