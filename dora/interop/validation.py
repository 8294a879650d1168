"""Validation of raw data·inclusion records: the schema package's models, then our checks.

The schema's "avertissement" validators (a name ending with a period…) are run and reported
as warnings: the record is imported. Everything else the models reject is a rejection, with
a French message naming the field. Our own checks come on top: known commune codes
(arrondissements and former codes of merged communes accepted), known `zone_eligibilite`
codes, usable coordinates and finite numbers, no NUL character (PostgreSQL cannot store it).
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

import pydantic

from dora.core.urls import normalise_web_url
from dora.interop.fields import FieldSpec
from dora.interop.places import Places
from dora.interop.readers import SourceRecord

Level = Literal["rejet", "avertissement"]


@dataclass(frozen=True)
class Problem:
    """One line of the import report."""

    file: str
    line: int | None  # None: about the whole file
    id: str | None
    field: str | None
    message: str
    level: Level

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file} : {self.message}"
        ident = f"id « {self.id} »" if self.id else "id absent"
        field = f", champ « {self.field} »" if self.field else ""
        return f"{self.file}, ligne {self.line}, {ident}{field} : {self.message}"


@dataclass(frozen=True)
class FieldIssue:
    field: str | None
    message: str


@dataclass
class Checked:
    """Outcome for one record: its values ready to store, or its errors."""

    values: dict[str, Any] | None
    errors: list[FieldIssue]
    warnings: list[FieldIssue]
    # (longitude, latitude, precision) of the point we use, or None.
    location: tuple[float, float, str] | None = None


# -- pydantic errors in French --------------------------------------------------------------

_PATTERN_MESSAGES = {
    "code_postal": "code postal à 5 chiffres attendu",
    "code_insee": "code commune INSEE à 5 caractères attendu",
    "siret": "numéro SIRET à 14 chiffres attendu",
}
_ZONE_MESSAGE = (
    "code non reconnu : « {value} » (code commune, département, EPCI, pays ou « france » attendu)"
)


def _shown(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(error: dict[str, Any], field: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind in {"string_type", "string_sub_type"}:
        return f"texte attendu, reçu « {_shown(value)} »"
    if field in _PATTERN_MESSAGES and kind.startswith("string_"):
        return f"{_PATTERN_MESSAGES[field]}, reçu « {_shown(value)} »"
    if kind == "string_too_short":
        return f"doit contenir au moins {ctx.get('min_length')} caractère(s)"
    if kind == "string_too_long":
        return f"doit contenir au plus {ctx.get('max_length')} caractères"
    if kind == "string_pattern_mismatch":
        return f"format invalide, reçu « {_shown(value)} »"
    if kind == "enum":
        return f"valeur inconnue du référentiel : « {_shown(value)} »"
    if kind.startswith("url_"):
        return f"adresse web invalide (http:// ou https:// attendu) : « {_shown(value)} »"
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return f"date invalide : « {_shown(value)} » (format AAAA-MM-JJ attendu)"
    if kind in {"float_parsing", "float_type"}:
        return f"nombre attendu, reçu « {_shown(value)} »"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"nombre entier attendu, reçu « {_shown(value)} »"
    if kind == "greater_than_equal":
        return f"doit être supérieur ou égal à {ctx.get('ge')}"
    if kind == "too_short":
        return f"doit contenir au moins {ctx.get('min_length')} valeur(s) (ou être absent)"
    if kind in {"set_type", "list_type", "frozen_set_type"}:
        return f"liste de valeurs attendue, reçu « {_shown(value)} »"
    if kind == "value_error" and "reason" in ctx:
        return f"adresse électronique invalide : « {_shown(value)} »"
    if kind in {"value_error", "assertion_error", "avertissement"}:
        cause = ctx.get("error")
        return str(cause) if cause is not None else error["msg"].removeprefix("Value error, ")
    return f"valeur invalide ({error['msg']})"


def _translate(errors: list[dict[str, Any]]) -> list[FieldIssue]:
    """French issues, one per field and list item (a union yields one message per item)."""
    issues: list[FieldIssue] = []
    seen_items: set[tuple[str, int]] = set()
    for error in errors:
        loc = error["loc"]
        field = str(loc[0]) if loc else None
        if field is None:
            issues.append(FieldIssue(None, "l’enregistrement doit être un objet JSON {…}"))
            continue
        is_item = len(loc) > 1 and isinstance(loc[1], int)
        if is_item:
            key = (field, loc[1])
            if key in seen_items:
                continue  # further alternatives of the same union member
            seen_items.add(key)
            if len(loc) > 2:  # a union (zone_eligibilite): one message for the item
                issues.append(FieldIssue(field, _ZONE_MESSAGE.format(value=_shown(error["input"]))))
                continue
        issues.append(FieldIssue(field, _message(error, field)))
    return issues


# -- values to store ----------------------------------------------------------------------


def _is_url(value: Any) -> bool:
    return isinstance(value, pydantic.AnyUrl)


def _stored_values(model: pydantic.BaseModel, raw: dict[str, Any], spec: FieldSpec) -> dict:
    """Plain values to store: enum values, sets as sorted lists, URLs and e-mails as sent."""
    values: dict[str, Any] = {}
    for name, value in model.__dict__.items():
        if value is None:
            values[name] = None
        elif name in spec.verbatim:  # before str: e-mails come back as (normalised) str
            # URLs as sent when they are valid URIs, percent-encoded otherwise (a quote…).
            values[name] = normalise_web_url(raw[name]) if _is_url(value) else raw[name]
        elif type(value) in (str, int, float):
            values[name] = value
        elif isinstance(value, (set, frozenset)):
            values[name] = sorted(item.value for item in value)
        elif isinstance(value, list):
            values[name] = [item.value if isinstance(item, enum.Enum) else item for item in value]
        elif isinstance(value, enum.Enum):
            values[name] = value.value
        else:
            values[name] = value  # dates
    return values


def _schema_validate(spec: FieldSpec, raw: Any) -> Checked:
    if not isinstance(raw, dict):
        return Checked(None, [FieldIssue(None, "l’enregistrement doit être un objet JSON {…}")], [])
    try:
        model = spec.model.model_validate(raw, context={"ignore_warnings": False})
        return Checked(_stored_values(model, raw, spec), [], [])
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
    warnings = [error for error in errors if error["type"] == "avertissement"]
    hard = [error for error in errors if error["type"] != "avertissement"]
    if hard:
        return Checked(None, _translate(hard), _translate(warnings))
    model = spec.model.model_validate(raw, context={"ignore_warnings": True})
    return Checked(_stored_values(model, raw, spec), [], _translate(warnings))


# -- our checks ------------------------------------------------------------------------------


def _text_problems(values: dict[str, Any]) -> list[FieldIssue]:
    issues = []
    for name, value in values.items():
        if type(value) is str:
            if "\x00" in value:
                issues.append(FieldIssue(name, "caractère nul (\\u0000) interdit"))
        elif type(value) is list and any("\x00" in item for item in value):
            issues.append(FieldIssue(name, "caractère nul (\\u0000) interdit"))
    return issues


_INTEGER_MAX = 2**31 - 1  # PostgreSQL `integer`
_IDENTIFIERS = ("id", "structure_id", "source")


def _number_problems(values: dict[str, Any], spec: FieldSpec) -> list[FieldIssue]:
    issues = [
        FieldIssue(name, "nombre fini attendu (ni NaN ni infini)")
        for name in sorted(spec.floats)
        if values.get(name) is not None and not math.isfinite(values[name])
    ]
    issues.extend(
        FieldIssue(name, f"nombre trop grand (au plus {_INTEGER_MAX})")
        for name in sorted(spec.ints)
        if values.get(name) is not None and abs(values[name]) > _INTEGER_MAX
    )
    return issues


def _identifier_problems(values: dict[str, Any]) -> list[FieldIssue]:
    # The schema accepts "" for these; an empty key would make an unreachable record.
    return [
        FieldIssue(name, "ne doit pas être vide")
        for name in _IDENTIFIERS
        if name in values and isinstance(values[name], str) and not values[name].strip()
    ]


def _coordinates(values: dict[str, Any], checked: Checked) -> tuple[float, float] | None:
    longitude, latitude = values.get("longitude"), values.get("latitude")
    if longitude is None and latitude is None:
        return None
    if longitude is None or latitude is None:
        given = "longitude" if latitude is None else "latitude"
        checked.warnings.append(
            FieldIssue(given, "coordonnée seule (longitude et latitude vont ensemble) : ignorée")
        )
        return None
    if not (math.isfinite(longitude) and math.isfinite(latitude)):
        return None  # reported by _number_problems
    if not -180 <= longitude <= 180:
        checked.errors.append(FieldIssue("longitude", f"hors limites (-180 à 180) : {longitude}"))
    if not -90 <= latitude <= 90:
        checked.errors.append(FieldIssue("latitude", f"hors limites (-90 à 90) : {latitude}"))
    if checked.errors:
        return None
    if longitude == 0 and latitude == 0:
        checked.warnings.append(
            FieldIssue("longitude", "coordonnées (0, 0) ignorées : point de la commune utilisé")
        )
        return None
    return longitude, latitude


def _territory_checks(values: dict[str, Any], places: Places, checked: Checked) -> None:
    code = values.get("code_insee")
    if code is not None and not places.is_commune(code):
        current = places.former_code(code)
        if current:
            checked.warnings.append(
                FieldIssue(
                    "code_insee",
                    f"ancien code commune « {code} » (commune fusionnée dans {current})",
                )
            )
        else:
            checked.errors.append(FieldIssue("code_insee", f"code commune inconnu : « {code} »"))
    for zone_code in values.get("zone_eligibilite") or []:
        problem = places.zone_code_problem(zone_code)
        if problem:
            checked.errors.append(FieldIssue("zone_eligibilite", problem))


def check_record(spec: FieldSpec, record: SourceRecord, places: Places) -> Checked:
    """Schema validation, our checks and the record's point."""
    checked = _schema_validate(spec, record.data)
    if record.error:
        checked.errors.insert(0, FieldIssue(None, record.error))
    if checked.values is None or checked.errors:
        checked.values = None
        return checked
    values = checked.values
    checked.errors.extend(_identifier_problems(values))
    checked.errors.extend(_text_problems(values))
    checked.errors.extend(_number_problems(values, spec))
    coordinates = _coordinates(values, checked)
    _territory_checks(values, places, checked)
    if checked.errors:
        checked.values = None
        return checked
    if coordinates is not None:
        checked.location = (coordinates[0], coordinates[1], "adresse")
    else:
        checked.location = places.locate(
            values.get("code_insee"), values.get("code_postal"), values.get("commune")
        )
    return checked


def record_id(record: SourceRecord) -> str | None:
    data = record.data
    if isinstance(data, dict) and data.get("id") is not None and str(data["id"]).strip():
        return str(data["id"])
    return None


def problems_of(record: SourceRecord, issues: list[FieldIssue], level: Level) -> list[Problem]:
    ident = record_id(record)
    return [
        Problem(record.file, record.line, ident, issue.field, issue.message, level)
        for issue in issues
    ]


def duplicates(records: list[SourceRecord]) -> dict[int, int]:
    """Position of each record whose `id` already appeared -> line of the first one."""
    first_line: dict[str, int] = {}
    repeated: dict[int, int] = {}
    for record in records:
        ident = record_id(record)
        if ident is None:
            continue
        if ident in first_line:
            repeated[record.position] = first_line[ident]
        else:
            first_line[ident] = record.line
    return repeated


def group_by_field(problems: list[Problem]) -> dict[str | None, int]:
    counts: dict[str | None, int] = defaultdict(int)
    for problem in problems:
        counts[problem.field] += 1
    return dict(counts)
