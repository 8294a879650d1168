"""Writing demo data: `seed()` and `delete_demo()`. They never commit: the caller does.

`seed` is idempotent: services are identified by their stable ids, those already present are
skipped (never overwritten: someone may have edited them), missing ones are added. A set that
is already complete costs two index look-ups.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dora.core.signals import services_bulk_written
from dora.demo import generator, queries
from dora.demo.generator import DemoSet
from dora.demo.writer import copy_rows

# Indexes are kept during loads by default. Measured here (1,000,000 services into an empty
# table, 2 cores, with the search and map-grid triggers): keeping the GIN and GiST indexes
# cost 47–53 s of backend CPU for the COPY; dropping them cost 40–44 s for the COPY plus
# 18 s to build them again, i.e. more CPU, and wall times were within the noise of a shared
# machine. `rebuild_indexes=True` (`--rebuild-indexes`) remains for other hardware.

ANALYZE_FROM = 10_000
FINGERPRINT_SIZE = 20
_CODE_INSEE = generator.SERVICE_COLUMNS.index("code_insee")
_TYPE = generator.SERVICE_COLUMNS.index("type")

# progress(phase, total) → update(n): lets the CLI draw progress bars without us knowing tqdm.
ProgressFactory = Callable[[str, int], Callable[[int], None]]


class DemoError(RuntimeError):
    """A demo seed that cannot be done as asked; the message is French, for the user."""


@dataclass
class SeedReport:
    requested: int
    already_present: int = 0
    services_written: int = 0
    structures_written: int = 0
    services_deleted: int = 0
    structures_deleted: int = 0
    indexes_rebuilt: int = 0
    write_seconds: float = 0.0
    index_seconds: float = 0.0
    notify_seconds: float = 0.0

    @property
    def nothing_to_do(self) -> bool:
        return self.services_written == 0 and self.services_deleted == 0


def delete_demo(connection: Connection, demo: DemoSet) -> tuple[int, int]:
    """Delete this demo set's services, then its structures left without services."""
    try:
        # A savepoint, so that a refusal leaves the caller's transaction usable.
        with connection.begin_nested():
            services = connection.execute(
                text("DELETE FROM service WHERE id LIKE :pattern AND source = :source"),
                {"pattern": queries.id_pattern(demo.service_id_prefix), "source": demo.source},
            ).rowcount
            structures = connection.execute(
                text(
                    "DELETE FROM structure WHERE id LIKE :pattern AND source = :source AND NOT"
                    " EXISTS (SELECT 1 FROM service WHERE service.structure_id = structure.id)"
                ),
                {"pattern": queries.id_pattern(demo.structure_id_prefix), "source": demo.source},
            ).rowcount
    except IntegrityError as error:
        raise DemoError(
            "Impossible de supprimer les données de démonstration : d’autres données y font"
            f" référence ({error.orig.diag.message_primary if error.orig else error})."
        ) from None
    return services, structures


def seed(
    connection: Connection,
    services: int,
    demo: DemoSet | None = None,
    *,
    reset: bool = False,
    rebuild_indexes: bool = False,
    notify: bool = True,
    progress: ProgressFactory | None = None,
) -> SeedReport:
    """Make the first `services` services of `demo` (and their structures) present.

    `rebuild_indexes`: drop the GIN and GiST indexes of `service` during the load and build
    them again afterwards (it holds an exclusive lock on the table until commit).
    `notify`: send `services_bulk_written` so that search indexes the new services.
    """
    demo = demo or DemoSet()
    if not 1 <= services <= generator.MAX_SERVICES:
        raise DemoError(
            f"Le nombre de services doit être compris entre 1 et {generator.MAX_SERVICES:_}"
            f" (reçu : {services}).".replace("_", "\u202f")
        )
    report = SeedReport(requested=services)
    started = time.perf_counter()
    # Two seeds at once would collide on ids: the second waits for the first.
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('dora-demo-seed'))"))
    if reset:
        report.services_deleted, report.structures_deleted = delete_demo(connection, demo)

    present = queries.count_services(connection, demo, 1, services)
    report.already_present = present
    if present == services:
        _finish(connection, demo, report, started, notify)
        return report
    if present:
        _check_same_set(connection, demo)

    per_chunk = queries.services_per_chunk(connection, demo, services) if present else {}
    chunks = [
        chunk
        for chunk in range(generator.chunk_count(services))
        if per_chunk.get(chunk, 0) < generator.services_in_chunk(chunk, services)
    ]
    to_write = services - present
    existing_structures = queries.structure_ids_in_chunks(connection, demo, chunks)
    existing_services: dict[int, set[str]] = {
        chunk: queries.service_ids_in_chunk(connection, demo, chunk)
        for chunk in chunks
        if per_chunk.get(chunk)
    }

    dropped = _drop_heavy_indexes(connection) if rebuild_indexes else []

    structure_total = sum(_structure_count(demo, chunk, services) for chunk in chunks) - len(
        existing_structures
    )
    report.structures_written = copy_rows(
        connection,
        "structure",
        generator.STRUCTURE_COLUMNS,
        _structure_rows(demo, chunks, services, existing_structures),
        on_batch=progress("structures", structure_total) if progress else None,
    )
    if report.structures_written:
        # Triggers of other features join the new services with `structure` (the map grid):
        # with statistics saying the table is empty, their join degenerates into a nested
        # loop over every structure for every service.
        connection.execute(text("ANALYZE structure"))
    # Search indexes bulk writes after they commit (`services_bulk_written`, below) rather
    # than inside this statement: its documented knob for bulk writers.
    connection.execute(text("SET LOCAL dora.search_bulk_rows = 1"))
    report.services_written = copy_rows(
        connection,
        "service",
        generator.SERVICE_COLUMNS,
        _service_rows(demo, chunks, services, existing_services),
        escaped_columns=("description",),
        on_batch=progress("services", to_write) if progress else None,
    )
    report.write_seconds = time.perf_counter() - started

    if dropped:
        index_started = time.perf_counter()
        for _name, definition in dropped:
            connection.execute(text(definition))
        report.indexes_rebuilt = len(dropped)
        report.index_seconds = time.perf_counter() - index_started
    if report.services_written >= ANALYZE_FROM:
        # Fresh statistics, so that the planner knows the new rows at once.
        connection.execute(text("ANALYZE service"))
    _finish(connection, demo, report, started, notify)
    return report


def _finish(
    connection: Connection, demo: DemoSet, report: SeedReport, started: float, notify: bool
) -> None:
    if report.nothing_to_do:
        report.write_seconds = time.perf_counter() - started
        return
    if notify:
        notify_started = time.perf_counter()
        services_bulk_written.send(connection, service_ids=None)
        report.notify_seconds = time.perf_counter() - notify_started


def _check_same_set(connection: Connection, demo: DemoSet) -> None:
    """Refuse to mix two demo sets (another seed) under the same ids.

    Compares the commune and type of the first services present with what this seed
    generates for them: a majority must agree (a few may have been edited since).
    """
    present = queries.first_services(connection, demo, FINGERPRINT_SIZE)
    if not present:
        return
    wanted = {service_id for service_id, *_ in present}
    chunks = sorted({_chunk_of(demo, service_id) for service_id in wanted})
    generated = {}
    for chunk in chunks:
        structures = generator.generate_structures(demo, chunk, rows=False)
        for row in generator.generate_services(demo, chunk, structures):
            if row[0] in wanted:
                generated[row[0]] = (row[_CODE_INSEE], row[_TYPE])
    agreeing = sum(generated.get(service_id) == tuple(rest) for service_id, *rest in present)
    if agreeing * 2 < len(present):
        raise DemoError(
            "Les données de démonstration présentes ont été générées avec une autre graine"
            " (--seed) : relancez avec --reset pour les remplacer."
        )


def _chunk_of(demo: DemoSet, service_id: str) -> int:
    return (int(service_id[len(demo.service_id_prefix) :]) - 1) // generator.SERVICES_PER_CHUNK


def _structure_count(demo: DemoSet, chunk: int, services: int) -> int:
    """Structures of `chunk` having at least one of the first `services` services."""
    limit = generator.services_in_chunk(chunk, services)
    if limit == generator.SERVICES_PER_CHUNK:
        return generator.STRUCTURES_PER_CHUNK
    structures = generator.generate_structures(demo, chunk, rows=False)
    return sum(1 for s in structures if s.first_service < limit)


def _structure_rows(demo: DemoSet, chunks: list[int], services: int, existing: set[str]):
    for chunk in chunks:
        limit = generator.services_in_chunk(chunk, services)
        for structure in generator.generate_structures(demo, chunk):
            if structure.first_service < limit and structure.row[0] not in existing:
                yield structure.row


def _service_rows(demo: DemoSet, chunks: list[int], services: int, existing: dict[int, set[str]]):
    for chunk in chunks:
        limit = generator.services_in_chunk(chunk, services)
        # Generated again rather than kept from the structures phase: cheap, and memory stays
        # flat for a million services.
        structures = generator.generate_structures(demo, chunk, rows=False)
        present = existing.get(chunk)
        for row in generator.generate_services(demo, chunk, structures, limit):
            if not present or row[0] not in present:
                yield row


def _drop_heavy_indexes(connection: Connection) -> list[tuple[str, str]]:
    indexes = queries.heavy_service_indexes(connection)
    for name, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return indexes
