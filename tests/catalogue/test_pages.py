"""Public pages of the catalogue: what a visitor sees."""

from datetime import date, timedelta

import pytest


@pytest.fixture(autouse=True)
def _fresh_stats_cache():
    from dora.catalogue import views

    views._stats_cache.clear()
    yield
    views._stats_cache.clear()


def test_home_presents_dora_and_the_search_entry(client, make_service):
    make_service()
    html = client.get("/").get_data(as_text=True)
    assert "Trouver la bonne solution d’insertion" in html
    assert 'action="/recherche"' in html
    assert "Mobilité" in html  # a thématique category, straight from the schema


def test_service_page_shows_every_field_a_professional_needs(client, make_structure, make_service):
    structure = make_structure(nom="Garage solidaire du 93")
    service = make_service(
        structure=structure,
        nom="Réparation de véhicules à prix solidaire",
        description="Réparations à prix coûtant pour les personnes en insertion.",
        frais="payant",
        frais_precisions="10 € de main-d’œuvre par heure",
        publics=["demandeurs-emploi", "beneficiaires-des-minimas-sociaux"],
        conditions_acces="Sur prescription d’un conseiller",
        modes_mobilisation=["telephoner", "envoyer-un-courriel"],
        mobilisable_par=["professionnels"],
        mobilisation_precisions="Appeler le lundi matin",
        telephone="01 23 45 67 89",
        courriel="contact@garage.example",
        adresse="12 rue de la République",
        horaires_accueil="Mo-Fr 09:00-17:00",
        zone_eligibilite=["93", "200054781"],
    )
    response = client.get(f"/services/{service.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for expected in (
        "Réparation de véhicules à prix solidaire",
        "Garage solidaire du 93",
        "Comment mobiliser ce service",
        "Téléphoner",
        "Envoyer un courriel",
        "Professionnels",
        "Appeler le lundi matin",
        "10 € de main-d’œuvre par heure",
        "Demandeurs d’emploi",
        "Sur prescription d’un conseiller",
        "Seine-Saint-Denis (93)",
        "Métropole du Grand Paris",
        "12 rue de la République",
        "Du lundi au vendredi : 9\u00a0h\u00a0– 17\u00a0h",
    ):
        assert expected in html, expected


def test_service_page_map_uses_local_assets_only(client, make_service):
    service = make_service()
    html = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "L.map(" in html
    assert "cdn." not in html and "cdnjs" not in html and "bootstrapcdn" not in html


def test_approximate_location_is_drawn_as_an_area_and_said(client, make_service):
    service = make_service(location_precision="commune")
    html = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "L.circle(" in html
    assert "Localisation approximative" in html


def test_stale_service_is_flagged_not_hidden(client, make_service):
    service = make_service(date_maj=date.today() - timedelta(days=800))
    html = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Information à vérifier" in html


@pytest.mark.parametrize(
    "fields",
    [
        {"statut": "brouillon"},
        {"statut": "archive"},
        {"suspendu_du": date.today() - timedelta(days=1)},
    ],
)
def test_non_public_services_are_not_found(client, make_service, fields):
    service = make_service(**fields)
    assert client.get(f"/services/{service.id}").status_code == 404


def test_service_of_an_unvalidated_structure_is_not_found(client, make_structure, make_service):
    structure = make_structure(moderation="en-attente")
    service = make_service(structure=structure)
    assert client.get(f"/services/{service.id}").status_code == 404
    assert client.get(f"/structures/{structure.id}").status_code == 404


def test_structure_page_lists_only_its_public_services(client, make_structure, make_service):
    structure = make_structure(nom="CCAS de Saint-Denis", siret="21930066400019")
    make_service(structure=structure, nom="Aide alimentaire d’urgence")
    make_service(structure=structure, nom="Brouillon caché", statut="brouillon")
    response = client.get(f"/structures/{structure.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CCAS de Saint-Denis" in html
    assert "Aide alimentaire d’urgence" in html
    assert "Brouillon caché" not in html
    assert "Services proposés (1)" in html


def test_unknown_service_and_structure_answer_404(client):
    assert client.get("/services/inconnu").status_code == 404
    assert client.get("/structures/inconnue").status_code == 404


def test_structure_page_has_no_n_plus_one(client, make_structure, make_service, count_queries):
    structure = make_structure()
    for index in range(5):
        make_service(structure=structure, nom=f"Service {index}")
    with count_queries as counter:
        assert client.get(f"/structures/{structure.id}").status_code == 200
    assert counter.count <= 4
