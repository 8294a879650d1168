"""data·inclusion import: validate every record, then write the valid ones in bulk.

Everything happens on the caller's connection and transaction: nothing here commits, so a
failure anywhere leaves the database as it was once the caller rolls back (the CLI does).
Files are read and every record validated before the first write, so an unusable file or
`strict=True` with a rejected record writes nothing at all.

Writes go through COPY into a temporary table and one INSERT … ON CONFLICT (id) DO UPDATE
per table. A re-import updates records by `id`: the schema's fields and our point change,
`version` is incremented and `updated_at` bumped only when something changed. Our own
workflow fields are set when a record is created and left alone afterwards: imported
structures start `validee` and services `publie`, but a moderation decision or an archived
or suspended service on dora survives the next import of the same source.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from tqdm import tqdm

from dora.catalogue.models import Moderation, Statut
from dora.core.opening_week import week_mask
from dora.core.signals import services_bulk_written
from dora.interop.fields import Kind, spec_of
from dora.interop.places import Places
from dora.interop.readers import FileProblem, SourceRecord, read_records
from dora.interop.validation import (
    FieldIssue,
    Problem,
    check_record,
    duplicates,
    problems_of,
    record_id,
)

_LABELS = {"structures": "structures", "services": "services"}
# Above this many rows a write is "bulk" for the other features' triggers (see _write).
BULK_ROWS = 1000
_TABLES = {"structures": "structure", "services": "service"}


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class ImportReport:
    structures: Counts = field(default_factory=Counts)
    services: Counts = field(default_factory=Counts)
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # False when nothing was written (strict mode with rejections).
    written: bool = False
    # Ids of the services created or updated (what services_bulk_written announced).
    service_ids: list[str] = field(default_factory=list)
    # Seconds spent per phase: "lecture", "validation", "écriture".
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return self.structures.rejected + self.services.rejected

    def counts(self, kind: Kind) -> Counts:
        return self.structures if kind == "structures" else self.services


@dataclass
class _Valid:
    record: SourceRecord
    values: dict[str, Any]
    location: tuple[float, float, str] | None


ProgressFactory = Callable[..., Any]


def _progress(enabled: bool) -> ProgressFactory:
    if not enabled:
        return lambda iterable=None, **kwargs: iterable if iterable is not None else nullcontext()
    return lambda iterable=None, **kwargs: tqdm(
        iterable, unit=" enr.", leave=False, mininterval=0.5, **kwargs
    )


def import_files(
    connection: Connection,
    *,
    structures: Path | None = None,
    services: Path | None = None,
    strict: bool = False,
    progress: bool = False,
) -> ImportReport:
    """Read both files (raising `FileProblem` before any write), then `import_records`."""
    started = time.perf_counter()
    structure_file = read_records(structures, "structures") if structures else None
    if structures and structure_file and "structure_id" in structure_file.unknown_fields:
        # Services carry every required field of a structure: without this check they would
        # be imported as structures.
        raise FileProblem(
            structures,
            "ce fichier contient des services (champ « structure_id ») : "
            "donnez-le avec --services.",
        )
    service_file = read_records(services, "services") if services else None
    read_seconds = time.perf_counter() - started
    unknown: list[Problem] = []
    for path, result in ((structures, structure_file), (services, service_file)):
        if path is not None and result is not None and result.unknown_fields:
            unknown.append(
                Problem(
                    Path(path).name,
                    None,
                    None,
                    None,
                    "champ(s) inconnu(s) du schéma data·inclusion, ignoré(s) : "
                    + ", ".join(result.unknown_fields),
                    "avertissement",
                )
            )
    report = import_records(
        connection,
        structures=structure_file.records if structure_file else (),
        services=service_file.records if service_file else (),
        strict=strict,
        progress=progress,
    )
    report.warnings[:0] = unknown
    report.timings = {"lecture": read_seconds, **report.timings}
    return report


def import_records(
    connection: Connection,
    *,
    structures: Sequence[SourceRecord] = (),
    services: Sequence[SourceRecord] = (),
    strict: bool = False,
    progress: bool = False,
) -> ImportReport:
    """Validate raw records (structures first: services may point to them) and write them.

    Raises `places.GeodataMissing` when the territories are not loaded.
    """
    bar = _progress(progress)
    report = ImportReport()
    started = time.perf_counter()
    places = Places(connection) if (structures or services) else None
    valid_structures = _validate(report, "structures", structures, places, bar)
    known_structures = {item.values["id"] for item in valid_structures}
    rejected_structures = {record_id(record) for record in structures} - known_structures
    valid_services = _validate(report, "services", services, places, bar)
    valid_services = _check_structures(
        connection, report, valid_services, known_structures, rejected_structures
    )
    validated = time.perf_counter()
    report.timings["validation"] = validated - started
    if strict and report.rejections:
        return report
    for kind, valid in (("structures", valid_structures), ("services", valid_services)):
        if not valid:
            continue
        if kind == "services" and len(valid) > BULK_ROWS:
            # The search feature's knob for bulk writers: its triggers queue these services
            # and it builds their documents once this transaction has committed (it hears
            # services_bulk_written), instead of refreshing them inside the statement.
            connection.execute(text("SET LOCAL dora.search_bulk_rows = 1"))
        ids = _write(connection, kind, valid, report.counts(kind), bar)
        if kind == "structures" and len(ids) > BULK_ROWS:
            # Triggers on `service` (map grid, search) join the services written next with
            # `structure`: planned with stale statistics (many new rows), that join becomes
            # a nested loop over every structure for every service.
            connection.execute(text("ANALYZE structure"))
        if kind == "services":
            report.service_ids = ids
    if report.service_ids:
        # Inside the caller's transaction, before it commits: listeners (search) stay in step.
        services_bulk_written.send(connection, service_ids=list(report.service_ids))
    report.timings["écriture"] = time.perf_counter() - validated
    report.written = True
    return report


def _validate(
    report: ImportReport,
    kind: Kind,
    records: Sequence[SourceRecord],
    places: Places | None,
    bar: ProgressFactory,
) -> list[_Valid]:
    spec = spec_of(kind)
    counts = report.counts(kind)
    counts.read = len(records)
    repeated = duplicates(list(records))
    valid: list[_Valid] = []
    for record in bar(records, desc=f"Validation des {_LABELS[kind]}", total=len(records)):
        assert places is not None
        checked = check_record(spec, record, places)
        if record.position in repeated:
            checked.errors.append(
                FieldIssue(
                    "id", f"identifiant en double (déjà présent ligne {repeated[record.position]})"
                )
            )
            checked.values = None
        report.warnings.extend(problems_of(record, checked.warnings, "avertissement"))
        if checked.values is None:
            counts.rejected += 1
            report.rejections.extend(problems_of(record, checked.errors, "rejet"))
        else:
            valid.append(_Valid(record, checked.values, checked.location))
    return valid


def _check_structures(
    connection: Connection,
    report: ImportReport,
    services: list[_Valid],
    in_file: set[str],
    rejected_in_file: set[str | None],
) -> list[_Valid]:
    """A service must belong to a structure of the database or of the structures file."""
    wanted = sorted({item.values["structure_id"] for item in services} - in_file)
    in_database = (
        set(
            connection.execute(
                text("SELECT id FROM structure WHERE id = ANY(:ids)"), {"ids": wanted}
            ).scalars()
        )
        if wanted
        else set()
    )
    kept: list[_Valid] = []
    for item in services:
        structure_id = item.values["structure_id"]
        if structure_id in in_file or structure_id in in_database:
            kept.append(item)
            continue
        why = (
            "rejetée dans le fichier des structures"
            if structure_id in rejected_in_file
            else "ni dans la base ni dans le fichier des structures"
        )
        report.services.rejected += 1
        report.rejections.append(
            Problem(
                item.record.file,
                item.record.line,
                record_id(item.record),
                "structure_id",
                f"structure « {structure_id} » inconnue ({why})",
                "rejet",
            )
        )
    return kept


# -- writing ----------------------------------------------------------------------------------


def _stage_name(kind: Kind) -> str:
    return f"import_{_TABLES[kind]}"


def _write(
    connection: Connection,
    kind: Kind,
    valid: list[_Valid],
    counts: Counts,
    bar: ProgressFactory,
) -> list[str]:
    """COPY into a temporary table, then one upsert; returns the ids created or updated."""
    table, stage = _TABLES[kind], _stage_name(kind)
    fields = spec_of(kind).names
    connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{stage}"))
    connection.execute(
        text(
            f"CREATE TEMPORARY TABLE {stage} AS SELECT {', '.join(fields)}, location_precision "
            f"FROM {table} WITH NO DATA"
        )
    )
    connection.execute(
        text(
            f"ALTER TABLE {stage} ADD COLUMN point_longitude float8, "
            "ADD COLUMN point_latitude float8"
        )
    )
    columns = [*fields, "location_precision", "point_longitude", "point_latitude"]
    rows = (_row(item, fields) for item in valid)
    if kind == "services":
        # The week mask of « Ouvert le … » (dora.core.opening_week): COPY runs no ORM hook.
        connection.execute(text(f"ALTER TABLE {stage} ADD COLUMN opening_week int"))
        columns.append("opening_week")
        rows = (
            (*_row(item, fields), week_mask(item.values.get("horaires_accueil"))) for item in valid
        )
    copy_rows(
        connection,
        stage,
        columns,
        bar(rows, desc=f"Écriture des {_LABELS[kind]}", total=len(valid)),
    )
    written = connection.execute(text(_upsert_sql(kind, fields))).all()
    connection.execute(text(f"DROP TABLE {stage}"))
    counts.created = sum(1 for _, created in written if created)
    counts.updated = len(written) - counts.created
    counts.unchanged = len(valid) - len(written)
    return [row_id for row_id, _ in written]


def _row(item: _Valid, fields: Sequence[str]) -> tuple:
    location = item.location
    return (
        *(item.values[name] for name in fields),
        location[2] if location else None,
        location[0] if location else None,
        location[1] if location else None,
    )


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
    """Stream rows with COPY on the psycopg connection under the SQLAlchemy one."""
    driver_connection = connection.connection.driver_connection
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _upsert_sql(kind: Kind, fields: Sequence[str]) -> str:
    table = _TABLES[kind]
    point = (
        "CASE WHEN s.point_longitude IS NULL THEN NULL ELSE "
        "ST_SetSRID(ST_MakePoint(s.point_longitude, s.point_latitude), 4326)::geography END"
    )
    if kind == "structures":
        ours, our_values = ["moderation"], [f"'{Moderation.VALIDEE.value}'"]
    else:
        ours, our_values = ["statut"], [f"'{Statut.PUBLIE.value}'"]
    computed = ["opening_week"] if kind == "services" else []
    insert_columns = [*fields, "location", "location_precision", *computed, *ours]
    select_values = [
        *(f"s.{name}" for name in fields),
        point,
        "s.location_precision",
        *(f"s.{name}" for name in computed),
        *our_values,
    ]
    updated = [*fields, "location", "location_precision", *computed]
    assignments = ", ".join(f"{name} = excluded.{name}" for name in updated if name != "id")
    compared_old = ", ".join(f"t.{name}" for name in updated if name not in ("id", "location"))
    compared_new = ", ".join(
        f"excluded.{name}" for name in updated if name not in ("id", "location")
    )
    return f"""
        INSERT INTO {table} AS t ({", ".join(insert_columns)})
        SELECT {", ".join(select_values)} FROM {_stage_name(kind)} AS s
        ON CONFLICT (id) DO UPDATE SET {assignments},
            updated_at = now(), version = t.version + 1
        WHERE ({compared_old}, ST_AsEWKB(t.location::geometry))
            IS DISTINCT FROM ({compared_new}, ST_AsEWKB(excluded.location::geometry))
        RETURNING t.id, (t.xmax = 0) AS created
    """
