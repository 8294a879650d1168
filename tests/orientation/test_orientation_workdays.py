"""French working days, for the reminders."""

from __future__ import annotations

from datetime import date

from dora.orientation import workdays


def test_easter_and_the_holidays_that_follow_it():
    assert workdays.easter(2026) == date(2026, 4, 5)
    assert workdays.easter(2027) == date(2027, 3, 28)
    holidays = workdays.public_holidays(2026)
    assert date(2026, 4, 6) in holidays  # lundi de Pâques
    assert date(2026, 5, 14) in holidays  # Ascension
    assert date(2026, 5, 25) in holidays  # lundi de Pentecôte
    assert len(holidays) == 11


def test_counting_skips_weekends_and_holidays():
    # Thursday 30 April 2026 → Thursday 7 May: Friday 1 May and the weekend do not count.
    assert workdays.working_days_between(date(2026, 4, 30), date(2026, 5, 7)) == 4
    assert workdays.working_days_between(date(2026, 5, 7), date(2026, 5, 7)) == 0


def test_subtract_is_the_inverse_of_counting():
    for end in (date(2026, 5, 11), date(2026, 12, 28), date(2027, 1, 4)):
        for count in (1, 5, 10):
            start = workdays.subtract_working_days(end, count)
            assert workdays.working_days_between(start, end) == count
            # and the next day is too late
            later = date.fromordinal(start.toordinal() + 1)
            assert workdays.working_days_between(later, end) < count or not workdays.is_working_day(
                later
            )
