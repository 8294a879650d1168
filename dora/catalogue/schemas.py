"""Conversion between our rows and the data·inclusion v1 exchange format."""

from __future__ import annotations

from datetime import date
from typing import Any

from data_inclusion.schema import v1

SERVICE_FIELDS: tuple[str, ...] = tuple(v1.Service.model_fields)
STRUCTURE_FIELDS: tuple[str, ...] = tuple(v1.Structure.model_fields)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_data_inclusion(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """A row (ORM object or mapping) as a data·inclusion record, every field present."""
    get = obj.get if isinstance(obj, dict) else lambda name: getattr(obj, name)
    return {name: _plain(get(name)) for name in fields}


def service_record(service: Any) -> dict[str, Any]:
    return to_data_inclusion(service, SERVICE_FIELDS)


def structure_record(structure: Any) -> dict[str, Any]:
    return to_data_inclusion(structure, STRUCTURE_FIELDS)
