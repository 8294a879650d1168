"""The committed geodata files, read without a database (geodata.reference)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from shapely import prepared
from shapely.geometry import Point, shape

from geodata import reference
from geodata.files import DATA_DIR
from geodata.load import read_provenance
from geodata.records import ARRONDISSEMENT_PRECISIONS, COMMUNE_PRECISIONS

ROOT = Path(__file__).resolve().parents[2]
SAINT_DENIS_TOWN_HALL = (2.3574, 48.9362)  # longitude, latitude


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def by_code(items):
    return {item.code: item for item in items}


def test_counts() -> None:
    assert len(reference.regions()) == 18
    assert len(reference.departements()) == 101
    assert len(reference.communes()) >= 34_800
    assert 1_200 <= len(reference.epcis()) <= 1_300
    assert len(reference.arrondissements_municipaux()) == 20 + 9 + 16


def test_codes_are_unique() -> None:
    for items in (
        reference.regions(),
        reference.departements(),
        reference.epcis(),
        reference.communes(),
        reference.arrondissements_municipaux(),
    ):
        codes = [item.code for item in items]
        assert len(codes) == len(set(codes))


def test_only_metropolitan_and_overseas_departements() -> None:
    codes = {departement.code for departement in reference.departements()}
    assert {"2A", "2B", "75", "92", "93", "94", "971", "972", "973", "974", "976"} <= codes
    assert not codes & {"20", "975", "977", "978", "984", "986", "987", "988", "989"}
    regions = {region.code for region in reference.regions()}
    assert {departement.region for departement in reference.departements()} == regions


def test_every_departement_has_a_valid_multipolygon() -> None:
    geometries = reference.departement_geometries()
    assert set(geometries) == {departement.code for departement in reference.departements()}
    for code, geometry in geometries.items():
        polygon = shape(geometry)
        assert geometry["type"] == "MultiPolygon", code
        assert polygon.is_valid and not polygon.is_empty, code


def test_departement_polygons_hold_their_chef_lieu() -> None:
    communes = by_code(reference.communes())
    geometries = reference.departement_geometries()
    for departement in reference.departements():
        seat = communes[departement.chef_lieu]
        polygon = shape(geometries[departement.code])
        # Natural Earth borders are coarse: allow a few km (0.05°) around them.
        assert polygon.buffer(0.05).contains(Point(seat.longitude, seat.latitude)), departement


def test_corsica_and_paris_polygons() -> None:
    geometries = reference.departement_geometries()
    sartene, corte = Point(8.9747, 41.6216), Point(9.1490, 42.3060)
    assert shape(geometries["2A"]).contains(sartene)
    assert shape(geometries["2B"]).contains(corte)
    assert not shape(geometries["2A"]).intersects(shape(geometries["2B"]).buffer(-0.01))
    ajaccio, bastia = Point(8.7369, 41.9267), Point(9.4509, 42.7028)  # on the (coarse) coast
    assert shape(geometries["2A"]).distance(ajaccio) < 0.03
    assert shape(geometries["2B"]).distance(bastia) < 0.03
    assert shape(geometries["75"]).contains(Point(2.3522, 48.8566))  # Hôtel de Ville
    assert shape(geometries["93"]).contains(Point(*SAINT_DENIS_TOWN_HALL))


def test_saint_denis() -> None:
    saint_denis = reference.commune("93066")
    assert saint_denis is not None
    assert saint_denis.nom == "Saint-Denis"
    assert saint_denis.epci == "200054781"  # Plaine Commune
    assert saint_denis.departement == "93"
    assert saint_denis.region == "11"
    assert "93200" in saint_denis.codes_postaux
    assert saint_denis.precision == "commune"
    assert distance_km(saint_denis.longitude, saint_denis.latitude, *SAINT_DENIS_TOWN_HALL) < 3
    plaine_commune = by_code(reference.epcis())["200054781"]
    assert "93066" in plaine_commune.membres


def test_postal_code_93200_is_saint_denis() -> None:
    assert [c.code for c in reference.communes() if "93200" in c.codes_postaux] == ["93066"]


def test_arrondissement_and_former_codes_answer_with_the_current_commune() -> None:
    assert reference.commune("75110").code == "75056"
    assert reference.commune("69381").code == "69123"
    assert reference.commune("13201").code == "13055"
    assert reference.commune("93059").code == "93066"  # Pierrefitte-sur-Seine, merged in 2025
    assert reference.commune("99999") is None


def test_paris_lyon_marseille_carry_their_arrondissements_postal_codes() -> None:
    communes = by_code(reference.communes())
    for arrondissement in reference.arrondissements_municipaux():
        assert set(arrondissement.codes_postaux) <= set(
            communes[arrondissement.commune].codes_postaux
        ), arrondissement
    assert "75116" in communes["75056"].codes_postaux
    assert {"69001", "69009"} <= set(communes["69123"].codes_postaux)
    assert {"13001", "13016"} <= set(communes["13055"].codes_postaux)


def test_arrondissements_have_their_own_points() -> None:
    communes = by_code(reference.communes())
    for arrondissement in reference.arrondissements_municipaux():
        assert arrondissement.precision in ARRONDISSEMENT_PRECISIONS
        parent = communes[arrondissement.commune]
        distance = distance_km(
            arrondissement.longitude, arrondissement.latitude, parent.longitude, parent.latitude
        )
        assert distance < 15, arrondissement


def test_communes_are_consistent_with_departements_and_epcis() -> None:
    departements = by_code(reference.departements())
    epcis = by_code(reference.epcis())
    for commune in reference.communes():
        assert commune.departement in departements, commune
        assert commune.region == departements[commune.departement].region, commune
        assert commune.epci is None or commune.epci in epcis, commune
        assert commune.precision in COMMUNE_PRECISIONS, commune
        assert commune.codes_postaux, commune
    # Only four island communes belong to no EPCI (Bréhat, Sein, Ouessant, Yeu).
    without_epci = sorted(c.code for c in reference.communes() if c.epci is None)
    assert without_epci == ["22016", "29083", "29155", "85113"]


def test_epci_population_and_members() -> None:
    communes = by_code(reference.communes())
    for epci in reference.epcis():
        assert epci.membres, epci.code
        assert epci.type in {"CC", "CA", "CU", "METRO", "MET69"}, epci.code
        # Kept consistent with the communes shown beside it.
        assert epci.population == sum(communes[code].population for code in epci.membres)


@pytest.mark.parametrize(
    ("precisions", "degrees"),
    [
        # A GeoNames match in the wrong place (a homonym) would show up here; 0.15° ≈ 12 km
        # absorbs the coarse Natural Earth borders.
        (("commune",), 0.15),
        # Fallback points are only as good as a postal area or an EPCI, which may straddle
        # départements.
        (("code-postal", "epci", "departement"), 0.3),
    ],
)
def test_points_lie_in_or_near_their_departement(precisions: tuple[str], degrees: float) -> None:
    near = {
        code: prepared.prep(shape(geometry).buffer(degrees))
        for code, geometry in reference.departement_geometries().items()
    }
    misplaced = [
        commune.code
        for commune in reference.communes()
        if commune.precision in precisions
        and not near[commune.departement].contains(Point(commune.longitude, commune.latitude))
    ]
    assert misplaced == []


def test_most_people_live_in_precisely_located_communes() -> None:
    population = Counter()
    for commune in reference.communes():
        population[commune.precision] += commune.population
    assert population["commune"] > 0.8 * sum(population.values())


def test_sources_describe_licences_and_precision() -> None:
    provenance = read_provenance(DATA_DIR)  # raises if a file was edited after the build
    licences = " ".join(source["licence"] for source in provenance["sources"])
    assert "Licence Ouverte" in licences
    assert "CC-BY 4.0" in licences
    assert "Public domain" in licences
    precision = provenance["precision"]["communes"]
    assert set(precision) == set(COMMUNE_PRECISIONS)
    assert sum(precision.values()) == len(reference.communes())
    assert precision == dict(Counter(commune.precision for commune in reference.communes()))


@pytest.mark.skipif(
    not (ROOT / "node_modules" / "@etalab" / "decoupage-administratif").is_dir(),
    reason="npm packages not installed",
)
def test_build_reproduces_the_committed_files(tmp_path: Path) -> None:
    from geodata.build import build

    build(ROOT / "node_modules", tmp_path)
    for committed in sorted(DATA_DIR.iterdir()):
        assert (tmp_path / committed.name).read_bytes() == committed.read_bytes(), committed.name
