"""geodata.load and geodata.resolve against the PostGIS test database.

The session fixture (tests/conftest.py) migrates the database and runs load_all once; each
test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa

from geodata import reference, resolve
from geodata.files import DATA_DIR
from geodata.load import load_all, loaded_version, read_provenance, table_counts
from geodata.records import COMMUNE_PRECISIONS
from geodata.text import normalise_name

SAINT_DENIS_TOWN_HALL = (2.3574, 48.9362)


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def expected_counts() -> dict[str, int]:
    return {
        "region": len(reference.regions()),
        "departement": len(reference.departements()),
        "epci": len(reference.epcis()),
        "commune": len(reference.communes()),
        "arrondissement_municipal": len(reference.arrondissements_municipaux()),
    }


# -- load -------------------------------------------------------------------------------------


def test_everything_is_loaded(db_connection: sa.Connection) -> None:
    assert table_counts(db_connection) == expected_counts()
    assert loaded_version(db_connection) == read_provenance(DATA_DIR)["data_version"]


def test_second_load_is_skipped_and_forced_reload_gives_the_same_rows(
    db_connection: sa.Connection,
) -> None:
    again = load_all(db_connection)
    assert again.skipped
    assert again.counts == expected_counts()

    forced = load_all(db_connection, force=True)
    assert not forced.skipped
    assert forced.counts == expected_counts()
    assert table_counts(db_connection) == expected_counts()


def test_a_new_data_version_is_loaded(db_connection: sa.Connection) -> None:
    db_connection.execute(
        sa.text("UPDATE geodata_meta SET value = '\"older\"'::jsonb WHERE key = 'version'")
    )
    db_connection.execute(sa.text("DELETE FROM arrondissement_municipal WHERE code = '75110'"))
    report = load_all(db_connection)
    assert not report.skipped
    assert report.counts == expected_counts()
    assert loaded_version(db_connection) == report.version


def test_meta_records_provenance(db_connection: sa.Connection) -> None:
    meta = dict(db_connection.execute(sa.text("SELECT key, value FROM geodata_meta")).all())
    assert {"version", "sources", "counts", "precision", "loaded_at"} <= set(meta)
    assert {source["licence"].split(" (")[0] for source in meta["sources"]} >= {
        "Licence Ouverte 2.0",
        "CC-BY 4.0",
    }


def test_departement_polygons_are_valid_and_hold_saint_denis(db_connection: sa.Connection) -> None:
    invalid = db_connection.execute(
        sa.text("SELECT code FROM departement WHERE geom IS NULL OR NOT ST_IsValid(geom)")
    ).all()
    assert invalid == []
    holder = db_connection.execute(
        sa.text(
            "SELECT code FROM departement "
            "WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
        ),
        {"lon": SAINT_DENIS_TOWN_HALL[0], "lat": SAINT_DENIS_TOWN_HALL[1]},
    ).scalar_one()
    assert holder == "93"


def test_search_names_are_normalised(db_connection: sa.Connection) -> None:
    rows = db_connection.execute(sa.text("SELECT nom, nom_recherche FROM commune")).all()
    assert all(normalise_name(nom) == nom_recherche for nom, nom_recherche in rows)


# -- resolve ----------------------------------------------------------------------------------


def test_get_commune_saint_denis(db_session) -> None:
    commune = resolve.get_commune(db_session, "93066")
    assert commune is not None
    assert (commune.nom, commune.departement, commune.region, commune.epci) == (
        "Saint-Denis",
        "93",
        "11",
        "200054781",
    )
    assert "93200" in commune.codes_postaux
    assert commune.precision == "commune"
    assert distance_km(commune.longitude, commune.latitude, *SAINT_DENIS_TOWN_HALL) < 3
    assert commune == reference.commune("93066")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("75110", "75056"), ("69381", "69123"), ("13216", "13055"), ("93059", "93066")],
)
def test_get_commune_answers_with_the_current_commune(
    db_connection: sa.Connection, code: str, expected: str
) -> None:
    commune = resolve.get_commune(db_connection, code)
    assert commune is not None and commune.code == expected


def test_get_commune_corsica_and_unknown(db_connection: sa.Connection) -> None:
    assert resolve.get_commune(db_connection, "2a004").nom == "Ajaccio"
    assert resolve.get_commune(db_connection, "99999") is None
    assert resolve.get_commune(db_connection, "") is None


def test_territory_codes(db_connection: sa.Connection) -> None:
    codes = resolve.territory_codes(db_connection, "75110")
    assert codes == resolve.TerritoryCodes(
        commune="75056", epci="200054781", departement="75", region="11"
    )
    assert resolve.territory_codes(db_connection, "93066").epci == "200054781"
    assert resolve.territory_codes(db_connection, "29155").epci is None  # Ouessant
    assert resolve.territory_codes(db_connection, "00000") is None


@pytest.mark.parametrize(
    ("postal_code", "codes"),
    [("93200", ["93066"]), ("75010", ["75056"]), ("75116", ["75056"]), ("00000", []), ("9", [])],
)
def test_communes_for_postal_code(
    db_connection: sa.Connection, postal_code: str, codes: list[str]
) -> None:
    found = resolve.communes_for_postal_code(db_connection, postal_code)
    assert [commune.code for commune in found] == codes


def test_postal_code_shared_by_several_communes(db_connection: sa.Connection) -> None:
    found = resolve.communes_for_postal_code(db_connection, "01400")
    assert len(found) > 1
    assert [c.population for c in found] == sorted((c.population for c in found), reverse=True)


@pytest.mark.parametrize("query", ["saint denis", "ST-DENIS", "Saint-Denis", "st denis", "denis"])
def test_search_finds_saint_denis_however_spelled(db_connection: sa.Connection, query: str) -> None:
    codes = [commune.code for commune in resolve.search_communes(db_connection, query)]
    # The two large Saint-Denis (La Réunion, Seine-Saint-Denis) lead, by population.
    assert codes[:2] == ["97411", "93066"]


def test_search_ranks_exact_names_first(db_connection: sa.Connection) -> None:
    assert resolve.search_communes(db_connection, "lyon")[0].code == "69123"
    assert resolve.search_communes(db_connection, "Saint-Étienne")[0].code == "42218"
    assert resolve.search_communes(db_connection, "saint etienne")[0].code == "42218"
    # "Paris" is exact, before "Parisot" or "Cormeilles-en-Parisis".
    assert resolve.search_communes(db_connection, "paris")[0].code == "75056"


def test_search_by_postal_code_prefix(db_connection: sa.Connection) -> None:
    assert [c.code for c in resolve.search_communes(db_connection, "93200")] == ["93066"]
    by_prefix = resolve.search_communes(db_connection, "932", limit=50)
    assert "93066" in {c.code for c in by_prefix}
    assert all(any(cp.startswith("932") for cp in c.codes_postaux) for c in by_prefix)
    by_departement = resolve.search_communes(db_connection, "93", limit=5)
    assert len(by_departement) == 5
    assert all(any(cp.startswith("93") for cp in c.codes_postaux) for c in by_departement)
    # Paray-Vieille-Poste lies in Essonne but uses a Val-de-Marne postal code.
    assert "91479" in {c.code for c in resolve.search_communes(db_connection, "94", limit=100)}


def test_search_limit_order_and_empty_queries(db_connection: sa.Connection) -> None:
    found = resolve.search_communes(db_connection, "sa", limit=7)
    assert len(found) == 7
    assert resolve.search_communes(db_connection, "") == []
    assert resolve.search_communes(db_connection, " - ' ") == []


def test_search_offers_close_spellings_when_nothing_matches(db_connection: sa.Connection) -> None:
    assert resolve.search_communes(db_connection, "marseile")[0].code == "13055"


def test_locate_by_code_insee(db_connection: sa.Connection) -> None:
    location = resolve.locate(db_connection, code_insee="93066")
    assert location is not None
    assert (location.code_insee, location.precision) == ("93066", "commune")
    assert distance_km(location.longitude, location.latitude, *SAINT_DENIS_TOWN_HALL) < 3


def test_locate_arrondissement(db_connection: sa.Connection) -> None:
    by_code = resolve.locate(db_connection, code_insee="75110")
    by_postal_code = resolve.locate(db_connection, code_postal="75010", commune="Paris")
    assert by_code == by_postal_code
    assert (by_code.code_insee, by_code.arrondissement, by_code.precision) == (
        "75056",
        "75110",
        "commune",
    )
    # The 10th arrondissement's point, not Paris's centre.
    assert by_code.latitude > 48.865


def test_locate_by_postal_code_and_name(db_connection: sa.Connection) -> None:
    location = resolve.locate(db_connection, code_postal="01400", commune="L'Abergement-Clémenciat")
    assert location is not None and location.code_insee == "01001"


def test_locate_by_postal_code_alone(db_connection: sa.Connection) -> None:
    single = resolve.locate(db_connection, code_postal="93200")
    assert single.code_insee == "93066"
    shared = resolve.locate(db_connection, code_postal="01400")
    # Several communes share 01400: the point stands for the postal area, not a commune.
    assert shared.code_insee is None
    assert shared.precision in ("code-postal", "epci", "departement")


def test_locate_cedex_and_unknown_postal_codes(db_connection: sa.Connection) -> None:
    cedex = resolve.locate(db_connection, code_postal="93588", commune="SAINT DENIS CEDEX")
    assert cedex.code_insee == "93066"
    departement_only = resolve.locate(db_connection, code_postal="93588")
    assert (departement_only.code_insee, departement_only.precision) == (None, "departement")
    assert resolve.get_commune(db_connection, "93008").latitude == departement_only.latitude


def test_locate_name_alone_only_when_unique(db_connection: sa.Connection) -> None:
    assert resolve.locate(db_connection, commune="Saint-Denis") is None  # several homonyms
    assert resolve.locate(db_connection, commune="Aubervilliers").code_insee == "93001"
    assert resolve.locate(db_connection) is None


def test_locate_always_uses_the_commune_precision_vocabulary(db_connection: sa.Connection) -> None:
    for arguments in (
        {"code_insee": "75110"},
        {"code_insee": "01001"},
        {"code_postal": "01400"},
        {"code_postal": "20999"},
    ):
        location = resolve.locate(db_connection, **arguments)
        assert location is not None and location.precision in COMMUNE_PRECISIONS, arguments
