"""COPY of generated rows into PostgreSQL, through psycopg 3's `cursor.copy`.

Rows are rendered to COPY's text format by hand, in batches: the generator guarantees that no
value needs escaping except the columns listed in `escaped` (descriptions hold line breaks),
which is what makes this faster than psycopg's row-by-row `write_row`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Connection

BATCH_ROWS = 2000
_NULL = "\\N"


def _escape(value: str) -> str:
    # str.replace is much faster than str.translate on non-ASCII text.
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def render_line(row: tuple[Any, ...], escaped: frozenset[int] = frozenset()) -> str:
    """One row in COPY text format (without the final line break).

    Lists are vocabulary values and territory codes (no quoting needed); strings outside the
    `escaped` positions are known to hold no backslash, tab or line break.
    """
    fields = [
        _NULL
        if value is None
        else value
        if value.__class__ is str
        else "{" + ",".join(value) + "}"
        if value.__class__ is list
        else str(value)
        for value in row
    ]
    for position in escaped:
        value = row[position]
        if value is not None:
            fields[position] = _escape(value)
    return "\t".join(fields)


def copy_rows(
    connection: Connection,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    *,
    escaped_columns: tuple[str, ...] = (),
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """COPY `rows` (tuples in `columns` order) into `table`; returns the number of rows.

    Runs on the psycopg connection under the SQLAlchemy one, so it is part of the caller's
    transaction. `on_batch(n)` is called after every batch of n rows sent (progress bars).
    """
    escaped = frozenset(columns.index(name) for name in escaped_columns)
    driver_connection = connection.connection.driver_connection
    count = 0
    batch: list[str] = []
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            batch.append(render_line(row, escaped))
            if len(batch) >= BATCH_ROWS:
                copy.write(("\n".join(batch) + "\n").encode())
                count += len(batch)
                if on_batch:
                    on_batch(len(batch))
                batch = []
        if batch:
            copy.write(("\n".join(batch) + "\n").encode())
            count += len(batch)
            if on_batch:
                on_batch(len(batch))
    return count
