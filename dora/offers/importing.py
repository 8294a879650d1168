"""What the three offer importers share: the report, rejections, exit codes and upserts.

Same contract as `dora import data-inclusion` (dora/interop/cli.py): every record is read and
checked before the first write; a rejected record is listed with where it is (line of the XML
file, or position in the JSON list), its identifier, the field and a French message; the
others are written, unless `--strict`. Everything happens in the caller's transaction and is
committed by the command once, so an unusable file or a database failure writes nothing.
Re-importing the same file changes nothing (rows are compared before being updated).

Exit status: 0 imported; 1 some records rejected; 2 unusable file or territories not loaded
(nothing written); 3 database failure (rolled back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

EXIT_REJECTED = 1
EXIT_UNUSABLE = 2
EXIT_DATABASE = 3


class FileUnusable(Exception):
    """The whole file cannot be used (unreadable, not the expected format): nothing written."""


@dataclass(frozen=True)
class Rejection:
    file: str
    where: str  # "ligne 12" (XML) or "enregistrement 3" (JSON)
    id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        ident = f", id « {self.id} »" if self.id else ""
        champ = f", champ « {self.field} »" if self.field else ""
        return f"{self.file}, {self.where}{ident}{champ} : {self.message}"


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, written: tuple[int, int, int]) -> None:
        created, updated, unchanged = written
        self.created += created
        self.updated += updated
        self.unchanged += unchanged


@dataclass
class OfferReport:
    counts: dict[str, Counts] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False

    def of(self, label: str) -> Counts:
        return self.counts.setdefault(label, Counts())

    @property
    def rejected(self) -> int:
        return sum(counts.rejected for counts in self.counts.values())


class RecordProblems(Exception):
    """One record is rejected: `(field, message)` pairs."""

    def __init__(self, issues: list[tuple[str | None, str]]) -> None:
        super().__init__("; ".join(message for _, message in issues))
        self.issues = issues


def point_wkt(longitude: float | None, latitude: float | None) -> str | None:
    if longitude is None or latitude is None:
        return None
    return f"SRID=4326;POINT({longitude} {latitude})"


def _sql_value(column: str, casts: dict[str, str]) -> str:
    cast = casts.get(column)
    if cast == "geography":
        return f"ST_GeogFromText(CAST(:{column} AS text))"
    if cast:
        return f"CAST(:{column} AS {cast})"
    return f":{column}"


def upsert(
    connection: Connection,
    table: str,
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    casts: dict[str, str] | None = None,
    versioned: bool = False,
    insert_only: dict[str, Any] | None = None,
) -> tuple[int, int, int]:
    """Insert or update `rows` by `key`; an unchanged row is not touched.

    `versioned`: the table has `updated_at` and `version` (structure, service), bumped only
    when something changed. `insert_only`: columns set when a row is created, never after.
    Returns (created, updated, unchanged).
    """
    if not rows:
        return (0, 0, 0)
    casts = {**(casts or {})}
    for column, value in rows[0].items():
        if isinstance(value, dict):
            casts.setdefault(column, "jsonb")
    columns = list(rows[0])
    extra = insert_only or {}
    insert_columns = [*columns, *extra]
    values = [_sql_value(column, casts) for column in columns] + [
        f":_extra_{name}" for name in extra
    ]
    updated = [column for column in columns if column not in key]
    assignments = ", ".join(f"{column} = excluded.{column}" for column in updated)
    if versioned:
        assignments += ", updated_at = now(), version = t.version + 1"

    def compared(prefix: str) -> str:
        return ", ".join(
            f"ST_AsEWKB({prefix}.{column}::geometry)"
            if casts.get(column) == "geography"
            else f"{prefix}.{column}"
            for column in updated
        )

    sql = text(
        f"INSERT INTO {table} AS t ({', '.join(insert_columns)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {assignments} "
        f"WHERE ({compared('t')}, NULL) IS DISTINCT FROM ({compared('excluded')}, NULL) "
        "RETURNING (t.xmax = 0) AS created"
    )
    created = changed = 0
    for row in rows:
        params = {
            column: json.dumps(value, sort_keys=True, ensure_ascii=False)
            if isinstance(value, dict)
            else value
            for column, value in row.items()
        }
        params.update({f"_extra_{name}": value for name, value in extra.items()})
        result = connection.execute(sql, params).first()
        if result is None:
            continue
        if result.created:
            created += 1
        else:
            changed += 1
    return created, changed, len(rows) - created - changed


def departements_of_region(connection: Connection, departement: str) -> list[str]:
    """Every département of the région of `departement` (v1 zones have no région codes)."""
    return list(
        connection.execute(
            text(
                "SELECT d.code FROM departement AS d JOIN departement AS x "
                "ON x.region_code = d.region_code WHERE x.code = :code ORDER BY d.code"
            ),
            {"code": departement},
        ).scalars()
    )


def departement_of_commune(connection: Connection, code: str | None) -> str | None:
    if not code:
        return None
    return connection.execute(
        text(
            "SELECT departement_code FROM commune WHERE code = :code UNION ALL "
            "SELECT c.departement_code FROM arrondissement_municipal AS a "
            "JOIN commune AS c ON c.code = a.commune_code WHERE a.code = :code LIMIT 1"
        ),
        {"code": code},
    ).scalar()


def nearest_commune(connection: Connection, longitude: float, latitude: float):
    return connection.execute(
        text(
            "SELECT code, nom, departement_code FROM commune "
            "ORDER BY location <-> ST_GeogFromText(:point) LIMIT 1"
        ),
        {"point": point_wkt(longitude, latitude)},
    ).first()


def clip(value: str | None, length: int) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split()) if "\n" not in value else value.strip()
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def join_lines(parts: Iterable[str | None], separator: str = "\n\n") -> str:
    return separator.join(part.strip() for part in parts if part and part.strip())


def today() -> date:
    return date.today()


MAX_JSON_BYTES = 100 * 1024 * 1024


def read_json_list(path, *, wrappers: tuple[str, ...] = ("results", "items", "data")) -> list:
    """The records of a JSON file: a list, or a list under one of `wrappers` (paginated API
    answers). Raises FileUnusable with a French message."""
    from pathlib import Path

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FileUnusable(f"{path} : lecture impossible ({exc.strerror}).") from exc
    if not raw.strip():
        raise FileUnusable(f"{path.name} : fichier vide.")
    if len(raw) > MAX_JSON_BYTES:
        raise FileUnusable(f"{path.name} : fichier trop volumineux (100 Mo au plus).")
    try:
        content = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileUnusable(f"{path.name} : le fichier n’est pas encodé en UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise FileUnusable(
            f"{path.name} : JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}."
        ) from exc
    if isinstance(content, dict):
        for key in wrappers:
            if isinstance(content.get(key), list):
                content = content[key]
                break
    if not isinstance(content, list):
        raise FileUnusable(
            f"{path.name} : une liste JSON d’enregistrements est attendue "
            f"(ou un objet avec une clé {', '.join(repr(w) for w in wrappers)})."
        )
    return content
