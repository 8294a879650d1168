"""Conversion between our rows and the data·inclusion v1 exchange format."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from data_inclusion.schema import v1

from dora.interop.fields import spec_of

SERVICE_FIELDS: tuple[str, ...] = tuple(v1.Service.model_fields)
STRUCTURE_FIELDS: tuple[str, ...] = tuple(v1.Structure.model_fields)

# Lists the schema wants non-empty when present (publics, zone_eligibilite…). Records made on
# dora may hold an empty list there; the schema's way of saying "nothing" is null.
_NON_EMPTY = spec_of("services").non_empty_lists | spec_of("structures").non_empty_lists


def _plain(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list) and not value and name in _NON_EMPTY:
        return None
    return value


def to_data_inclusion(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A row (ORM object or mapping) as a data·inclusion record, every field present."""
    record = (
        {name: obj[name] for name in fields}
        if isinstance(obj, Mapping)
        else {name: getattr(obj, name) for name in fields}
    )
    # Only the values _plain changes (every search page builds its records here).
    for name, value in record.items():
        if isinstance(value, (list, date)):
            record[name] = _plain(name, value)
    return record


def service_record(service: Any) -> dict[str, Any]:
    return to_data_inclusion(service, SERVICE_FIELDS)


def structure_record(structure: Any) -> dict[str, Any]:
    return to_data_inclusion(structure, STRUCTURE_FIELDS)
