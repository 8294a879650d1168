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


# Reading opening hours typed in French ------------------------------------------------------
#
# Professionals type « du lundi au vendredi de 9h à 17h », « lundi et mercredi 9h-12h »,
# « fermé les jours fériés ». `parse_french` turns such text into a WeekGrid (then the OSM
# string), word by word: day names and their abbreviations, ranges (« du … au … », « de … à … »,
# « - »), lists (« et », « , »), « sauf », « tous les jours », « 24h/24 », « midi », closures and
# public holidays. A word it does not understand is an error that names it: never a guess.


class FrenchHoursError(ValueError):
    """The French text cannot be read as opening hours; the message says which word."""


_DAY_WORDS = {
    "lundi": "Mo", "lundis": "Mo", "lun": "Mo",
    "mardi": "Tu", "mardis": "Tu", "mar": "Tu",
    "mercredi": "We", "mercredis": "We", "mer": "We",
    "jeudi": "Th", "jeudis": "Th", "jeu": "Th",
    "vendredi": "Fr", "vendredis": "Fr", "ven": "Fr",
    "samedi": "Sa", "samedis": "Sa", "sam": "Sa",
    "dimanche": "Su", "dimanches": "Su", "dim": "Su",
}  # fmt: skip
_FILLERS = {
    "de", "du", "des", "le", "les", "la", "l", "d", "ouvert", "ouverte", "ouverts", "ouverture",
    "accueil", "horaires", "horaire", "public", "heures", "h", "inclus", "compris", "y",
    "chaque", "on", "est", "nous", "sommes", "sont", "jusqu", "en", "journee", "continu",
}  # fmt: skip
_TOKEN = re.compile(
    r"(?P<h24>24\s*h?\s*/\s*24|24\s*h(?:eures)?\s+sur\s+24)"
    r"|(?P<d7>7\s*j?\s*/\s*7|7\s+jours?\s+sur\s+7)"
    r"|(?P<time>\d{1,2}\s*(?:h|:)\s*\d{0,2})"
    r"|(?P<dash>[-–—])"
    r"|(?P<comma>,|&|\+|/)"
    r"|(?P<stop>[;.\n])"
    r"|(?P<word>[a-z]+)"
    r"|(?P<space>\s+|:)"
    r"|(?P<other>.)"
)


def _fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("'", " "))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    folded = _fold(text)
    # Two-word expressions first, as single words.
    for phrase, word in (
        ("tous les jours", " everyday "),
        ("toute la semaine", " everyday "),
        ("jours feries", " holidays "),
        ("jour ferie", " holidays "),
        ("feries", " holidays "),
        ("apres midi", " apresmidi "),
        ("week end", " samedi et dimanche "),
        ("week-end", " samedi et dimanche "),
        ("weekend", " samedi et dimanche "),
    ):
        folded = folded.replace(phrase, word)
    for match in _TOKEN.finditer(folded):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind == "space":
            continue
        if kind == "word":
            if value in _DAY_WORDS:
                tokens.append(("day", _DAY_WORDS[value]))
            elif value in ("au", "a", "jusqu"):
                tokens.append(("to", value))
            elif value == "et":
                tokens.append(("and", value))
            elif value == "sauf":
                tokens.append(("except", value))
            elif value in ("ferme", "fermee", "fermes", "fermees", "fermeture", "clos"):
                tokens.append(("closed", value))
            elif value == "everyday":
                tokens.append(("everyday", value))
            elif value == "holidays":
                tokens.append(("holidays", value))
            elif value == "midi":
                tokens.append(("time", "12:00"))
            elif value == "minuit":
                tokens.append(("time", "24:00"))
            elif value in _FILLERS:
                continue
            else:
                tokens.append(("unknown", value))
        elif kind == "time":
            hours, _, minutes = re.split(r"\s*(h|:)\s*", value, maxsplit=1)
            minutes = minutes or "00"
            if int(hours) > 24 or len(minutes) != 2 or int(minutes) > 59:
                raise FrenchHoursError(f"Heure illisible : « {value} ».")
            tokens.append(("time", f"{int(hours):02d}:{minutes}"))
        elif kind == "h24":
            tokens.append(("h24", value))
        elif kind == "d7":
            tokens.append(("everyday", value))
        elif kind == "dash":
            tokens.append(("to", value))
        elif kind == "comma":
            tokens.append(("and", value))
        elif kind == "stop":
            tokens.append(("stop", value))
        else:
            tokens.append(("unknown", value))
    return tokens


def parse_french(text: str):
    """A WeekGrid read from French `text`; FrenchHoursError names what is not understood."""
    from dora.core.opening_hours_grid import (
        DAYS as GRID_DAYS,
    )
    from dora.core.opening_hours_grid import (
        HOLIDAYS_HOURS,
        HOLIDAYS_OFF,
        GridError,
        WeekGrid,
    )

    tokens = _tokens(text)
    unknown = [value for kind, value in tokens if kind == "unknown"]
    vague = [v for v in unknown if v in ("matin", "matins", "apresmidi", "soir", "soirs")]
    if vague:
        said = {"apresmidi": "après-midi"}.get(vague[0], vague[0])
        raise FrenchHoursError(
            f"« {said} » : précisez les heures (par exemple « le samedi de 9h à 12h »)."
        )
    if unknown:
        raise FrenchHoursError(f"Mot non compris dans les horaires : « {unknown[0]} ».")
    grid = WeekGrid()
    days: list[str] = []
    holidays = False
    closed = False
    except_mode = False
    ranges: list[tuple[str, str]] = []
    pending_start: str | None = None

    def flush() -> None:
        nonlocal days, holidays, closed, ranges, except_mode, pending_start
        if pending_start is not None:
            raise FrenchHoursError(f"Plage horaire incomplète après « {pending_start} ».")
        if not days and not holidays:
            if ranges:
                raise FrenchHoursError(
                    "Précisez les jours des heures indiquées (par exemple « du lundi au "
                    "vendredi de 9h à 17h »)."
                )
            if closed:
                raise FrenchHoursError("Précisez ce qui est fermé (un jour, les jours fériés…).")
        elif closed and ranges:
            raise FrenchHoursError("Une même phrase dit « fermé » et donne des heures.")
        elif not closed and not ranges:
            said = "les jours fériés" if holidays and not days else "ces jours"
            raise FrenchHoursError(f"Indiquez les heures d’ouverture pour {said}.")
        for day in days:
            if closed:
                grid.days.pop(day, None)
            else:
                grid.days[day] = list(ranges)
        if holidays:
            grid.holidays = HOLIDAYS_OFF if closed else HOLIDAYS_HOURS
            grid.holiday_ranges = [] if closed else list(ranges)
        days, holidays, closed, ranges, except_mode = [], False, False, [], False

    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ("end", "")
        if kind == "day" and except_mode:
            # « du lundi au vendredi (de 9h à 17h) sauf le mercredi »
            days = [d for d in days if d != value]
            index += 1
            continue
        if kind == "day":
            if ranges:
                flush()  # a new day after hours starts a new sentence
            if following[0] == "to" and index + 2 < len(tokens) and tokens[index + 2][0] == "day":
                first, last = GRID_DAYS.index(value), GRID_DAYS.index(tokens[index + 2][1])
                span = (
                    list(range(first, last + 1))
                    if first <= last
                    else [*range(first, 7), *range(0, last + 1)]
                )
                chosen = [GRID_DAYS[i] for i in span]
                index += 3
            else:
                chosen = [value]
                index += 1
            days.extend(d for d in chosen if d not in days)
            continue
        if kind == "everyday":
            if ranges and (days or holidays):
                flush()
            days = list(GRID_DAYS)
        elif kind == "holidays":
            if except_mode:
                # « tous les jours sauf les jours fériés »: the holidays are closed.
                grid.holidays = HOLIDAYS_OFF
                except_mode = False
            else:
                if ranges:
                    flush()
                holidays = True
        elif kind == "except":
            except_mode = True
        elif kind == "closed":
            if ranges:
                flush()
            closed = True
        elif kind == "h24":
            ranges.append(("00:00", "24:00"))
        elif kind == "time":
            if pending_start is None:
                pending_start = value
            else:
                if value == "00:00":
                    value = "24:00"
                ranges.append((pending_start, value))
                pending_start = None
        elif kind == "to":
            if pending_start is None:
                raise FrenchHoursError(f"« {value} » sans heure de début.")
        elif kind == "and":
            if pending_start is not None:
                raise FrenchHoursError(f"Plage horaire incomplète après « {pending_start} ».")
        elif kind == "stop" and (days or holidays or ranges or closed):
            flush()
        index += 1
    if days or holidays or ranges or closed or pending_start:
        flush()
    if grid.is_empty() and grid.holidays != HOLIDAYS_OFF:
        raise FrenchHoursError("Aucun horaire reconnu.")
    try:
        return WeekGrid.from_json(grid.to_json())  # same checks as the grid (overlaps…)
    except GridError as error:
        raise FrenchHoursError(str(error)) from None
