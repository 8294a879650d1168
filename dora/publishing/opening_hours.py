"""Validation of opening hours written in the OpenStreetMap `opening_hours` syntax.

The parsing is done by `opening-hours-py` (PyPI), the Python binding of the Rust
`opening-hours` crate, a complete implementation of the OSM specification that is maintained.
What we add: French messages that point at the place of the error and explain the mistakes
people make most (French day names, `9h` instead of `09:00`).
"""

from __future__ import annotations

import re

from opening_hours import OpeningHours, ParserError

MAX_LENGTH = 255
EXAMPLE = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"

_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_FRENCH_DAYS = re.compile(
    r"\b(lun|lundi|mar|mardi|mer|mercredi|jeu|jeudi|ven|vendredi|sam|samedi|dim|dimanche)\b",
    re.IGNORECASE,
)
_FRENCH_HOURS = re.compile(r"\b\d{1,2}\s*h\s*\d{0,2}\b", re.IGNORECASE)

DAYS_FR = {
    "Mo": "lundi",
    "Tu": "mardi",
    "We": "mercredi",
    "Th": "jeudi",
    "Fr": "vendredi",
    "Sa": "samedi",
    "Su": "dimanche",
    "PH": "jours fériés",
}


class OpeningHoursError(ValueError):
    """The value is not valid OSM opening hours; the message is French, for the user."""


def _hint(value: str) -> str:
    if _FRENCH_DAYS.search(value):
        return (
            " Les jours s’écrivent en abréviations anglaises : "
            "Mo (lundi), Tu, We, Th, Fr, Sa, Su (dimanche)."
        )
    if _FRENCH_HOURS.search(value):
        return " Les heures s’écrivent sur deux chiffres avec deux-points : 09:00-12:00."
    return ""


def validate(value: str | None) -> str | None:
    """The stripped value if it is valid OSM opening hours (None when empty); hours typed in
    French (« du lundi au vendredi de 9h à 17h ») are accepted and returned in OSM syntax.

    Raises OpeningHoursError with a French message saying where the problem is.
    """
    try:
        return _validate_osm(value)
    except OpeningHoursError as osm_error:
        from dora.core.opening_hours_fr import FrenchHoursError, parse_french
        from dora.core.opening_hours_grid import to_osm

        try:
            converted = to_osm(parse_french(value or ""))
        except FrenchHoursError as french_error:
            if _FRENCH_DAYS.search(value or "") or _FRENCH_HOURS.search(value or ""):
                raise OpeningHoursError(
                    f"Horaires non compris : {french_error} Écrivez par exemple « du lundi "
                    "au vendredi de 9h à 12h et de 14h à 17h, fermé les jours fériés », "
                    "ou utilisez la grille."
                ) from None
            raise osm_error from None
        return _validate_osm(converted)


def _validate_osm(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        return None
    if len(value) > MAX_LENGTH:
        raise OpeningHoursError(f"Les horaires sont limités à {MAX_LENGTH} caractères.")
    try:
        OpeningHours(value)
    except ParserError as error:
        where = ""
        match = _POSITION.search(str(error))
        if match:
            column = int(match.group(1))
            excerpt = value[column - 1 : column + 11].strip()
            where = f" vers le caractère {column}" + (f" (« {excerpt} »)" if excerpt else "")
        raise OpeningHoursError(
            f"Horaires illisibles{where}. Utilisez le format OpenStreetMap, "
            f"par exemple « {EXAMPLE} ».{_hint(value)}"
        ) from None
    except Exception as error:  # the binding raises other errors for out-of-range values
        raise OpeningHoursError(f"Horaires invalides : {error}.") from None
    return value
