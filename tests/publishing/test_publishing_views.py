import json
import re
from datetime import date, timedelta

import pytest

from dora.catalogue.models import Service
from dora.publishing import operations, queries
from tests.publishing.publishing_helpers import complete_values, form_data


@pytest.fixture
def logged_member(login, member):
    login(member)
    return member


def _service(db_session, structure, member, **overrides) -> Service:
    author = operations.Author(member.id, member.email)
    return operations.create_service(
        db_session, structure, complete_values(**overrides), author=author
    )


def _page(response) -> str:
    return response.get_data(as_text=True)


# Editor: creation and inline errors ------------------------------------------------------------


def test_the_editor_offers_every_vocabulary_grouped_thematiques_and_a_map(
    client, structure, logged_member
):
    response = client.get(f"/mon-espace/structures/{structure.id}/services/nouveau")
    page = _page(response)
    assert response.status_code == 200
    assert "<summary>Mobilité" in page  # a thématique category
    assert 'value="mobilite--entretenir-reparer-son-vehicule"' in page
    assert 'value="demandeurs-emploi"' in page
    assert 'value="envoyer-un-courriel"' in page
    assert 'name="zone_ajout"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page  # the preview map, local assets
    assert "window.doraPreview" in page


def test_an_empty_name_is_refused_with_an_inline_error_and_a_summary(
    client, db_session, structure, logged_member
):
    before = db_session.query(Service).count()
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(nom="", horaires_accueil="lundi matin", courriel="pas-un-courriel"),
    )
    page = _page(response)
    assert response.status_code == 200
    assert db_session.query(Service).count() == before
    assert 'id="error-summary"' in page
    assert '<a href="#nom">Nom du service : Indiquez le nom du service.</a>' in page
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="nom"|id="nom"[^>]*aria-invalid="true"', page
    )
    assert 'aria-describedby="nom-error"' in page
    assert "« matin » : précisez les heures" in page
    assert "Adresse e-mail invalide" in page
    # What the user typed is kept.
    assert 'value="lundi matin"' in page


def test_a_new_service_is_saved_as_draft_with_the_commune_resolved_server_side(
    client, db_session, structure, logged_member
):
    data = form_data(code_insee="", commune="saint denis", code_postal="93200")
    response = client.post(f"/mon-espace/structures/{structure.id}/services/nouveau", data=data)
    assert response.status_code == 302
    service = db_session.query(Service).filter_by(structure_id=structure.id).one()
    assert response.headers["Location"].endswith(f"/mes-services/{service.id}")
    assert service.statut == "brouillon"
    assert (service.code_insee, service.commune) == ("93066", "Saint-Denis")
    assert service.location is not None


def test_an_unknown_commune_is_an_error_on_the_commune_field(
    client, db_session, structure, logged_member
):
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(code_insee="", commune="Zzyzxville", code_postal=""),
    )
    page = _page(response)
    assert "Commune introuvable : « Zzyzxville »" in page
    assert 'id="commune-error"' in page


def test_coordinates_far_from_the_commune_are_refused(client, structure, logged_member):
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(latitude="43,6", longitude="1,44"),  # Toulouse, not Saint-Denis
    )
    assert "km de Saint-Denis" in _page(response)


def test_a_territory_typed_by_name_is_added_to_the_zone_without_javascript(
    client, structure, logged_member
):
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(zone_eligibilite=[], zone_ajout="Seine-Saint-Denis", action="ajouter-zone"),
    )
    page = _page(response)
    assert response.status_code == 200  # re-displayed, not saved
    assert 'name="zone_eligibilite" value="93" checked' in page
    assert "Seine-Saint-Denis (93, département)" in page


def test_an_ambiguous_territory_lists_the_choices(client, structure, logged_member):
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(zone_ajout="Saint-Denis", action="ajouter-zone"),
    )
    page = _page(response)
    assert "Plusieurs territoires correspondent à « Saint-Denis »" in page
    assert "93066" in page and "97411" in page


def test_a_region_adds_its_departements(client, structure, logged_member):
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(zone_eligibilite=[], zone_ajout="Bretagne", action="ajouter-zone"),
    )
    page = _page(response)
    for code in ("22", "29", "35", "56"):
        assert f'name="zone_eligibilite" value="{code}" checked' in page


def test_save_and_publish_with_missing_fields_keeps_a_draft_and_marks_the_fields(
    client, db_session, structure, logged_member
):
    data = form_data(publics=[], modes_mobilisation=[], telephone="")
    data["action"] = "publier"
    response = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau", data=data, follow_redirects=True
    )
    page = _page(response)
    service = db_session.query(Service).filter_by(structure_id=structure.id).one()
    assert service.statut == "brouillon"
    assert response.request.path == f"/mes-services/{service.id}/modifier"
    assert "Vos modifications sont enregistrées en brouillon" in page
    assert "Obligatoire pour publier : au moins un public." in page
    assert "Obligatoire pour publier : au moins un mode de mobilisation" in page


def test_save_and_publish_makes_the_service_public(client, db_session, structure, logged_member):
    data = form_data()
    data["action"] = "publier"
    response = client.post(f"/mon-espace/structures/{structure.id}/services/nouveau", data=data)
    assert response.status_code == 302
    service = db_session.query(Service).filter_by(structure_id=structure.id).one()
    assert service.statut == "publie"
    assert client.get(f"/services/{service.id}").status_code == 200


# Editing, history, conflicts -------------------------------------------------------------------


def test_editing_shows_the_current_values_and_saves_a_history_entry(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member)
    page = _page(client.get(f"/mes-services/{service.id}/modifier"))
    assert 'value="Garage solidaire"' in page
    assert f'name="version" type="hidden" value="{service.version}"' in page

    response = client.post(
        f"/mes-services/{service.id}/modifier",
        data=form_data(version=service.version, nom="Garage solidaire et mobilité"),
    )
    assert response.status_code == 302
    page = _page(client.get(f"/mes-services/{service.id}"))
    assert "Historique des modifications" in page
    assert "Garage solidaire et mobilité" in page
    assert "membre@tremplin.fr" in page


def test_the_second_save_gets_a_conflict_screen_and_can_choose_field_by_field(
    client, db_session, structure, member, admin, login
):
    service = _service(db_session, structure, member)
    loaded = service.version
    # The admin saves first (new name, new phone) while the member still has the form open.
    operations.update_service(
        db_session,
        service,
        complete_values(nom="Nom choisi par l’admin", telephone="01 11 11 11 11"),
        expected_version=loaded,
        author=operations.Author(admin.id, admin.email),
    )
    login(member)
    response = client.post(
        f"/mes-services/{service.id}/modifier",
        data=form_data(version=loaded, nom="Nom choisi par le membre", description="Nouvelle."),
    )
    page = _page(response)
    assert response.status_code == 409
    assert "Ce service a été modifié pendant que vous l’éditiez" in page
    assert "Rien n’a encore été enregistré" in page
    assert "admin@tremplin.fr" in page
    assert "Nom choisi par l’admin" in page and "Nom choisi par le membre" in page
    assert "modifié des deux côtés" in page
    db_session.refresh(service)
    assert service.nom == "Nom choisi par l’admin"

    # Resubmitting without choosing for the name is refused, still without writing.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    resubmit = form_data(version=loaded, nom="Nom choisi par le membre", description="Nouvelle.")
    resubmit["conflit_version"] = hidden["conflit_version"]
    response = client.post(f"/mes-services/{service.id}/modifier", data=resubmit)
    assert response.status_code == 409
    assert "Choisissez une version pour chaque champ modifié des deux côtés" in _page(response)

    resubmit.update(choix_nom="mien", choix_description="mien", choix_telephone="leur")
    response = client.post(f"/mes-services/{service.id}/modifier", data=resubmit)
    assert response.status_code == 302
    db_session.refresh(service)
    assert service.nom == "Nom choisi par le membre"
    assert service.description == "Nouvelle."
    assert service.telephone == "01 11 11 11 11"  # the admin's change was kept
    authors = [c.author for c in queries.history(db_session, service.id)]
    assert authors[:2] == ["membre@tremplin.fr", "admin@tremplin.fr"]


def test_the_public_page_shows_the_history_block_to_members_only(
    client, db_session, structure, member, make_user, membership, make_structure, login
):
    service = _service(db_session, structure, member)
    operations.publish(db_session, service, author=operations.Author(member.id, member.email))

    assert "Espace de la structure" not in _page(client.get(f"/services/{service.id}"))
    stranger = make_user()
    membership(stranger, make_structure())
    login(stranger)
    assert "Espace de la structure" not in _page(client.get(f"/services/{service.id}"))
    login(member)
    page = _page(client.get(f"/services/{service.id}"))
    assert "Espace de la structure" in page
    assert "Dernières modifications" in page
    assert "Publication" in page


# Status actions --------------------------------------------------------------------------------


def test_status_buttons_publish_suspend_resume_archive_and_duplicate(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member)
    assert client.post(f"/mes-services/{service.id}/publier").status_code == 302
    db_session.refresh(service)
    assert service.statut == "publie"

    today = date.today()
    client.post(
        f"/mes-services/{service.id}/suspendre",
        data={"suspendu_du": today.isoformat(), "suspendu_au": (today + timedelta(3)).isoformat()},
    )
    db_session.refresh(service)
    assert service.is_suspended()
    assert client.get(f"/services/{service.id}").status_code == 404
    client.post(f"/mes-services/{service.id}/reprendre")
    db_session.refresh(service)
    assert not service.is_suspended()

    response = client.post(f"/mes-services/{service.id}/dupliquer")
    copy_id = response.headers["Location"].rsplit("/", 2)[-2]
    assert db_session.get(Service, copy_id).statut == "brouillon"

    client.post(f"/mes-services/{service.id}/archiver")
    db_session.refresh(service)
    assert service.statut == "archive"
    assert client.get(f"/services/{service.id}").status_code == 404


def test_a_bad_suspension_is_explained_and_changes_nothing(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member)
    operations.publish(db_session, service, author=operations.Author(member.id, member.email))
    version = service.version
    response = client.post(
        f"/mes-services/{service.id}/suspendre",
        data={"suspendu_du": "2026-05-10", "suspendu_au": "2026-05-01"},
        follow_redirects=True,
    )
    assert "La date de fin doit être postérieure à la date de début." in _page(response)
    response = client.post(
        f"/mes-services/{service.id}/suspendre",
        data={"suspendu_du": "pas une date"},
        follow_redirects=True,
    )
    assert "Suspension :" in _page(response)
    db_session.refresh(service)
    assert service.version == version and service.suspendu_du is None


def test_publishing_an_incomplete_draft_explains_what_is_missing(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member, publics=None)
    response = client.post(f"/mes-services/{service.id}/publier", follow_redirects=True)
    assert "Pour publier ce service, complétez : au moins un public." in _page(response)
    db_session.refresh(service)
    assert service.statut == "brouillon"


# Freshness ---------------------------------------------------------------------------------------


def test_stale_services_are_listed_on_the_dashboards_with_a_one_click_confirmation(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member, nom="Vieux service")
    service.date_maj = date.today() - timedelta(days=500)
    db_session.flush()

    for url in (
        f"/mon-espace/structures/{structure.id}",
        f"/mon-espace/structures/{structure.id}/services",
    ):
        page = _page(client.get(url))
        assert "À vérifier (1)" in page, url
        assert "Vieux service" in page

    response = client.post(
        f"/mes-services/{service.id}/toujours-a-jour",
        data={"next": f"/mon-espace/structures/{structure.id}"},
    )
    assert response.headers["Location"].endswith(f"/mon-espace/structures/{structure.id}")
    db_session.refresh(service)
    assert service.date_maj == date.today()
    assert "À vérifier" not in _page(client.get(f"/mon-espace/structures/{structure.id}"))
    assert queries.history(db_session, service.id)[0].action == "confirmation"


def test_next_never_leads_to_another_site(client, db_session, structure, member, logged_member):
    service = _service(db_session, structure, member)
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        response = client.post(f"/mes-services/{service.id}/toujours-a-jour", data={"next": target})
        assert response.headers["Location"].endswith(f"/mes-services/{service.id}"), target


def test_my_services_lists_drafts_of_my_structures(
    client, db_session, structure, member, logged_member
):
    _service(db_session, structure, member, nom="Brouillon à moi")
    page = _page(client.get("/mes-services"))
    assert "Association Tremplin" in page
    assert "Brouillon à moi" in page
    assert "Brouillon" in page


def test_a_form_without_its_version_saves_nothing(
    client, db_session, structure, member, logged_member
):
    service = _service(db_session, structure, member)
    for data in (form_data(nom="Autre"), form_data(nom="Autre", version="abc")):
        response = client.post(f"/mes-services/{service.id}/modifier", data=data)
        assert response.status_code == 400
        assert "Le formulaire est incomplet" in _page(response)
    data = form_data(nom="Autre", version=service.version, conflit_version="x")
    assert client.post(f"/mes-services/{service.id}/modifier", data=data).status_code == 400
    db_session.refresh(service)
    assert service.nom == "Garage solidaire"


def test_previewing_the_place_without_javascript_shows_the_commune_and_saves_nothing(
    client, db_session, structure, logged_member
):
    data = form_data(code_insee="", commune="Montreuil", code_postal="93100", action="apercu")
    response = client.post(f"/mon-espace/structures/{structure.id}/services/nouveau", data=data)
    page = _page(response)
    assert response.status_code == 200
    assert db_session.query(Service).filter_by(structure_id=structure.id).count() == 0
    assert 'name="code_insee" type="hidden" value="93048"' in page
    assert "[48.86" in page  # the map is centred on Montreuil, with its marker
    assert "Localisation approximative : centre de la commune." in page


def test_opening_hours_tool_converts_text_and_grid(client, logged_member):
    answer = client.post(
        "/mon-espace/horaires",
        data={"texte": "du lundi au vendredi de 9h à 17h, fermé les jours fériés"},
    ).get_json()
    assert answer["osm"] == "Mo-Fr 09:00-17:00; PH off"
    assert answer["grille"]["jours"]["Mo"] == [["09:00", "17:00"]]
    assert answer["grille"]["jours"]["Sa"] == [] and answer["grille"]["feries"] == "ferme"
    assert answer["lignes"][0].startswith("Du lundi au vendredi")
    grid = {**answer["grille"], "mois_fermes": ["Aug"]}
    answer = client.post("/mon-espace/horaires", data={"grille": json.dumps(grid)}).get_json()
    assert answer["osm"] == "Mo-Fr 09:00-17:00; PH off; Aug off"
    rich = client.post("/mon-espace/horaires", data={"texte": "Mo[1] 09:00-12:00"}).get_json()
    assert rich["osm"] == "Mo[1] 09:00-12:00" and rich["grille"] is None
    wrong = client.post("/mon-espace/horaires", data={"grille": "{pas du json"}).get_json()
    assert wrong == {"erreur": "Grille d’horaires illisible."}
    wrong = client.post(
        "/mon-espace/horaires", data={"grille": json.dumps({"jours": {"Mo": [["12:00", "09:00"]]}})}
    ).get_json()
    assert "Lundi : la plage 12:00–09:00 finit avant de commencer" in wrong["erreur"]


def test_markdown_preview_renders_like_the_page(client, logged_member):
    response = client.post(
        "/mon-espace/apercu-description",
        data={"texte": "**Gras**\r\n• un\r\n• deux\r\n[x](javascript:alert(1)) <script>x</script>"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<strong>Gras</strong>" in html and "<li>un</li>" in html
    assert "javascript" not in html.split("[x]")[0] and "href" not in html
    assert "&lt;script&gt;" in html


def test_french_opening_hours_are_saved_in_osm_syntax(client, db_session, structure, logged_member):
    data = form_data(horaires_accueil="du lundi au vendredi de 9h à 12h, fermé les jours fériés")
    response = client.post(f"/mon-espace/structures/{structure.id}/services/nouveau", data=data)
    assert response.status_code == 302
    service = db_session.query(Service).filter_by(structure_id=structure.id).one()
    assert service.horaires_accueil == "Mo-Fr 09:00-12:00; PH off"


def test_editor_says_the_point_is_the_communes_when_an_address_cannot_be_placed(
    client, db_session, structure, logged_member
):
    data = form_data(adresse="12 rue de la République", action="apercu")
    html = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau", data=data
    ).get_data(as_text=True)
    assert 'id="geocode-notice"' in html
    assert "centre de la commune</strong>, pas à l’adresse « 12 rue de la République »" in html
    placed = form_data(
        adresse="12 rue de la République", latitude="48,936", longitude="2,357", action="apercu"
    )
    html = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau", data=placed
    ).get_data(as_text=True)
    assert 'id="geocode-notice"' not in html
