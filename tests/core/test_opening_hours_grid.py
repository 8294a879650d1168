"""The week grid round-trips OSM strings; French phrasings become the same OSM strings."""

from __future__ import annotations

from datetime import datetime

import pytest
from opening_hours import OpeningHours

from dora.core.opening_hours_fr import FrenchHoursError, parse_french
from dora.core.opening_hours_grid import (
    HOLIDAYS_HOURS,
    HOLIDAYS_OFF,
    GridError,
    WeekGrid,
    from_osm,
    to_osm,
)

CANONICAL = [
    "Mo-Fr 09:00-12:00,14:00-17:00",
    "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
    "Mo,We 09:00-12:00",
    "Mo-We,Fr 08:30-12:30; Th 13:30-17:00",
    "Tu 14:00-16:30; PH 10:00-12:00",
    "Mo-Fr 09:00-17:00; PH off; Aug off",
    "Mo-Sa 09:00-19:00; Jul,Aug off",
    "Mo-Fr 09:00-17:00; Dec off",
    "24/7",
    "PH off",
]


def same_hours(a: str, b: str) -> bool:
    """Both strings open and close at the same moments over a whole year (holidays included)."""
    start, end = datetime(2026, 1, 1), datetime(2027, 1, 1)

    def spans(value):
        return [
            (s, e, str(state))
            for s, e, state, _ in OpeningHours(value, country="FR").intervals(start, end)
        ]

    return spans(a) == spans(b)


@pytest.mark.parametrize("value", CANONICAL)
def test_canonical_strings_round_trip_exactly(value):
    grid = from_osm(value)
    assert grid is not None
    assert to_osm(grid) == value
    assert WeekGrid.from_json(grid.to_json()) == grid  # through the editor's JSON as well


@pytest.mark.parametrize(
    "value, canonical",
    [
        ("Mo-Fr 09:00-17:00; We off", "Mo,Tu,Th,Fr 09:00-17:00"),
        ("Mo-Su 10:00-18:00; Su off", "Mo-Sa 10:00-18:00"),
        ("Mo 09:00-12:00; Tu 09:00-12:00; We 09:00-12:00", "Mo-We 09:00-12:00"),
        ("Mo-Fr 14:00-17:00,09:00-12:00", "Mo-Fr 09:00-12:00,14:00-17:00"),
        ("Mo-Sa 09:00-17:00; Sa 09:00-12:00", "Mo-Fr 09:00-17:00; Sa 09:00-12:00"),
        ("Mo,Tu 08:00-12:00", "Mo,Tu 08:00-12:00"),
        ("Mo-Su 00:00-24:00", "24/7"),
        ("  Mo-Fr   09:00-12:00 ;PH off ", "Mo-Fr 09:00-12:00; PH off"),
    ],
)
def test_equivalent_strings_are_written_canonically_with_the_same_meaning(value, canonical):
    assert to_osm(from_osm(value)) == canonical
    assert same_hours(" ".join(value.split()), canonical)


@pytest.mark.parametrize(
    "value",
    [
        'Mo-Fr 09:00-12:00 "sur rendez-vous"',
        "Mo[1] 09:00-12:00",
        "Mo-Fr 09:00-12:00; SH off",
        "sunrise-sunset",
        "Mo-Fr 22:00-02:00",
        "PH off; Mo-Fr 09:00-12:00",  # a weekday rule overriding the holidays
        "Aug off; Mo-Fr 09:00-12:00",
        "Mo-Fr 09:00-12:00 || unknown",
        "week 1-10 Mo 09:00-12:00",
    ],
)
def test_richer_strings_are_not_forced_into_the_grid(value):
    assert from_osm(value) is None


def test_grid_json_is_validated_with_french_messages():
    with pytest.raises(GridError, match="Lundi : la plage 12:00–09:00 finit avant"):
        WeekGrid.from_json({"jours": {"Mo": [["12:00", "09:00"]]}})
    with pytest.raises(GridError, match="Mardi : deux plages se chevauchent"):
        WeekGrid.from_json({"jours": {"Tu": [["09:00", "13:00"], ["12:00", "17:00"]]}})
    with pytest.raises(GridError, match="heure « 9h » invalide"):
        WeekGrid.from_json({"jours": {"We": [["9h", "12:00"]]}})
    with pytest.raises(GridError, match="Jours fériés : indiquez au moins une plage"):
        WeekGrid.from_json({"feries": HOLIDAYS_HOURS})
    with pytest.raises(GridError, match="Mois inconnu"):
        WeekGrid.from_json({"mois_fermes": ["Août"]})
    with pytest.raises(GridError, match="illisible"):
        WeekGrid.from_json({"jours": {"Mo": 3}})
    with pytest.raises(GridError, match="illisible"):
        WeekGrid.from_json(["Mo"])


def test_empty_grid_is_empty_string():
    assert to_osm(WeekGrid()) == ""
    assert from_osm("") == WeekGrid() and from_osm(None) == WeekGrid()


@pytest.mark.parametrize(
    "text, osm",
    [
        ("du lundi au vendredi de 9h à 17h", "Mo-Fr 09:00-17:00"),
        ("lundi et mercredi 9h-12h", "Mo,We 09:00-12:00"),
        ("fermé les jours fériés", "PH off"),
        (
            "Du lundi au vendredi de 9h à 12h et de 14h à 17h, samedi de 9h à 12h. "
            "Fermé les jours fériés.",
            "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
        ),
        ("du lundi au vendredi de 9h à 17h, fermé les jours fériés", "Mo-Fr 09:00-17:00; PH off"),
        ("tous les jours de 8h30 à 18h sauf les jours fériés", "Mo-Su 08:30-18:00; PH off"),
        ("24h/24 7j/7", "24/7"),
        ("lun-ven 9h-12h30 / 13h30-17h", "Mo-Fr 09:00-12:30,13:30-17:00"),
        ("Du lundi au vendredi sauf le mercredi de 9h à 12h", "Mo,Tu,Th,Fr 09:00-12:00"),
        ("du lundi au vendredi de 9h à 17h sauf le mercredi", "Mo,Tu,Th,Fr 09:00-17:00"),
        ("du lundi au vendredi de 9h à 17h, fermé le mercredi", "Mo,Tu,Th,Fr 09:00-17:00"),
        ("Lundi : 9h00 - 12h00", "Mo 09:00-12:00"),
        ("Ouvert du lundi au vendredi, de 9 h à 12 h 30", "Mo-Fr 09:00-12:30"),
        ("mardi 14h-17h ; jours fériés 10h-12h", "Tu 14:00-17:00; PH 10:00-12:00"),
        ("Le samedi de 9h à midi", "Sa 09:00-12:00"),
        ("DU LUNDI AU JEUDI DE 8H30 À 12H", "Mo-Th 08:30-12:00"),
        ("Lundi 9h-12h. Fermé le week-end et les jours fériés", "Mo 09:00-12:00; PH off"),
        ("du samedi au lundi de 10h à 12h", "Mo,Sa,Su 10:00-12:00"),
    ],
)
def test_french_phrasings(text, osm):
    assert to_osm(parse_french(text)) == osm


@pytest.mark.parametrize(
    "text, message",
    [
        ("sur rendez-vous", "Mot non compris dans les horaires : « sur »"),
        ("9h-12h", "Précisez les jours"),
        ("lundi 9h-", "Plage horaire incomplète"),
        ("lundi 12h-9h", "finit avant de commencer"),
        ("le samedi matin", "« matin » : précisez les heures"),
        ("lundi", "Indiquez les heures d’ouverture"),
        ("lundi 25h-26h", "Heure illisible"),
        ("", "Aucun horaire reconnu"),
    ],
)
def test_french_errors_name_the_problem(text, message):
    with pytest.raises(FrenchHoursError, match=message):
        parse_french(text)


def test_french_text_is_saved_as_osm_by_the_validator():
    from dora.publishing.opening_hours import OpeningHoursError, validate

    assert validate("du lundi au vendredi de 9h à 17h, fermé les jours fériés") == (
        "Mo-Fr 09:00-17:00; PH off"
    )
    assert validate("Mo-Fr 09:00-12:00") == "Mo-Fr 09:00-12:00"
    with pytest.raises(OpeningHoursError, match="Horaires non compris : « matin »"):
        validate("lundi matin")
    with pytest.raises(OpeningHoursError, match="Horaires illisibles vers le caractère 4"):
        validate("Mo-Fx 09:00-12:00")


def test_holidays_off_in_the_grid_really_closes_holidays():
    grid = WeekGrid(days={"Mo": [("09:00", "12:00")]}, holidays=HOLIDAYS_OFF)
    value = to_osm(grid)
    assert not OpeningHours(value, country="FR").is_open(datetime(2026, 4, 6, 10))  # Pâques
    assert OpeningHours(value, country="FR").is_open(datetime(2026, 4, 13, 10))
