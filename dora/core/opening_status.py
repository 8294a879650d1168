"""Is a service open now, and when does it open next — from its OSM `horaires_accueil`.

Evaluation is done by `opening-hours-py` (the Python binding of the Rust `opening-hours`
crate, already our validator): it implements the whole OSM specification (rules, overrides,
`off`, week and month selectors, fallbacks) and carries a calendar of public holidays per
country, so `PH off` closes on the French jours fériés (1er janvier, lundi de Pâques, 1er mai,
8 mai, Ascension, lundi de Pentecôte, 14 juillet, 15 août, Toussaint, 11 novembre, Noël)
with no holiday table of our own. Its limits: it knows France's national list only (not the
Alsace-Moselle Vendredi saint and 26 décembre, nor the overseas abolition days), and it has
no school-holiday calendar: a rule with `SH` never matches. So hours that mention `SH` get
no badge, and neither do comments or `unknown` states: no badge rather than a wrong one.

Times are local: a service in Réunion opens at 9 h Réunion time. The zone comes from the
département of its commune (metropolitan France unless overseas).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, State

PARIS = ZoneInfo("Europe/Paris")
_OVERSEAS_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
NBSP = "\u00a0"
# Beyond a week, « ouvre le 3 septembre » is more use than a weekday (summer closures).
_WEEK = timedelta(days=7)


def zone_of(code_insee: str | None) -> ZoneInfo:
    if code_insee and code_insee[:3] in _OVERSEAS_ZONES:
        return ZoneInfo(_OVERSEAS_ZONES[code_insee[:3]])
    return PARIS


def now_in(zone: ZoneInfo = PARIS) -> datetime:
    """The current local time (naive) in `zone`. Tests patch `dora.core.opening_status.clock`."""
    return clock().astimezone(zone).replace(tzinfo=None)


def clock() -> datetime:
    return datetime.now(PARIS)


@functools.lru_cache(maxsize=4096)
def parse(value: str) -> OpeningHours | None:
    """The parsed expression (cached: list pages show the same few strings again and again),
    or None when it is not valid OSM opening hours."""
    try:
        # Country given, so that PH means French holidays; coordinates are not needed.
        return OpeningHours(value, country="FR", auto_country=False, auto_timezone=False)
    except Exception:  # SyntaxError / ParserError / out-of-range values: no badge
        return None


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    label: str  # « Ouvert maintenant · ferme à 12 h », « Fermé · ouvre lundi à 9 h »

    @property
    def css(self) -> str:
        return "open" if self.is_open else "closed"


def _hour(moment: datetime) -> str:
    return f"{moment.hour}{NBSP}h" + (f"{NBSP}{moment.minute:02d}" if moment.minute else "")


def _when(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    if days == 0:
        return f"à {_hour(moment)}"
    if days == 1:
        return f"demain à {_hour(moment)}"
    if moment - now < _WEEK:
        return f"{WEEKDAYS[moment.weekday()]} à {_hour(moment)}"
    from dora.core.template_helpers import MONTHS

    day = "1er" if moment.day == 1 else str(moment.day)
    year = "" if moment.year == now.year else f" {moment.year}"
    return f"le {day}{NBSP}{MONTHS[moment.month - 1]}{year} à {_hour(moment)}"


def opening_status(
    value: str | None, now: datetime | None = None, code_insee: str | None = None
) -> OpeningStatus | None:
    """The badge for opening hours `value` at local time `now` (default: the current time in the
    service's zone); None when there are no hours, they cannot be read or the state is
    unknown (comments, school holidays…): no badge is better than a wrong one."""
    if not value or not value.strip() or "SH" in value:
        return None
    hours = parse(" ".join(value.split()))
    if hours is None:
        return None
    if now is None:
        now = now_in(zone_of(code_insee))
    elif now.tzinfo is not None:
        now = now.astimezone(zone_of(code_insee)).replace(tzinfo=None)
    try:
        state, _comment = hours.state(now)
        change = hours.next_change(now)
    except Exception:
        return None
    if state == State.OPEN:
        if change is None:
            return OpeningStatus(True, "Ouvert maintenant")
        if change.date() == now.date():
            return OpeningStatus(True, f"Ouvert maintenant · ferme à {_hour(change)}")
        return OpeningStatus(True, "Ouvert maintenant")
    if state != State.CLOSED:
        return None
    if change is None:
        return OpeningStatus(False, "Fermé")
    try:
        next_state, _ = hours.state(change)
    except Exception:
        return None
    if next_state != State.OPEN:
        return OpeningStatus(False, "Fermé")
    return OpeningStatus(False, f"Fermé · ouvre {_when(change, now)}")
