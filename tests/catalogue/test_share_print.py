"""« Partager », the printable page and « Retour aux résultats »."""

from __future__ import annotations

from urllib.parse import unquote

import pytest


def test_share_block_has_the_link_and_an_email_with_the_essentials(client, make_service):
    service = make_service(
        nom="Garage solidaire",
        description="**Réparations** à petit prix\r\n• vidange",
        telephone="+33199003915",
        courriel="garage@example.org",
        adresse="1 rue de la Paix",
        horaires_accueil="Mo-Fr 09:00-12:00",
        modes_mobilisation=["telephoner"],
    )
    html = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert f'value="http://dora.test/services/{service.id}"' in html
    mailto = html.split('href="mailto:?subject=')[1].split('"')[0]
    subject, body = mailto.split("&amp;body=")
    assert unquote(subject) == "Garage solidaire"
    body = unquote(body)
    assert "Réparations à petit prix vidange" in body and "**" not in body
    assert "Adresse : 1 rue de la Paix, 93200 Saint-Denis" in body
    assert "Téléphone : 01 99 00 39 15" in body and "Courriel : garage@example.org" in body
    assert "Horaires : Du lundi au vendredi : 9" in body
    assert "Comment le mobiliser : Téléphoner" in body
    assert f"Fiche complète : http://dora.test/services/{service.id}" in body
    # On paper, contact details first.
    contact = html.index('class="print-only print-contact"')
    assert contact < html.index('id="description"')
    assert "Téléphone : 01 99 00 39 15" in html[contact:]


@pytest.mark.parametrize(
    "retour, shown",
    [
        ("/recherche?commune=93066&thematiques=mobilite", True),
        ("/recherche", True),
        ("//evil.example/recherche", False),
        ("https://evil.example/recherche?x", False),
        ("/mon-espace", False),
        ("/recherchex", False),
    ],
)
def test_back_to_results_only_to_our_search_page(client, make_service, retour, shown):
    service = make_service()
    html = client.get(f"/services/{service.id}", query_string={"retour": retour}).get_data(
        as_text=True
    )
    assert ("Retour aux résultats" in html) is shown
    if shown:
        assert f'href="{retour.replace("&", "&amp;")}"' in html


def test_result_links_carry_the_way_back(client, make_service):
    service = make_service()
    html = client.get("/recherche?commune=93066&rayon_km=10").get_data(as_text=True)
    assert f"/services/{service.id}?retour=/recherche?commune%3D93066%26rayon_km%3D10" in html
    assert "data-print" in html and "Imprimer la liste" in html


def test_print_stylesheet_hides_navigation_and_map_controls():
    from dora.config import PROJECT_ROOT

    css = (PROJECT_ROOT / "dora" / "static" / "css" / "dora.css").read_text()
    print_rules = css.split("@media print")[1]
    for selector in (".site-header nav", ".leaflet-control-container", ".search-filters",
                     ".pagination", ".map-figure"):  # fmt: skip
        assert selector in print_rules
