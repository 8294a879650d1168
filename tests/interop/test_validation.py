"""Validation of one record: schema errors in French, warnings, our territory checks."""

from __future__ import annotations

import pytest

from dora.interop.fields import spec_of
from dora.interop.places import Places
from dora.interop.readers import SourceRecord
from dora.interop.validation import check_record
from geodata import resolve

from .samples import full_service, full_structure, minimal_service


@pytest.fixture
def places(db_connection) -> Places:
    return Places(db_connection)


def check(places: Places, data, kind="services"):
    return check_record(spec_of(kind), SourceRecord("f.json", 3, 1, data), places)


def messages(checked) -> dict:
    return {issue.field: issue.message for issue in checked.errors}


def test_full_records_are_valid_and_keep_the_producer_spelling(places):
    checked = check(places, full_structure(), "structures")
    assert checked.errors == [] and checked.warnings == []
    # pydantic would lower-case the domain and add a slash to URLs: we keep what was sent.
    assert checked.values["courriel"] == "Contact@Garage-Solidaire.example.org"
    assert checked.values["site_web"] == "https://garage-solidaire.example.org"
    assert checked.values["reseaux_porteurs"] == ["croix-rouge", "emmaus"]
    assert checked.location == (2.357412, 48.936201, "adresse")


def test_schema_errors_are_reported_in_french_by_field(places):
    data = full_service(
        nom="AB",
        date_maj="2024-02-30",
        thematiques=["mobilite", "mobilite--preparer-un-permis"],
        publics=["tous-publics", "femmes"],
        code_postal="9320",
        courriel="pas-une-adresse",
        lien_mobilisation="www.example.org",
        nombre_semaines=0,
        volume_horaire_hebdomadaire="beaucoup",
        zone_eligibilite=["93", "9-3"],
    )
    del data["description"]
    found = messages(check(places, data))
    assert found == {
        "nom": "doit contenir au moins 3 caractère(s)",
        "description": "champ obligatoire manquant",
        "date_maj": "date invalide : « 2024-02-30 » (format AAAA-MM-JJ attendu)",
        "thematiques": "valeur inconnue du référentiel : « mobilite »",
        "publics": "`tous-publics` ne peut pas être utilisé avec d’autres valeurs.",
        "code_postal": "code postal à 5 chiffres attendu, reçu « 9320 »",
        "courriel": "adresse électronique invalide : « pas-une-adresse »",
        "lien_mobilisation": (
            "adresse web invalide (http:// ou https:// attendu) : « www.example.org »"
        ),
        "nombre_semaines": "doit être supérieur ou égal à 1",
        "volume_horaire_hebdomadaire": "nombre attendu, reçu « beaucoup »",
        "zone_eligibilite": (
            "code non reconnu : « 9-3 » (code commune, département, EPCI, pays ou « france » "
            "attendu)"
        ),
    }


def test_future_date_uses_the_schema_own_message(places):
    found = messages(check(places, minimal_service(date_maj="2999-01-01")))
    assert found == {"date_maj": "La date de dernière modification ne peut pas être dans le futur."}


def test_schema_warnings_do_not_reject(places):
    checked = check(places, minimal_service(nom="Atelier CV."))
    assert checked.errors == []
    assert checked.values is not None and checked.values["nom"] == "Atelier CV."
    assert [(w.field, w.message) for w in checked.warnings] == [
        ("nom", "Le nom du service ne doit pas se terminer par un point.")
    ]


def test_a_record_that_is_not_an_object_is_rejected(places):
    checked = check(places, ["not", "an", "object"])
    assert [issue.message for issue in checked.errors] == [
        "l’enregistrement doit être un objet JSON {…}"
    ]


def test_unknown_commune_code_is_rejected(places):
    assert messages(check(places, minimal_service(code_insee="93999"))) == {
        "code_insee": "code commune inconnu : « 93999 »"
    }


def test_arrondissement_and_former_codes_are_accepted(places):
    paris_10 = check(places, minimal_service(code_insee="75110"))
    assert paris_10.errors == [] and paris_10.warnings == []
    assert paris_10.location is not None and paris_10.location[2] == "commune"
    former = check(places, minimal_service(code_insee="93059"))  # Pierrefitte → Saint-Denis
    assert former.errors == []
    assert [w.message for w in former.warnings] == [
        "ancien code commune « 93059 » (commune fusionnée dans 93066)"
    ]
    saint_denis = places.point_of_code("93066")
    assert former.location == (saint_denis.longitude, saint_denis.latitude, saint_denis.precision)


def test_zone_eligibilite_codes_must_be_known(places):
    ok = check(places, minimal_service(zone_eligibilite=["france", "99100", "2A", "200054781"]))
    assert ok.errors == []
    found = check(places, minimal_service(zone_eligibilite=["96", "999999999", "93999"]))
    assert [issue.message for issue in found.errors] == [
        "code département inconnu : « 96 »",
        "code EPCI (SIREN) inconnu : « 999999999 »",
        "code commune inconnu : « 93999 »",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"longitude": 200.0, "latitude": 48.0}, "longitude", "hors limites (-180 à 180) : 200.0"),
        ({"longitude": 2.0, "latitude": -91.0}, "latitude", "hors limites (-90 à 90) : -91.0"),
        ({"longitude": float("nan"), "latitude": 48.0}, "longitude", "nombre fini attendu"),
        (
            {"volume_horaire_hebdomadaire": float("inf")},
            "volume_horaire_hebdomadaire",
            "nombre fini",
        ),
        ({"nom": "Atelier\x00CV"}, "nom", "caractère nul"),
        ({"nombre_semaines": 10**12}, "nombre_semaines", "nombre trop grand"),
        ({"id": "  "}, "id", "ne doit pas être vide"),
        ({"source": ""}, "source", "ne doit pas être vide"),
    ],
)
def test_values_postgres_or_json_cannot_hold_are_rejected(places, changes, field, message):
    found = messages(check(places, minimal_service(**changes)))
    assert field in found and found[field].startswith(message)


def test_records_without_coordinates_get_their_commune_point(places):
    checked = check(places, minimal_service(code_insee="93066"))
    assert checked.location == (*_point(places, "93066"), "commune")


def test_lonely_or_null_island_coordinates_fall_back_to_the_commune(places):
    lonely = check(places, minimal_service(code_insee="93066", longitude=2.35))
    assert [w.field for w in lonely.warnings] == ["longitude"]
    assert lonely.location is not None and lonely.location[2] == "commune"
    zero = check(places, minimal_service(code_insee="93066", longitude=0.0, latitude=0.0))
    assert zero.location is not None and zero.location[2] == "commune"


def test_postal_code_and_name_use_geodata_locate(places, db_connection):
    checked = check(places, minimal_service(code_postal="69003", commune="LYON"))
    expected = resolve.locate(db_connection, code_postal="69003", commune="LYON")
    assert expected is not None
    assert checked.location == (expected.longitude, expected.latitude, expected.precision)


@pytest.mark.parametrize("code", ["93066", "75110", "13201", "69381", "93059", "2A004", "97411"])
def test_in_memory_points_match_geodata_locate(places, db_connection, code):
    expected = resolve.locate(db_connection, code_insee=code)
    assert expected is not None
    assert places.locate(code, None, None) == (
        expected.longitude,
        expected.latitude,
        expected.precision,
    )


def test_coarse_commune_points_keep_their_precision(places, db_connection):
    coarse = db_connection.exec_driver_sql(
        "SELECT code, precision FROM commune WHERE precision <> 'commune' ORDER BY code LIMIT 1"
    ).one()
    located = places.locate(coarse.code, None, None)
    assert located is not None and located[2] == coarse.precision


def _point(places: Places, code: str) -> tuple[float, float]:
    point = places.point_of_code(code)
    assert point is not None
    return point.longitude, point.latitude
