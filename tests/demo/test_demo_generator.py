"""The demo generator, without a database: determinism, validity, realism."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

import pytest
from data_inclusion.schema import v1
from opening_hours import OpeningHours
from stdnum.fr import siret

from dora import vocabulary
from dora.demo import content, generator
from dora.demo.generator import SERVICE_COLUMNS, STRUCTURE_COLUMNS, DemoSet
from dora.demo.writer import render_line
from geodata import reference

REFERENCE_DATE = date(2026, 6, 15)
DEMO = DemoSet(seed=11, reference_date=REFERENCE_DATE)
SAMPLE = 20_000


def _column(name: str) -> int:
    return SERVICE_COLUMNS.index(name)


@pytest.fixture(scope="module")
def sample() -> tuple[list[tuple], list[tuple]]:
    """(structure rows, service rows) of a 20,000-service set."""
    structures, services = [], []
    for chunk_structures, rows in generator.generate(DEMO, SAMPLE):
        structures += [s.row for s in chunk_structures]
        services += rows
    return structures, services


def test_content_uses_the_schema_vocabularies_and_is_copy_safe():
    assert content.check_content() == []


def test_every_category_has_several_service_templates():
    per_category = Counter(
        category
        for template in content.SERVICE_TEMPLATES
        for category in {vocabulary.category_of(t) for t in template.thematiques}
    )
    assert set(per_category) == {c.value for c in v1.Categorie}
    assert min(per_category.values()) >= 3
    offered = {key for kind in content.STRUCTURE_KINDS for key in kind.services}
    assert offered == {template.key for template in content.SERVICE_TEMPLATES}


def test_commune_names_need_no_copy_escaping():
    # The COPY writer escapes descriptions only: names come from the geodata files.
    assert not [c.nom for c in reference.communes() if any(x in c.nom for x in "\t\n\r\\")]


def test_same_seed_same_bytes_other_seed_other_data():
    def dump(demo: DemoSet) -> bytes:
        lines = []
        for structures, rows in generator.generate(demo, 6000):
            lines += [render_line(s.row) for s in structures]
            lines += [render_line(row, frozenset([_column("description")])) for row in rows]
        return "\n".join(lines).encode()

    first = dump(DemoSet(seed=5, reference_date=REFERENCE_DATE))
    assert first == dump(DemoSet(seed=5, reference_date=REFERENCE_DATE))
    assert first != dump(DemoSet(seed=6, reference_date=REFERENCE_DATE))


def test_a_bigger_set_starts_with_the_smaller_one(sample):
    _, services = sample
    smaller = [row for _, rows in generator.generate(DEMO, 5000) for row in rows]
    assert len(smaller) == 5000
    assert smaller == services[:5000]
    assert [row[0] for row in smaller[:2]] == ["demo--svc-0000001", "demo--svc-0000002"]


def test_ids_and_source(sample):
    structures, services = sample
    assert len(services) == SAMPLE == len({row[0] for row in services})
    assert services[-1][0] == "demo--svc-0020000"
    assert structures[0][0] == "demo--str-000001"
    assert {row[1] for row in services} == {"dora-demo"} == {row[1] for row in structures}
    assert {row[_column("statut")] for row in services} == {"publie"}
    assert {row[STRUCTURE_COLUMNS.index("moderation")] for row in structures} == {"validee"}
    # Every service belongs to one of the structures, and structures have several services.
    assert {row[2] for row in services} <= {row[0] for row in structures}
    per_structure = Counter(row[2] for row in services)
    assert len(services) / len(per_structure) >= 3
    assert max(per_structure.values()) >= 8


def test_a_sample_validates_with_the_data_inclusion_models(sample):
    structures, services = sample
    strict = {"ignore_warnings": False}
    for row in structures[:2000]:
        v1.Structure.model_validate(generator.record(STRUCTURE_COLUMNS, row), context=strict)
    for row in services[:5000]:
        v1.Service.model_validate(generator.record(SERVICE_COLUMNS, row), context=strict)


def test_sirets_have_a_valid_luhn_key(sample):
    structures, _ = sample
    sirets = [row[STRUCTURE_COLUMNS.index("siret")] for row in structures]
    assert all(siret.is_valid(value) for value in sirets)
    assert len(set(sirets)) > 0.99 * len(sirets)


def test_opening_hours_are_valid_osm(sample):
    structures, services = sample
    hours = {row[STRUCTURE_COLUMNS.index("horaires_accueil")] for row in structures}
    hours |= {row[_column("horaires_accueil")] for row in services} - {None}
    assert len(hours) > 10
    for value in hours:
        OpeningHours(value)  # raises on invalid syntax


def test_every_category_and_many_networks_are_present(sample):
    structures, services = sample
    categories = {
        vocabulary.category_of(t) for row in services for t in row[_column("thematiques")]
    }
    assert categories == {c.value for c in v1.Categorie}
    networks = {
        r for row in structures for r in row[STRUCTURE_COLUMNS.index("reseaux_porteurs")] or []
    }
    assert {"ccas-cias", "mission-locale", "france-travail", "secours-populaire"} <= networks
    names = " ".join(row[_column("nom")] for row in services)
    for expected in (
        "Garage solidaire",
        "Auto-école sociale",
        "Point conseil budget",
        "Atelier CV",
    ):
        assert expected in names


def test_realistic_mix_of_remote_eligibility_fees_and_publics(sample):
    _, services = sample
    n = len(services)
    modes = Counter(tuple(row[_column("modes_accueil")]) for row in services)
    assert 0.03 < modes[("a-distance",)] / n < 0.2
    assert 0.05 < modes[("a-distance", "en-presentiel")] / n < 0.3
    assert modes[("en-presentiel",)] / n > 0.5

    epci_codes = {e.code for e in reference.epcis()}
    departements = {d.code for d in reference.departements()}

    def level(zone):
        if zone is None:
            return "aucune"
        if zone == ["france"]:
            return "france"
        if len(zone) > 1:
            return "region"
        if zone[0] in epci_codes:
            return "epci"
        if zone[0] in departements:
            return "departement"
        return "commune"

    levels = Counter(level(row[_column("zone_eligibilite")]) for row in services)
    assert set(levels) == {"commune", "epci", "departement", "region", "france", "aucune"}
    assert all(levels[name] / n > 0.03 for name in ("commune", "epci", "departement", "france"))
    assert levels["aucune"] / n < 0.15

    frais = Counter(row[_column("frais")] for row in services)
    assert frais["gratuit"] > frais["payant"] > 0.05 * n
    paid = [row for row in services if row[_column("frais")] == "payant"]
    assert all(row[_column("frais_precisions")] for row in paid)
    tous = sum(row[_column("publics")] == ["tous-publics"] for row in services)
    assert 0.15 < tous / n < 0.6
    assert all(
        row[_column("publics")] == ["tous-publics"] or "tous-publics" not in row[_column("publics")]
        for row in services
    )
    formations = [row for row in services if row[_column("type")] in ("formation", "atelier")]
    with_hours = [row for row in formations if row[_column("volume_horaire_hebdomadaire")]]
    assert len(with_hours) > 0.5 * len(formations)


def test_update_dates_spread_over_three_years(sample):
    _, services = sample
    dates = [date.fromisoformat(row[_column("date_maj")]) for row in services]
    assert max(dates) <= REFERENCE_DATE
    assert min(dates) >= REFERENCE_DATE - timedelta(days=3 * 365)
    stale = sum(d < REFERENCE_DATE - timedelta(days=365) for d in dates) / len(dates)
    assert 0.2 < stale < 0.6
    assert sum(d > REFERENCE_DATE - timedelta(days=30) for d in dates) > 0.05 * len(dates)


def test_communes_are_drawn_by_population(sample):
    _, services = sample
    per_commune = Counter(row[_column("code_insee")] for row in services)
    top = [code for code, _ in per_commune.most_common(5)]
    assert top[0] == "75056"  # Paris
    assert {"13055", "69123"} <= set(top)  # Marseille, Lyon
    population = sum(c.population for c in reference.communes())
    paris = reference.commune("75056").population
    # Paris gets about its share of the population (3 %), give or take the draw.
    assert 0.5 * paris / population < per_commune["75056"] / len(services) < 2 * paris / population
    assert len(per_commune) > 2000  # and many small communes get some too


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def test_on_site_services_are_located_near_their_commune(sample):
    _, services = sample
    points = {c.code: (c.longitude, c.latitude) for c in reference.communes()}
    arrondissements = [
        (a.commune, a.longitude, a.latitude) for a in reference.arrondissements_municipaux()
    ]
    checked = 0
    for row in services:
        on_site = "en-presentiel" in row[_column("modes_accueil")]
        longitude, latitude = row[_column("longitude")], row[_column("latitude")]
        assert (longitude is not None) == on_site
        assert (row[_column("location")] is not None) == on_site
        if not on_site:
            continue
        assert row[_column("location_precision")] == "adresse"
        assert row[_column("location")] == f"SRID=4326;POINT({longitude} {latitude})"
        code = row[_column("code_insee")]
        candidates = [points[code]] + [(x, y) for c, x, y in arrondissements if c == code]
        nearest = min(_distance_m(longitude, latitude, x, y) for x, y in candidates)
        assert nearest <= 1000, (row[0], code, nearest)
        checked += 1
    assert checked > 0.6 * len(services)
