"""Opening hours in the OpenStreetMap syntax, said in French for the people who read them.

Services store `horaires_accueil` as OSM `opening_hours` (the data·inclusion format), which
professionals cannot be expected to read (« Mo-Fr 09:00-12:00; PH off »). The common simple
rules are rendered as French lines; anything richer (months, weeks, comments, fallbacks…)
returns None and pages show the original text instead — never a wrong reading.
"""

from __future__ import annotations

import re

DAYS = {
    "Mo": "lundi",
    "Tu": "mardi",
    "We": "mercredi",
    "Th": "jeudi",
    "Fr": "vendredi",
    "Sa": "samedi",
    "Su": "dimanche",
}
ORDER = list(DAYS)
HOLIDAYS = {"PH": "jours fériés", "SH": "vacances scolaires"}

_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)"
_DAY_SPEC = rf"{_DAY}(?:-{_DAY})?"
_DAYS = re.compile(rf"^{_DAY_SPEC}(?:,{_DAY_SPEC})*$")
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_TIMES = re.compile(rf"^{_TIME}-{_TIME}(?:,{_TIME}-{_TIME})*$")
_CLOSED = {"off", "closed"}


NBSP = "\u00a0"  # a time range never breaks across lines


def _time(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours)}{NBSP}h" + ("" if minutes == "00" else f"{NBSP}{minutes}")


def _times(value: str) -> str:
    ranges = [f"{NBSP}– ".join(_time(t) for t in r.split("-")) for r in value.split(",")]
    return ", ".join(ranges[:-1]) + " et " + ranges[-1] if len(ranges) > 1 else ranges[0]


def _day_spec(spec: str) -> str | None:
    if spec in HOLIDAYS:
        return HOLIDAYS[spec]
    if "-" not in spec:
        return DAYS.get(spec)
    first, last = spec.split("-")
    if first not in DAYS or last not in DAYS or ORDER.index(first) >= ORDER.index(last):
        return None  # wrapping ranges (Sa-Mo) are rare: the original text says it better
    if (first, last) == ("Mo", "Su"):
        return "tous les jours"
    return f"du {DAYS[first]} au {DAYS[last]}"


def _days(value: str) -> str | None:
    parts = [_day_spec(spec) for spec in value.split(",")]
    if any(part is None for part in parts):
        return None
    return ", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else parts[0]


def _rule(rule: str) -> str | None:
    if rule == "24/7":
        return "Tous les jours, 24 h sur 24"
    words = rule.split()
    if len(words) == 1:
        days, hours = (None, words[0]) if _TIMES.match(words[0]) else (words[0], None)
    elif len(words) == 2:
        days, hours = words
    else:
        return None
    if days is not None and not _DAYS.match(days):
        return None
    said_days = _days(days) if days else "tous les jours"
    if said_days is None:
        return None
    if hours is None:
        said_hours = "ouvert"
    elif hours in _CLOSED:
        said_hours = "fermé"
    elif _TIMES.match(hours):
        said_hours = _times(hours)
    else:
        return None
    return f"{said_days[0].upper()}{said_days[1:]} : {said_hours}"


def french_opening_hours(value: str | None) -> list[str] | None:
    """One French line per rule of `value`, or None when it is empty or not simple enough
    to be said without risk of saying it wrong."""
    if not value or not value.strip():
        return None
    rules = [rule.strip() for rule in value.split(";") if rule.strip()]
    said = [_rule(rule) for rule in rules]
    if not said or any(line is None for line in said):
        return None
    return said
