"""Territory pages: what a visitor sees for a département, an EPCI and a commune."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.headers import csp

METROPOLE = "200054781"  # Métropole du Grand Paris: Paris, 92, 93, 94 and a few more


@pytest.fixture
def max_points(app):
    saved = app.config["MAP_MAX_POINTS"]

    def set_threshold(value: int) -> None:
        app.config["MAP_MAX_POINTS"] = value

    yield set_threshold
    app.config["MAP_MAX_POINTS"] = saved


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _listed(html: str) -> list[str]:
    section = html.split('id="liste-titre"', 1)[1]
    return re.findall(r'class="map-list__title">\s*<a href="/services/([^"]+)"', section)


def test_departement_page_shows_map_counts_and_list(client, make_structure, make_service):
    garage = make_structure(nom="Garage solidaire du 93")
    make_service(
        structure=garage,
        nom="Réparation solidaire",
        thematiques=["mobilite--entretenir-reparer-son-vehicule"],
        publics=["jeunes"],
    )
    make_service(nom="Atelier numérique", thematiques=["numerique--acquerir-un-equipement"])
    make_service(nom="Cours à distance", modes_accueil=["a-distance"], zone_eligibilite=["93"])
    html = _page(client, "/territoires/departement/93")

    assert "<h1>Seine-Saint-Denis (93)</h1>" in html
    assert "Île-de-France" in html
    assert re.search(r"<strong>2</strong>\s*services d’insertion sur place", html)
    # The map: folium, local assets, the services layer and the honest outline note.
    assert 'class="folium-map"' in html
    assert "/static/js/map-services.js" in html
    assert "DoraMap.servicesLayer" in html
    assert "Contour simplifié du département" in html
    assert "code de leur commune" in html
    # Counts per category and per public, beside the map.
    counts = html.split('id="chiffres-titre"', 1)[1]
    assert re.search(r"Mobilité</a>\s*<span class=\"map-counts__n\">1</span>", counts)
    assert re.search(r"Numérique</a>\s*<span class=\"map-counts__n\">1</span>", counts)
    assert re.search(r"Jeunes <span class=\"map-counts__n\">1</span>", counts)
    # Remote services: counted and said why they are not on the map.
    assert re.search(r"<strong>1</strong> service\s+proposé\s+à distance", html)
    # The list, alphabetical, and the search pre-filled around the chef-lieu.
    assert "Atelier numérique" in html and "Réparation solidaire" in html
    assert html.index("Atelier numérique") < html.index("Réparation solidaire")
    assert "/recherche?commune=93008" in html  # Bobigny
    assert "Garage solidaire du 93" in html


def test_services_belong_to_the_departement_of_their_commune(client, make_service):
    # In 93 by its commune code, although its point falls in Paris.
    misplaced = make_service(nom="Point décalé", code_insee="93066", point=(2.35, 48.85))
    # No commune code: placed by its point inside the département's outline.
    by_point = make_service(nom="Sans code commune", code_insee=None, point=(2.45, 48.91))
    # Boulogne-Billancourt (92): not in 93 even if its point were.
    other = make_service(nom="Dans les Hauts-de-Seine", code_insee="92012", point=(2.44, 48.92))
    listed = _listed(_page(client, "/territoires/departement/93"))
    assert misplaced.id in listed
    assert by_point.id in listed
    assert other.id not in listed


def test_epci_and_commune_pages_use_commune_codes_and_say_their_outline_is_approximate(
    client, make_service
):
    saint_denis = make_service(nom="À Saint-Denis", code_insee="93066")
    montreuil = make_service(nom="À Montreuil", code_insee="93048", point=(2.44, 48.86))
    meaux = make_service(nom="À Meaux", code_insee="77284", point=(2.879, 48.96))
    epci = _page(client, f"/territoires/epci/{METROPOLE}")
    # The Métropole du Grand Paris spans several départements: its type, not « Val-de-Marne ».
    eyebrow = epci.split('class="eyebrow">')[1].split("</p>")[0]
    assert eyebrow.startswith("Métropole · ") and "départements (75, 91, 92, 93, 94, 95)" in eyebrow
    assert "Val-de-Marne" not in eyebrow
    assert "Contour approximatif" in epci and "pas le contour officiel" in epci
    assert set(_listed(epci)) == {saint_denis.id, montreuil.id}
    assert meaux.id not in epci

    commune = _page(client, "/territoires/commune/93066")
    assert "<h1>Saint-Denis (93066)</h1>" in commune
    assert "Cercle indicatif" in commune
    assert _listed(commune) == [saint_denis.id]


def test_paris_arrondissements_belong_to_paris(client, make_service):
    service = make_service(code_insee="75110", point=(2.36, 48.876), zone_eligibilite=["75"])
    response = client.get("/territoires/commune/75110")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/territoires/commune/75056")
    assert service.id in _listed(_page(client, "/territoires/commune/75056"))
    assert service.id in _listed(_page(client, f"/territoires/epci/{METROPOLE}"))


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/departement/999",
        "/territoires/epci/123456789",
        "/territoires/commune/00000",
        "/territoires/region/11",
    ],
)
def test_unknown_territories_answer_404(client, url):
    assert client.get(url).status_code == 404


def test_bad_filters_are_explained_on_the_page(client, make_service):
    make_service()
    html = _page(
        client,
        "/territoires/departement/93?thematiques=mobilty&page=zero&depuis=Trifouillis-les-Oies",
        status=400,
    )
    assert "Certains critères n’ont pas pu être pris en compte" in html
    assert "mobilty" in html
    assert "« page » doit être un nombre entier" in html
    assert "Commune introuvable : « Trifouillis-les-Oies »" in html
    # The page still shows the territory's offer without the bad criteria.
    assert re.search(r"<strong>1</strong>\s*service d’insertion sur place", html)


def test_filters_narrow_counts_list_and_map(client, make_service):
    permis = make_service(nom="Permis solidaire", thematiques=["mobilite--preparer-un-permis"])
    soins = make_service(nom="Accès aux soins", thematiques=["sante--acces-aux-soins"])
    html = _page(client, "/territoires/departement/93?thematiques=mobilite")
    assert _listed(html) == [permis.id]
    assert soins.id not in html
    assert "correspondant aux filtres" in html
    # The map loads the same filters from the API.
    assert '"thematiques": "mobilite"' in html
    assert '"territoire": "departement:93"' in html
    assert "/recherche?commune=93008&amp;thematiques=mobilite" in html


def test_a_reference_point_orders_the_list_by_distance(client, make_service):
    near = make_service(nom="Z près", point=(2.36, 48.935))
    far = make_service(nom="A loin", code_insee="93048", point=(2.44, 48.86))
    # "Saint-Denis" is also the prefecture of La Réunion: the one in the territory is meant.
    html = _page(client, "/territoires/departement/93?depuis=Saint-Denis")
    assert _listed(html) == [near.id, far.id]
    assert "du plus proche au plus loin de Saint-Denis (93066)" in html
    assert re.search(r"<strong>à \d+ m</strong>", html)
    assert re.search(r"<strong>à \d+,\d km</strong>", html)


def test_the_list_is_paginated(client, make_service):
    for index in range(23):
        make_service(nom=f"Service {index:02d}")
    first = _listed(_page(client, "/territoires/departement/93"))
    second = _listed(_page(client, "/territoires/departement/93?page=2"))
    assert len(first) == 20 and len(second) == 3
    assert not set(first) & set(second)
    assert "Page 2 sur 2" in _page(client, "/territoires/departement/93?page=2")
    beyond = _page(client, "/territoires/departement/93?page=9")
    assert "au-delà de la fin de la liste" in beyond


def test_many_services_are_clustered_in_the_page(client, make_service, max_points):
    for index in range(8):
        make_service(point=(2.30 + index * 0.03, 48.90))
    max_points(5)
    html = _page(client, "/territoires/departement/93")
    start = html.index('"initial": ') + len('"initial": ')
    initial, _ = json.JSONDecoder().raw_decode(html[start:])
    assert initial["clustered"] is True
    assert initial["total"] == 8
    assert {f["properties"]["type"] for f in initial["features"]} == {"cluster"}
    assert len(_listed(html)) == 8


def test_pages_only_use_local_assets_and_refuse_framing(client, make_service):
    make_service()
    response = client.get("/territoires/departement/93")
    html = response.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    assert csp(response)["frame-ancestors"] == "'self'"


def test_index_lists_departements_and_finds_territories(client):
    html = _page(client, "/territoires")
    assert 'href="/territoires/departement/93"' in html
    assert "Seine-Saint-Denis (93)" in html and "La Réunion (974)" in html
    found = _page(client, "/territoires?q=grand paris")
    assert f'href="/territoires/epci/{METROPOLE}"' in found
    found = _page(client, "/territoires?q=saint denis")
    assert 'href="/territoires/commune/93066"' in found
    nothing = _page(client, "/territoires?q=zzzzzz")
    assert "Aucun territoire ne correspond" in nothing


def test_precomputed_counts_list_and_clusters_agree_with_the_catalogue(
    db_session, make_structure, make_service
):
    """Without filters, pages read precomputed statistics; they must say what a live
    count of the public services says, whatever the mix of cases."""
    from datetime import date, timedelta

    from dora.maps import queries
    from dora.maps.filters import MapFilters
    from dora.maps.territory import TerritoryRef, load_territory

    today = date.today()
    hidden = make_structure(moderation="en-attente")
    cases = [
        {"code_insee": "93066", "publics": ["jeunes", "femmes"]},
        {"code_insee": "93048", "point": (2.44, 48.86), "thematiques": ["sante--addictions"]},
        {"code_insee": "93008", "point": (2.44, 48.91), "publics": ["tous-publics"]},
        {"code_insee": "93008", "point": (2.441, 48.911), "suspendu_du": today},
        {"code_insee": "93008", "suspendu_du": today + timedelta(days=3)},
        {"code_insee": "93066", "statut": "brouillon"},
        {"code_insee": "93066", "structure": hidden},
        {"code_insee": None, "point": (2.45, 48.91)},  # placed by its point
        {"code_insee": "92012", "point": (2.24, 48.83)},  # elsewhere
        {"code_insee": "93066", "modes_accueil": ["a-distance"], "zone_eligibilite": []},
        {"code_insee": "75056", "modes_accueil": ["a-distance"], "zone_eligibilite": ["11"]},
        {"code_insee": "75056", "modes_accueil": ["a-distance"], "zone_eligibilite": ["75"]},
        # Neither a mode nor a point (« lieu non précisé »): not counted as remote.
        {"code_insee": "93066", "modes_accueil": None, "point": None, "zone_eligibilite": []},
        {
            "code_insee": "93066",
            "modes_accueil": ["a-distance"],
            "zone_eligibilite": ["france"],
            "suspendu_du": today,
        },
    ]
    for case in cases:
        make_service(**case)
    for ref in (TerritoryRef("departement", "93"), TerritoryRef("commune", "93008")):
        territory = load_territory(db_session, ref)
        zoom = 9
        live = db_session.execute(
            queries.offer_statement(
                db_session,
                territory,
                MapFilters(),
                zoom=zoom,
                offset=0,
                limit=50,
                reference=None,
                max_points=0,
            )
        ).one()
        total, by_category, by_public = queries.territory_counts(db_session, territory)
        assert total == live.total
        assert by_category == dict(live.by_category)
        assert by_public == dict(live.by_public)
        listed = queries.list_territory(db_session, territory, offset=0, limit=50)
        assert [s.id for s in listed] == [values[0] for values in live.items]
        clusters = queries.commune_clusters(db_session, territory, zoom=zoom)
        assert sum(f["properties"].get("count", 1) for f in clusters) == live.total
        assert queries.remote_count(db_session, MapFilters(), territory) == (
            queries.remote_count_live(db_session, MapFilters(), territory)
        )
    assert queries.remote_count(db_session, MapFilters(), None) == queries.remote_count_live(
        db_session, MapFilters(), None
    )


def test_the_territory_list_and_the_widget_say_what_is_open_now(client, make_service):
    make_service(nom="Accueil de jour", horaires_accueil="24/7")
    make_service(nom="Permanence fermée", horaires_accueil="off")
    make_service(nom="Sans horaires connus", horaires_accueil=None)
    for url in (
        "/territoires/departement/93",
        "/embed/carte?territoire=departement:93",
        "/embed/carte",  # the whole country: the freshest services
    ):
        html = client.get(url).get_data(as_text=True)
        assert html.count("opening-badge--open") == 1, url
        assert "Ouvert maintenant" in html, url
        assert "Sans horaires connus" in html, url
