"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask, current_app

from dora import vocabulary
from dora.core.markdown import markdown_excerpt, render_markdown
from dora.core.opening_hours_fr import french_opening_hours
from dora.core.opening_status import opening_status

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def is_stale(date_maj: date | None, today: date | None = None) -> bool:
    if date_maj is None:
        return True
    today = today or date.today()
    return today - date_maj > timedelta(days=current_app.config["STALE_AFTER_DAYS"])


def format_distance(meters: float | None) -> str:
    if meters is None:
        return ""
    if meters < 1000:
        return f"{round(meters)} m"
    return f"{meters / 1000:.1f} km".replace(".", ",")


def french_decimal(value: float | None, digits: int = 1) -> str:
    """4.5 → « 4,5 », 35.0 → « 35 » (the decimal comma of French)."""
    if value is None:
        return ""
    text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


_VOWELS = tuple("AEIOUYÂÀÉÈÊËÎÏÔÛÙÜaeiouyâàéèêëîïôûùü")


def de_lieu(name: str | None) -> str:
    """« de » before a place name, as French says it: « d’Aurillac », « du Havre »,
    « des Lilas », « de La Courneuve », « de Saint-Denis »."""
    if not name:
        return ""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name.startswith(_VOWELS):
        return f"d’{name}"
    return f"de {name}"


def format_phone(value: str | None) -> str:
    """A French number as people write it (`01 99 00 39 15`, also from `+33199003915`);
    anything else as stored."""
    if not value:
        return ""
    digits = "".join(c for c in value if c.isdigit() or c == "+")
    for prefix in ("+33", "0033"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 9:
            digits = "0" + digits[len(prefix) :]
    if len(digits) == 10 and digits.startswith("0") and digits.isdigit():
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return value


def phone_href(value: str | None) -> str:
    """The `tel:` target: the digits (and a leading +) only."""
    return "".join(c for c in (value or "") if c.isdigit() or c == "+")


PRECISION_CAPTIONS = {
    "adresse": "Localisation à l’adresse.",
    "commune": "Localisation approximative : centre de la commune.",
    "code-postal": "Localisation approximative : secteur du code postal.",
    "epci": "Localisation approximative : intercommunalité.",
    "departement": "Localisation approximative : département.",
}

# Menu entries, shown once the feature providing the endpoint is registered.
NAV_LINKS = [
    ("search.search_page", "Rechercher un service"),
    ("maps.territories_index", "Territoires"),
    ("coverage.coverage_page", "Couverture"),
    ("embed.builder", "Intégrer une carte"),
]


def precision_caption(precision: str | None) -> str:
    return PRECISION_CAPTIONS.get(precision or "", "")


def nav_links() -> list[tuple[str, str]]:
    return [(e, text) for e, text in NAV_LINKS if e in current_app.view_functions]


def register(app: Flask) -> None:
    app.jinja_env.filters["label"] = vocabulary.label
    app.jinja_env.filters["french_date"] = french_date
    app.jinja_env.filters["distance"] = format_distance
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["french_decimal"] = french_decimal
    app.jinja_env.filters["de_lieu"] = de_lieu
    app.jinja_env.filters["phone_href"] = phone_href
    app.jinja_env.filters["french_opening_hours"] = french_opening_hours
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["excerpt"] = markdown_excerpt
    app.jinja_env.globals["is_stale"] = is_stale
    app.jinja_env.globals["opening_status"] = opening_status
    app.jinja_env.globals["vocabulary"] = vocabulary
    app.jinja_env.globals["precision_caption"] = precision_caption
    app.jinja_env.globals["nav_links"] = nav_links
