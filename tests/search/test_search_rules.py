"""The rules of dora.rules, engine by engine (SQL, accelerator, Meilisearch translation):

- bug 1: a two-digit, 2A/2B or 97x code of `zone_eligibilite` is a département, never a
  région (93 is Seine-Saint-Denis, never PACA: no Seine-Saint-Denis service in Marseille);
- bug 2: a published, eligible service with neither a mode nor a point is shown like a remote
  service (no distance), marked « lieu non précisé » — never hidden;
- today's suspensions, read by the accelerator from SQL.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dora.search import accel, facets, meili
from dora.search.backends.meilisearch import MeilisearchBackend
from dora.search.backends.postgres import merge_streams
from dora.search.query import SearchQuery, resolve_place
from tests.search.meili_filter import matches

MARSEILLE, MARSEILLE_1ER, SAINT_DENIS = "13055", "13201", "93066"


def _today() -> int:
    return (date.today() - date(1970, 1, 1)).days


def _accel_ids(db_session, query: SearchQuery) -> list[str]:
    """Service ids the accelerator answers (page of 100), loaded from this transaction."""
    index = accel.FacetIndex()
    index.load(db_session.connection())
    place = resolve_place(db_session, query)
    _, rows = index.page(
        query.with_changes(size=100), place, facets.keys(db_session), _today(), None
    )
    by_ord = dict(db_session.execute(text("SELECT ord, service_id FROM search_document")).all())
    return [by_ord[hit.service_id] for hit in merge_streams(rows, 0, 100)]


def _meili_ids(db_session, query: SearchQuery) -> set[str]:
    """Service ids the Meilisearch translation's set filter selects (no server needed)."""
    place = resolve_place(db_session, query)
    ids = list(db_session.execute(text("SELECT service_id FROM search_document")).scalars())
    documents = MeilisearchBackend("http://127.0.0.1:1", None, "services").documents(
        db_session, ids
    )
    requests = meili.search_requests(query, place, date.today(), "services")
    return {d["service_id"] for d in documents if matches(requests[-1]["filter"])(d)}


# Bug 1: région codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commune", "expected"),
    [
        (MARSEILLE, ["13055", "200054807", "13", "*"]),  # région PACA is 93: not there
        (MARSEILLE_1ER, ["13201", "13055", "200054807", "13", "*"]),
        (SAINT_DENIS, ["93066", "200054781", "93", "*"]),  # région Île-de-France is 11
        ("33063", ["33063", "243300316", "33", "*"]),  # Bordeaux: région 75 is not there
    ],
)
def test_place_codes_hold_no_region_code(db_session, commune, expected):
    place = resolve_place(db_session, SearchQuery(commune=commune))
    assert list(place.codes) == expected
    # The one definition (dora.rules), called directly.
    codes = db_session.scalar(
        text("SELECT dora_place_codes(:c, :a)"), {"c": place.commune, "a": place.arrondissement}
    )
    assert codes == expected


@pytest.fixture
def seine_saint_denis_services(place_service):
    """A Seine-Saint-Denis service (zone « 93 »), remote and on site in Marseille itself."""
    remote = place_service(
        SAINT_DENIS, nom="À distance 93", modes_accueil=["a-distance"], zone_eligibilite=["93"]
    )
    marseille_point = (5.37, 43.296)
    on_site = place_service(
        MARSEILLE, point=marseille_point, nom="Sur place 93", zone_eligibilite=["93"]
    )
    open_to_all = place_service(MARSEILLE, point=marseille_point, nom="Pour tous")
    return remote, on_site, open_to_all


@pytest.mark.parametrize("commune", [MARSEILLE, MARSEILLE_1ER])
def test_zone_93_is_never_paca_in_sql(seine_saint_denis_services, search, ids, commune):
    remote, _on_site, open_to_all = seine_saint_denis_services
    assert ids(search(commune=commune)) == [open_to_all.id]
    assert set(ids(search(commune=SAINT_DENIS, rayon_km=5))) == {remote.id}


@pytest.mark.parametrize("commune", [MARSEILLE, MARSEILLE_1ER])
def test_zone_93_is_never_paca_in_the_accelerator(seine_saint_denis_services, db_session, commune):
    remote, _on_site, open_to_all = seine_saint_denis_services
    assert _accel_ids(db_session, SearchQuery(commune=commune)) == [open_to_all.id]
    assert _accel_ids(db_session, SearchQuery(commune=SAINT_DENIS, rayon_km=5)) == [remote.id]


def test_zone_93_is_never_paca_in_the_meilisearch_translation(
    seine_saint_denis_services, db_session
):
    remote, _on_site, open_to_all = seine_saint_denis_services
    query = SearchQuery(commune=MARSEILLE)
    requests = meili.search_requests(
        query, resolve_place(db_session, query), date.today(), "services"
    )
    for request in requests:
        assert 'elig IN ["13055", "200054807", "13", "*"]' in request["filter"]
    assert _meili_ids(db_session, query) == {open_to_all.id}
    assert _meili_ids(db_session, SearchQuery(commune=SAINT_DENIS, rayon_km=5)) == {remote.id}


def test_territory_pages_count_no_region_code(db_session, place_service):
    from dora.maps import queries
    from dora.maps.filters import MapFilters
    from dora.maps.territory import TerritoryRef, load_territory

    place_service(SAINT_DENIS, modes_accueil=["a-distance"], zone_eligibilite=["93"])
    bouches_du_rhone = load_territory(db_session, TerritoryRef("departement", "13"))
    marseille = load_territory(db_session, TerritoryRef("commune", MARSEILLE))
    for territory in (bouches_du_rhone, marseille):
        assert "93" not in territory.covering_codes
        assert queries.remote_count(db_session, MapFilters(), territory) == 0


# Bug 2: neither a mode nor a point ------------------------------------------------------------


@pytest.fixture
def unplaced(place_service):
    """Published and eligible everywhere, with neither `modes_accueil` nor a point."""
    return place_service(SAINT_DENIS, nom="Sans lieu", modes_accueil=None, point=None)


@pytest.mark.parametrize("commune", [SAINT_DENIS, "69123", MARSEILLE_1ER])
def test_unplaced_service_is_shown_like_a_remote_one_in_sql(unplaced, search, ids, commune):
    body = search(commune=commune)
    assert ids(body) == [unplaced.id]
    item = body["items"][0]
    assert item["distance_m"] is None
    assert item["lieu_non_precise"] is True
    # Like a remote service: left out when remote services are.
    assert ids(search(commune=commune, a_distance="non")) == []
    assert ids(search()) == [unplaced.id]


def test_placed_services_are_not_marked(place_service, search):
    place_service(SAINT_DENIS, modes_accueil=None)  # a point, no mode: on site
    place_service(SAINT_DENIS, modes_accueil=["a-distance"], point=None)
    items = search(commune=SAINT_DENIS)["items"]
    assert [item["lieu_non_precise"] for item in items] == [False, False]


def test_on_site_service_without_point_is_not_hidden_either(place_service, search, ids):
    service = place_service(SAINT_DENIS, modes_accueil=["en-presentiel"], point=None)
    body = search(commune="69123")
    assert ids(body) == [service.id]
    assert body["items"][0]["lieu_non_precise"] is True


def test_unplaced_service_in_the_accelerator(unplaced, db_session, place_service):
    near = place_service(SAINT_DENIS, nom="Ici")
    assert _accel_ids(db_session, SearchQuery(commune=SAINT_DENIS)) == [near.id, unplaced.id]
    assert _accel_ids(db_session, SearchQuery(commune="69123")) == [unplaced.id]
    assert _accel_ids(db_session, SearchQuery(commune="69123", a_distance=False)) == []


def test_unplaced_service_in_the_meilisearch_translation(unplaced, db_session):
    documents = MeilisearchBackend("http://127.0.0.1:1", None, "services").documents(
        db_session, [unplaced.id]
    )
    assert documents[0]["remote"] is True
    assert documents[0]["on_site"] is False
    assert documents[0]["_geo"] is None
    assert _meili_ids(db_session, SearchQuery(commune="69123")) == {unplaced.id}
    assert _meili_ids(db_session, SearchQuery(commune="69123", a_distance=False)) == set()


def test_unplaced_service_is_marked_on_the_result_list_and_its_page(unplaced, client):
    html = client.get("/recherche", query_string={"commune": SAINT_DENIS}).get_data(as_text=True)
    assert "Sans lieu" in html
    assert '<span class="place-unknown">Lieu non précisé</span>' in html
    page = client.get(f"/services/{unplaced.id}").get_data(as_text=True)
    assert "Lieu non précisé" in page


def test_placed_service_page_is_not_marked(place_service, client):
    service = place_service(SAINT_DENIS)
    assert "Lieu non précisé" not in client.get(f"/services/{service.id}").get_data(as_text=True)


# Suspensions in the accelerator ---------------------------------------------------------------


def test_accelerator_hides_what_sql_says_is_suspended_today(place_service, db_session):
    today = date.today()
    shown = place_service(SAINT_DENIS, nom="Ouvert")
    place_service(SAINT_DENIS, nom="Suspendu", suspendu_du=today - timedelta(days=1))
    place_service(SAINT_DENIS, nom="Jusqu’à hier", suspendu_du=today, suspendu_au=today)
    later = place_service(SAINT_DENIS, nom="Plus tard", suspendu_du=today + timedelta(days=2))
    ended = place_service(
        SAINT_DENIS,
        nom="Fini",
        suspendu_du=today - timedelta(days=5),
        suspendu_au=today - timedelta(days=1),
    )
    expected = {shown.id, later.id, ended.id}
    assert set(_accel_ids(db_session, SearchQuery(commune=SAINT_DENIS))) == expected
    assert set(_accel_ids(db_session, SearchQuery(commune=SAINT_DENIS, q=""))) == expected


# The Python reading of publication (pages, forms) agrees with the SQL rule --------------------


@pytest.mark.parametrize("statut", ["publie", "brouillon", "archive"])
@pytest.mark.parametrize("moderation", ["validee", "en-attente", "refusee"])
@pytest.mark.parametrize(
    ("du", "au"), [(None, None), (-2, None), (-2, -1), (-2, 0), (0, 0), (1, None), (1, 3)]
)
def test_service_is_public_agrees_with_the_sql_rule(
    db_session, make_service, make_structure, statut, moderation, du, au
):
    today = date.today()
    service = make_service(
        structure=make_structure(moderation=moderation),
        statut=statut,
        suspendu_du=None if du is None else today + timedelta(days=du),
        suspendu_au=None if au is None else today + timedelta(days=au),
    )
    sql = db_session.scalar(
        text(
            "SELECT dora_is_public(s.statut, st.moderation)"
            " AND dora_not_suspended(s.suspendu_du, s.suspendu_au, current_date)"
            " FROM service AS s JOIN structure AS st ON st.id = s.structure_id WHERE s.id = :id"
        ),
        {"id": service.id},
    )
    assert service.is_public() is sql
    listed = db_session.execute(
        text("SELECT 1 FROM search_document WHERE service_id = :id"), {"id": service.id}
    ).first()
    assert (listed is not None) is (statut == "publie" and moderation == "validee")


def test_the_copy_follows_suspensions_through_deltas(place_service, db_session):
    today = date.today()
    services = [place_service(SAINT_DENIS, nom=f"Service {i}") for i in range(3)]
    with db_session.get_bind().engine.connect() as other:  # a later transaction commits first
        other.execute(text("SELECT pg_current_xact_id()"))
        other.commit()
    index = accel.FacetIndex()
    index.load(db_session.connection())
    # This transaction's later writes must look like another writer's (see test_search_accel).
    index.xip.append(
        db_session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    )
    query = SearchQuery(commune=SAINT_DENIS)
    place = resolve_place(db_session, query)
    key_map = facets.keys(db_session)
    assert index.counts(query, place, key_map, _today()).total == 3
    db_session.execute(
        text("UPDATE service SET suspendu_du = :d WHERE id = :id"),
        {"d": today, "id": services[0].id},
    )
    index.apply_delta(db_session.connection())
    assert index.counts(query, place, key_map, _today()).total == 2
    db_session.execute(
        text("UPDATE service SET suspendu_au = :d WHERE id = :id"),
        {"d": today - timedelta(days=0), "id": services[0].id},
    )
    db_session.execute(
        text("UPDATE service SET suspendu_du = :d, suspendu_au = :d WHERE id = :id"),
        {"d": today + timedelta(days=1), "id": services[1].id},
    )
    index.apply_delta(db_session.connection())
    # services[0] is suspended until today (included), services[1] from tomorrow.
    assert index.counts(query, place, key_map, _today()).total == 2
