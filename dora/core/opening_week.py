"""When a service is open in a week, as a bitmask the search can filter on (« Ouvert le … »).

OSM `opening_hours` cannot be evaluated in SQL (nor by the accelerator, nor by Meilisearch):
each service's `horaires_accueil` is evaluated once, in Python, with the parser of the open-now
badge (dora.core.opening_status: `opening-hours-py`, French public holidays built in), into
`service.opening_week`, copied to `search_document.opening_week`:

- bit `2 * weekday + half` (weekday 0 = lundi, half 0 = morning: open at some moment before
  12:00, half 1 = afternoon: at 12:00 or later): 14 bits;
- bit 14 (`HOLIDAY`): on a public holiday it is open as on the same weekday — set unless the
  hours treat public holidays apart (`PH off`, or `PH` hours of their own: those count as
  closed on holidays; a conservative answer, never a wrong « ouvert »);
- NULL: no hours, or hours that cannot be read (syntax, `SH` school holidays, which the parser
  has no calendar for): such services never match the filter, and the page says so.

Seasonal hours (month or week selectors, `Jul-Aug off`…) are evaluated for a typical week
(REFERENCE_MONDAY, in March, without holidays): the mask says how a service opens in an
ordinary week, not on every date of the year.

Written wherever `horaires_accueil` is: the ORM (a before_flush hook, dora.catalogue.models),
the demo generator and the data·inclusion importer (bulk COPY), and the migration
0013_search_open for existing rows.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

from opening_hours import State

from dora.core.opening_status import parse

MORNING = 0
AFTERNOON = 1
HOLIDAY = 14
HOLIDAY_BIT = 1 << HOLIDAY
NOON = time(12, 0)
# An ordinary week: no public holiday, no change of daylight saving time.
REFERENCE_MONDAY = date(2025, 3, 10)
MOMENTS = {"journee": "Toute la journée", "matin": "Le matin", "apres-midi": "L’après-midi"}


def _halves(hours, day: date) -> int:
    """Two bits for `day`: open some time in the morning (bit 0), in the afternoon (bit 1)."""
    start = datetime.combine(day, time(0))
    noon = datetime.combine(day, NOON)
    end = start + timedelta(days=1)
    bits = 0
    for begin, finish, state, _comment in hours.intervals(start, end):
        if state != State.OPEN:
            continue
        if begin < noon:
            bits |= 1 << MORNING
        if finish > noon:
            bits |= 1 << AFTERNOON
    return bits


@functools.lru_cache(maxsize=4096)
def week_mask(value: str | None) -> int | None:
    """The mask of opening hours `value` (see the module docstring); None without hours."""
    if not value or not value.strip() or "SH" in value:
        return None
    hours = parse(" ".join(value.split()))
    if hours is None:
        return None
    try:
        mask = 0
        weekdays = []
        for weekday in range(7):
            bits = _halves(hours, REFERENCE_MONDAY + timedelta(days=weekday))
            weekdays.append(bits)
            mask |= bits << (2 * weekday)
        same_on_holidays = all(
            _halves(hours, holiday) == weekdays[holiday.weekday()]
            for holiday in holidays_by_weekday()
        )
    except Exception:  # the parser's evaluation errors: unknown rather than wrong
        return None
    return mask | (HOLIDAY_BIT if same_on_holidays else 0)


@functools.cache
def holidays_by_weekday() -> tuple[date, ...]:
    """One French public holiday falling on each weekday (from the parser's calendar)."""
    found: dict[int, date] = {}
    day = date(2025, 1, 1)
    while len(found) < 7 and day.year < 2040:
        if is_public_holiday(day):
            found.setdefault(day.weekday(), day)
        day += timedelta(days=1)
    return tuple(found[weekday] for weekday in sorted(found))


@functools.lru_cache(maxsize=1024)
def is_public_holiday(day: date) -> bool:
    """A French (national) public holiday, as `PH` means in the hours."""
    holidays = parse("PH")
    assert holidays is not None
    return bool(holidays.is_open(datetime.combine(day, NOON)))


def wanted_bits(day: date, moment: str) -> tuple[int, int]:
    """(any_of, all_of) for « open on `day`, `moment` »: a mask matches when it has one of
    `any_of` and all of `all_of` (the HOLIDAY bit on a public holiday)."""
    halves = {"matin": 1 << MORNING, "apres-midi": 1 << AFTERNOON}.get(moment, 0b11)
    any_of = halves << (2 * day.weekday())
    return any_of, HOLIDAY_BIT if is_public_holiday(day) else 0


def matches(mask: int | None, any_of: int, all_of: int) -> bool:
    return mask is not None and mask & any_of != 0 and mask & all_of == all_of


def slots(mask: int | None) -> list[int]:
    """The bits set, as numbers (Meilisearch filters have no bitwise operators)."""
    if mask is None:
        return []
    return [bit for bit in range(HOLIDAY + 1) if mask >> bit & 1]
