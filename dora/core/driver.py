"""Statements run on a session's own DB-API connection (psycopg), in its transaction.

Why: a search runs three statements (the index's state, the page's services, at times the
place); SQLAlchemy's work around each statement and each row was a large share of a request
that the accelerator answers in a millisecond. Only for statements whose columns psycopg
converts itself; everything else goes through the session.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement


@functools.cache
def compiled(statement: ClauseElement, dialect: Dialect) -> str:
    """The SQL of `statement` for `dialect` (once per statement object: keep them at module
    level or cached)."""
    return str(statement.compile(dialect=dialect))


@functools.cache
def _row_type(names: tuple[str, ...]) -> type:
    return namedtuple("Row", names, rename=True)


def fetch(session: Session, statement: ClauseElement, params: dict[str, Any]) -> list[Any]:
    """The rows of `statement` (compiled once per dialect), as named tuples."""
    connection = session.connection()
    sql = compiled(statement, connection.dialect)
    with connection.connection.driver_connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        row_type = _row_type(tuple(column.name for column in cursor.description))
    return [row_type._make(row) for row in rows]
