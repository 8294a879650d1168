"""Index maintenance at the application level: sync after writes, full reindex.

The SQL side lives in dora.search.sync; this module adds the backends (Meilisearch) and
commits per batch (these are maintenance jobs: each batch is a unit of work of its own).
"""

from __future__ import annotations

import logging
import time

from flask import Flask
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from dora.extensions import db
from dora.search import sync
from dora.search.backends.base import BackendUnavailable
from dora.search.engine import current_engine

log = logging.getLogger(__name__)

PUSH_BATCH = 5_000


def _outbox_batch(session: Session, limit: int):
    return session.execute(
        text(
            "SELECT id, service_id FROM search_outbox WHERE NOT pending ORDER BY id"
            " LIMIT :limit FOR UPDATE SKIP LOCKED"
        ),
        {"limit": limit},
    ).all()


def _delete_outbox(session: Session, ids: list[int]) -> None:
    session.execute(
        text("DELETE FROM search_outbox WHERE id = ANY(:ids)").bindparams(
            bindparam("ids", type_=ARRAY(BigInteger))
        ),
        {"ids": ids},
    )


def push_outbox(engine: Engine, *, max_batches: int | None = None, progress=None) -> int:
    """Send the outbox to Meilisearch, batch by batch (each committed once sent).

    Without Meilisearch, the outbox has no reader: it is pruned. Returns the number of
    outbox entries handled. Raises BackendUnavailable when Meilisearch fails (the entries
    stay queued for the next sync).
    """
    primary = current_engine().primary
    handled = 0
    batches = 0
    if primary.name != "meilisearch":
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM search_outbox WHERE NOT pending")).rowcount
    while max_batches is None or batches < max_batches:
        with Session(bind=engine) as session, session.begin():
            rows = _outbox_batch(session, PUSH_BATCH)
            if not rows:
                break
            service_ids = sorted({row.service_id for row in rows if row.service_id is not None})
            if any(row.service_id is None for row in rows):
                _push_everything(session, primary, progress)
            elif service_ids:
                primary.index(session, service_ids)
            _delete_outbox(session, [row.id for row in rows])
        handled += len(rows)
        batches += 1
    return handled


def _push_everything(session: Session, backend, progress=None) -> None:
    backend.apply_settings()
    backend.clear()
    ids = list(session.execute(text("SELECT service_id FROM search_document")).scalars())
    update = progress("meilisearch", len(ids)) if progress else None
    for start in range(0, len(ids), PUSH_BATCH):
        chunk = ids[start : start + PUSH_BATCH]
        backend.index(session, chunk)
        if update:
            update(len(chunk))


def sync_all(app: Flask, progress=None, *, raise_unavailable: bool = False) -> sync.SyncReport:
    """Build queued documents, then empty the outbox (`dora search sync`, the worker).

    Raises sync.IndexingFailed when building fails. A Meilisearch outage is only logged
    (the outbox stays queued) unless `raise_unavailable`, for callers that retry."""
    started = time.perf_counter()
    meilisearch = current_engine().primary.name == "meilisearch"
    report = sync.build_pending(db.engine, progress=progress)
    report.meilisearch = meilisearch
    try:
        handled = push_outbox(db.engine, progress=progress)
    except BackendUnavailable as error:
        if raise_unavailable:
            raise
        log.warning("search sync: Meilisearch unavailable (%s); the outbox stays queued", error)
    else:
        if meilisearch:
            report.pushed = handled
        else:
            report.pruned = handled
    report.seconds = time.perf_counter() - started
    return report


def reindex(app: Flask, progress=None) -> sync.SyncReport:
    """Rebuild the postgres index, then everything in Meilisearch (`dora search reindex`)."""
    started = time.perf_counter()
    report = sync.rebuild(db.engine, progress=progress)
    report.meilisearch = current_engine().primary.name == "meilisearch"
    if report.meilisearch:
        report.pushed = push_outbox(db.engine, progress=progress)
    else:
        report.pruned = push_outbox(db.engine)
    report.seconds = time.perf_counter() - started
    return report
