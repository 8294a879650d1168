"""Load the committed geodata files into PostgreSQL/PostGIS.

    from geodata.load import load_all
    with engine.connect() as connection:
        report = load_all(connection)          # commits when it opened the transaction

Rows are replaced by upsert + delete of the codes that disappeared, in an order that respects
the foreign keys among the geodata tables, so that a running application never sees empty
tables and rows still referenced elsewhere are only touched when they really vanish.
Data files are streamed with COPY into temporary staging tables first: a full load takes
about a second.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from geodata.files import (
    ARRONDISSEMENTS_FILE,
    COMMUNES_FILE,
    DATA_DIR,
    DEPARTEMENTS_FILE,
    DEPARTEMENTS_GEOJSON_FILE,
    EPCI_FILE,
    REGIONS_FILE,
    SOURCES_FILE,
    data_version,
    file_digests,
)
from geodata.text import normalise_name

# Tables in foreign-key order: parents first. Deletions run in the reverse order.
TABLES = ("region", "departement", "epci", "commune", "arrondissement_municipal")


class GeodataError(RuntimeError):
    """The data files are inconsistent with their recorded provenance."""


@dataclass(frozen=True)
class LoadReport:
    version: str
    skipped: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        action = "already loaded" if self.skipped else f"loaded in {self.seconds:.2f} s"
        counts = ", ".join(f"{table}: {count}" for table, count in self.counts.items())
        return f"geodata {self.version} {action} ({counts})"


@dataclass(frozen=True)
class _Staging:
    table: str
    columns: str
    rows: Iterable[tuple[Any, ...]]


def load_all(
    connection: Connection | Session, *, force: bool = False, data_dir: Path = DATA_DIR
) -> LoadReport:
    """Load every geodata file, unless this data version is already loaded (or `force`).

    Runs in a savepoint of the caller's transaction when there is one (the caller commits),
    otherwise in a transaction of its own that it commits.
    """
    if isinstance(connection, Session):
        connection = connection.connection()
    started = time.perf_counter()
    owns_transaction = not connection.in_transaction()
    try:
        provenance = read_provenance(data_dir)
        version = provenance["data_version"]
        if not force and loaded_version(connection) == version:
            report = LoadReport(version=version, skipped=True, counts=table_counts(connection))
        else:
            with connection.begin_nested():
                _replace_all(connection, data_dir, provenance)
            report = LoadReport(
                version=version,
                skipped=False,
                counts=table_counts(connection),
                seconds=time.perf_counter() - started,
            )
        if owns_transaction:
            connection.commit()
        return report
    except BaseException:
        if owns_transaction:
            connection.rollback()
        raise


def read_provenance(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """SOURCES.json, checked against the files: a hand-edited file must not load silently."""
    provenance: dict[str, Any] = json.loads((data_dir / SOURCES_FILE).read_text("utf-8"))
    digests = file_digests(data_dir)
    if digests != provenance.get("files") or data_version(digests) != provenance.get(
        "data_version"
    ):
        raise GeodataError(
            f"{data_dir} does not match {SOURCES_FILE}: rebuild with `python -m geodata.build`"
        )
    return provenance


def loaded_version(connection: Connection) -> str | None:
    value = connection.execute(
        text("SELECT value FROM geodata_meta WHERE key = 'version'")
    ).scalar_one_or_none()
    return value if isinstance(value, str) else None


def table_counts(connection: Connection) -> dict[str, int]:
    query = " UNION ALL ".join(f"SELECT '{table}', count(*) FROM {table}" for table in TABLES)
    return {table: int(count) for table, count in connection.execute(text(query))}


# -- loading ---------------------------------------------------------------------------------


def _replace_all(connection: Connection, data_dir: Path, provenance: dict[str, Any]) -> None:
    stagings = _stagings(data_dir)
    for staging in stagings:
        connection.execute(text(f"DROP TABLE IF EXISTS {staging.table}"))
        connection.execute(text(f"CREATE TEMPORARY TABLE {staging.table} ({staging.columns})"))
        _copy(connection, staging)
    for statement in UPSERTS:
        connection.execute(text(statement))
    for table in reversed(TABLES):
        connection.execute(
            text(
                f"DELETE FROM {table} AS target WHERE NOT EXISTS "
                f"(SELECT 1 FROM stage_{table} AS source WHERE source.code = target.code)"
            )
        )
    for staging in stagings:
        connection.execute(text(f"DROP TABLE {staging.table}"))
    _write_meta(connection, provenance)
    # Fresh statistics let the planner use the trigram and postal-code indexes at once.
    for table in TABLES:
        connection.execute(text(f"ANALYZE {table}"))


def _stagings(data_dir: Path) -> list[_Staging]:
    return [
        _Staging("stage_region", "code text, nom text", _csv_rows(data_dir / REGIONS_FILE)),
        _Staging(
            "stage_departement",
            "code text, nom text, region_code text, geom_source text, geojson text",
            _departement_rows(data_dir),
        ),
        _Staging(
            "stage_epci",
            "code text, nom text, type text, population integer",
            _csv_rows(data_dir / EPCI_FILE),
        ),
        _Staging(
            "stage_commune",
            "code text, nom text, nom_recherche text, departement_code text, region_code text,"
            " epci_code text, codes_postaux text, population integer, longitude float8,"
            " latitude float8, precision text",
            _commune_rows(data_dir),
        ),
        _Staging(
            "stage_arrondissement_municipal",
            "code text, nom text, commune_code text, codes_postaux text, population integer,"
            " longitude float8, latitude float8, precision text",
            _csv_rows(data_dir / ARRONDISSEMENTS_FILE),
        ),
    ]


def _copy(connection: Connection, staging: _Staging) -> None:
    """Stream rows with COPY on the psycopg connection underlying the SQLAlchemy one."""
    driver_connection = connection.connection.driver_connection
    column_names = ", ".join(column.split()[0] for column in staging.columns.split(","))
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f"COPY {staging.table} ({column_names}) FROM STDIN") as copy,
    ):
        for row in staging.rows:
            copy.write_row(row)


def _csv_rows(path: Path) -> Iterator[tuple[str | None, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # header
        for row in reader:
            yield tuple(value if value != "" else None for value in row)


def _commune_rows(data_dir: Path) -> Iterator[tuple[str | None, ...]]:
    for code, nom, *rest in _csv_rows(data_dir / COMMUNES_FILE):
        assert nom is not None, f"commune {code} has no name"
        yield (code, nom, normalise_name(nom), *rest)


def _departement_rows(data_dir: Path) -> Iterator[tuple[str | None, ...]]:
    collection = json.loads((data_dir / DEPARTEMENTS_GEOJSON_FILE).read_text("utf-8"))
    geometries = {
        feature["properties"]["code"]: json.dumps(feature["geometry"])
        for feature in collection["features"]
    }
    for code, nom, region_code, _chef_lieu, geom_source in _csv_rows(data_dir / DEPARTEMENTS_FILE):
        yield (code, nom, region_code, geom_source, geometries.get(code or ""))


_POINT = "ST_SetSRID(ST_MakePoint(s.longitude, s.latitude), 4326)::geography"
_POSTAL_CODES = "coalesce(string_to_array(s.codes_postaux, ' '), '{}')"

UPSERTS = (
    """INSERT INTO region (code, nom) SELECT s.code, s.nom FROM stage_region AS s
    ON CONFLICT (code) DO UPDATE SET nom = excluded.nom""",
    """INSERT INTO departement (code, nom, region_code, geom, geom_source)
    SELECT s.code, s.nom, s.region_code,
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(s.geojson), 4326)), s.geom_source
    FROM stage_departement AS s
    ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, region_code = excluded.region_code,
        geom = excluded.geom, geom_source = excluded.geom_source""",
    """INSERT INTO epci (code, nom, type, population)
    SELECT s.code, s.nom, s.type, s.population FROM stage_epci AS s
    ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, type = excluded.type,
        population = excluded.population""",
    f"""INSERT INTO commune (code, nom, nom_recherche, departement_code, region_code, epci_code,
        codes_postaux, population, location, precision)
    SELECT s.code, s.nom, s.nom_recherche, s.departement_code, s.region_code, s.epci_code,
        {_POSTAL_CODES}, s.population, {_POINT}, s.precision
    FROM stage_commune AS s
    ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, nom_recherche = excluded.nom_recherche,
        departement_code = excluded.departement_code, region_code = excluded.region_code,
        epci_code = excluded.epci_code, codes_postaux = excluded.codes_postaux,
        population = excluded.population, location = excluded.location,
        precision = excluded.precision""",
    f"""INSERT INTO arrondissement_municipal (code, nom, commune_code, codes_postaux, population,
        location, precision)
    SELECT s.code, s.nom, s.commune_code, {_POSTAL_CODES}, s.population, {_POINT}, s.precision
    FROM stage_arrondissement_municipal AS s
    ON CONFLICT (code) DO UPDATE SET nom = excluded.nom, commune_code = excluded.commune_code,
        codes_postaux = excluded.codes_postaux, population = excluded.population,
        location = excluded.location, precision = excluded.precision""",
)


def _write_meta(connection: Connection, provenance: dict[str, Any]) -> None:
    entries = {
        "version": provenance["data_version"],
        "sources": provenance["sources"],
        "counts": provenance["counts"],
        "precision": provenance["precision"],
    }
    for key, value in entries.items():
        connection.execute(
            text(
                "INSERT INTO geodata_meta (key, value) VALUES (:key, CAST(:value AS jsonb)) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"key": key, "value": json.dumps(value, ensure_ascii=False)},
        )
    connection.execute(
        text(
            "INSERT INTO geodata_meta (key, value) VALUES ('loaded_at', to_jsonb(now())) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
    )
