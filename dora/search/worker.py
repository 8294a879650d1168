"""`dora search worker`: the outbox heals itself.

Database triggers queue the services of bulk writes (`search_outbox.pending`) and every
change for Meilisearch (`search_outbox`, not pending). The request or command that wrote
builds what it queued right after its commit — unless it died first (an import killed right
after its commit, a failed indexing step): then the queue waits. The worker watches the queue
and builds what is pending, pushes the rest to Meilisearch (or prunes it without one), so that
a crash never leaves the index behind for longer than a poll interval.

It polls (one indexed count per interval) rather than LISTENing: a poll also finds what was
queued while no worker ran, needs no trigger change and survives database restarts by simply
trying again. Errors back off (doubling up to a minute) and are retried: the queue is only
emptied by a successful build, so nothing is lost. Several workers may run: batches are taken
with SKIP LOCKED and a full rebuild is guarded by an advisory lock (see dora.search.sync).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection

from dora.extensions import db
from dora.search import operations, sync

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class QueueState:
    """What waits in the outbox: documents to build, entries to push, the oldest's age."""

    pending: int
    queued: int
    oldest_age_s: float | None

    def degraded(self, max_age_s: float) -> bool:
        return self.oldest_age_s is not None and self.oldest_age_s > max_age_s


def queue_state(connection: Connection, *, meilisearch: bool) -> QueueState:
    """Pending documents always count; other outbox entries only wait for someone when
    Meilisearch is the backend (without it they are pruned, nothing is behind)."""
    row = connection.execute(
        text(
            "SELECT count(*) FILTER (WHERE pending) AS pending,"
            " count(*) FILTER (WHERE NOT pending) AS queued,"
            " extract(epoch FROM now() - min(created_at) FILTER (WHERE pending)) AS pending_age,"
            " extract(epoch FROM now() - min(created_at)) AS any_age"
            " FROM search_outbox"
        )
    ).one()
    age = row.any_age if meilisearch else row.pending_age
    return QueueState(
        pending=row.pending,
        queued=row.queued if meilisearch else 0,
        oldest_age_s=float(age) if age is not None else None,
    )


def run_once(app: Flask) -> sync.SyncReport | None:
    """Build what is pending and empty the outbox; None when there was nothing to do."""
    meilisearch = app.config.get("SEARCH_BACKEND") == "meilisearch"
    with db.engine.connect() as connection:
        waiting = connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM search_outbox)")
        ).scalar_one()
    if not waiting:
        return None
    report = operations.sync_all(app, raise_unavailable=meilisearch)
    return report


@dataclass
class Loop:
    """The worker's loop, stoppable by SIGTERM/SIGINT between two rounds."""

    app: Flask
    interval_s: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    stopping: bool = False

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self, *, rounds: int | None = None, echo: Callable[[str], None] = log.info) -> int:
        """Run until stopped (or `rounds` rounds); returns how many rounds failed."""
        failures = 0
        backoff = self.interval_s
        done = 0
        while not self.stopping and (rounds is None or done < rounds):
            done += 1
            try:
                report = run_once(self.app)
            except Exception as error:  # a worker must outlive any one failure
                failures += 1
                log.exception("search worker: round failed")
                echo(
                    f"{_now()} échec : {error.__class__.__name__}: {error}"
                    f" — nouvel essai dans {backoff:.0f} s"
                )
                db.session.remove()
                self._wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            backoff = self.interval_s
            if report is not None and (report.built or report.rebuilt or report.pushed):
                echo(f"{_now()} {report}")
            self._wait(self.interval_s)
        return failures

    def _wait(self, seconds: float) -> None:
        # Short sleeps: a stop request is honoured within a fraction of a second.
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            self.sleep(min(0.2, max(deadline - time.monotonic(), 0)))


def install_signal_handlers(loop: Loop) -> None:
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)


def _now() -> str:
    return datetime.now().strftime("%H:%M:%S")
