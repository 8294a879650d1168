"""« Ouvert maintenant » / « Fermé · ouvre … » against fixed clocks and French holidays."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dora.core import opening_status as module
from dora.core.opening_status import opening_status

NBSP = "\u00a0"
OFFICE = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def label(value: str, when: str, **kwargs) -> str | None:
    status = opening_status(value, at(when), **kwargs)
    return status.label.replace(NBSP, " ") if status else None


@pytest.mark.parametrize(
    "when, expected",
    [
        ("2026-05-04 10:00", "Ouvert maintenant · ferme à 12 h"),  # Monday morning
        ("2026-05-04 12:30", "Fermé · ouvre à 14 h"),  # lunch break
        ("2026-05-04 17:00", "Fermé · ouvre demain à 9 h"),  # closing time is closed
        ("2026-05-08 18:00", "Fermé · ouvre lundi à 9 h"),  # Friday evening (8 mai too)
        ("2026-05-09 10:00", "Fermé · ouvre lundi à 9 h"),  # Saturday
    ],
)
def test_ordinary_week(when, expected):
    assert label(OFFICE, when) == expected


@pytest.mark.parametrize(
    "when, holiday, expected",
    [
        ("2026-01-01 10:00", "jour de l’an", "Fermé · ouvre demain à 9 h"),
        ("2026-04-06 10:00", "lundi de Pâques", "Fermé · ouvre demain à 9 h"),
        ("2026-05-01 10:00", "fête du Travail (vendredi)", "Fermé · ouvre lundi à 9 h"),
        ("2026-05-14 10:00", "Ascension", "Fermé · ouvre demain à 9 h"),
        ("2026-05-25 10:00", "lundi de Pentecôte", "Fermé · ouvre demain à 9 h"),
        ("2026-07-14 10:00", "fête nationale", "Fermé · ouvre demain à 9 h"),
        ("2026-11-11 10:00", "Armistice", "Fermé · ouvre demain à 9 h"),
        ("2026-12-25 10:00", "Noël (vendredi)", "Fermé · ouvre lundi à 9 h"),
    ],
)
def test_public_holidays_are_closed_with_ph_off(when, holiday, expected):
    assert label(OFFICE, when) == expected, holiday
    # Without `PH off`, the same moment is an ordinary working day.
    assert label("Mo-Fr 09:00-12:00,14:00-17:00", when).startswith("Ouvert maintenant")


def test_eve_of_a_holiday_says_the_day_after():
    # Thursday 24 December, evening: Friday is Christmas, next opening Monday 28.
    assert label(OFFICE, "2026-12-24 18:00") == "Fermé · ouvre lundi à 9 h"
    # Tuesday 13 May evening: Wednesday is open, Thursday (Ascension) not.
    assert label(OFFICE, "2026-05-12 18:00") == "Fermé · ouvre demain à 9 h"


def test_holiday_opening_hours_of_their_own():
    value = "Mo-Sa 08:00-19:00; PH 10:00-12:00"
    assert label(value, "2026-07-14 11:00") == "Ouvert maintenant · ferme à 12 h"
    assert label(value, "2026-07-14 09:00") == "Fermé · ouvre à 10 h"


def test_long_closure_gives_the_date():
    value = "Mo-Fr 09:00-12:00; Aug off"
    assert label(value, "2026-07-31 13:00") == "Fermé · ouvre le 1er septembre à 9 h"
    assert label("Mo-Fr 09:00-12:00; Dec off", "2026-12-01 10:00") == (
        "Fermé · ouvre le 1er janvier 2027 à 9 h"
    )


def test_minutes_and_always_open():
    assert label("Mo 09:30-12:00", "2026-05-04 08:00") == "Fermé · ouvre à 9 h 30"
    assert label("24/7", "2026-05-04 03:00") == "Ouvert maintenant"


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "lundi 9h-12h", "Mo-Fr 09:00-12:00; SH off", "Mo-Fr unknown"],
)
def test_no_badge_when_unsure(value):
    assert opening_status(value, at("2026-05-04 10:00")) is None


def test_overseas_services_use_their_own_clock(monkeypatch):
    # 12:00 in Paris (summer) is 14:00 in Réunion (UTC+4) and 06:00 in Guadeloupe (UTC-4).
    paris_noon = datetime(2026, 5, 4, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    monkeypatch.setattr(module, "clock", lambda: paris_noon)
    value = "Mo-Fr 08:00-13:00"
    assert opening_status(value, code_insee="75056").label.startswith("Ouvert")
    assert opening_status(value, code_insee="97411").label.startswith("Fermé")  # Saint-Denis
    assert opening_status(value, code_insee="97105").label.replace(NBSP, " ") == (
        "Fermé · ouvre à 8 h"
    )


def test_badges_on_service_structure_and_result_pages(client, make_service, monkeypatch):
    monkeypatch.setattr(
        module, "clock", lambda: datetime(2026, 7, 14, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    )
    service = make_service(horaires_accueil=OFFICE)
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "opening-badge--closed" in page
    assert f"Fermé · ouvre demain à 9{NBSP}h" in page
    page = client.get(f"/structures/{service.structure_id}").get_data(as_text=True)
    assert f"Fermé · ouvre demain à 9{NBSP}h" in page
    monkeypatch.setattr(
        module, "clock", lambda: datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    )
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert f"Ouvert maintenant · ferme à 12{NBSP}h" in page
    page = client.get("/recherche", query_string={"commune": "93066"}).get_data(as_text=True)
    badge = '<span class="opening-badge__dot" aria-hidden="true"></span>'
    assert f'opening-badge--open">{badge}Ouvert maintenant · ferme à 12{NBSP}h' in page
