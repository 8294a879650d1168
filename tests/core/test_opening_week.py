"""The weekly opening mask of « Ouvert le … » (dora.core.opening_week), computed by the parser
of the open-now badge, and kept in step wherever `horaires_accueil` is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from dora.core import opening_week
from dora.core.opening_week import HOLIDAY, matches, slots, wanted_bits, week_mask

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def morning(day: int) -> int:
    return 2 * day


def afternoon(day: int) -> int:
    return 2 * day + 1


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("Mo-Fr 09:00-12:00", [*(morning(d) for d in range(5)), HOLIDAY]),
        # PH off: closed on public holidays, so not « open on holidays as on other days ».
        ("Mo-Fr 09:00-12:00; PH off", [morning(d) for d in range(5)]),
        ("Sa 14:00-18:00", [afternoon(SAT), HOLIDAY]),
        ("Sa 14:00-18:00; PH off", [afternoon(SAT)]),
        # Across noon: both halves; 12:00 sharp belongs to the afternoon.
        ("Mo 10:00-14:00", [morning(MON), afternoon(MON), HOLIDAY]),
        ("Tu 08:00-12:00", [morning(TUE), HOLIDAY]),
        ("We 12:00-13:00", [afternoon(WED), HOLIDAY]),
        ("Mo-Fr 09:00-12:00,14:00-17:00; PH off", sorted(range(10))),
        ("24/7", list(range(15))),
        # Holiday hours of their own count as closed on holidays (never a wrong « ouvert »).
        ("Mo-Fr 09:00-17:00; PH 10:00-12:00", list(range(10))),
        # Seasonal hours: evaluated for a typical week (March).
        ("Jul-Aug off; Th 09:00-12:00", [morning(THU), HOLIDAY]),
        ("off", [HOLIDAY]),
    ],
)
def test_week_mask(hours, expected):
    assert slots(week_mask(hours)) == expected


@pytest.mark.parametrize("hours", [None, "", "   ", "du lundi au vendredi", "Mo-Fr 9h-12h",
                                   "Mo-Fr 09:00-12:00; SH off"])  # fmt: skip
def test_no_mask_without_readable_hours(hours):
    assert week_mask(hours) is None
    assert not matches(week_mask(hours), 0b11, 0)


def test_public_holidays_come_from_the_parser_calendar():
    assert opening_week.is_public_holiday(date(2026, 7, 14))
    assert opening_week.is_public_holiday(date(2026, 12, 25))
    assert opening_week.is_public_holiday(date(2027, 3, 29))  # lundi de Pâques 2027
    assert not opening_week.is_public_holiday(date(2026, 7, 13))
    assert sorted(d.weekday() for d in opening_week.holidays_by_weekday()) == list(range(7))


def test_wanted_bits_and_matches():
    monday, holiday_tuesday = date(2026, 12, 7), date(2026, 7, 14)
    assert wanted_bits(monday, "matin") == (1 << morning(MON), 0)
    assert wanted_bits(monday, "apres-midi") == (1 << afternoon(MON), 0)
    assert wanted_bits(monday, "journee") == (0b11, 0)
    any_of, all_of = wanted_bits(holiday_tuesday, "journee")
    assert (any_of, all_of) == (0b11 << 2, 1 << HOLIDAY)
    assert matches(week_mask("Tu 09:00-12:00"), any_of, all_of)
    assert not matches(week_mask("Tu 09:00-12:00; PH off"), any_of, all_of)
    assert matches(week_mask("Tu 09:00-12:00; PH off"), *wanted_bits(date(2026, 7, 21), "matin"))
    assert not matches(week_mask("Tu 09:00-12:00"), *wanted_bits(date(2026, 7, 21), "apres-midi"))


def test_the_orm_keeps_the_mask_in_step(make_service, db_session):
    service = make_service(horaires_accueil="Sa 14:00-18:00")
    assert service.opening_week == week_mask("Sa 14:00-18:00")
    service.horaires_accueil = "Mo-Fr 09:00-12:00; PH off"
    db_session.flush()
    stored = db_session.execute(
        text(
            "SELECT s.opening_week, d.opening_week FROM service AS s"
            " JOIN search_document AS d ON d.service_id = s.id WHERE s.id = :id"
        ),
        {"id": service.id},
    ).one()
    assert tuple(stored) == (week_mask("Mo-Fr 09:00-12:00; PH off"),) * 2
    service.horaires_accueil = None
    db_session.flush()
    assert (
        db_session.scalar(
            text("SELECT opening_week FROM search_document WHERE service_id = :id"),
            {"id": service.id},
        )
        is None
    )
