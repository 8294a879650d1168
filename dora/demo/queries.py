"""What demo data is already in the database.

Demo ids have a fixed width (`demo--svc-0000001`), so a range over the primary key finds a
demo set's rows whatever the collation; `LIKE` on the prefix keeps the answer exact.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dora.demo.generator import SERVICES_PER_CHUNK, STRUCTURES_PER_CHUNK, DemoSet


def id_pattern(prefix: str) -> str:
    """LIKE pattern matching the ids that start with `prefix`."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def count_services(connection: Connection, demo: DemoSet, first: int, last: int) -> int:
    """Demo services of this set numbered first..last that exist."""
    return connection.execute(
        text("SELECT count(*) FROM service WHERE id BETWEEN :first AND :last AND id LIKE :pattern"),
        {
            "first": demo.service_id(first),
            "last": demo.service_id(last),
            "pattern": id_pattern(demo.service_id_prefix),
        },
    ).scalar_one()


def count_all(connection: Connection, demo: DemoSet) -> tuple[int, int]:
    """(services, structures) of this demo set present in the database."""
    services = connection.execute(
        text("SELECT count(*) FROM service WHERE id LIKE :pattern AND source = :source"),
        {"pattern": id_pattern(demo.service_id_prefix), "source": demo.source},
    ).scalar_one()
    structures = connection.execute(
        text("SELECT count(*) FROM structure WHERE id LIKE :pattern AND source = :source"),
        {"pattern": id_pattern(demo.structure_id_prefix), "source": demo.source},
    ).scalar_one()
    return services, structures


def services_per_chunk(connection: Connection, demo: DemoSet, last: int) -> dict[int, int]:
    """Chunk → number of its services (numbered ≤ last) present."""
    offset = len(demo.service_id_prefix) + 1
    rows = connection.execute(
        text(
            f"SELECT (substring(id FROM {offset})::int - 1) / {SERVICES_PER_CHUNK} AS chunk,"
            " count(*) FROM service WHERE id BETWEEN :first AND :last AND id LIKE :pattern"
            " GROUP BY chunk"
        ),
        {
            "first": demo.service_id(1),
            "last": demo.service_id(last),
            "pattern": id_pattern(demo.service_id_prefix),
        },
    )
    return {int(chunk): int(count) for chunk, count in rows}


def service_ids_in_chunk(connection: Connection, demo: DemoSet, chunk: int) -> set[str]:
    first = chunk * SERVICES_PER_CHUNK + 1
    return set(
        connection.execute(
            text("SELECT id FROM service WHERE id BETWEEN :first AND :last AND id LIKE :pattern"),
            {
                "first": demo.service_id(first),
                "last": demo.service_id(first + SERVICES_PER_CHUNK - 1),
                "pattern": id_pattern(demo.service_id_prefix),
            },
        ).scalars()
    )


def structure_ids_in_chunks(connection: Connection, demo: DemoSet, chunks: list[int]) -> set[str]:
    """Ids of this set's structures that exist, among those of `chunks`."""
    if not chunks:
        return set()
    found = connection.execute(
        text("SELECT id FROM structure WHERE id BETWEEN :first AND :last AND id LIKE :pattern"),
        {
            "first": demo.structure_id(min(chunks) * STRUCTURES_PER_CHUNK + 1),
            "last": demo.structure_id((max(chunks) + 1) * STRUCTURES_PER_CHUNK),
            "pattern": id_pattern(demo.structure_id_prefix),
        },
    ).scalars()
    return set(found)


def first_services(connection: Connection, demo: DemoSet, limit: int) -> list[tuple[str, str, str]]:
    """(id, code_insee, type) of this set's first `limit` services present."""
    rows = connection.execute(
        text(
            "SELECT id, code_insee, type FROM service"
            " WHERE id >= :first AND id LIKE :pattern ORDER BY id LIMIT :limit"
        ),
        {
            "first": demo.service_id(1),
            "pattern": id_pattern(demo.service_id_prefix),
            "limit": limit,
        },
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def heavy_service_indexes(connection: Connection) -> list[tuple[str, str]]:
    """(name, definition) of the GIN and GiST indexes of `service` that back no constraint:
    the ones worth dropping during a big load and building again afterwards."""
    rows = connection.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_am am ON am.oid = i.relam"
            " WHERE x.indrelid = 'service'::regclass AND am.amname IN ('gin', 'gist')"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname"
        )
    )
    return [(name, definition) for name, definition in rows]
