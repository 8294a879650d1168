"""Coverage figures against hand-computed cases on small catalogues.

Distances are computed here independently, in Python, on the same sphere as PostGIS's
`use_spheroid=false` (mean radius of WGS 84), and placements are made from them: a service
placed 14,995 m east of a commune's point is inside 15 km, one at 15,005 m is outside.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dora.coverage import operations, queries
from dora.coverage.queries import Selection, TerritoryKey
from dora.search.query import SearchQuery, matching_documents, resolve_place

SPHERE_RADIUS_M = 6371008.7714150598  # PostGIS sphere (2a + b) / 3 for WGS 84
AURILLAC = "15014"
AURILLAC_EPCI = "241500230"
MOBILITE = "mobilite--entretenir-reparer-son-vehicule"
NUMERIQUE = "numerique--acceder-a-une-connexion-internet"
FAMILLE = "famille--garde-denfants"
LOGEMENT = "logement-hebergement--rechercher-une-solution-dhebergement-temporaire"


def destination(lon: float, lat: float, metres: float, bearing_deg: float = 90.0):
    """The point `metres` away on the sphere along `bearing` (great-circle formula)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    delta = metres / SPHERE_RADIUS_M
    theta = math.radians(bearing_deg)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(lam2), math.degrees(phi2)


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * SPHERE_RADIUS_M * math.asin(math.sqrt(h))


def unit_points(db_session, where: str, params: dict) -> dict[str, tuple]:
    """Units (communes; arrondissements for Paris, Lyon, Marseille) as the search sees them."""
    rows = db_session.execute(
        text(
            f"""SELECT c.code, c.population, c.epci_code, c.departement_code,
                ST_X(c.location::geometry) AS lon, ST_Y(c.location::geometry) AS lat
            FROM commune AS c WHERE {where}
                AND c.code NOT IN (SELECT commune_code FROM arrondissement_municipal)"""
        ),
        params,
    ).all()
    return {r.code: (r.lon, r.lat, r.population, r.epci_code) for r in rows}


def point_of(db_session, code: str) -> tuple[float, float]:
    row = db_session.execute(
        text(
            """SELECT ST_X(location::geometry) AS lon, ST_Y(location::geometry) AS lat
            FROM commune WHERE code = :c
            UNION ALL SELECT ST_X(location::geometry), ST_Y(location::geometry)
            FROM arrondissement_municipal WHERE code = :c"""
        ),
        {"c": code},
    ).first()
    return row.lon, row.lat


def cell(db_session, unit: str, thematique: str):
    return db_session.execute(
        text(
            """SELECT c.* FROM coverage_cell AS c
            JOIN coverage_unit AS u ON u.id = c.unit
            JOIN coverage_need AS n ON n.need = c.need
            WHERE u.code = :unit AND n.thematique = :t"""
        ),
        {"unit": unit, "t": thematique},
    ).first()


def territory(db_session, level: str, code: str):
    return queries.load_territory(db_session, TerritoryKey(level, code))


def figure(db_session, level: str, code: str, thematique: str, km: int):
    (result,) = queries.figures(db_session, territory(db_session, level, code), km, [thematique])
    return result


def search_ids(db_session, commune: str, thematique: str, km: int) -> set[str]:
    query = SearchQuery(commune=commune, thematiques=(thematique,), rayon_km=km, a_distance=False)
    place = resolve_place(db_session, query)
    return {
        row.service_id for row in db_session.execute(matching_documents(db_session, query, place))
    }


@pytest.fixture
def aurillac(db_session):
    return point_of(db_session, AURILLAC)


def _either_side(make_service, aurillac, metres: int):
    """A mobility service 5 m inside `metres` of Aurillac, a digital one 5 m outside (both
    open to the Cantal, both located in Aurillac)."""
    return tuple(
        make_service(
            point=destination(*aurillac, metres + offset),
            thematiques=[thematique],
            zone_eligibilite=["15"],
            code_insee=AURILLAC,
        )
        for offset, thematique in ((-5, MOBILITE), (5, NUMERIQUE))
    )


def test_a_commune_just_inside_and_just_outside_the_distance(db_session, make_service, aurillac):
    inside, outside = _either_side(make_service, aurillac, 15_000)
    operations.rebuild(db_session)

    mobilite = cell(db_session, AURILLAC, MOBILITE)
    assert 14_995 <= mobilite.nearest_m <= 14_996  # rounded up to the metre
    assert (mobilite.n5, mobilite.n10, mobilite.n15, mobilite.n20, mobilite.n30) == (0, 0, 1, 1, 1)
    # A category means its sub-thèmes; "all" means any service.
    assert cell(db_session, AURILLAC, "mobilite").n15 == 1
    assert cell(db_session, AURILLAC, "").n15 == 1
    numerique = cell(db_session, AURILLAC, NUMERIQUE)
    assert 15_005 <= numerique.nearest_m <= 15_006
    assert (numerique.n15, numerique.n20) == (0, 1)

    # The search, asked from Aurillac with the same radius, agrees.
    assert search_ids(db_session, AURILLAC, MOBILITE, 15) == {inside.id}
    assert search_ids(db_session, AURILLAC, NUMERIQUE, 15) == set()
    assert search_ids(db_session, AURILLAC, NUMERIQUE, 20) == {outside.id}

    # Département figures: every unit within 15 km of the service, by an independent count.
    units = unit_points(db_session, "c.departement_code = '15'", {})
    service_point = destination(*aurillac, 14_995)
    expected = {code for code, u in units.items() if haversine(u[:2], service_point) <= 15_000}
    assert AURILLAC in expected
    result = figure(db_session, "departement", "15", MOBILITE, 15)
    assert result.population_covered == sum(units[c][2] for c in expected)
    assert result.units == len(units)
    assert result.units_uncovered == len(units) - len(expected)
    assert result.services == 1 and result.services_fresh == 1
    # Région and France add up their départements (the service reaches only the Cantal).
    for level, code in (("region", "84"), ("france", "FR")):
        above = figure(db_session, level, code, MOBILITE, 15)
        assert above.population_covered == result.population_covered
        assert above.services == 1
        assert above.units - above.units_uncovered == len(expected)
    # The largest uncovered commune of the département, computed by hand.
    uncovered = sorted((c for c in units if c not in expected), key=lambda c: (-units[c][2], c))
    assert result.largest_uncovered.code == uncovered[0]
    # The other service: Aurillac just outside, its neighbours to the east inside.
    outside_point = destination(*aurillac, 15_005)
    for km in (15, 20):
        reached = {c for c, u in units.items() if haversine(u[:2], outside_point) <= km * 1000}
        result = figure(db_session, "departement", "15", NUMERIQUE, km)
        assert result.population_covered == sum(units[c][2] for c in reached)
        assert (AURILLAC in reached) == (km == 20)


def test_an_epci_wide_service_covers_its_communes_only(db_session, make_service, aurillac):
    make_service(
        point=aurillac,
        thematiques=[MOBILITE],
        zone_eligibilite=[AURILLAC_EPCI],
        code_insee=AURILLAC,
    )
    operations.rebuild(db_session)
    near = unit_points(
        db_session,
        "ST_DWithin(c.location, ST_MakePoint(:lon, :lat)::geography, 20000, false)",
        {"lon": aurillac[0], "lat": aurillac[1]},
    )
    inside_epci = {
        c for c, u in near.items() if u[3] == AURILLAC_EPCI and haversine(u[:2], aurillac) <= 15_000
    }
    outside_epci = {
        c for c, u in near.items() if u[3] != AURILLAC_EPCI and haversine(u[:2], aurillac) <= 15_000
    }
    assert inside_epci and outside_epci, "the case needs communes on both sides"
    for code in inside_epci:
        assert cell(db_session, code, MOBILITE).n15 == 1, code
    for code in outside_epci:
        found = cell(db_session, code, MOBILITE)
        assert found is None or found.n30 == 0, code  # not eligible, however near
    epci_units = unit_points(db_session, "c.epci_code = :e", {"e": AURILLAC_EPCI})
    result = figure(db_session, "epci", AURILLAC_EPCI, MOBILITE, 15)
    covered = {c for c, u in epci_units.items() if haversine(u[:2], aurillac) <= 15_000}
    assert result.population_covered == sum(epci_units[c][2] for c in covered)
    assert result.units_uncovered == len(epci_units) - len(covered)
    if result.units_uncovered:
        largest = max(
            (c for c in epci_units if c not in covered), key=lambda c: (epci_units[c][2], c)
        )
        assert result.largest_uncovered.population == epci_units[largest][2]


def test_a_service_open_to_a_commune_and_its_epci_counts_once(db_session, make_service, aurillac):
    # Aurillac matches the zone by two codes (its own and its EPCI's), its EPCI neighbours by
    # one: each sees one service, as the search lists it once.
    point = destination(*aurillac, 2_000.5)
    service = make_service(
        point=point,
        thematiques=[MOBILITE],
        zone_eligibilite=[AURILLAC, AURILLAC_EPCI],
        code_insee=AURILLAC,
    )
    operations.rebuild(db_session)
    found = cell(db_session, AURILLAC, MOBILITE)
    assert found.nearest_m == 2_001
    assert (found.n5, found.n10, found.n30) == (1, 1, 1)
    assert cell(db_session, AURILLAC, "").n5 == 1
    assert search_ids(db_session, AURILLAC, MOBILITE, 5) == {service.id}
    members = unit_points(db_session, "c.epci_code = :e", {"e": AURILLAC_EPCI})
    neighbour = min(
        (c for c in members if c != AURILLAC), key=lambda c: haversine(members[c][:2], point)
    )
    assert haversine(members[neighbour][:2], point) <= 30_000, "the case needs a neighbour"
    assert cell(db_session, neighbour, MOBILITE).n30 == 1
    assert search_ids(db_session, neighbour, MOBILITE, 30) == {service.id}


def test_the_last_distance_is_the_searchs_30_km_radius(db_session, make_service, aurillac):
    inside, _ = _either_side(make_service, aurillac, 30_000)
    operations.rebuild(db_session)
    mobilite = cell(db_session, AURILLAC, MOBILITE)
    assert 29_995 <= mobilite.nearest_m <= 29_996
    assert (mobilite.n20, mobilite.n30) == (0, 1)
    # Beyond 30 km: no distance, no count (« plus de 30 km »), and no search result either.
    numerique = cell(db_session, AURILLAC, NUMERIQUE)
    assert numerique is None or (numerique.nearest_m is None and numerique.n30 == 0)
    assert search_ids(db_session, AURILLAC, MOBILITE, 30) == {inside.id}
    assert search_ids(db_session, AURILLAC, NUMERIQUE, 30) == set()


def test_a_remote_only_need_is_shown_apart_and_closes_no_gap(db_session, make_service):
    make_service(
        point=None,
        modes_accueil=["a-distance"],
        thematiques=[FAMILLE],
        zone_eligibilite=["48"],
        code_insee="48095",
    )
    make_service(
        point=None,
        modes_accueil=["a-distance"],
        thematiques=[LOGEMENT],
        zone_eligibilite=None,
    )
    operations.rebuild(db_session)
    mende = cell(db_session, "48095", FAMILLE)
    assert mende.remote == 1 and mende.nearest_m is None and mende.n30 == 0
    lozere = figure(db_session, "departement", "48", FAMILLE, 15)
    assert lozere.population_covered == 0
    assert lozere.population_remote == lozere.population > 0
    assert lozere.units_uncovered == lozere.units
    assert figure(db_session, "departement", "15", FAMILLE, 15).population_remote == 0
    # Eligible everywhere: counted once per need, for every territory.
    assert figure(db_session, "departement", "15", LOGEMENT, 15).share_remote == 1
    assert figure(db_session, "france", "FR", LOGEMENT, 30).population_covered == 0
    cantal = queries.overview(
        db_session, territory(db_session, "departement", "15"), Selection(FAMILLE, 15)
    )
    assert FAMILLE in {f.need for f in cantal.absent}
    assert LOGEMENT not in {f.need for f in cantal.absent}  # a remote service exists
    assert cantal.uncovered and all(u.remote == 0 for u in cantal.uncovered)


def test_arrondissements_count_apart_and_belong_to_their_commune(db_session, make_service):
    twelfth = point_of(db_session, "75112")
    first = point_of(db_session, "75101")
    make_service(
        point=twelfth, thematiques=[MOBILITE], zone_eligibilite=["75112"], code_insee="75112"
    )
    make_service(
        point=first, thematiques=[NUMERIQUE], zone_eligibilite=["75056"], code_insee="75101"
    )
    operations.rebuild(db_session)
    assert cell(db_session, "75112", MOBILITE).n5 == 1
    eleventh = cell(db_session, "75111", MOBILITE)
    assert eleventh is None or eleventh.n30 == 0  # next door, but not eligible
    # The commune's zone opens the service to every arrondissement within the distance.
    arrondissements = db_session.execute(
        text("SELECT code, population FROM arrondissement_municipal WHERE commune_code = '75056'")
    ).all()
    for row in arrondissements:
        assert cell(db_session, row.code, NUMERIQUE).n15 == 1, row.code
    paris = figure(db_session, "commune", "75056", MOBILITE, 15)
    assert paris.units == 20
    assert (
        paris.population_covered
        == 138_024
        == next(r.population for r in arrondissements if r.code == "75112")
    )
    assert figure(db_session, "commune", "75056", NUMERIQUE, 15).units_uncovered == 0
    # The search from the 11th does not list the 12th's service either.
    assert search_ids(db_session, "75111", MOBILITE, 15) == set()


def test_hidden_services_do_not_count(db_session, make_service, aurillac):
    make_service(
        point=aurillac,
        thematiques=[MOBILITE],
        zone_eligibilite=["15"],
        suspendu_du=date.today() - timedelta(days=1),
    )
    make_service(
        point=aurillac, thematiques=[MOBILITE], zone_eligibilite=["15"], statut="brouillon"
    )
    make_service(
        point=aurillac,
        thematiques=[NUMERIQUE],
        zone_eligibilite=["15"],
        suspendu_du=date.today() + timedelta(days=3),
    )
    operations.rebuild(db_session)
    assert cell(db_session, AURILLAC, MOBILITE) is None
    assert cell(db_session, AURILLAC, NUMERIQUE).n5 == 1  # suspended only from next week


def test_freshness_dates_the_figures_and_says_when_they_may_be_stale(db_session, make_service):
    operations.rebuild(db_session)
    state = queries.freshness(db_session)
    assert state.computed and state.warnings == ()
    later = state.run.finished_at + timedelta(hours=30)
    assert any("plus d’un jour" in w for w in queries.freshness(db_session, now=later).warnings)
    # A catalogue write after the snapshot the computation read (here: any write of this
    # test's transaction, which began before it) is reported.
    db_session.execute(text("UPDATE coverage_run SET search_xid = 0"))
    make_service(thematiques=[MOBILITE])
    assert any("depuis ce calcul" in w for w in queries.freshness(db_session).warnings)


def test_cells_agree_with_the_search_on_a_random_catalogue(db_session, make_service, aurillac):
    """Differential: every cell count equals what the search lists from that commune."""
    import random

    rng = random.Random(12)
    zones = [["15"], [AURILLAC_EPCI], [AURILLAC], ["48"], None, ["france"], ["15", "48"]]
    thematiques = [MOBILITE, NUMERIQUE, FAMILLE, "mobilite--preparer-un-permis"]
    modes = [["en-presentiel"], ["a-distance", "en-presentiel"], ["a-distance"], None]
    for _ in range(40):
        mode = rng.choice(modes)
        point = destination(*aurillac, rng.uniform(0, 40_000), rng.uniform(0, 360))
        make_service(
            point=None if mode == ["a-distance"] else point,
            modes_accueil=mode,
            zone_eligibilite=rng.choice(zones),
            thematiques=rng.sample(thematiques, rng.randint(1, 2)),
            code_insee=AURILLAC,
        )
    operations.rebuild(db_session)
    near = unit_points(
        db_session,
        "ST_DWithin(c.location, ST_MakePoint(:lon, :lat)::geography, 25000, false)",
        {"lon": aurillac[0], "lat": aurillac[1]},
    )
    checked = 0
    for code in sorted(near)[:12]:
        for thematique in ("", "mobilite", NUMERIQUE, FAMILLE):
            found = cell(db_session, code, thematique)
            for km in (5, 15, 30):
                asked = (thematique,) if thematique else ()
                query = SearchQuery(commune=code, thematiques=asked, rayon_km=km, a_distance=False)
                place = resolve_place(db_session, query)
                listed = db_session.execute(matching_documents(db_session, query, place)).all()
                expected = sum(1 for row in listed if row.on_site)
                assert (getattr(found, f"n{km}") if found else 0) == expected, (
                    code,
                    thematique,
                    km,
                )
                checked += 1
    assert checked == 12 * 4 * 3
