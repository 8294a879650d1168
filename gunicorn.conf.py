"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

The app is loaded once in the master (`preload_app`), and so are the search accelerator's copy
of the index, postings of every word included (dora.search.accel.preload), and the places of
every commune (dora.search.query.preload_places), before the workers fork: they share those
pages copy-on-write instead of each reading the whole index on its
first search (seconds at a million services). Each worker then keeps its copy in step with
committed changes on its own, as without preloading.

Environment: `GUNICORN_BIND` (default 127.0.0.1:8000, or `PORT`), `GUNICORN_WORKERS`
(default 4; `WEB_CONCURRENCY` is read too), `GUNICORN_THREADS` (default 1),
`GUNICORN_TIMEOUT` (default 60 s), and the app's own settings.
"""

from __future__ import annotations

import gc
import logging
import os
import time

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 4)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

log = logging.getLogger("gunicorn.error")


def when_ready(server) -> None:
    """In the master, after the app is loaded and before any worker forks."""
    app = server.app.wsgi()
    from dora.extensions import db
    from dora.search import accel

    with app.app_context():
        engine = db.engine
        if app.config.get("SEARCH_BACKEND", "postgres") == "postgres" and app.config.get(
            "SEARCH_ACCELERATOR", True
        ):
            started = time.perf_counter()
            try:
                with engine.connect() as connection:
                    index = accel.preload(connection)
            except Exception:  # a missing index must not stop the site: searches use SQL
                log.exception("search accelerator: not loaded before fork (workers load it)")
            else:
                log.info(
                    "search accelerator: %d documents and %d postings loaded before fork in %.1f s",
                    index.arrays.size,
                    index.postings.entries,
                    time.perf_counter() - started,
                )
        _preload_places()
        _first_requests(app)
        # No connection of the master may be shared by the workers.
        engine.dispose()
    # Objects that live as long as the process leave the garbage collector's generations:
    # its passes would otherwise write to every shared page (reference counts stay).
    gc.freeze()


def _preload_places() -> None:
    """Every commune's place (dora.search.query.preload_places): no search asks for one."""
    from dora.extensions import db
    from dora.search import query

    try:
        log.info(
            "search places: %d communes and arrondissements kept before fork",
            query.preload_places(db.session),
        )
    except Exception:  # no territories loaded yet: places are read as searches ask
        log.exception("search places: not loaded before fork")
    finally:
        db.session.remove()


def _first_requests(app) -> None:
    """A few searches answered in this process: what a process does on its first request
    (compiled statements, facet keys, templates, lazily imported modules, a connection) is
    then done before any visitor waits for it."""
    from sqlalchemy import text

    from dora.extensions import db

    try:
        with app.app_context():
            code = db.session.scalar(
                text("SELECT code FROM commune ORDER BY population DESC LIMIT 1")
            )
            db.session.remove()
        client = app.test_client()
        for path in (
            f"/api/v1/search?commune={code}",
            f"/api/v1/search?commune={code}&thematiques=mobilite&page=2",
            f"/api/v1/search?commune={code}&q=accompagnement&rayon_km=20",
            "/api/v1/search?q=logement",
            f"/recherche?commune={code}&q=emploi",
        ):
            client.get(path)
    except Exception:  # an empty or missing database: the workers will do it themselves
        log.exception("first requests before fork failed")


def post_fork(server, worker) -> None:
    # A pool inherited with open connections is dropped, not closed (closing would end the
    # master's sessions).
    from dora.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)


def post_worker_init(worker) -> None:
    # The same searches again, in the worker, before it accepts any request: its database
    # connection (a new PostgreSQL backend, whose catalogue caches start empty) and the
    # pages it writes on first use are then ready — without them, its first search takes
    # three to ten times as long as the next ones. (Here rather than in post_fork: the
    # worker's signal handlers are installed, so a stop during the warm-up is not lost.)
    _first_requests(worker.wsgi)
