"""The import benchmark's generated data must be entirely valid (or the bench would
measure rejections); its speed is measured by `dora bench import`, never here."""

from __future__ import annotations

from dora.interop.bench import PREFIX, generate
from dora.interop.operations import import_records
from dora.interop.readers import SourceRecord


def _records(name: str, data: list[dict]) -> list[SourceRecord]:
    return [SourceRecord(name, n, n, record) for n, record in enumerate(data, start=1)]


def test_generated_records_all_import(db_connection):
    structures, services = generate(120)
    report = import_records(
        db_connection,
        structures=_records("structures", structures),
        services=_records("services", services),
    )
    assert report.rejections == [] and report.warnings == []
    assert (report.structures.created, report.services.created) == (24, 120)
    assert all(service["id"].startswith(PREFIX) for service in services)
    changed = generate(120, variant=1)[1]
    again = import_records(db_connection, services=_records("services", changed))
    assert again.services.updated == 120
