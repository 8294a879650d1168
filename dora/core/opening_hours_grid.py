"""A week of opening hours as a grid (days × time ranges, public holidays, closed months),
turned into the OSM `opening_hours` string services store, and back.

The editor shows the grid; the stored value stays the OSM string of the data·inclusion
schema. `from_osm` reads the subset a grid can show (weekday rules, `off`, `PH`, closed
months, `24/7`, later rules overriding earlier ones as OSM says) and returns None for
anything richer: the editor then keeps the text as written rather than lose part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HOLIDAYS_SAME = "comme-les-autres-jours"  # no PH rule: a holiday is an ordinary weekday
HOLIDAYS_OFF = "ferme"
HOLIDAYS_HOURS = "horaires"
HOLIDAY_MODES = (HOLIDAYS_SAME, HOLIDAYS_OFF, HOLIDAYS_HOURS)

Range = tuple[str, str]

_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_TIME_RANGE = re.compile(rf"^({_TIME})-({_TIME})$")
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_SELECTOR = re.compile(rf"^{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*$")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_MONTH_SELECTOR = re.compile(rf"^{_MONTH}(?:-{_MONTH})?(?:,{_MONTH}(?:-{_MONTH})?)*$")


class GridError(ValueError):
    """A grid that cannot be written (French message for the user)."""


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _clean_ranges(ranges: list[Range], where: str) -> list[Range]:
    cleaned: list[Range] = []
    for start, end in ranges:
        for value in (start, end):
            if not re.fullmatch(_TIME, value) or _minutes(value) > 24 * 60:
                raise GridError(f"{where} : heure « {value} » invalide (format 09:00).")
        if _minutes(end) <= _minutes(start):
            raise GridError(f"{where} : la plage {start}–{end} finit avant de commencer.")
        cleaned.append((start, end))
    cleaned.sort(key=lambda r: _minutes(r[0]))
    for (_, end), (start, _) in pairwise(cleaned):
        if _minutes(start) < _minutes(end):
            raise GridError(f"{where} : deux plages se chevauchent.")
    return cleaned


@dataclass
class WeekGrid:
    days: dict[str, list[Range]] = field(default_factory=dict)  # a day absent is closed
    holidays: str = HOLIDAYS_SAME
    holiday_ranges: list[Range] = field(default_factory=list)
    closed_months: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "jours": {day: [list(r) for r in self.days.get(day, [])] for day in DAYS},
            "feries": self.holidays,
            "feries_plages": [list(r) for r in self.holiday_ranges],
            "mois_fermes": list(self.closed_months),
        }

    @classmethod
    def from_json(cls, data: Any) -> WeekGrid:
        """Validated grid from the editor's JSON; GridError says what is wrong and where."""
        from dora.core.opening_hours_fr import DAYS as DAY_NAMES

        if not isinstance(data, dict):
            raise GridError("Grille d’horaires illisible.")
        try:
            days_in = data.get("jours") or {}
            days: dict[str, list[Range]] = {}
            for day in DAYS:
                ranges = [(str(a), str(b)) for a, b in days_in.get(day) or []]
                if ranges:
                    days[day] = _clean_ranges(ranges, DAY_NAMES[day].capitalize())
            holidays = data.get("feries") or HOLIDAYS_SAME
            if holidays not in HOLIDAY_MODES:
                raise GridError("Jours fériés : choix inconnu.")
            holiday_ranges = [(str(a), str(b)) for a, b in data.get("feries_plages") or []]
            if holidays == HOLIDAYS_HOURS:
                if not holiday_ranges:
                    raise GridError("Jours fériés : indiquez au moins une plage horaire.")
                holiday_ranges = _clean_ranges(holiday_ranges, "Jours fériés")
            else:
                holiday_ranges = []
            months = [str(m) for m in data.get("mois_fermes") or []]
            unknown = [m for m in months if m not in MONTHS]
            if unknown:
                raise GridError(f"Mois inconnu : {unknown[0]}.")
        except (TypeError, ValueError) as error:
            if isinstance(error, GridError):
                raise
            raise GridError("Grille d’horaires illisible.") from None
        return cls(days, holidays, holiday_ranges, sorted(set(months), key=MONTHS.index))

    def is_empty(self) -> bool:
        return not self.days and self.holidays != HOLIDAYS_HOURS


def _runs(indexes: list[int], names: tuple[str, ...]) -> str:
    """`Mo-We,Fr` for [0, 1, 2, 4]."""
    parts: list[str] = []
    start = previous = indexes[0]
    for index in [*indexes[1:], None]:
        if index is not None and index == previous + 1:
            previous = index
            continue
        if previous == start:
            parts.append(names[start])
        elif previous == start + 1:
            parts.append(f"{names[start]},{names[previous]}")
        else:
            parts.append(f"{names[start]}-{names[previous]}")
        if index is not None:
            start = previous = index
    return ",".join(parts)


def _ranges(ranges: list[Range]) -> str:
    return ",".join(f"{a}-{b}" for a, b in ranges)


def to_osm(grid: WeekGrid) -> str:
    """The OSM string of `grid` ("" for an empty grid)."""
    if not grid.days and grid.holidays == HOLIDAYS_SAME and not grid.closed_months:
        return ""
    full_day = [("00:00", "24:00")]
    rules: list[str] = []
    if (
        all(grid.days.get(day) == full_day for day in DAYS)
        and grid.holidays == HOLIDAYS_SAME
        and not grid.closed_months
    ):
        return "24/7"
    groups: dict[tuple[Range, ...], list[int]] = {}
    for index, day in enumerate(DAYS):
        ranges = grid.days.get(day)
        if ranges:
            groups.setdefault(tuple(ranges), []).append(index)
    for ranges, indexes in sorted(groups.items(), key=lambda item: item[1][0]):
        rules.append(f"{_runs(indexes, DAYS)} {_ranges(list(ranges))}")
    if grid.holidays == HOLIDAYS_OFF:
        rules.append("PH off")
    elif grid.holidays == HOLIDAYS_HOURS:
        rules.append(f"PH {_ranges(grid.holiday_ranges)}")
    if grid.closed_months:
        indexes = [MONTHS.index(m) for m in grid.closed_months]
        rules.append(f"{_runs(indexes, MONTHS)} off")
    return "; ".join(rules)


def _expand(selector: str, names: tuple[str, ...]) -> list[str]:
    result: list[str] = []
    for part in selector.split(","):
        first, _, last = part.partition("-")
        start, end = names.index(first), names.index(last or first)
        if end < start:  # wrapping range (Sa-Mo)
            indexes = [*range(start, len(names)), *range(0, end + 1)]
        else:
            indexes = list(range(start, end + 1))
        result.extend(names[i] for i in indexes if names[i] not in result)
    return result


def _parse_times(value: str) -> list[Range] | None:
    ranges = []
    for part in value.split(","):
        match = _TIME_RANGE.match(part)
        if not match:
            return None
        ranges.append((match.group(1), match.group(2)))
    try:
        return _clean_ranges(ranges, "")
    except GridError:
        return None


def from_osm(value: str | None) -> WeekGrid | None:
    """The grid of `value`, or None when it says more than a grid can show."""
    grid = WeekGrid()
    if value is None or not value.strip():
        return grid
    value = " ".join(value.split())
    if value == "24/7":
        return WeekGrid(days={day: [("00:00", "24:00")] for day in DAYS})
    seen_holidays = seen_months = False
    for rule in (r.strip() for r in value.split(";")):
        if not rule:
            continue
        words = rule.split(" ")
        if len(words) != 2:
            return None
        selector, hours = words
        closed = hours in ("off", "closed")
        ranges = None if closed else _parse_times(hours)
        if not closed and ranges is None:
            return None
        if selector == "PH":
            if seen_months:
                return None  # holiday hours inside a closed month: more than the grid says
            seen_holidays = True
            grid.holidays = HOLIDAYS_OFF if closed else HOLIDAYS_HOURS
            grid.holiday_ranges = [] if closed else ranges or []
        elif _DAY_SELECTOR.match(selector):
            if seen_holidays or seen_months:
                return None  # a weekday rule overriding holidays or closures
            for day in _expand(selector, DAYS):
                if closed:
                    grid.days.pop(day, None)
                else:
                    grid.days[day] = list(ranges or [])
        elif _MONTH_SELECTOR.match(selector) and closed:
            seen_months = True
            for month in _expand(selector, MONTHS):
                if month not in grid.closed_months:
                    grid.closed_months.append(month)
        else:
            return None
    grid.closed_months.sort(key=MONTHS.index)
    grid.days = {day: grid.days[day] for day in DAYS if day in grid.days}
    return grid
