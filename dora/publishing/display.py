"""How history and conflict values are shown to people (French labels, not codes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dora import vocabulary
from dora.catalogue.models import STATUT_LABELS, Statut
from dora.core.template_helpers import french_date
from dora.publishing import fields
from dora.publishing.forms import FREQUENCE_LABELS, french_number
from dora.publishing.queries import Territory

EMPTY = "(vide)"


def format_value(name: str, value: Any, territories: Mapping[str, Territory] | None = None) -> str:
    """A snapshot value as a person reads it."""
    if value in (None, "", []):
        return EMPTY
    if name == "zone_eligibilite":
        territories = territories or {}
        return ", ".join(territories[c].libelle if c in territories else c for c in value)
    if name in fields.ARRAY_FIELDS:
        return ", ".join(vocabulary.label(v) for v in value)
    if name in ("type", "frais"):
        return vocabulary.label(value)
    if name == "statut":
        return STATUT_LABELS.get(Statut(value), value)
    if name == "frequence_maj":
        return next((label for f, label in FREQUENCE_LABELS.items() if f.value == value), value)
    if name in fields.DATE_FIELDS:
        return french_date(date.fromisoformat(value))
    if isinstance(value, float):
        return french_number(value)
    return str(value)


def zone_codes_in(values: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every zone code mentioned in these snapshots or diffs (to look their names up once)."""
    codes: set[str] = set()
    for mapping in values:
        value = mapping.get("zone_eligibilite")
        if isinstance(value, dict):  # a history diff
            codes.update(value.get("avant") or [])
            codes.update(value.get("apres") or [])
        elif value:
            codes.update(value)
    return codes


_ORDER = {name: i for i, name in enumerate(fields.TRACKED_FIELDS)}


def ordered_changes(changes: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A history diff in the form's field order (JSONB does not keep key order)."""
    return sorted(changes.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER)))
