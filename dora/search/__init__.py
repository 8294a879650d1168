"""Search: find the right service near a person — engine, page and API.

- `query`      the public query layer: SearchQuery, parse_search_args, resolve_place,
               matching_documents (the filtered set as SQL, for maps and widgets);
- `text`       words, typo tolerance, "did you mean";
- `facets`     facet keys and counts;
- `backends`   the SearchBackend interface, `postgres` (default) and `meilisearch`;
- `accel`      the postgres backend's in-process accelerator (exact totals, facets, pages);
- `meili`      Meilisearch settings and query translation (pure functions);
- `engine`     runs a search: place, backend with fallback, items;
- `sync`, `operations`  outbox, bulk path, reindex; `cli`: `dora search sync|reindex|status`;
- `api`        GET /api/v1/search (with `cache`, an exact per-process answer cache);
               `views`: the /recherche page; `mapping`: its map;
- `openapi`    the OpenAPI fragment of /api/v1/search; `bench`: speed at 1M services.

Index maintenance after writes: database triggers keep the postgres index in step inside
the writer's transaction; bulk writes (more than 20,000 services in one statement) are queued
and built here right after the request or CLI command that sent `services_bulk_written`
(see dora.search.sync). When Meilisearch is the backend, the outbox is pushed to it after
every request or command that committed a write.
"""

from __future__ import annotations

import logging

from flask import Flask, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from dora.core.health import HealthReport, register_check
from dora.core.signals import services_bulk_written

log = logging.getLogger(__name__)
_listening = {"done": False}


def _on_bulk_write(sender, **extra) -> None:
    if has_app_context():
        g.search_bulk_written = True


def _on_commit(session) -> None:
    if has_app_context():
        g.search_committed = True


def _queue_health(app: Flask, connection: Connection) -> HealthReport:
    """/healthz: the search queue, "en retard" once its oldest entry is older than
    SEARCH_QUEUE_MAX_AGE (no worker running, a failed indexing)."""
    from dora.search.worker import queue_state

    state = queue_state(connection, meilisearch=app.config.get("SEARCH_BACKEND") == "meilisearch")
    max_age = app.config["SEARCH_QUEUE_MAX_AGE"]
    degraded = state.degraded(max_age)
    oldest = state.oldest_age_s
    return HealthReport(
        {
            "pending": state.pending,
            "queued": state.queued,
            "oldest_age_s": round(oldest, 1) if oldest is not None else None,
            "max_age_s": max_age,
            "status": "en retard" if degraded else "ok",
        },
        degraded=degraded,
    )


def init_app(app: Flask) -> None:
    register_check(app, "search_queue", _queue_health)
    if not _listening["done"]:
        # Module-level listeners, once per process (every app instance reads `g`).
        services_bulk_written.connect(_on_bulk_write)
        event.listen(Session, "after_commit", _on_commit)
        _listening["done"] = True

    @app.teardown_appcontext
    def _sync_after_writes(error: BaseException | None) -> None:
        if error is not None:
            return
        bulk = g.pop("search_bulk_written", False)
        committed = g.pop("search_committed", False)
        meilisearch = app.config.get("SEARCH_BACKEND") == "meilisearch"
        if not bulk and not (committed and meilisearch):
            return
        from dora.extensions import db
        from dora.search import operations, sync

        try:
            if bulk:
                # The work is over: end its transaction first, or a rebuild's swap would
                # wait for the lock this very session may hold on the index.
                db.session.remove()
                report = sync.build_pending(db.engine)
                if report.built or report.rebuilt:
                    log.info("search: built after a bulk write: %s", report)
            # With Meilisearch the outbox is sent; without, it has no reader and is pruned.
            if meilisearch or bulk:
                operations.push_outbox(db.engine, max_batches=None if bulk else 2)
        except Exception as failure:
            # The write is committed and stays; what it queued stays queued for the worker
            # (`dora search worker`) or `dora search sync`. A request still answers; a command
            # says so and exits non-zero, so that a script or an operator sees it.
            log.exception("search: sync after write failed; run `dora search sync`")
            if not has_request_context():
                from dora.core.cli_errors import FrenchError

                raise FrenchError(
                    "les données sont enregistrées, mais leur indexation pour la recherche a"
                    f" échoué : {failure}. Elles restent en attente : `dora search worker` (ou"
                    " `dora search sync`) les indexera."
                ) from failure
