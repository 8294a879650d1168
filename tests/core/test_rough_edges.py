"""The rough edges of issue 13, each as a user met it."""

from __future__ import annotations

import re

import pytest

from dora.core.template_helpers import de_lieu, format_phone, french_decimal, phone_href


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("+33199003915", "01 99 00 39 15"),
        ("0199003915", "01 99 00 39 15"),
        ("01.99.00.39.15", "01 99 00 39 15"),
        ("0033 1 99 00 39 15", "01 99 00 39 15"),
        ("+262 262 12 34 56", "+262 262 12 34 56"),  # overseas, international: as stored
        ("3949", "3949"),
    ],
)
def test_phone_numbers_are_shown_the_french_way(raw, shown):
    assert format_phone(raw) == shown


def test_phone_links_keep_the_digits():
    assert phone_href("01 99 00 39 15") == "0199003915"
    assert phone_href("+33 1 99") == "+33199"


@pytest.mark.parametrize(
    "name, said",
    [
        ("Aurillac", "d’Aurillac"),
        ("Évry-Courcouronnes", "d’Évry-Courcouronnes"),
        ("Le Havre", "du Havre"),
        ("Les Lilas", "des Lilas"),
        ("La Courneuve", "de La Courneuve"),
        ("Saint-Denis", "de Saint-Denis"),
    ],
)
def test_de_before_a_place_name(name, said):
    assert de_lieu(name) == said


def test_decimal_comma():
    assert french_decimal(4.5) == "4,5" and french_decimal(35.0) == "35"
    assert french_decimal(7.25) == "7,2" or french_decimal(7.25) == "7,3"


def test_structure_form_speaks_french_validates_phones_and_lists_errors_in_page_order(
    client, login, make_user
):
    login(make_user("structure-form@exemple.fr"))
    data = {
        "nom": "x" * 200,
        "siret": "123",
        "adresse": "a" * 400,
        "complement_adresse": "c" * 400,
        "code_postal": "93200",
        "commune": "Saint-Denis",
        "telephone": "appelez-nous",
        "courriel": "pas-un-courriel",
        "site_web": "https://example.org",
        "description": "d" * 6000,
    }
    html = client.post("/mon-espace/structures/nouvelle", data=data).get_data(as_text=True)
    assert "Field cannot" not in html and "characters" not in html
    assert "Le champ ne peut pas contenir plus de 300 caractères." in html
    assert "Numéro de téléphone invalide" in html
    summary = html.split('id="erreurs"')[1].split("</div>")[0]
    linked = re.findall(r'<a href="#([a-z_]+)">', summary)
    page_order = re.findall(r'<(?:input|textarea)[^>]*\sid="([a-z_]+)"', html.split("</div>", 1)[1])
    assert linked == [field for field in page_order if field in linked]
    assert linked == [
        "nom", "siret", "description", "adresse", "complement_adresse", "telephone", "courriel"
    ]  # fmt: skip


def test_a_word_for_a_number_gets_one_message(client, login, make_user, make_structure):
    from dora.accounts.models import Membership
    from dora.extensions import db
    from tests.publishing.publishing_helpers import form_data

    structure = make_structure()
    user = make_user("volume@exemple.fr")
    db.session.add(Membership(user_id=user.id, structure_id=structure.id, role="admin"))
    db.session.flush()
    login(user)
    html = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau",
        data=form_data(volume_horaire_hebdomadaire="beaucoup", nombre_semaines="dix"),
    ).get_data(as_text=True)
    assert "Indiquez un nombre, par exemple 7,5." in html
    assert "compris entre 0 et 168" not in html
    assert "Indiquez un nombre entier" in html and "compris entre 1 et 520" not in html
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.count("Volume horaire") == 1


def test_service_error_summary_follows_the_page_and_lists_overlong_fields(
    client, login, make_user, make_structure
):
    from dora.accounts.models import Membership
    from dora.extensions import db
    from tests.publishing.publishing_helpers import form_data

    structure = make_structure()
    user = make_user("ordre@exemple.fr")
    db.session.add(Membership(user_id=user.id, structure_id=structure.id, role="admin"))
    db.session.flush()
    login(user)
    data = form_data(
        nom="n" * 200,
        frais_precisions="f" * 10_001,
        volume_horaire_hebdomadaire="beaucoup",
        conditions_acces="c" * 10_001,
        contact_nom_prenom="x" * 200,
        telephone="appelez",
    )
    html = client.post(
        f"/mon-espace/structures/{structure.id}/services/nouveau", data=data
    ).get_data(as_text=True)
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    linked = re.findall(r'<a href="#([a-z_]+)">', summary)
    form = html.split('id="service-form"')[1]
    page_order = re.findall(r'<(?:input|textarea|select)[^>]*\sid="([a-z_]+)"', form)
    assert set(linked) == {
        "nom", "conditions_acces", "volume_horaire_hebdomadaire", "frais_precisions",
        "contact_nom_prenom", "telephone",
    }  # fmt: skip
    assert linked == [field for field in page_order if field in linked]


def test_cli_usage_and_errors_are_in_french(app):
    from flask.cli import ScriptInfo

    from dora.cli import cli

    result = app.test_cli_runner().invoke(
        cli, ["geodata", "load", "--bogus"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 2
    assert "Utilisation :" in result.output and "Pour l’aide : «" in result.output
    assert "Erreur : Option inconnue : '--bogus'." in result.output
    assert "Usage" not in result.output and "Try" not in result.output
    help_text = (
        app.test_cli_runner()
        .invoke(cli, ["users", "--help"], obj=ScriptInfo(create_app=lambda: app))
        .output
    )
    assert "Afficher cette aide et quitter." in help_text and "Commandes" in help_text


def test_search_says_no_result_in_words_and_the_volume_with_a_comma(client, make_service):
    html = client.get("/recherche?commune=93066&q=zzzzqqq").get_data(as_text=True)
    assert "Aucun service trouvé pour une personne habitant Saint-Denis" in html
    assert "0 service" not in html
    service = make_service(volume_horaire_hebdomadaire=4.5)
    assert "4,5\xa0h" in client.get(f"/services/{service.id}").get_data(as_text=True).replace(
        "&nbsp;", "\xa0"
    )


def test_territory_index_sorts_regions_the_french_way_and_suggests_findable_names(client):
    html = client.get("/territoires").get_data(as_text=True)
    regions = re.findall(r'<h3 id="region-\d+">([^<]+)</h3>', html)
    assert regions.index("Île-de-France") < regions.index("Normandie")
    assert "Plaine Commune" not in html
    placeholder = re.search(r'placeholder="ex\. ([^"]+)"', html).group(1)
    for example in placeholder.split(", "):
        found = client.get("/territoires", query_string={"q": example}).get_data(as_text=True)
        assert "Aucun territoire ne correspond" not in found, example


def test_logo_link_name_contains_its_text_and_fields_are_in_a_list(client, make_service):
    service = make_service()
    html = client.get(f"/services/{service.id}").get_data(as_text=True)
    brand = html.split('class="brand"')[1].split("</a>")[0]
    assert "aria-label" not in brand
    side = html.split('class="column-side"')[1]
    assert side.index("<dl") < side.index("<dt>Accueil</dt>")
