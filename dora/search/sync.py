"""Keeping search indexes in step: the outbox, the bulk path and full rebuilds.

How a change reaches the indexes:

1. Database triggers (migrations/versions/0002_search.py) run in the writer's transaction for
   every statement on `service` / `structure`: the postgres index (`search_document`) is
   rebuilt for the touched services and their ids go to `search_outbox`. A statement writing
   more than `dora.search_bulk_rows` services (COPY of a seed or an import) only queues them
   (`pending`) and removes at once those that are no longer public.
2. `build_pending()` builds the queued documents (in batches, or by a full `rebuild()` when
   most of the index is concerned). The application runs it right after a bulk write commits
   (the `services_bulk_written` signal marks the request or CLI command, see
   dora.search.__init__), and `dora search sync` runs it too.
3. `push_outbox()` sends the outbox to Meilisearch (when configured) and empties it; with
   the postgres backend alone it only prunes it.

`rebuild()` (`dora search reindex`) recomputes the whole postgres index into a shadow table
with two parallel connections, builds its indexes, then swaps it in one short transaction and
replays the changes made meanwhile: searches keep answering from the old index until the swap.
The map counts, derived from the index, are then recounted from the new one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from psycopg.errors import LockNotAvailable
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.types import BigInteger, Text

from dora.search import map_counts as count_triggers

log = logging.getLogger(__name__)

BATCH = 10_000
WORKERS = 2
# Above this share of the index, queued documents are built by a full rebuild (faster: the
# indexes are built once instead of being updated row by row).
REBUILD_FROM_SHARE = 0.3
REBUILD_FROM_ROWS = 100_000
# The swap of a rebuild waits this long for its lock, SWAP_ATTEMPTS times (see
# `_swap_when_possible`).
SWAP_LOCK_TIMEOUT = "1s"
SWAP_PAUSE_S = 1.0
SWAP_ATTEMPTS = 60

DOCUMENT_COLUMNS = (
    "service_id, structure_id, location, on_site, remote, place_unknown, elig, keys, tsv, "
    "date_maj, suspendu_du, suspendu_au, sig, elig_id, code_insee, categories, publics, "
    "opening_week"
)

# Name in the live table -> definition (built on the shadow table with a `_new` suffix).
INDEXES = {
    # Made a primary key once built (ADD CONSTRAINT … USING INDEX is instant).
    "pk_search_document": "CREATE UNIQUE INDEX {name} ON {table} (service_id)",
    "ix_search_document_location": "CREATE INDEX {name} ON {table} USING gist (location)",
    "ix_search_document_elig": "CREATE INDEX {name} ON {table} USING gin (elig)",
    "ix_search_document_keys": "CREATE INDEX {name} ON {table} USING gin (keys)",
    "ix_search_document_tsv": "CREATE INDEX {name} ON {table} USING gin (tsv)",
    "ix_search_document_date_maj": "CREATE INDEX {name} ON {table} (date_maj, service_id)",
    "ix_search_document_changed_xid": "CREATE INDEX {name} ON {table} (changed_xid)",
    "ix_search_document_ord": "CREATE UNIQUE INDEX {name} ON {table} (ord)",
    "ix_search_document_remote": ("CREATE INDEX {name} ON {table} (date_maj, ord) WHERE remote"),
    "ix_search_document_suspended": (
        "CREATE INDEX {name} ON {table} (ord) WHERE suspendu_du IS NOT NULL"
    ),
}

# Words of the names of a batch of services (the lexicon only grows: a word that no longer
# matches anything is never offered, see dora.search.text).
LEXICON_WORDS = r"""
INSERT INTO search_lexicon (word, forme)
SELECT unaccent(w), max(w)
FROM service AS s JOIN structure AS st ON st.id = s.structure_id,
    regexp_split_to_table(lower(concat_ws(' ', s.nom, st.nom)), '[^[:alnum:]]+') AS w
WHERE s.id = ANY(:ids) AND length(w) BETWEEN 3 AND 40 GROUP BY 1
-- Sorted: two chunks built in parallel insert their common words in the same order, so they
-- wait for each other instead of deadlocking (a hash aggregate's order differs per chunk).
ORDER BY 1
ON CONFLICT DO NOTHING
"""

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class SyncReport:
    built: int = 0
    rebuilt: bool = False
    pushed: int = 0
    pruned: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    # Whether Meilisearch is the backend: the report speaks of it only then.
    meilisearch: bool = False
    # Another process was rebuilding the index: what was pending is its work.
    rebuild_elsewhere: bool = False

    def __str__(self) -> str:
        parts = [f"{self.built} document(s) construit(s)"]
        if self.rebuilt:
            parts.append("index reconstruit")
        if self.rebuild_elsewhere:
            parts.append("reconstruction en cours dans un autre processus")
        if self.meilisearch:
            parts.append(f"{self.pushed} envoyé(s) à Meilisearch")
        if self.pruned:
            parts.append(f"{self.pruned} entrée(s) de la file purgée(s)")
        return ", ".join(parts) + f" en {self.seconds:.1f} s"


class IndexingFailed(RuntimeError):
    """Building the index failed; what was queued stays queued for the next sync."""


def _ids_param(name: str = "ids"):
    return bindparam(name, type_=ARRAY(Text))


def pending_count(connection: Connection) -> int:
    return connection.execute(text("SELECT count(*) FROM search_outbox WHERE pending")).scalar_one()


def index_size(connection: Connection) -> int:
    # The planner's estimate is enough to choose between batches and a rebuild.
    return connection.execute(
        text(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'search_document'"
        )
    ).scalar_one()


def refresh(connection: Connection, service_ids: Sequence[str]) -> None:
    """Rebuild the documents of these services now (removing those no longer public)."""
    connection.execute(
        text("SELECT search_refresh(:ids)").bindparams(_ids_param()), {"ids": list(service_ids)}
    )


def _pending_batch(connection: Connection, limit: int) -> tuple[list[int], list[str | None]]:
    rows = connection.execute(
        text(
            "SELECT id, service_id FROM search_outbox WHERE pending ORDER BY id LIMIT :limit"
            " FOR UPDATE SKIP LOCKED"
        ),
        {"limit": limit},
    ).all()
    return [row.id for row in rows], [row.service_id for row in rows]


def build_pending_batch(connection: Connection, limit: int = BATCH) -> int:
    """Build up to `limit` queued documents (the caller commits); returns how many."""
    outbox_ids, service_ids = _pending_batch(connection, limit)
    if not outbox_ids:
        return 0
    refresh(connection, [sid for sid in service_ids if sid is not None])
    connection.execute(
        text("DELETE FROM search_outbox WHERE id = ANY(:ids)").bindparams(
            bindparam("ids", type_=ARRAY(BigInteger))
        ),
        {"ids": outbox_ids},
    )
    return len(outbox_ids)


def settle_vanished(connection: Connection) -> int:
    """Queued services that no longer exist and have no document need no building: a bulk
    delete already removed what it had to. Their entries stay, no longer pending, for
    Meilisearch — exactly what building them would leave (see `search_refresh`). Services
    written then deleted before any sync (an import undone, a benchmark's data) would
    otherwise cost a full rebuild."""
    return connection.execute(
        text(
            "UPDATE search_outbox AS o SET pending = false"
            " WHERE o.pending AND o.service_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM service AS s WHERE s.id = o.service_id)"
            " AND NOT EXISTS (SELECT 1 FROM search_document AS d WHERE d.service_id = o.service_id)"
        )
    ).rowcount


def build_pending(engine: Engine, progress: Progress | None = None) -> SyncReport:
    """Build every queued document: in batches (each committed), or by a rebuild."""
    started = time.perf_counter()
    report = SyncReport()
    with engine.begin() as connection:
        settle_vanished(connection)
    with engine.connect() as connection:
        pending = pending_count(connection)
        size = index_size(connection)
    if not pending:
        report.seconds = time.perf_counter() - started
        return report
    if pending >= REBUILD_FROM_ROWS and pending >= REBUILD_FROM_SHARE * max(size, 1):
        try:
            rebuilt = rebuild(engine, progress=progress)
        except RebuildRunning:
            report.rebuild_elsewhere = True
            report.seconds = time.perf_counter() - started
            return report
        rebuilt.seconds = time.perf_counter() - started
        return rebuilt
    update = progress("documents", pending) if progress else None

    def batch() -> int:
        # Retried once: two batches written at once may meet on a lock (the lexicon).
        for attempt in (1, 2):
            try:
                with engine.begin() as connection:
                    return build_pending_batch(connection)
            except DBAPIError as error:
                if attempt == 2:
                    raise IndexingFailed(
                        f"construction des documents en attente impossible : {_sql_error(error)}"
                    ) from error
                log.warning("search sync: batch failed once (%s)", error)
        return 0

    def work() -> int:
        done = 0
        while True:
            count = batch()
            if not count:
                return done
            done += count
            if update:
                update(count)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        report.built = sum(pool.map(lambda _: work(), range(WORKERS)))
    report.seconds = time.perf_counter() - started
    return report


# Full rebuild ----------------------------------------------------------------------------


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Key of the advisory lock held for the length of a rebuild (two rebuilds would share the
# shadow table); any constant unlikely to be used elsewhere.
REBUILD_LOCK_KEY = 0x646F7261_0001


class RebuildRunning(RuntimeError):
    """Another process is rebuilding the index."""


def rebuild(engine: Engine, progress: Progress | None = None) -> SyncReport:
    """Recompute the whole postgres index (see the module docstring), unless another process
    is doing it (RebuildRunning). A failed chunk is retried once (a transient lock conflict),
    then the rebuild stops with IndexingFailed naming the chunk and the SQL error; the queue
    is untouched, so the next sync (or the worker) builds it again."""
    with engine.connect() as guard:
        locked = guard.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": REBUILD_LOCK_KEY}
        ).scalar_one()
        guard.commit()
        if not locked:
            raise RebuildRunning("une reconstruction de l’index est déjà en cours")
        try:
            return _rebuild(engine, progress)
        finally:
            guard.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK_KEY})
            guard.commit()


def _rebuild(engine: Engine, progress: Progress | None) -> SyncReport:
    report = SyncReport(rebuilt=True)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS search_document_new"))
        connection.execute(
            text(
                "CREATE TABLE search_document_new (LIKE search_document"
                " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
                " WITH (parallel_workers = 0)"
            )
        )
        watermark = connection.execute(
            text("SELECT coalesce(max(id), 0) FROM search_outbox")
        ).scalar_one()
        ids = list(
            connection.execute(
                text(
                    "SELECT s.id FROM service AS s JOIN structure AS st ON st.id = s.structure_id"
                    " WHERE dora_is_public(s.statut, st.moderation) ORDER BY s.id"
                )
            ).scalars()
        )
    report.phases["liste"] = time.perf_counter() - started

    phase = time.perf_counter()
    update = progress("documents", len(ids)) if progress else None
    prepare = text("SELECT search_prepare(:ids)").bindparams(_ids_param())
    insert = text(
        f"INSERT INTO search_document_new ({DOCUMENT_COLUMNS})"
        f" SELECT {DOCUMENT_COLUMNS} FROM search_document_rows(:ids)"
    ).bindparams(_ids_param())

    lexicon = text(LEXICON_WORDS).bindparams(_ids_param())

    def load_once(chunk: list[str]) -> None:
        with engine.begin() as connection:
            connection.execute(prepare, {"ids": chunk})
        with engine.begin() as connection:
            connection.execute(insert, {"ids": chunk})
            connection.execute(lexicon, {"ids": chunk})

    def load(chunk: list[str]) -> int:
        try:
            load_once(chunk)
        except DBAPIError as first:
            log.warning("search rebuild: chunk %s…%s failed once (%s)", chunk[0], chunk[-1], first)
            try:
                load_once(chunk)
            except DBAPIError as error:
                raise IndexingFailed(
                    f"construction des documents {chunk[0]} … {chunk[-1]} impossible :"
                    f" {_sql_error(error)}"
                ) from error
        if update:
            update(len(chunk))
        return len(chunk)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        report.built = sum(pool.map(load, _chunks(ids, BATCH)))
    report.phases["documents"] = time.perf_counter() - phase

    phase = time.perf_counter()
    update = progress("index", len(INDEXES)) if progress else None

    def build(names: list[str]) -> None:
        with engine.begin() as connection:
            for name in names:
                definition = INDEXES[name]
                connection.execute(
                    text(definition.format(table="search_document_new", name=f"{name}_new"))
                )
                if update:
                    update(1)

    # The full-text index takes as long as all the others: one connection each.
    groups = [["ix_search_document_tsv"], [n for n in INDEXES if n != "ix_search_document_tsv"]]
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        list(pool.map(build, groups))
    with engine.begin() as connection:
        connection.execute(
            text(
                "ALTER TABLE search_document_new ADD CONSTRAINT pk_search_document_new"
                " PRIMARY KEY USING INDEX pk_search_document_new"
            )
        )
        connection.execute(text("ANALYZE search_document_new"))
    report.phases["index"] = time.perf_counter() - phase

    phase = time.perf_counter()
    _swap_when_possible(engine, watermark)
    # What was queued before the rebuild is built: forget it (outside the swap's lock; if
    # this failed, a later sync would only build those documents once more).
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM search_outbox WHERE pending AND id <= :watermark"),
            {"watermark": watermark},
        )
    report.phases["bascule"] = time.perf_counter() - phase

    # The map counts are derived from the index (dora.search.map_counts): recount them from
    # the new one, which may have corrected documents. Writers wait for it (their triggers
    # add to these tables), searches do not.
    phase = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            text("LOCK TABLE map_grid_cell, map_commune_stat, map_remote_zone IN EXCLUSIVE MODE")
        )
        connection.execute(text("SELECT map_grid_rebuild()"))
    report.phases["cartes"] = time.perf_counter() - phase
    report.seconds = time.perf_counter() - started
    return report


def _sql_error(error: DBAPIError) -> str:
    """The server's message, without SQLAlchemy's statement dump."""
    original = getattr(error, "orig", None)
    return str(original or error).strip().splitlines()[0]


class SwapBlocked(RuntimeError):
    """The new index could not take the old one's place: a transaction kept it locked."""


def _swap_when_possible(engine: Engine, watermark: int) -> None:
    """Swap with a short lock wait, retried: while the swap waits for its exclusive lock,
    every new search queues behind it, so a transaction left open on the index (an idle
    session) must cost searches at most SWAP_LOCK_TIMEOUT at a time, never a stall."""
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                connection.execute(text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'"))
                _swap(connection, watermark)
            return
        except OperationalError as error:
            if not isinstance(error.orig, LockNotAvailable):
                raise
            log.warning("search rebuild: index busy, swap attempt %d failed", attempt)
            time.sleep(SWAP_PAUSE_S)
    raise SwapBlocked(
        f"l’index de recherche est resté verrouillé par une autre transaction pendant"
        f" {SWAP_ATTEMPTS} tentatives : le nouvel index n’a pas remplacé l’ancien, qui continue"
        " de répondre. Terminez les transactions ouvertes sur search_document"
        " (pg_stat_activity, état « idle in transaction ») puis relancez `dora search reindex`."
    )


def _swap(connection: Connection, watermark: int) -> None:
    """Put the shadow table in place and replay what changed since the rebuild started."""
    connection.execute(text("LOCK TABLE search_document IN ACCESS EXCLUSIVE MODE"))
    connection.execute(text("DROP TABLE search_document"))
    connection.execute(text("ALTER TABLE search_document_new RENAME TO search_document"))
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence('search_document', 'ord')")
    ).scalar_one()
    if sequence != "public.search_document_ord_seq":
        connection.execute(text(f"ALTER SEQUENCE {sequence} RENAME TO search_document_ord_seq"))
    # Copies of the index held by processes are now meaningless: they reload.
    connection.execute(text("TRUNCATE search_tombstone"))
    connection.execute(text("UPDATE search_meta SET value = value + 1 WHERE key = 'generation'"))
    for name in INDEXES:
        kind = "INDEX" if name.startswith("ix_") else None
        if kind:
            connection.execute(text(f"ALTER INDEX {name}_new RENAME TO {name}"))
        else:
            connection.execute(
                text(f"ALTER TABLE search_document RENAME CONSTRAINT {name}_new TO {name}")
            )
    changed = list(
        connection.execute(
            text(
                "SELECT DISTINCT service_id FROM search_outbox"
                " WHERE id > :watermark AND service_id IS NOT NULL"
            ),
            {"watermark": watermark},
        ).scalars()
    )
    refresh(connection, changed)
    # Map counts follow the index from now on: the old table's triggers have already counted
    # every change made meanwhile (replayed just above), so they are created only now.
    connection.execute(text(count_triggers.TRIGGERS))
    connection.execute(
        text("DELETE FROM search_outbox WHERE pending AND id > :watermark"),
        {"watermark": watermark},
    )
    # Meilisearch needs everything anew.
    connection.execute(text("INSERT INTO search_outbox (service_id) VALUES (NULL)"))
